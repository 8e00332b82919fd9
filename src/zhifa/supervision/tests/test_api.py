"""Complaints API: scoped like the pages (anonymous 401, API tokens and wrong roles 403,
another county's supervisor 404), masked contact, actions through the services."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from zhifa.exchange import services as exchange_services
from zhifa.ledger.models import LedgerEntry
from zhifa.supervision.models import Status

pytestmark = pytest.mark.django_db

BASE = "/api/v1/complaints"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_anonymous_401(make_complaint):
    c = make_complaint()
    assert Client().get(BASE).status_code == 401
    assert Client().get(f"{BASE}/{c.pk}").status_code == 401
    assert post(Client(), f"{BASE}/{c.pk}/accept", {}).status_code == 401


def test_api_token_and_wrong_roles_403(world, make_complaint, client_for):
    c = make_complaint()
    _, raw = exchange_services.issue_token(None, "daxing-read", world.orgs["daxing"], "read")
    clients = [Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), client_for("officer")]
    clients.append(client_for("sysadmin"))
    for client in clients:
        assert client.get(BASE).status_code == 403
        assert client.get(f"{BASE}/{c.pk}").status_code == 403
        assert post(client, f"{BASE}/{c.pk}/accept", {}).status_code == 403
    c.refresh_from_db()
    assert c.status == Status.RECEIVED


def test_other_county_supervisor_404(make_complaint, other_supervisor):
    c = make_complaint()
    client = Client()
    client.force_login(other_supervisor)
    assert client.get(BASE).json()["items"] == []
    assert client.get(f"{BASE}/{c.pk}").status_code == 404
    assert post(client, f"{BASE}/{c.pk}/accept", {}).status_code == 404


def test_supervisor_reads_masked_then_handles(make_complaint, client_for):
    c = make_complaint()
    client = client_for("supervisor")
    (item,) = client.get(BASE).json()["items"]
    assert item["tracking_no"] == c.tracking_no
    assert item["contact_phone"] == "138****0001" and item["contact_name"] == "周某"
    response = post(client, f"{BASE}/{c.pk}/accept", {"note": "予以受理。"})
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert response.json()["contact_phone"] == "13800000001"  # now the handler
    response = post(client, f"{BASE}/{c.pk}/reply", {"note": "好"})
    assert response.status_code == 400 and "至少10个字" in response.json()["detail"]
    response = post(client, f"{BASE}/{c.pk}/reply", {"note": "经核查，已责令整改，感谢监督。"})
    assert response.json()["status"] == "handled"
    assert post(client, f"{BASE}/{c.pk}/nonsense", {}).status_code == 404
    types = LedgerEntry.objects.filter(subject=f"complaint:{c.pk}").values_list(
        "event_type", flat=True
    )
    assert sorted(types) == ["complaint.accepted", "complaint.replied", "complaint.submitted"]


def test_csrf_on_session_writes(make_complaint, world):
    c = make_complaint()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["supervisor"])
    assert post(client, f"{BASE}/{c.pk}/accept", {}).status_code == 403
    c.refresh_from_db()
    assert c.status == Status.RECEIVED
