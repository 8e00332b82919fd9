"""The QR code of one inspection or act (事中公示): a signed token over the case id, with its own
salt so an officer-card token is never accepted here and back. Like the officer card it carries
no expiry: the page shows the act as recorded, and the party can rate it once."""

from __future__ import annotations

from django.core import signing

ACT_SALT = "zhifa.act"
_SIGNER = signing.Signer(salt=ACT_SALT)


def act_token(case) -> str:
    return _SIGNER.sign_object({"k": case.pk})


def read_act_token(token: str):
    """The case the token was issued for, or None if it is forged or tampered with."""
    from zhifa.cases.models import Case

    try:
        data = _SIGNER.unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    pk = data.get("k") if isinstance(data, dict) else None
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return Case.objects.select_related("organization", "matter").filter(pk=pk).first()


def act_path(case) -> str:
    return f"/public/act/{act_token(case)}/"
