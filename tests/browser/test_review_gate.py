"""Issue 6 in a browser: a major penalty case (a 5,000 yuan fine to a natural person, ≥ 2,000
under the default catalogue) cannot be decided until its legal review passes
(《行政处罚法》第五十八条). Through the pages only, each person on their own phone: the unit head
is refused with the reason and the stage does not move; the officer submits the materials; the
body head assigns the reviewer; the reviewer finds 存在问题 (the case goes back); the officer
resubmits; the reviewer agrees; the unit head decides. Everyone in it is fictional."""

from __future__ import annotations

import re

import pytest

from zhifa.cases.tests import conftest as cases_fixtures

from . import test_case_phone as phone_test
from .test_case_phone import _field, _login, _open_action, _submit

# Fixtures shared, not copied: cases built by the case services, phones, the ledger cleanup.
cw = cases_fixtures.cw
make_case = cases_fixtures.make_case
phones = phone_test.phones
clean_ledger_after = phone_test.clean_ledger_after

NOTIFIED = "已告知（陈述申辩期）"
MATERIALS = {
    "行政执法决定书（代拟稿）": "行政处罚决定书（代拟稿）",
    "案件调查终结报告": "调查终结报告",
    "证据材料目录及证据": "证据目录（共12页）",
    "适用的法律依据及说明": "《中华人民共和国城乡规划法》第六十五条",
    "行使裁量权的说明（裁量基准适用情况）": "裁量说明：一般情节",
}


def _no_error(page) -> None:
    errors = page.locator("[role=alert]")
    assert errors.count() == 0, errors.first.inner_text()


def _checklist(page, opinion: str, problem_item: str | None = None) -> None:
    """Every one of the nine items 符合, except `problem_item` (a legend's text): 存在问题."""
    sets = page.locator("fieldset:has(legend)")
    assert sets.count() == 9
    for i in range(9):
        fieldset = sets.nth(i)
        if problem_item and problem_item in fieldset.locator("legend").inner_text():
            fieldset.get_by_label("存在问题", exact=True).check()
            fieldset.locator("textarea").fill("罚款数额未说明适用裁量基准的理由。")
        else:
            fieldset.get_by_label("符合", exact=True).check()
    page.locator(f"input[name=opinion][value={opinion}]").check()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_major_case_is_decided_only_after_its_review_passes(
    live_server, phones, make_case, clean_ledger_after
):
    from zhifa.cases.models import Case
    from zhifa.review.models import ReviewRequest

    # Up to the notice with the party's written waiver, built through the case services.
    case = make_case(
        stage="notified",
        fine="5000",
        hearing_right=True,  # a 较大数额罚款 (第六十三条第一款第一项)
        title="未取得乡村建设规划许可证建房案（虚构）",
    )
    assert case.steps.filter(action="waive_statement").exists()
    base = live_server.url
    case_url = f"{base}/cases/{case.pk}/"
    review_url = f"{base}/review/cases/{case.pk}/"
    head, officer, bodyhead, reviewer = phones(), phones(), phones(), phones()
    for page, user in (
        (head, "unithead"),
        (officer, "officer"),
        (bodyhead, "bodyhead"),
        (reviewer, "reviewer"),
    ):
        _login(page, base, user)

    # 1. The unit head cannot decide: no decide form, the refusal cites 第五十八条.
    head.goto(case_url)
    assert head.locator("#case-stage").inner_text() == NOTIFIED
    assert head.locator("#action-decide").count() == 0
    blocked = head.locator(".blocked").inner_text()
    assert "作出" in blocked and "第五十八条" in blocked, blocked
    assert "对自然人处较大数额罚款的" in head.locator("#h-review + article").inner_text()

    # 2. The officer submits; a missing material is refused first and nothing is saved.
    officer.goto(case_url)
    officer.get_by_role("link", name="审核记录与送审").click()
    officer.wait_for_url(review_url)
    officer.locator("summary", has_text="提交法制审核").click()
    for label, text in MATERIALS.items():
        if label != "证据材料目录及证据":
            officer.get_by_label(f"{label}（必备）").fill(text)
    officer.get_by_role("button", name="送审").click()
    officer.wait_for_load_state("domcontentloaded")
    assert (
        "送审材料不齐全，缺少：证据材料目录及证据" in officer.locator("[role=alert]").inner_text()
    )
    assert not ReviewRequest.objects.filter(case_id=case.pk).exists()
    officer.get_by_label("证据材料目录及证据（必备）").fill(MATERIALS["证据材料目录及证据"])
    officer.get_by_role("button", name="送审").click()
    officer.wait_for_url(review_url)
    _no_error(officer)
    assert "第1轮" in officer.content()

    # 3. The body head assigns the registered legal reviewer.
    bodyhead.goto(review_url)
    select = bodyhead.get_by_label("审核人员", exact=True)
    select.select_option(select.locator("option", has_text="刘洋").get_attribute("value"))
    bodyhead.get_by_role("button", name="指定审核人员").click()
    bodyhead.wait_for_url(review_url)
    _no_error(bodyhead)

    # 4. The reviewer finds a problem with the discretion: 存在问题, the case goes back.
    reviewer.goto(f"{base}/review/")
    reviewer.get_by_role("link", name=re.compile(re.escape(case.number))).first.click()
    if "/review/requests/" not in reviewer.url:  # the queue may lead to the case's review
        reviewer.get_by_role("link", name="审核页面").click()
    reviewer.wait_for_url(re.compile(r"/review/requests/\d+/$"))
    _checklist(reviewer, "problems", problem_item="裁量")
    reviewer.get_by_label(re.compile("^存在的问题及修改意见")).fill(
        "请补充说明适用裁量基准的理由后重新送审。"
    )
    reviewer.get_by_role("button", name="出具审核意见").click()
    reviewer.wait_for_url(re.compile(r"/review/rounds/\d+/$"))
    assert "法制审核意见书" in reviewer.content() and "存在问题" in reviewer.content()

    head.goto(case_url)  # still refused, stage unchanged, the history on the case page
    assert head.locator("#action-decide").count() == 0
    assert "第五十八条" in head.locator(".blocked").inner_text()
    assert head.locator("#case-stage").inner_text() == NOTIFIED
    summary = head.locator("#h-review + article").inner_text()
    assert "第1轮" in summary and "存在问题" in summary and "退回" in summary, summary

    # 5. The officer resubmits (the form carries the last round's materials).
    officer.goto(review_url)
    discretion = officer.get_by_label("行使裁量权的说明（裁量基准适用情况）（必备）")
    assert discretion.input_value() == MATERIALS["行使裁量权的说明（裁量基准适用情况）"]
    discretion.fill("裁量说明：一般情节，按裁量基准第二档处五千元罚款。")
    officer.get_by_role("button", name="送审").click()
    officer.wait_for_url(review_url)
    _no_error(officer)

    # 6. The same reviewer agrees on round 2.
    reviewer.goto(f"{base}/review/")
    reviewer.get_by_role("link", name=re.compile(re.escape(case.number))).first.click()
    if "/review/requests/" not in reviewer.url:
        reviewer.get_by_role("link", name="审核页面").click()
    reviewer.wait_for_url(re.compile(r"/review/requests/\d+/$"))
    assert "第2轮" in reviewer.content()
    _checklist(reviewer, "agree")
    reviewer.get_by_role("button", name="出具审核意见").click()
    reviewer.wait_for_url(re.compile(r"/review/rounds/\d+/$"))
    _no_error(reviewer)

    # 7. Now the unit head decides from the case page.
    head.goto(case_url)
    blocked = head.locator(".blocked")
    assert blocked.count() == 0 or "第五十八条" not in blocked.inner_text()
    summary = head.locator("#h-review + article").inner_text()
    assert "第2轮" in summary and "同意" in summary, summary
    box = _open_action(head, "decide")
    box.get_by_label("罚款", exact=True).check()
    _field(box, "罚款金额（元）").fill("5000")
    _field(box, "认定的违法事实和证据").fill("未取得乡村建设规划许可证建房，有询问笔录为证。")
    _field(box, "处罚依据").fill("《中华人民共和国城乡规划法》第六十五条")
    _submit(head, box, "已作出处罚决定（待送达）")
    decided = Case.objects.get(pk=case.pk)
    assert decided.stage == "decided" and decided.data["review_passed"] is True
    request = ReviewRequest.objects.get(case_id=case.pk)
    assert [r.opinion for r in request.rounds.order_by("number")] == ["problems", "agree"]
