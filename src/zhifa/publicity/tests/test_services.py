"""The publication workflow: masking at draft time, minors withheld, deadlines from the working-
day calendar, who may review/publish/withdraw/approve, retention, ledger entries."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhifa.core.calendar import add_working_days, seed_calendar_from_package
from zhifa.ledger.models import LedgerEntry
from zhifa.publicity import selectors, services
from zhifa.publicity.models import FeedEntry, PartyKind, PubCategory, Publication, PubStatus

from .conftest import SECRET_NAME, make_facts, secrets

pytestmark = pytest.mark.django_db


def test_draft_masks_personal_data_and_keeps_only_masked_text(daxing, facts):
    pub = services.draft_from_facts(None, facts(1))
    assert pub.status == PubStatus.DRAFT
    assert pub.party_display == "岩某"
    stored = " ".join(
        [pub.party_display, pub.conclusion, pub.facts, pub.legal_basis, pub.penalty, pub.segmented]
    )
    for secret in secrets():
        assert secret not in stored, secret
    assert "530***********0011" in pub.facts and "139****5678" in pub.facts
    assert pub.masked_counts["citizen_id"] == 1 and pub.masked_counts["address"] == 1
    assert LedgerEntry.objects.filter(
        event_type="publicity.drafted", subject=f"publication:{pub.pk}"
    ).exists()


def test_legal_person_name_and_code_stay(daxing, facts):
    pub = services.draft_from_facts(
        None,
        facts(
            2,
            party_name="耿马示例商贸有限公司",
            party_kind=PartyKind.LEGAL,
            party_code="91530926MA6K0000X0",
            facts="耿马示例商贸有限公司（统一社会信用代码91350100M000100Y43）超范围经营。",
        ),
    )
    assert pub.party_display == "耿马示例商贸有限公司"
    assert pub.party_code == "91530926MA6K0000X0"
    assert "91350100M000100Y43" in pub.facts


def test_natural_person_code_is_never_kept(daxing, facts):
    pub = services.draft_from_facts(None, facts(3, party_code="530926198001010011"))
    assert pub.party_code == ""


def test_minor_is_not_published_and_nothing_of_the_party_is_kept(daxing, facts):
    pub = services.draft_from_facts(None, facts(4, party_is_minor=True))
    assert pub.status == PubStatus.NOT_PUBLISHED
    assert pub.not_publish_reason == services.MINOR_REASON
    assert SECRET_NAME not in pub.party_display and pub.facts == ""
    with pytest.raises(ValidationError):
        services.review(daxing.users["reviewer"], pub)
    assert LedgerEntry.objects.filter(event_type="publicity.minor_withheld").exists()


def test_draft_twice_for_one_decision_gives_the_same_row(daxing, facts):
    a = services.draft_from_facts(None, facts(5))
    b = services.draft_from_facts(None, facts(5))
    assert a.pk == b.pk and Publication.objects.count() == 1


def test_deadlines_7_working_days_for_penalty_and_licensing_20_for_others(daxing, facts):
    seed_calendar_from_package(2026, 2026)
    day = datetime.date(2026, 9, 28)  # the National Day holidays follow
    penalty = services.draft_from_facts(None, facts(6, decided_on=day))
    licence = services.draft_from_facts(
        None, facts(7, decided_on=day, category=PubCategory.LICENSING)
    )
    other = services.draft_from_facts(None, facts(8, decided_on=day, category=PubCategory.OTHER))
    assert penalty.publish_due_on == add_working_days(day, 7).date
    assert licence.publish_due_on == add_working_days(day, 7).date
    assert other.publish_due_on == add_working_days(day, 20).date
    assert penalty.publish_due_on > day + datetime.timedelta(days=9)  # not calendar days


def test_bad_category_refused(daxing, facts):
    with pytest.raises(ValidationError):
        services.draft_from_facts(None, facts(9, category="bogus"))
    assert not Publication.objects.exists()


def test_officer_cannot_review_and_draft_cannot_be_published(daxing, facts):
    pub = services.draft_from_facts(None, facts(10))
    with pytest.raises(PermissionDenied):
        services.review(daxing.users["officer"], pub)
    with pytest.raises(ValidationError):
        services.publish(daxing.users["bodyhead"], pub)
    pub.refresh_from_db()
    assert pub.status == PubStatus.DRAFT


def test_review_remasks_edited_text_and_extra_names(daxing, facts):
    pub = services.draft_from_facts(None, facts(11))
    pub = services.review(
        daxing.users["reviewer"],
        pub,
        facts="经查，当事人与刘测林共同堆放，另联系电话13711112222。",
        extra_names=("刘测林",),
    )
    assert pub.status == PubStatus.REVIEWED
    assert "13711112222" not in pub.facts and "刘测林" not in pub.facts


def test_publish_only_by_the_deciding_body(daxing, facts):
    market = daxing.orgs["county_market"]
    pub = services.draft_from_facts(None, make_facts(market, 12))
    services.review(None, pub)
    with pytest.raises(PermissionDenied):
        services.publish(daxing.users["bodyhead"], pub)  # 大兴乡's head, not the market bureau's
    pub.refresh_from_db()
    assert pub.status == PubStatus.REVIEWED


def test_reviewer_cannot_publish(daxing, facts):
    pub = services.review(None, services.draft_from_facts(None, facts(13)))
    with pytest.raises(PermissionDenied):
        services.publish(daxing.users["reviewer"], pub)


def test_publish_sets_retention_feed_and_ledger(published):
    assert published.status == PubStatus.PUBLISHED
    today = timezone.localdate()
    assert published.retain_until == today.replace(year=today.year + 2)  # natural person
    assert FeedEntry.objects.filter(publication=published, kind="published").count() == 1
    entry = LedgerEntry.objects.get(event_type="publicity.published")
    assert json.loads(entry.payload)["late"] is False


def test_retention_is_configurable_and_expired_items_leave_the_portal(daxing, facts, settings):
    settings.PUBLICITY_RETENTION_YEARS = 1
    pub = services.draft_from_facts(
        None, facts(14, party_kind=PartyKind.LEGAL, party_name="示例有限公司")
    )
    services.review(None, pub)
    pub = services.publish(None, pub)
    today = timezone.localdate()
    assert pub.retain_until == today.replace(year=today.year + 1)
    assert selectors.public_publications().filter(pk=pub.pk).exists()
    later = pub.retain_until
    assert not selectors.public_publications(today=later).filter(pk=pub.pk).exists()
    # Off the portal, still in the ledger.
    assert LedgerEntry.objects.filter(subject=f"publication:{pub.pk}").count() == 3


def test_late_publication_is_recorded_as_late(daxing, facts):
    old = timezone.localdate() - datetime.timedelta(days=60)
    pub = services.review(None, services.draft_from_facts(None, facts(15, decided_on=old)))
    services.publish(daxing.users["bodyhead"], pub)
    entry = LedgerEntry.objects.get(event_type="publicity.published")
    assert json.loads(entry.payload)["late"] is True


def test_withdraw_needs_a_reason_and_a_published_item(daxing, published, facts):
    head = daxing.users["bodyhead"]
    with pytest.raises(ValidationError):
        services.withdraw(head, published, "  ")
    with pytest.raises(ValidationError):
        services.withdraw(head, published, "原因", timezone.localdate() + datetime.timedelta(1))
    draft = services.draft_from_facts(None, facts(16))
    with pytest.raises(ValidationError):
        services.withdraw(head, draft, "决定已被撤销")
    with pytest.raises(PermissionDenied):
        services.withdraw(daxing.users["officer"], published, "决定已被撤销")
    published.refresh_from_db()
    assert published.status == PubStatus.PUBLISHED


def test_withdraw_within_3_working_days_and_late_flag(daxing, published):
    revoked = timezone.localdate() - datetime.timedelta(days=30)
    pub = services.withdraw(daxing.users["bodyhead"], published, "复议机关撤销原决定", revoked)
    assert pub.status == PubStatus.WITHDRAWN
    assert pub.withdraw_due_on == add_working_days(revoked, 3).date
    entry = LedgerEntry.objects.get(event_type="publicity.withdrawn")
    payload = json.loads(entry.payload)
    assert payload["late"] is True and payload["reason"] == "复议机关撤销原决定"
    assert FeedEntry.objects.filter(publication=pub, kind="withdrawn").exists()
    assert not selectors.public_publications().filter(pk=pub.pk).exists()


def test_not_publish_needs_reason_and_approval_by_another_person(daxing, facts):
    pub = services.draft_from_facts(None, facts(17))
    head, reviewer = daxing.users["bodyhead"], daxing.users["reviewer"]
    with pytest.raises(ValidationError):
        services.request_not_publish(reviewer, pub, "")
    with pytest.raises(ValidationError):
        services.approve_not_publish(head, pub)  # nothing requested yet
    services.request_not_publish(head, pub, "涉及国家秘密，依法不予公开")
    with pytest.raises(PermissionDenied):
        services.approve_not_publish(head, pub)  # the requester
    with pytest.raises(PermissionDenied):
        services.approve_not_publish(reviewer, pub)  # not the body head
    pub.refresh_from_db()
    assert pub.status == PubStatus.DRAFT


def test_not_publish_approved(daxing, facts):
    pub = services.draft_from_facts(None, facts(18))
    services.request_not_publish(daxing.users["reviewer"], pub, "涉及商业秘密，依法不予公开")
    pub = services.approve_not_publish(daxing.users["bodyhead"], pub)
    assert pub.status == PubStatus.NOT_PUBLISHED and pub.not_publish_approved_by_id
    with pytest.raises(ValidationError):
        services.review(daxing.users["reviewer"], pub)
