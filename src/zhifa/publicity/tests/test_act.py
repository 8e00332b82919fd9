"""The QR code of one inspection or act: who, which matter, when; the party rates it once;
forged tokens refused; scans logged; the staff QR page is scoped. Cases are opened through the
case module's services (its own fixtures)."""

from __future__ import annotations

import pytest
from django.test import Client

from zhifa.cases.services import declare_conflict
from zhifa.ledger.models import LedgerEntry
from zhifa.publicity.models import Rating, Scan
from zhifa.publicity.tokens import act_token
from zhifa.registry.models import Officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_case, cw):
    case = make_case(
        "inspection", officers=[cw.officers["李明"], cw.officers["王芳"], cw.officers["杨德福"]]
    )
    declare_conflict(cw.users["unithead"], case, cw.officers["王芳"], "近亲属（示例）")
    return case


def test_act_page_shows_who_what_when_and_logs_the_scan(case):
    response = Client().get(f"/public/act/{act_token(case)}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "李明" in html and case.matter.name in html and "大兴乡" in html
    assert "王芳" not in html  # recused
    scan = Scan.objects.get()
    assert scan.kind == "act" and scan.valid and scan.case == case


def test_party_rates_once(case):
    url = f"/public/act/{act_token(case)}/"
    client = Client()
    assert client.post(url, {"score": "9"}).status_code == 400
    assert not Rating.objects.exists()
    assert "感谢您的评价" in client.post(url, {"score": "5", "comment": "态度好"}).content.decode()
    response = client.post(url, {"score": "1"})
    assert response.status_code == 400 and "已评价" in response.content.decode()
    assert Rating.objects.get().score == 5
    assert (
        LedgerEntry.objects.filter(event_type="publicity.rated", subject=case.subject).count() == 1
    )


def test_officer_card_token_is_not_an_act_token(case):
    from zhifa.registry.cards import card_token

    token = card_token(Officer.objects.get(name="李明"))
    assert Client().get(f"/public/act/{token}/").status_code == 404
    assert Client().get(f"/public/act/{act_token(case)}x/").status_code == 404
    assert Scan.objects.filter(valid=False).count() == 2


def test_staff_qr_page_is_scoped(case, client_for):
    assert Client().get(f"/publicity/acts/{case.pk}/").status_code == 302
    assert client_for("sysadmin").get(f"/publicity/acts/{case.pk}/").status_code == 403
    assert client_for("marketofficer").get(f"/publicity/acts/{case.pk}/").status_code == 404
    html = client_for("unithead").get(f"/publicity/acts/{case.pk}/").content.decode()
    assert "<svg" in html and act_token(case) in html
