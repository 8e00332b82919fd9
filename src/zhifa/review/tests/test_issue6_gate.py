"""Issue 6, checked item by item after the review app landed: the gate on the other decide
transitions (licensing, coercion), a forged decide post on the case page, the review history
on the case page itself, and a passed review that no longer covers the penalty to be decided."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhifa.cases.services import CaseActionRefused
from zhifa.ledger.models import LedgerEntry
from zhifa.review import services
from zhifa.review.models import RequestStatus, ReviewRequest

from .conftest import MAJOR_FINE, MATERIALS, all_ok, decide_data

pytestmark = pytest.mark.django_db

LICENCE_MATERIALS = {k: v for k, v in MATERIALS.items() if k != "discretion"}
PUBLIC_INTEREST = {"public_interest": True}


def _pass(cw, case, reviewers, materials=MATERIALS):
    review_round = services.submit(
        cw.users["officer"], case, materials=materials, reviewer=reviewers["officer"]
    )
    return services.give_opinion(
        cw.users["reviewer"], review_round, opinion="agree", findings=all_ok()
    )


def test_licensing_decision_of_a_major_case_waits_for_the_review(cw, make_case, reviewers):
    case = make_case("licensing", "reviewed")
    assert services.decision_gate(case) is None  # not major by the catalogue alone
    services.determine(cw.users["officer"], case, PUBLIC_INTEREST)
    for action, data in (
        ("grant", {"content": "准予许可（示例）"}),
        ("refuse", {"reason": "不符合条件（示例）", "rights": True}),
    ):
        with pytest.raises(CaseActionRefused, match="第五十八条"):
            cw.perform(case, action, data)
    case.refresh_from_db()
    assert case.stage == "reviewed" and case.decided_on is None
    _pass(cw, case, reviewers, LICENCE_MATERIALS)
    assert cw.perform(case, "grant", {"content": "准予许可（示例）"}).stage == "granted"


def test_coercion_execution_decision_of_a_major_case_waits_for_the_review(cw, make_case, reviewers):
    case = make_case("coercion", "heard", branch="execution")
    services.determine(cw.users["officer"], case, PUBLIC_INTEREST)
    data = {"method": "依法强制执行（示例）", "reasons": "逾期不履行（示例）"}
    with pytest.raises(CaseActionRefused, match="第五十八条"):
        cw.perform(case, "decide_execution", data)
    case.refresh_from_db()
    assert case.stage == "heard"
    _pass(cw, case, reviewers, LICENCE_MATERIALS)
    assert cw.perform(case, "decide_execution", data).stage == "execution_decided"


def _decide_post(case) -> dict:
    return {
        "action": "decide",
        "expected_stage": case.stage,
        "kinds": ["fine"],
        "fine": MAJOR_FINE,
        "facts": "未取得乡村建设规划许可证建房（示例）",
        "basis": "《中华人民共和国城乡规划法》第六十五条",
    }


def test_a_forged_decide_post_on_the_case_page_is_refused(cw, major_case, client_for):
    head = client_for("unithead")
    url = f"/cases/{major_case.pk}/"
    page = head.get(url).content.decode()
    assert 'id="action-decide"' not in page and "第五十八条" in page
    before = LedgerEntry.objects.count()
    response = head.post(f"{url}act", _decide_post(major_case))
    assert response.status_code == 400
    assert "第五十八条" in response.content.decode()
    major_case.refresh_from_db()
    assert major_case.stage == "notified" and major_case.decided_on is None
    assert LedgerEntry.objects.count() == before


def test_the_case_page_shows_the_review_history(cw, major_case, reviewers, client_for):
    officer, reviewer = cw.users["officer"], cw.users["reviewer"]
    first = services.submit(officer, major_case, materials=MATERIALS, reviewer=reviewers["officer"])
    services.give_opinion(
        reviewer,
        first,
        opinion="problems",
        findings=all_ok(discretion={"result": "problem", "comment": "未说明裁量理由"}),
        problems="请补充裁量说明。",
    )
    second = services.submit(officer, major_case, materials=MATERIALS)
    page = client_for("unithead").get(f"/cases/{major_case.pk}/").content.decode()
    assert 'id="h-review"' in page
    assert f"/review/rounds/{first.pk}/" in page and "存在问题" in page
    assert "第2轮" in page and "审核中" in page
    services.give_opinion(reviewer, second, opinion="agree", findings=all_ok())
    page = client_for("unithead").get(f"/cases/{major_case.pk}/").content.decode()
    assert f"/review/rounds/{second.pk}/" in page and 'id="action-decide"' in page


def test_a_passed_review_does_not_cover_a_new_penalty(cw, major_case, reviewers, client_for):
    """Reviewed and passed on a 5,000 yuan fine; the head sends the case back for further
    investigation and a heavier penalty is proposed and notified: that penalty was never
    reviewed, so the decision waits for a new round."""
    _pass(cw, major_case, reviewers)
    today = timezone.localdate()
    case = major_case
    heavier = {**decide_data("20000")}
    for action, user, data in (
        ("reinvestigate", "unithead", {"reason": "需补充调查违法所得（示例）"}),
        ("conclude", "officer", {"report": "补充调查终结报告（示例）", "proposal": "penalize"}),
        # A 较大数额罚款: the right to a hearing is told (行政处罚法第六十三条第一款第一项).
        ("approve_penalty", "unithead", {**heavier, "hearing_right": True}),
        (
            "notify",
            "officer",
            {"served_on": today, "facts": "事实", "reasons": "理由", "basis": "依据"},
        ),
        ("waive_statement", "officer", {"waived_on": today, "waiver": "书面放弃陈述申辩"}),
    ):
        case = cw.perform(case, action, data, user=user)
    with pytest.raises(CaseActionRefused, match="重新送审"):
        cw.perform(case, "decide", heavier)
    case.refresh_from_db()
    assert case.stage == "notified"
    blocked = client_for("officer").get(f"/api/v1/review/cases/{case.pk}").json()
    assert "重新送审" in blocked["decision_blocked"]
    page = client_for("officer").get(f"/review/cases/{case.pk}/").content.decode()
    assert "修改后重新送审" in page and "罚款20,000.00元" in page

    # the handler resubmits; the reviewer agrees on the new penalty; the head decides
    review_round = services.submit(cw.users["officer"], case, materials=MATERIALS)
    assert review_round.number == 2 and review_round.reviewer == reviewers["officer"]
    request = ReviewRequest.objects.get(case=case)
    assert request.status == RequestStatus.REVIEWING
    with pytest.raises(CaseActionRefused):
        cw.perform(case, "decide", heavier)
    services.give_opinion(cw.users["reviewer"], review_round, opinion="agree", findings=all_ok())
    assert cw.perform(case, "decide", heavier).stage == "decided"


def test_a_passed_review_still_covers_the_same_penalty_after_reinvestigation(
    cw, major_case, reviewers
):
    _pass(cw, major_case, reviewers)
    today = timezone.localdate()
    case = major_case
    for action, user, data in (
        ("reinvestigate", "unithead", {"reason": "补充一份证人证言（示例）"}),
        ("conclude", "officer", {"report": "补充调查终结报告（示例）", "proposal": "penalize"}),
        ("approve_penalty", "unithead", {**decide_data(), "hearing_right": True}),
        (
            "notify",
            "officer",
            {"served_on": today, "facts": "事实", "reasons": "理由", "basis": "依据"},
        ),
        ("waive_statement", "officer", {"waived_on": today, "waiver": "书面放弃陈述申辩"}),
    ):
        case = cw.perform(case, action, data, user=user)
    with pytest.raises(Exception, match="已通过法制审核"):
        services.submit(cw.users["officer"], case, materials=MATERIALS)
    assert cw.perform(case, "decide", decide_data()).stage == "decided"
