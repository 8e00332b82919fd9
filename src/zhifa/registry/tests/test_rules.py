"""The three rules, each with tests that break it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from zhifa.ledger.models import LedgerEntry
from zhifa.registry import rules, selectors, services
from zhifa.registry.models import LegalReviewer, Officer
from zhifa.registry.rules import CertificateState, certificate_status

from .conftest import TODAY

pytestmark = pytest.mark.django_db

LAW_TEXT = (
    "行政机关中初次从事行政处罚决定法制审核的人员，"
    "应当通过国家统一法律职业资格考试取得法律职业资格。"
)


# ---------------------------------------------------------------- 5% and at least one


@pytest.mark.parametrize(
    ("officers", "required"),
    [(0, 1), (1, 1), (19, 1), (20, 1), (21, 2), (40, 2), (41, 3), (100, 5), (101, 6)],
)
def test_required_reviewers_is_five_percent_rounded_up_and_at_least_one(officers, required):
    assert rules.required_reviewers(officers) == required


def test_body_without_reviewer_is_short(body, make_officer):
    make_officer()
    check = rules.reviewer_ratio(body)
    assert not check.ok
    assert (check.reviewers, check.officers, check.required) == (0, 1, 1)
    assert "5%" in check.message and "应至少配备 1 名" in check.message


def test_ratio_counts_in_post_officers_and_active_reviewers(world, body, make_officer):
    first = make_officer(has_legal_qualification=True, legal_qualification_no="Q1")
    for _ in range(20):
        make_officer()
    services.appoint_reviewer(None, body, officer=first, appointed_on=TODAY, first_time=True)
    check = rules.reviewer_ratio(body)
    assert (check.ok, check.reviewers, check.officers, check.required) == (False, 1, 21, 2)
    # One officer leaves: 20 in post need one reviewer.
    services.update_officer(None, Officer.objects.exclude(pk=first.pk).first(), status="retired")
    assert rules.reviewer_ratio(body).ok
    # The reviewer is suspended: they no longer count.
    services.update_officer(None, first, status="suspended")
    check = rules.reviewer_ratio(body)
    assert (check.ok, check.reviewers, check.officers) == (False, 0, 19)
    # A retained adviser counts; withdrawing the appointment stops it counting.
    adviser = services.create_adviser(
        None, body, name="钱律", law_firm=world.orgs["law_firm"], practising_certificate_no="9"
    )
    appointment = services.appoint_reviewer(
        None, body, adviser=adviser, appointed_on=TODAY, first_time=False
    )
    assert rules.reviewer_ratio(body).ok
    services.withdraw_reviewer(None, appointment, withdrawn_on=TODAY)
    assert not rules.reviewer_ratio(body).ok


def test_bodies_short_of_reviewers_for_supervision(world, body, make_officer):
    make_officer()
    short = selectors.bodies_short_of_reviewers(world.users["countysupervisor"])
    assert [(b.pk, c.required) for b, c in short] == [(body.pk, 1)]
    assert selectors.bodies_short_of_reviewers(world.users["supervisor"])[0][0] == body
    assert selectors.bodies_short_of_reviewers(world.users["marketofficer"]) == []
    assert selectors.bodies_short_of_reviewers(world.users["auditadmin"]) == []
    officer = Officer.objects.get()
    services.update_officer(None, officer, has_legal_qualification=True, legal_qualification_no="1")
    services.appoint_reviewer(None, body, officer=officer, appointed_on=TODAY, first_time=True)
    assert selectors.bodies_short_of_reviewers(world.users["countysupervisor"]) == []


# ---------------------------------------------------------------- certificate expiry


class _Cert:
    def __init__(self, expires):
        self.certificate_expires_on = expires


@pytest.mark.parametrize(
    ("days", "state"),
    [
        (-365, CertificateState.EXPIRED),
        (-1, CertificateState.EXPIRED),
        (0, CertificateState.EXPIRING),  # valid through its last day
        (1, CertificateState.EXPIRING),
        (30, CertificateState.EXPIRING),
        (31, CertificateState.VALID),
        (900, CertificateState.VALID),
    ],
)
def test_certificate_status(days, state):
    officer = _Cert(TODAY + datetime.timedelta(days=days))
    assert certificate_status(officer, TODAY) == state


def test_certificate_filters_agree_with_status(world, body, make_officer):
    for days in (-40, -1, 0, 15, 30, 31, 400):
        make_officer(
            certificate_issued_on=datetime.date(2020, 1, 1),
            certificate_expires_on=TODAY + datetime.timedelta(days=days),
        )
    user = world.users["unithead"]
    for state in CertificateState.values:
        listed = selectors.officers(user, certificate_state=state, today=TODAY)
        assert listed.count() > 0
        assert all(certificate_status(o, TODAY) == state for o in listed)
    assert selectors.officers(user, certificate_state="valid", today=TODAY).count() == 2
    flagged = selectors.expiring_certificates(user, body=body, today=TODAY)
    assert [certificate_status(o, TODAY) for o in flagged] == [
        "expired",
        "expired",
        "expiring",
        "expiring",
        "expiring",
    ]
    with pytest.raises(ValueError):
        rules.certificate_state_q("soon", TODAY)


# ---------------------------------------------------------------- 第五十八条第二款


def test_law_text_is_quoted_exactly():
    from pathlib import Path

    law = Path("/work/shared/data/laws/行政处罚法(2021-01-22).md")
    if law.exists():
        assert LAW_TEXT in law.read_text(encoding="utf-8")
    assert LAW_TEXT in rules.FIRST_TIME_REVIEWER_BASIS
    assert "第五十八条第二款" in rules.FIRST_TIME_REVIEWER_BASIS


def test_first_time_reviewer_without_qualification_is_refused(world, body, make_officer):
    officer = make_officer(name="吴敏")
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.appoint_reviewer(
            world.users["bodyhead"], body, officer=officer, appointed_on=TODAY, first_time=True
        )
    message = refused.value.messages[0]
    assert "不能任命吴敏为法制审核人员" in message
    assert "未取得法律职业资格" in message
    assert "第五十八条第二款" in message and LAW_TEXT in message
    assert LegalReviewer.objects.count() == 0
    assert LedgerEntry.objects.count() == entries


def test_first_time_reviewer_with_qualification_or_experienced_reviewer_is_accepted(
    world, body, make_officer
):
    qualified = make_officer(has_legal_qualification=True, legal_qualification_no="A20190001")
    services.appoint_reviewer(None, body, officer=qualified, appointed_on=TODAY, first_time=True)
    # Someone who already did legal review before is not a first-time reviewer.
    experienced = make_officer()
    services.appoint_reviewer(None, body, officer=experienced, appointed_on=TODAY, first_time=False)
    assert LegalReviewer.objects.filter(active=True).count() == 2


def test_rule_function_directly():
    rules.check_first_time_reviewer(first_time=False, has_legal_qualification=False, name="甲")
    rules.check_first_time_reviewer(first_time=True, has_legal_qualification=True, name="甲")
    with pytest.raises(ValidationError):
        rules.check_first_time_reviewer(first_time=True, has_legal_qualification=False, name="甲")
