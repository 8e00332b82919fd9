"""A decision made in the case module drafts its publication in the same transaction (the
after-decision hook), masked; cases come from the case module's own fixtures (its services)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from zhifa.cases.tests.conftest import citizen_id, company, person
from zhifa.publicity import services
from zhifa.publicity.models import PartyKind, Publication, PubStatus
from zhifa.publicity.tokens import act_token

pytestmark = pytest.mark.django_db


def test_a_penalty_decision_drafts_a_masked_publication(make_case):
    case = make_case(
        stage="decided",
        fine="150",
        parties=[person("岩温测某", serial=7, phone="13912345678")],
    )
    pub = Publication.objects.get(source_subject=case.subject)
    assert pub.status == PubStatus.DRAFT
    assert pub.document_number == case.decision_number and pub.organization == case.organization
    assert pub.party_display == "岩某" and pub.party_kind == PartyKind.NATURAL
    assert "罚款人民币150" in pub.penalty and "城乡规划法" in pub.legal_basis
    party = case.parties.get()
    stored = " ".join([pub.party_display, pub.facts, pub.conclusion, pub.segmented])
    assert party.id_number not in stored and "岩温测某" not in stored and pub.party_code == ""
    assert pub.publish_due_on > case.decided_on


def test_a_legal_person_keeps_its_name_and_code(make_case):
    case = make_case(stage="decided", fine="900", parties=[company()])
    pub = Publication.objects.get(source_subject=case.subject)
    party = case.parties.get()
    assert pub.party_display == party.name and pub.party_code == party.id_number


def test_a_minor_s_case_is_not_published(make_case):
    # 16 years old: a penalty is possible (行政处罚法第三十条), publication is not.
    born = (timezone.localdate() - datetime.timedelta(days=16 * 366)).strftime("%Y%m%d")
    minor = {**person(serial=9), "id_number": citizen_id(born=born, serial=9)}
    case = make_case(stage="decided", fine="", parties=[minor])
    assert case.parties.get().is_minor
    pub = Publication.objects.get(source_subject=case.subject)
    assert pub.status == PubStatus.NOT_PUBLISHED and pub.facts == ""


def test_an_inspection_without_decision_drafts_nothing_but_has_an_act_qr(make_case, cw):
    case = make_case("inspection")
    assert not Publication.objects.filter(source_subject=case.subject).exists()
    html = Client().get(f"/public/act/{act_token(case)}/").content.decode()
    assert case.matter.name in html and "李明" in html


def test_published_decision_reaches_the_portal(make_case, cw):
    case = make_case(stage="decided", fine="150")
    pub = Publication.objects.get(source_subject=case.subject)
    services.review(cw.users["reviewer"], pub)
    services.publish(cw.users["bodyhead"], pub)
    html = Client().get(f"/public/p/{pub.pk}/").content.decode()
    assert case.decision_number in html
    assert case.parties.get().id_number not in html
