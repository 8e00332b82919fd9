"""The officer card's QR code: a signed token pointing at the public verification page
``/public/verify/<token>/`` (built by the publicity work).

The token is a ``django.core.signing.Signer`` signature with the dedicated salt
``"zhifa.officer-card"`` over the officer id and certificate number, without a timestamp, so the
same officer always gets the same card (a printed QR code stays valid, and a page shows the
token the tests and the public see), so re-issuing a certificate (a new number) invalidates every
card printed with the old one. It carries no expiry: the public page shows the officer's current
status and certificate validity, which is what a member of the public needs to know."""

from __future__ import annotations

import segno
from django.core import signing
from django.utils.safestring import SafeString, mark_safe

from .models import Officer

__all__ = ["CARD_SALT", "card_qr_svg", "card_token", "read_card_token", "verify_path"]

CARD_SALT = "zhifa.officer-card"
_SIGNER = signing.Signer(salt=CARD_SALT)


def card_token(officer: Officer) -> str:
    return _SIGNER.sign_object({"o": officer.pk, "c": officer.certificate_no})


def read_card_token(token: str) -> Officer | None:
    """The officer the token was issued for, or None if it is forged, tampered with, or the
    certificate number has changed since."""
    try:
        data = _SIGNER.unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    pk, number = data.get("o"), data.get("c")
    if not isinstance(pk, int) or isinstance(pk, bool) or not isinstance(number, str):
        return None
    return (
        Officer.objects.select_related("organization", "body__organization")
        .filter(pk=pk, certificate_no=number)
        .first()
    )


def verify_path(officer: Officer) -> str:
    return f"/public/verify/{card_token(officer)}/"


def card_qr_svg(url: str, scale: int = 4) -> SafeString:
    """Inline SVG of a QR code for the URL (no external image)."""
    qr = segno.make(url, error="m")
    return mark_safe(qr.svg_inline(scale=scale, title="执法证核验二维码"))  # noqa: S308 - segno output
