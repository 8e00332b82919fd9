"""Officer card tokens: round trip, forgery, tampering, re-issued certificates."""

from __future__ import annotations

import pytest
from django.core import signing

from zhifa.registry import cards, services

pytestmark = pytest.mark.django_db


def test_round_trip(body, make_officer):
    officer = make_officer()
    token = cards.card_token(officer)
    assert cards.read_card_token(token) == officer
    assert cards.card_token(officer) == token  # stable: a printed card keeps working
    assert cards.verify_path(officer) == f"/public/verify/{token}/"


def test_forged_and_tampered_tokens_are_refused(body, make_officer):
    officer = make_officer()
    other = make_officer()
    token = cards.card_token(officer)
    payload = {"o": other.pk, "c": other.certificate_no}

    def sign(value, salt=cards.CARD_SALT, key=None):
        return signing.Signer(key=key, salt=salt).sign_object(value)

    forged = [
        "",
        "not-a-token",
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        token.replace(token.split(":")[0], sign(payload).split(":")[0]),  # payload swapped
        signing.Signer().sign_object(payload),  # signed without the card salt
        sign(payload, salt="zhifa.other", key="x" * 50),
        sign(payload, key="another-secret-key-" * 3),
        sign({"o": str(other.pk), "c": other.certificate_no}),
        sign([other.pk]),
        sign({"o": 999999, "c": "x"}),
        signing.dumps(payload, salt=cards.CARD_SALT),  # the timestamped format is not a card
    ]
    for bad in forged:
        assert cards.read_card_token(bad) is None, bad


def test_reissued_certificate_invalidates_old_cards(body, make_officer):
    officer = make_officer(certificate_no="53092600OLD")
    old = cards.card_token(officer)
    services.update_officer(None, officer, certificate_no="53092600NEW")
    officer.refresh_from_db()
    assert cards.read_card_token(old) is None
    assert cards.read_card_token(cards.card_token(officer)) == officer


def test_qr_is_inline_svg():
    svg = cards.card_qr_svg("https://zhifa.example/public/verify/abc/")
    assert svg.startswith("<svg") and "</svg>" in svg
    assert "执法证核验二维码" in svg
