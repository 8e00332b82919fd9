"""Tracking numbers (查询码) for complaints: ``YYYYMMDD-XXXX-XXXX-XXXC``.

The date helps a person tell their numbers apart; the 11 random characters (Crockford base32:
55 bits from `secrets`) make a number unguessable, so the number alone can show a complaint's
status; the last character is a Luhn mod 32 check over everything before it, so a mistyped
number is caught without a database query. Input is forgiving: full-width characters, lower
case, spaces and hyphens, O for 0 and I/L for 1 are all read."""

from __future__ import annotations

import datetime
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
RANDOM_CHARS = 11


def _check_char(chars: str) -> str:
    """Luhn mod N (N = 32): catches every single-character error and most adjacent swaps."""
    factor = 2
    total = 0
    for c in reversed(chars):
        addend = factor * _INDEX[c]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def _format(compact: str) -> str:
    date, rest = compact[:8], compact[8:]
    return f"{date}-{rest[0:4]}-{rest[4:8]}-{rest[8:12]}"


def new_tracking_no(today: datetime.date) -> str:
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    body = today.strftime("%Y%m%d") + random_part
    return _format(body + _check_char(body))


def normalise(text: object) -> str | None:
    """The canonical form of a typed tracking number, or None if it cannot be one (wrong
    length, characters, date or check character)."""
    raw = unicodedata.normalize("NFKC", "" if text is None else str(text))
    compact = "".join(c for c in raw.upper() if not c.isspace() and c not in "-_—－·.")
    compact = compact.translate(_CONFUSABLE)
    if len(compact) != 8 + RANDOM_CHARS + 1 or not compact.isascii():
        return None
    date, rest = compact[:8], compact[8:]
    if not date.isdigit() or any(c not in _INDEX for c in rest):
        return None
    try:
        datetime.date(int(date[:4]), int(date[4:6]), int(date[6:8]))
    except ValueError:
        return None
    if _check_char(compact[:-1]) != compact[-1]:
        return None
    return _format(compact)
