"""The /ledger/ status page and the timeline component."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse

from zhifa.ledger import events
from zhifa.ledger.keys import load_keys
from zhifa.ledger.selectors import evidence_digests, timeline
from zhifa.ledger.services import make_checkpoint, record
from zhifa.ledger.verify import verify_ledger

pytestmark = pytest.mark.django_db

events.register("test.inspected", "现场检查")


def _record(world, org_key: str, subject: str, payload: dict, user="officer"):
    return record(
        actor=world.users[user],
        role="officer",
        organization=world.orgs[org_key],
        subject=subject,
        event_type="test.inspected",
        payload=payload,
    )


@pytest.mark.parametrize("username", ["auditadmin", "supervisor", "countysupervisor"])
def test_status_page_for_audit_admin_and_supervisors(world, client_for, username):
    _record(world, "daxing_team", "case:1", {"a": 1})
    make_checkpoint()
    verify_ledger()
    response = client_for(username).get(reverse("ledger:status"))
    assert response.status_code == 200
    text = response.content.decode()
    keys = load_keys()
    assert keys.ed25519_verifier.to_string() in text
    assert keys.sm2_public_hex in text
    assert '<td id="tree-size">1</td>' in text
    assert "zhifa.local/ledger\n1\n" in text  # the checkpoint note
    assert "完好" in text
    assert "全过程记录" in text  # the navigation entry


@pytest.mark.parametrize("username", ["officer", "sysadmin", "secadmin", "reviewer"])
def test_status_page_forbidden_to_others(world, client_for, username):
    response = client_for(username).get(reverse("ledger:status"))
    assert response.status_code == 403


def test_status_page_needs_login(world, client):
    response = client.get(reverse("ledger:status"))
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


def test_nav_entry_only_for_ledger_viewers(world, client_for):
    url = reverse("ledger:status")
    assert url in client_for("auditadmin").get(reverse("core:home")).content.decode()
    assert url not in client_for("officer").get(reverse("core:home")).content.decode()


def test_timeline_is_scoped_and_reads_the_ledger(world):
    digest = "ab" * 32
    _record(world, "daxing_team", "case:7", {"evidence": [{"name": "现场照片.jpg", "sm3": digest}]})
    _record(world, "county_market", "case:7", {"x": 1}, user="marketofficer")
    _record(world, "daxing_team", "case:8", {"x": 2})

    mine = timeline("case:7", world.users["officer"])
    assert [i.seq for i in mine] == [0]
    item = mine[0]
    assert item.who == "李明" and item.event_label == "现场检查" and item.role_label == "执法人员"
    assert item.digests == [("现场照片.jpg", digest)]

    assert [i.seq for i in timeline("case:7", world.users["marketofficer"])] == [1]
    # The township justice office supervises the township's bodies, not the county bureau.
    assert [i.seq for i in timeline("case:7", world.users["supervisor"])] == [0]
    assert timeline("case:7", world.users["auditadmin"]) == []


def test_timeline_template_tag(world):
    _record(world, "daxing_team", "case:7", {"photo_sm3": "cd" * 32})
    html = Template("{% load ledger %}{% ledger_timeline subject user %}").render(
        Context({"subject": "case:7", "user": world.users["officer"]})
    )
    assert "现场检查" in html and "李明" in html and "#0" in html and "photo_sm3" in html
    empty = Template("{% load ledger %}{% ledger_timeline subject user %}").render(
        Context({"subject": "case:7", "user": world.users["marketofficer"]})
    )
    assert "暂无记录" in empty and "李明" not in empty


def test_evidence_digests_walks_nested_payloads():
    payload = {"files": [{"filename": "a.pdf", "sha256": "1"}, {"digest": "2"}], "n": 3}
    assert evidence_digests(payload) == [("a.pdf", "1"), ("files[1].digest", "2")]
