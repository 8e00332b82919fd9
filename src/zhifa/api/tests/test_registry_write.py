"""Body profile, legal adviser and legal reviewer writes, and the reviewer ratio on the body:
through the registry services, scoped (anonymous 401, officer 403, token without
registry.write 403, other organisation 404), the 行政处罚法 第五十八条 rule enforced (400)."""

import json

import pytest
from django.test import Client

from zhifa.ledger.models import LedgerEntry
from zhifa.registry.models import LegalAdviser, LegalReviewer, Officer

BASE = "/api/v1"


def _send(client, method, url, body):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def objs(api_world):
    return {
        "daxing": api_world.orgs["daxing"],
        "firm": api_world.orgs["law_firm"],
        "adviser": LegalAdviser.objects.get(),
        "reviewer": LegalReviewer.objects.filter(active=True).first(),
        "officer": Officer.objects.get(name="李明"),  # no legal qualification
    }


def writes(objs):
    org = objs["daxing"].pk
    return [
        ("put", f"{BASE}/bodies/{org}/profile", {"phone": "0883-0000009"}),
        (
            "post",
            f"{BASE}/bodies/{org}/advisers",
            {"name": "吴律", "law_firm_id": objs["firm"].pk, "practising_certificate_no": "99"},
        ),
        ("patch", f"{BASE}/advisers/{objs['adviser'].pk}", {"active": False}),
        (
            "post",
            f"{BASE}/bodies/{org}/reviewers",
            {"officer_id": objs["officer"].pk, "appointed_on": "2026-03-01", "first_time": False},
        ),
        (
            "post",
            f"{BASE}/reviewers/{objs['reviewer'].pk}/withdraw",
            {"withdrawn_on": "2026-12-31"},
        ),
    ]


def test_body_shows_the_reviewer_ratio(objs, client_for):
    data = client_for("countysupervisor").get(f"{BASE}/bodies/{objs['daxing'].pk}").json()
    ratio = data["reviewer_ratio"]
    assert ratio["ok"] and ratio["required"] == 1 and ratio["reviewers"] == 2
    assert "符合" in ratio["message"]


def test_refusals_change_nothing(objs, client_for, token_for, bearer):
    cases = [
        (Client(), 401),
        (client_for("officer"), 403),
        (client_for("marketofficer"), 404),
        (client_for("auditadmin"), 404),
        (bearer(token_for("daxing", "read,powers.write")), 403),
        (bearer(token_for("county_market", "read,registry.write")), 404),
    ]
    before = LedgerEntry.objects.count()  # after the tokens' own entries
    for client, status in cases:
        for method, url, body in writes(objs):
            response = _send(client, method, url, body)
            assert response.status_code == status, (url, status, response.content)
    assert LedgerEntry.objects.count() == before
    assert (
        LegalAdviser.objects.get().active and LegalReviewer.objects.filter(active=True).count() == 2
    )


def test_body_head_writes(objs, client_for):
    client = client_for("bodyhead")
    org = objs["daxing"].pk
    response = _send(client, "put", f"{BASE}/bodies/{org}/profile", {"phone": "0883-0000009"})
    assert response.status_code == 200 and response.json()["profile"]["phone"] == "0883-0000009"
    response = _send(client, "put", f"{BASE}/bodies/{org}/profile", {"uscc": "123"})
    assert response.status_code == 400
    # 行政处罚法 第五十八条第二款: a first-time reviewer without the qualification is refused
    response = _send(
        client,
        "post",
        f"{BASE}/bodies/{org}/reviewers",
        {"officer_id": objs["officer"].pk, "appointed_on": "2026-03-01", "first_time": True},
    )
    assert response.status_code == 400 and "第五十八条" in response.json()["detail"]
    for method, url, body in writes(objs)[1:]:
        response = _send(client, method, url, body)
        assert response.status_code in (200, 201), (url, response.content)
    assert not LegalAdviser.objects.get(pk=objs["adviser"].pk).active
    assert LegalAdviser.objects.filter(name="吴律").exists()
    names = {r["name"] for r in client.get(f"{BASE}/bodies/{org}/reviewers").json()}
    assert "李明" in names
    entry = LedgerEntry.objects.filter(event_type="registry.adviser_updated").last()
    assert json.loads(entry.payload)["after"] == {"active": False}


def test_token_writes_are_recorded_by_client(objs, token_for, bearer):
    client = bearer(token_for("daxing", "read,registry.write"))
    org = objs["daxing"].pk
    response = _send(client, "put", f"{BASE}/bodies/{org}/profile", {"area": "大兴乡全域"})
    assert response.status_code == 200, response.content
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry.event_type == "registry.body_updated"
    assert entry.actor_label.startswith("api:") and entry.role == "api_client"
    advisers = client.get(f"{BASE}/bodies/{org}/advisers").json()
    assert [a["name"] for a in advisers] == ["周文斌"]
    # an unregistered body cannot get advisers; registering needs every field
    market_client = bearer(token_for("county_market", "read,registry.write"))
    response = _send(market_client, "put", f"{BASE}/bodies/{org}/profile", {"area": "x"})
    assert response.status_code == 404


def test_training_hours_per_year(objs, client_for, token_for, bearer):
    from django.utils import timezone

    url = f"{BASE}/officers/{objs['officer'].pk}/trainings"
    assert Client().get(url).status_code == 401
    assert client_for("marketofficer").get(url).status_code == 404
    assert bearer(token_for("county_market")).get(url).status_code == 404
    client = client_for("officer")
    before = client.get(url).json()
    _send(
        client_for("bodyhead"),
        "post",
        url,
        {"date": f"{timezone.localdate().year}-01-05", "title": "执法文书制作", "hours": "2.5"},
    )
    data = bearer(token_for("daxing")).get(url).json()
    assert len(data["items"]) == len(before["items"]) + 1
    year = str(timezone.localdate().year)
    expected = float(before["hours_by_year"].get(year, "0")) + 2.5
    assert float(data["hours_by_year"][year]) == expected
    assert list(data["hours_by_year"]) == sorted(data["hours_by_year"], reverse=True)
