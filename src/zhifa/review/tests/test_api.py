"""The review API: scoped reads (anonymous 401, another body 404, an API client its own
subtree), writes only by signed-in people, the whole loop with the refusals of bad input, and
the decision gate reported and holding."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from zhifa.cases.services import CaseActionRefused
from zhifa.exchange import services as exchange_services
from zhifa.ledger.models import LedgerEntry
from zhifa.review import services
from zhifa.review.models import ReviewRequest, ReviewRound

from .conftest import MATERIALS, all_ok, decide_data

pytestmark = pytest.mark.django_db

BASE = "/api/v1/review"


def post(client: Client, url: str, data: dict):
    return client.post(url, data, content_type="application/json")


def bearer(world, org_key: str, scopes: str = "read") -> Client:
    _, raw = exchange_services.issue_token(None, f"{org_key}-{scopes}", world.orgs[org_key], scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_reads_are_scoped(cw, major_case, client, client_for):
    url = f"{BASE}/cases/{major_case.pk}"
    assert client.get(url).status_code == 401
    assert client.get(f"{BASE}/queue").status_code == 401
    other = client_for("marketofficer").get(url)
    assert other.status_code == 404 and other.json() == {"detail": "未找到该案件。"}
    assert client_for("sysadmin").get(url).status_code == 404
    for user in ("officer", "reviewer", "bodyhead", "supervisor"):
        response = client_for(user).get(url)
        assert response.status_code == 200, user
    body = response.json()
    assert body["determination"]["major"] and not body["determination"]["stored"]
    assert "第五十八条" in body["decision_blocked"]

    assert bearer(cw.world, "daxing").get(url).status_code == 200
    assert bearer(cw.world, "county_market").get(url).status_code == 404
    catalogue = client_for("officer").get(f"{BASE}/catalogues/{cw.orgs['daxing'].pk}").json()
    assert catalogue["default"] and catalogue["version"] == 0 and len(catalogue["rules"]) == 10
    assert client_for("officer").get(f"{BASE}/stats").status_code == 403
    assert client_for("countysupervisor").get(f"{BASE}/stats").status_code == 200
    assert bearer(cw.world, "daxing").get(f"{BASE}/stats").status_code == 403


def test_the_loop_through_the_api(cw, major_case, reviewers, client_for):
    officer, head, reviewer = (client_for(u) for u in ("officer", "bodyhead", "reviewer"))
    case_url = f"{BASE}/cases/{major_case.pk}"
    before = LedgerEntry.objects.count()

    partial = {k: v for k, v in MATERIALS.items() if k != "draft_decision"}
    response = post(officer, f"{case_url}/submissions", {"materials": partial})
    assert response.status_code == 400
    assert "缺少：行政执法决定书（代拟稿）" in response.json()["detail"]
    response = post(
        officer, f"{case_url}/submissions", {"materials": MATERIALS, "reviewer_id": 999999}
    )
    assert response.status_code == 400 and "法制审核人员" in response.json()["detail"]
    assert LedgerEntry.objects.count() == before

    # an API client cannot act for the handler
    client = bearer(cw.world, "daxing", "read,registry.write")
    assert post(client, f"{case_url}/submissions", {"materials": MATERIALS}).status_code == 403

    response = post(officer, f"{case_url}/submissions", {"materials": MATERIALS})
    assert response.status_code == 201
    round_id = response.json()["id"]
    request_id = ReviewRequest.objects.get(case=major_case).pk
    response = post(
        officer,
        f"{BASE}/requests/{request_id}/assignment",
        {"reviewer_id": reviewers["officer"].pk},
    )
    assert response.status_code == 403
    response = post(
        head, f"{BASE}/requests/{request_id}/assignment", {"reviewer_id": reviewers["officer"].pk}
    )
    assert response.status_code == 200 and response.json()["reviewer"] == "刘洋"

    opinion_url = f"{BASE}/rounds/{round_id}/opinion"
    findings = all_ok(law={"result": "problem", "comment": "适用条款不准确"})
    response = post(reviewer, opinion_url, {"opinion": "problems", "findings": findings})
    assert response.status_code == 400
    assert "必须写明存在的问题" in response.json()["detail"]
    assert ReviewRound.objects.get(pk=round_id).opinion == ""
    response = post(
        reviewer,
        opinion_url,
        {"opinion": "problems", "findings": findings, "problems": "更正适用条款"},
    )
    assert response.status_code == 200 and response.json()["opinion"] == "problems"

    response = post(officer, f"{case_url}/submissions", {"materials": MATERIALS})
    assert response.status_code == 201 and response.json()["number"] == 2
    second = response.json()["id"]
    response = post(
        reviewer, f"{BASE}/rounds/{second}/opinion", {"opinion": "agree", "findings": all_ok()}
    )
    assert response.status_code == 200
    body = officer.get(case_url).json()
    assert body["decision_blocked"] is None and body["request"]["status"] == "passed"
    assert [r["opinion"] for r in body["rounds"]] == ["problems", "agree"]
    assert body["rounds"][0]["findings"][5] == {
        "item": "law",
        "label": "适用法律、法规、规章准确",
        "result": "problem",
        "comment": "适用条款不准确",
    }
    assert cw.perform(major_case, "decide", decide_data()).stage == "decided"


def test_deliberation_and_catalogue_through_the_api(cw, major_case, client_for):
    head = client_for("bodyhead")
    payload = {
        "held_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
        "place": "乡政府会议室",
        "chair": "张伟",
        "recorder": "王芳",
        "attendees": [
            {"name": "张伟", "position": "乡长", "opinion": "同意"},
            {"name": "赵强", "position": "执法队长", "opinion": "同意"},
        ],
        "conclusion": "penalty",
        "conclusion_text": "同意处罚",
        "minutes": "记录",
    }
    url = f"{BASE}/cases/{major_case.pk}/deliberations"
    assert post(client_for("officer"), url, payload).status_code == 403
    assert post(client_for("marketofficer"), url, payload).status_code == 404
    response = post(head, url, {**payload, "attendees": payload["attendees"][:1]})
    assert response.status_code == 400 and "至少登记2位" in response.json()["detail"]
    assert post(head, url, payload).status_code == 201

    daxing = cw.orgs["daxing"].pk
    rules = [
        {
            "kind": "fine",
            "label": "对自然人处罚款一万元以上的",
            "categories": ["penalty"],
            "party_scope": "natural",
            "threshold": "10000",
            "basis": "本机关目录",
        }
    ]
    assert (
        post(client_for("officer"), f"{BASE}/catalogues/{daxing}", {"rules": rules}).status_code
        == 403
    )
    response = post(head, f"{BASE}/catalogues/{daxing}", {"rules": rules, "time_limit": 10})
    assert response.status_code == 201
    assert response.json()["version"] == 1 and response.json()["time_limit"] == 10
    body = head.get(f"{BASE}/cases/{major_case.pk}").json()
    # not stored yet: judged by version 1 now, so no longer major; the gate follows the catalogue
    assert body["determination"]["catalogue_version"] == 1
    assert not body["determination"]["major"] and body["decision_blocked"] is None


def test_gate_holds_after_a_stored_determination(cw, major_case, client_for):
    """Stored first, then the catalogue is relaxed: the case stays major (its version)."""
    officer = client_for("officer")
    response = post(officer, f"{BASE}/cases/{major_case.pk}/determination", {})
    assert response.status_code == 201 and response.json()["determination"]["stored"]
    rules = [{"kind": "public_interest", "label": "涉及重大公共利益的"}]
    daxing = cw.orgs["daxing"].pk
    assert (
        post(client_for("bodyhead"), f"{BASE}/catalogues/{daxing}", {"rules": rules}).status_code
        == 201
    )
    body = officer.get(f"{BASE}/cases/{major_case.pk}").json()
    assert body["determination"]["major"] and body["determination"]["catalogue_version"] == 0
    with pytest.raises(CaseActionRefused):
        cw.perform(major_case, "decide", decide_data())


def test_every_write_endpoint_is_scoped(cw, major_case, reviewers, client, client_for):
    review_round = services.submit(cw.users["officer"], major_case, materials=MATERIALS)
    daxing = cw.orgs["daxing"].pk
    writes = [
        f"{BASE}/cases/{major_case.pk}/determination",
        f"{BASE}/cases/{major_case.pk}/submissions",
        f"{BASE}/requests/{review_round.request_id}/assignment",
        f"{BASE}/rounds/{review_round.pk}/opinion",
        f"{BASE}/rounds/{review_round.pk}/extension",
        f"{BASE}/cases/{major_case.pk}/deliberations",
        f"{BASE}/catalogues/{daxing}",
    ]
    bodies = [
        {},
        {"materials": MATERIALS},
        {"reviewer_id": reviewers["officer"].pk},
        {"opinion": "agree", "findings": all_ok()},
        {"reason": "案情复杂"},
        {
            "held_at": timezone.now().isoformat(),
            "place": "会议室",
            "chair": "张伟",
            "recorder": "王芳",
            "attendees": [],
            "conclusion": "penalty",
            "conclusion_text": "同意",
            "minutes": "记录",
        },
        {"rules": [{"kind": "public_interest", "label": "涉及重大公共利益的"}]},
    ]
    before = LedgerEntry.objects.count()
    market = client_for("marketofficer")
    for url, body in zip(writes, bodies, strict=True):
        assert post(client, url, body).status_code == 401, url
        assert post(market, url, body).status_code == 404, url
        assert post(client_for("supervisor"), url, body).status_code == 403, url
    assert LedgerEntry.objects.count() == before


def test_cases_api_refuses_to_decide_a_major_case_until_review_passes(
    cw, major_case, reviewers, client_for
):
    """The decide transition through /api/v1/cases: refused (400, 第五十八条) before the review
    passes, nothing changed; accepted after."""
    head = client_for("unithead")
    url = f"/api/v1/cases/{major_case.pk}/transitions"
    body = {"action": "decide", "data": decide_data(), "expected_stage": "notified"}
    actions = head.get(f"/api/v1/cases/{major_case.pk}/actions").json()
    assert "第五十八条" in str(actions)
    response = post(head, url, body)
    assert response.status_code == 400 and "第五十八条" in response.json()["detail"]
    major_case.refresh_from_db()
    assert major_case.stage == "notified" and major_case.decided_on is None

    review_round = services.submit(
        cw.users["officer"], major_case, materials=MATERIALS, reviewer=reviewers["officer"]
    )
    assert post(head, url, body).status_code == 400
    services.give_opinion(cw.users["reviewer"], review_round, opinion="agree", findings=all_ok())
    response = post(head, url, body)
    assert response.status_code == 200, response.json()
    major_case.refresh_from_db()
    assert major_case.stage == "decided"
