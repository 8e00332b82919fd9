"""Services: permission checks, validation, and a ledger entry for every change."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhifa.ledger.models import LedgerEntry
from zhifa.registry import selectors, services
from zhifa.registry.models import EnforcementBody, LegalReviewer, Officer, TrainingRecord

from .conftest import citizen_id, uscc_for

pytestmark = pytest.mark.django_db


class Entry:
    def __init__(self, row: LedgerEntry):
        self.row = row
        self.payload = json.loads(row.payload)

    def __getattr__(self, name):
        return getattr(self.row, name)


def last_entry() -> Entry:
    return Entry(LedgerEntry.objects.order_by("-seq").first())


def test_body_created_and_updated_with_ledger(world, body):
    entry = last_entry()
    assert entry.event_type == "registry.body_created"
    assert entry.subject == f"enforcement_body:{body.pk}"
    assert entry.actor_label == "system"
    services.update_body(world.users["bodyhead"], body, head_name="张伟（代）", area="大兴乡")
    body.refresh_from_db()
    assert body.head_name == "张伟（代）"
    entry = last_entry()
    assert entry.event_type == "registry.body_updated"
    assert entry.role == "body_head"
    assert entry.payload["changed"] == ["area", "head_name"]
    assert entry.payload["before"]["head_name"] == "张伟"
    assert entry.payload["after"]["head_name"] == "张伟（代）"


def test_body_refusals(world, body):
    with pytest.raises(ValidationError):
        services.create_body(
            None,
            world.orgs["daxing_team"],
            uscc=uscc_for("015432254"),
            kind="government",
            head_name="x",
            address="x",
            phone="1",
            supervision_phone="1",
            area="x",
        )
    with pytest.raises(ValidationError, match="校验位"):
        services.update_body(
            world.users["bodyhead"],
            body,
            uscc=uscc_for("015432176")[:17] + ("0" if uscc_for("015432176")[-1] != "0" else "1"),
        )
    with pytest.raises(ValidationError):
        services.update_body(world.users["bodyhead"], body, uscc="11530926015432170")
    # Unit heads manage officers of their unit, not the body's profile.
    for username in ("unithead", "officer", "supervisor", "sysadmin", "marketofficer"):
        with pytest.raises(PermissionDenied):
            services.update_body(world.users[username], body, head_name="某")
    assert EnforcementBody.objects.get().head_name == "张伟"


def test_officer_created_updated_ledger_masks_id(world, body, make_officer):
    officer = make_officer(world.users["unithead"], name="周杰", citizen_id=citizen_id(7).lower())
    assert officer.body == body
    assert officer.citizen_id == citizen_id(7)  # normalised
    entry = last_entry()
    assert entry.event_type == "registry.officer_created"
    assert entry.role == "unit_head"
    assert entry.subject == f"officer:{officer.pk}"
    assert entry.payload["after"]["citizen_id"] == "530***********" + citizen_id(7)[-4:]
    assert citizen_id(7) not in str(entry.payload)
    services.update_officer(world.users["bodyhead"], officer, status="suspended", post="队长")
    entry = last_entry()
    assert entry.event_type == "registry.officer_updated"
    assert entry.payload["before"] == {"post": "执法队员", "status": "active"}
    assert entry.payload["after"] == {"post": "队长", "status": "suspended"}
    count = LedgerEntry.objects.count()
    services.update_officer(world.users["bodyhead"], officer, post="队长")  # no change
    assert LedgerEntry.objects.count() == count


def test_officer_refusals_change_nothing(world, body, make_officer):
    make_officer(certificate_no="A1")
    count = LedgerEntry.objects.count()
    with pytest.raises(ValidationError, match="已被登记"):
        make_officer(certificate_no="A1")
    with pytest.raises(ValidationError, match="校验位"):
        make_officer(citizen_id="530926198503040010")
    with pytest.raises(ValidationError, match="不能早于"):
        make_officer(
            certificate_issued_on=datetime.date(2025, 1, 1),
            certificate_expires_on=datetime.date(2024, 1, 1),
        )
    with pytest.raises(ValidationError, match="证书编号"):
        make_officer(has_legal_qualification=True)
    with pytest.raises(PermissionDenied):
        make_officer(world.users["officer"])
    with pytest.raises(PermissionDenied):
        make_officer(world.users["marketofficer"])
    # A unit head does not manage offices outside their unit.
    with pytest.raises(PermissionDenied):
        make_officer(world.users["unithead"], org="daxing_office")
    # Not inside a registered body.
    with pytest.raises(ValidationError, match="不属于已登记的执法主体"):
        services.create_officer(
            None,
            organization=world.orgs["county_market"],
            name="某",
            gender="male",
            citizen_id=citizen_id(90),
            certificate_no="B9",
            certificate_issued_on="2024-01-01",
            certificate_expires_on="2028-01-01",
        )
    assert Officer.objects.count() == 1
    assert LedgerEntry.objects.count() == count


def test_officer_user_link_rules(world, body, make_officer):
    officer = make_officer(user=world.users["officer"])
    assert world.users["officer"].officer_record == officer
    with pytest.raises(ValidationError, match="已关联"):
        make_officer(user=world.users["officer"])
    with pytest.raises(ValidationError, match="三员分立"):
        make_officer(user=world.users["sysadmin"])
    with pytest.raises(ValidationError, match="不属于本执法主体"):
        make_officer(user=world.users["marketofficer"])


def test_officer_photo_checked_by_content(world, body, make_officer, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    with pytest.raises(ValidationError, match="JPEG 或 PNG"):
        make_officer(photo=SimpleUploadedFile("a.jpg", b"MZ\x90\x00" * 10))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    officer = make_officer(photo=SimpleUploadedFile("a.jpg", png))
    assert officer.photo.name.endswith(".png")


def test_move_officer_within_body_only(world, body, make_officer):
    officer = make_officer()
    services.update_officer(None, officer, organization=world.orgs["daxing_office"])
    assert Officer.objects.get().organization == world.orgs["daxing_office"]
    assert last_entry().payload["after"] == {"organization_id": world.orgs["daxing_office"].pk}


def test_training_records_and_hours_per_year(world, body, make_officer):
    officer = make_officer()
    services.add_training(
        world.users["unithead"], officer, date="2025-05-01", title="行政处罚法", hours="8"
    )
    services.add_training(
        None, officer, date=datetime.date(2025, 9, 1), title="案卷评查", hours=4.5
    )
    services.add_training(None, officer, date="2026-01-10", title="执法记录仪使用", hours=2)
    entry = last_entry()
    assert entry.event_type == "registry.training_recorded"
    assert entry.payload["hours"] == "2.0"
    hours = selectors.training_hours_by_year(officer)
    assert list(hours.items()) == [(2026, 2), (2025, 12.5)]
    for bad in ("0", "-1", "abc", "1.25"):
        with pytest.raises(ValidationError):
            services.add_training(None, officer, date="2026-01-10", title="x", hours=bad)
    with pytest.raises(PermissionDenied):
        services.add_training(
            world.users["officer"], officer, date="2026-01-10", title="x", hours=1
        )
    assert TrainingRecord.objects.count() == 3


def test_adviser_and_reviewer_lifecycle(world, body, make_officer):
    bodyhead = world.users["bodyhead"]
    adviser = services.create_adviser(
        bodyhead, body, name="钱律", law_firm=world.orgs["law_firm"], practising_certificate_no="1"
    )
    assert last_entry().event_type == "registry.adviser_created"
    with pytest.raises(ValidationError, match="律师事务所"):
        services.create_adviser(
            bodyhead, body, name="x", law_firm=world.orgs["daxing"], practising_certificate_no="2"
        )
    with pytest.raises(PermissionDenied):
        services.create_adviser(
            world.users["unithead"],
            body,
            name="x",
            law_firm=world.orgs["law_firm"],
            practising_certificate_no="3",
        )
    appointment = services.appoint_reviewer(
        bodyhead, body, adviser=adviser, appointed_on="2026-01-05", first_time=True
    )
    entry = last_entry()
    assert entry.event_type == "registry.reviewer_appointed"
    assert entry.payload["adviser_id"] == adviser.pk
    with pytest.raises(ValidationError, match="已是"):
        services.appoint_reviewer(
            bodyhead, body, adviser=adviser, appointed_on="2026-01-05", first_time=False
        )
    services.withdraw_reviewer(bodyhead, appointment, withdrawn_on="2026-02-01", reason="合同到期")
    entry = last_entry()
    assert entry.event_type == "registry.reviewer_withdrawn"
    assert entry.payload["reason"] == "合同到期"
    with pytest.raises(ValidationError, match="已撤销"):
        services.withdraw_reviewer(bodyhead, appointment, withdrawn_on="2026-02-02")
    services.update_adviser(bodyhead, adviser, active=False)
    assert last_entry().payload["after"] == {"active": False}
    with pytest.raises(ValidationError, match="在聘"):
        services.appoint_reviewer(
            bodyhead, body, adviser=adviser, appointed_on="2026-03-01", first_time=False
        )
    officer = make_officer(has_legal_qualification=True, legal_qualification_no="A2019")
    services.appoint_reviewer(
        bodyhead, body, officer=officer, appointed_on="2026-03-01", first_time=True
    )
    assert LegalReviewer.objects.filter(active=True).count() == 1
    with pytest.raises(ValidationError, match="一名"):
        services.appoint_reviewer(bodyhead, body, appointed_on="2026-03-01", first_time=True)


def test_every_change_is_in_the_ledger_in_its_transaction(world, body, make_officer):
    """A failing ledger append rolls the change back: nothing is changed without history."""
    from unittest import mock

    with mock.patch.object(services, "record", side_effect=RuntimeError("ledger down")):
        with pytest.raises(RuntimeError):
            make_officer()
        with pytest.raises(RuntimeError):
            services.update_body(None, body, head_name="另一人")
    assert Officer.objects.count() == 0
    assert EnforcementBody.objects.get().head_name == "张伟"
