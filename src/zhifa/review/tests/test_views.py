"""Review pages: every page anonymous (→ login), as an administrator (403), from another body
(404 for 大兴乡's objects) and with the right role; the whole loop through the forms; bad input
shown in Chinese with nothing changed."""

from __future__ import annotations

import pytest

from zhifa.ledger.models import LedgerEntry
from zhifa.review import services
from zhifa.review.checklist import CHECKLIST
from zhifa.review.models import CatalogueVersion, ReviewRequest, ReviewRound

from .conftest import MATERIALS, all_ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def loop(cw, major_case, reviewers):
    """A major case with one answered round (存在问题) and a second open round."""
    first = services.submit(
        cw.users["officer"], major_case, materials=MATERIALS, reviewer=reviewers["officer"]
    )
    services.give_opinion(
        cw.users["reviewer"],
        first,
        opinion="problems",
        findings=all_ok(evidence={"result": "problem", "comment": "缺少现场照片"}),
        problems="补充现场照片。",
    )
    second = services.submit(cw.users["officer"], major_case, materials=MATERIALS)
    return {"case": major_case, "first": first, "second": second, "request": first.request}


def page_urls(cw, loop) -> list[str]:
    case, request = loop["case"], loop["request"]
    daxing = cw.orgs["daxing"].pk
    return [
        f"/review/cases/{case.pk}/",
        f"/review/requests/{request.pk}/",
        f"/review/rounds/{loop['first'].pk}/",
        f"/review/catalogue/{daxing}/",
    ]


def test_pages_anonymous_admin_other_body_and_right_role(cw, loop, client, client_for):
    urls = page_urls(cw, loop)
    general = ["/review/", "/review/catalogue/", "/review/stats/"]
    for url in urls + general:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
        assert client_for("sysadmin").get(url).status_code == 403, url
    market = client_for("marketofficer")
    for url in urls:
        assert market.get(url).status_code == 404, url
    assert market.get("/review/").status_code == 200
    assert loop["case"].number not in market.get("/review/").content.decode()
    for user in ("officer", "reviewer", "bodyhead", "supervisor"):
        c = client_for(user)
        for url in urls:
            assert c.get(url).status_code == 200, (user, url)
    assert client_for("officer").get("/review/stats/").status_code == 403
    assert client_for("countysupervisor").get("/review/stats/").status_code == 200


def test_posts_are_scoped(cw, loop, client_for):
    case, request, second = loop["case"], loop["request"], loop["second"]
    posts = [
        f"/review/cases/{case.pk}/determine/",
        f"/review/cases/{case.pk}/submit/",
        f"/review/cases/{case.pk}/require-deliberation/",
        f"/review/cases/{case.pk}/deliberation/",
        f"/review/requests/{request.pk}/",
        f"/review/requests/{request.pk}/assign/",
        f"/review/rounds/{second.pk}/extend/",
        f"/review/catalogue/{cw.orgs['daxing'].pk}/edit/",
    ]
    market = client_for("marketofficer")
    before = LedgerEntry.objects.count()
    for url in posts:
        assert market.post(url, {}).status_code == 404, url
    # right body, wrong role
    officer = client_for("officer")
    assert officer.post(posts[3], {}).status_code == 403
    assert officer.post(posts[4], {"opinion": "agree"}).status_code == 403
    assert officer.post(posts[5], {"reviewer": loop["first"].reviewer_id}).status_code == 403
    assert officer.post(posts[7], {}).status_code == 403
    assert client_for("supervisor").post(posts[1], {}).status_code == 403
    assert LedgerEntry.objects.count() == before


def test_review_loop_through_the_pages(cw, major_case, reviewers, client_for):
    officer, head, reviewer = (client_for(u) for u in ("officer", "bodyhead", "reviewer"))
    page = officer.get(f"/review/cases/{major_case.pk}/").content.decode()
    assert "本案属于重大执法决定" in page and "对自然人处较大数额罚款的" in page

    # missing material: refused, in Chinese, nothing saved
    form = {f"m_{k}": v for k, v in MATERIALS.items() if k != "evidence_list"}
    response = officer.post(f"/review/cases/{major_case.pk}/submit/", form)
    assert response.status_code == 400
    assert "送审材料不齐全，缺少：证据材料目录及证据" in response.content.decode()
    assert not ReviewRequest.objects.filter(case=major_case).exists()

    form["m_evidence_list"] = MATERIALS["evidence_list"]
    response = officer.post(f"/review/cases/{major_case.pk}/submit/", form)
    assert response.status_code == 302
    request = ReviewRequest.objects.get(case=major_case)
    response = head.post(
        f"/review/requests/{request.pk}/assign/", {"reviewer": reviewers["officer"].pk}
    )
    assert response.status_code == 302

    queue = reviewer.get("/review/").content.decode()
    assert major_case.number in queue
    url = f"/review/requests/{request.pk}/"
    assert "出具审核意见" in reviewer.get(url).content.decode()
    opinion = {f"{code}_result": "ok" for code, _ in CHECKLIST}
    opinion.update({"opinion": "problems", "discretion_result": "problem"})
    response = reviewer.post(url, {**opinion, "discretion_comment": "未说明裁量理由"})
    assert response.status_code == 400
    assert "必须写明存在的问题及修改意见" in response.content.decode()
    assert ReviewRound.objects.get(request=request).opinion == ""

    response = reviewer.post(
        url, {**opinion, "discretion_comment": "未说明裁量理由", "problems": "补充裁量说明"}
    )
    first = ReviewRound.objects.get(request=request)
    assert response.status_code == 302 and response["Location"] == f"/review/rounds/{first.pk}/"
    document = reviewer.get(response["Location"]).content.decode()
    assert "法制审核意见书" in document and "补充裁量说明" in document and "存在问题" in document

    response = officer.post(f"/review/cases/{major_case.pk}/submit/", form)
    assert response.status_code == 302
    opinion.update({"opinion": "agree", "discretion_result": "ok"})
    assert reviewer.post(url, opinion).status_code == 302
    request.refresh_from_db()
    assert request.status == "passed" and request.rounds.count() == 2
    page = officer.get(f"/review/cases/{major_case.pk}/").content.decode()
    assert "第2轮" in page and "审核通过" in page


def test_catalogue_editor_publishes_a_version(cw, client_for):
    daxing = cw.orgs["daxing"].pk
    head = client_for("bodyhead")
    page = head.get(f"/review/catalogue/{daxing}/edit/")
    assert page.status_code == 200
    rules = services.default_rules()
    data = {
        "time_limit": "5",
        "extension_days": "3",
        "note": "按市场监管领域调整",
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "60",
    }
    for i, rule in enumerate(rules):
        for key in ("kind", "label", "basis", "party_scope"):
            data[f"rules-{i}-{key}"] = rule.get(key, "")
        data[f"rules-{i}-categories"] = rule.get("categories", [])
        data[f"rules-{i}-penalty_kinds"] = rule.get("penalty_kinds", [])
        if rule.get("threshold") is not None:
            data[f"rules-{i}-threshold"] = str(rule["threshold"])
        if rule.get("requires_deliberation"):
            data[f"rules-{i}-requires_deliberation"] = "on"
    data["rules-0-kind"] = ""  # dropped
    bad = {**data, "rules-6-threshold": ""}
    response = head.post(f"/review/catalogue/{daxing}/edit/", bad)
    assert response.status_code == 400 and "数额标准须为数字" in response.content.decode()
    assert not CatalogueVersion.objects.exists()
    response = head.post(f"/review/catalogue/{daxing}/edit/", data)
    assert response.status_code == 302
    version = CatalogueVersion.objects.get(organization_id=daxing)
    assert version.version == 1 and version.time_limit == 5
    assert version.rules.count() == len(rules) - 1
    page = client_for("officer").get(f"/review/catalogue/{daxing}/").content.decode()
    assert "第1版" in page and "按市场监管领域调整" in page
    assert client_for("officer").get(f"/review/catalogue/{daxing}/edit/").status_code == 403


def test_statistics(cw, loop, client_for):
    page = client_for("countysupervisor").get("/review/stats/").content.decode()
    assert cw.orgs["daxing"].name in page
    assert "0.0%" in page  # the only first round so far: 存在问题
    assert "证据合法、充分" in page


def test_case_page_block_shows_the_history(cw, loop):
    from django.template import Context, Template

    html = Template("{% load review %}{% review_summary case %}").render(
        Context({"case": loop["case"]})
    )
    assert "存在问题" in html and "第2轮" in html and "审核中" in html
    assert f"/review/rounds/{loop['first'].pk}/" in html


def test_head_only_pages(cw, loop, client_for):
    case = loop["case"]
    daxing = cw.orgs["daxing"].pk
    for url in (f"/review/cases/{case.pk}/deliberation/", f"/review/catalogue/{daxing}/edit/"):
        assert client_for("bodyhead").get(url).status_code == 200, url
        for user in ("officer", "reviewer", "supervisor"):
            assert client_for(user).get(url).status_code == 403, (user, url)
        assert client_for("marketofficer").get(url).status_code == 404, url


def test_overdue_review_shows_in_statistics_and_queue(cw, major_case, reviewers, client_for):
    import datetime

    late = services.submit(
        cw.users["officer"],
        major_case,
        materials=MATERIALS,
        reviewer=reviewers["officer"],
        today=datetime.date(2026, 1, 5),
    )
    assert late.due_on == datetime.date(2026, 1, 14)
    page = client_for("supervisor").get("/review/stats/").content.decode()
    assert "超期" in page and major_case.number in page and "2026-01-14" in page
    queue = client_for("reviewer").get("/review/").content.decode()
    assert "已超期" in queue
