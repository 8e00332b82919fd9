"""Staff workflow pages at /publicity/: anonymous → login, administrators → 403, another
organisation → 404, the body's roles → their actions; refusals shown, nothing changed."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from zhifa.publicity import services
from zhifa.publicity.models import PubStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(facts):
    return services.draft_from_facts(None, facts(1))


def test_anonymous_is_sent_to_login(draft):
    for url in ("/publicity/", f"/publicity/{draft.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    response = Client().post(f"/publicity/{draft.pk}/publish")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PubStatus.DRAFT


@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditadmin"])
def test_administrators_get_403(draft, client_for, username):
    assert client_for(username).get("/publicity/").status_code == 403
    assert client_for(username).get(f"/publicity/{draft.pk}/").status_code == 403


def test_other_organisation_gets_404_and_an_empty_list(draft, client_for):
    client = client_for("marketofficer")
    assert client.get(f"/publicity/{draft.pk}/").status_code == 404
    assert client.post(f"/publicity/{draft.pk}/review").status_code == 404
    assert draft.document_number not in client.get("/publicity/").content.decode()
    draft.refresh_from_db()
    assert draft.status == PubStatus.DRAFT


def test_list_flags_overdue_items(facts, client_for):
    old = timezone.localdate() - datetime.timedelta(days=40)
    services.draft_from_facts(None, facts(2, decided_on=old))
    html = client_for("officer").get("/publicity/").content.decode()
    assert "已逾期" in html and "超过期限" in html


def test_officer_sees_but_cannot_review(draft, client_for):
    client = client_for("officer")
    html = client.get(f"/publicity/{draft.pk}/").content.decode()
    assert "审核通过" not in html
    client.post(f"/publicity/{draft.pk}/review")
    draft.refresh_from_db()
    assert draft.status == PubStatus.DRAFT


def test_review_publish_withdraw_through_the_pages(draft, client_for):
    reviewer, head = client_for("reviewer"), client_for("bodyhead")
    assert "审核通过" in reviewer.get(f"/publicity/{draft.pk}/").content.decode()
    reviewer.post(
        f"/publicity/{draft.pk}/review",
        {"conclusion": draft.conclusion, "facts": draft.facts, "legal_basis": "", "penalty": ""},
    )
    draft.refresh_from_db()
    assert draft.status == PubStatus.REVIEWED
    head.post(f"/publicity/{draft.pk}/publish")
    draft.refresh_from_db()
    assert draft.status == PubStatus.PUBLISHED
    response = head.post(f"/publicity/{draft.pk}/withdraw", {"reason": "", "revoked_on": ""})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PubStatus.PUBLISHED  # no reason: refused
    follow = head.get(f"/publicity/{draft.pk}/").content.decode()
    assert "撤回理由" in follow
    head.post(f"/publicity/{draft.pk}/withdraw", {"reason": "复议撤销", "revoked_on": "bad"})
    draft.refresh_from_db()
    assert draft.status == PubStatus.PUBLISHED
    head.post(
        f"/publicity/{draft.pk}/withdraw",
        {"reason": "行政复议决定撤销", "revoked_on": timezone.localdate().isoformat()},
    )
    draft.refresh_from_db()
    assert draft.status == PubStatus.WITHDRAWN


def test_not_publish_request_and_approval_pages(draft, client_for):
    client_for("reviewer").post(
        f"/publicity/{draft.pk}/not-publish", {"reason": "涉及国家秘密，依法不予公开"}
    )
    draft.refresh_from_db()
    assert draft.not_publish_reason and draft.status == PubStatus.DRAFT
    client_for("unithead").post(f"/publicity/{draft.pk}/not-publish/approve")
    draft.refresh_from_db()
    assert draft.status == PubStatus.DRAFT  # a unit head may not approve
    client_for("bodyhead").post(f"/publicity/{draft.pk}/not-publish/approve")
    draft.refresh_from_db()
    assert draft.status == PubStatus.NOT_PUBLISHED
