"""Leaf data of a ledger entry.

The leaf data is the RFC 8785 canonical JSON of the entry object::

    {"actor": "user:12 李明", "at": "2025-03-01T02:03:04.123456Z", "event_type": "case.opened",
     "organization": 7, "payload": {...}, "role": "officer", "schema_version": 1, "seq": 41,
     "subject": "case:123"}

``at`` is ISO 8601 UTC with microseconds and a ``Z``; ``organization`` the organisation id or
null; ``actor`` the actor label. The leaf hash is SM3(0x00 || leaf data) (RFC 6962).

:func:`leaf_bytes` builds exactly ``canonical_json(leaf_object(...))`` without re-canonicalising
the payload: the payload is stored as its canonical text, the keys are fixed and already in
RFC 8785 order, and the few scalar fields are escaped the way RFC 8785 escapes strings. That
is what lets ``zhifa ledger verify`` recompute a million leaves quickly; the tests check the
two agree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from .canonical import canonical_json

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
_UTC = dt.UTC

# RFC 8785 §3.2.2.2: escape '"', '\\' and U+0000..U+001F (short forms \b \t \n \f \r, else
# \u00xx lower-case); everything else literal. json's non-ASCII string encoder (what
# json.dumps(ensure_ascii=False) uses, in C) does exactly that.
_dump_str = json.encoder.encode_basestring


def format_at(at: dt.datetime) -> str:
    """ISO 8601 UTC with microseconds: ``2025-03-01T02:03:04.123456Z``."""
    if at.tzinfo is None:  # SQLite hands raw timestamps back naive; they are stored in UTC
        at = at.replace(tzinfo=_UTC)
    return at.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def leaf_object(
    *,
    seq: int,
    at: dt.datetime | str,
    actor: str,
    role: str,
    organization: int | None,
    subject: str,
    event_type: str,
    schema_version: int,
    payload: dict,
) -> dict:
    """The entry object whose canonical JSON is the leaf data (and a bundle's ``payload``)."""
    return {
        "seq": seq,
        "at": at if isinstance(at, str) else format_at(at),
        "actor": actor,
        "role": role,
        "organization": organization,
        "subject": subject,
        "event_type": event_type,
        "schema_version": schema_version,
        "payload": payload,
    }


def leaf_bytes(
    seq: int,
    at: str,
    actor: str,
    role: str,
    organization: int | None,
    subject: str,
    event_type: str,
    schema_version: int,
    payload_text: str,
) -> bytes:
    """``canonical_json(leaf_object(...))`` from the stored canonical payload text."""
    org = "null" if organization is None else str(int(organization))
    return (
        f'{{"actor":{_dump_str(actor)},"at":"{at}","event_type":{_dump_str(event_type)},'
        f'"organization":{org},"payload":{payload_text},"role":{_dump_str(role)},'
        f'"schema_version":{int(schema_version)},"seq":{int(seq)},'
        f'"subject":{_dump_str(subject)}}}'
    ).encode()


def entry_leaf_bytes(entry) -> bytes:
    """Leaf data of a LedgerEntry instance (from its stored fields)."""
    return leaf_bytes(
        entry.seq,
        format_at(entry.at),
        entry.actor_label,
        entry.role,
        entry.organization_id,
        entry.subject,
        entry.event_type,
        entry.schema_version,
        entry.payload,
    )


def leaf_hash(data: bytes) -> bytes:
    return hashlib.new("sm3", LEAF_PREFIX + data).digest()


def entry_object(entry) -> dict:
    """The entry object of a stored LedgerEntry (payload parsed back from its text)."""
    return leaf_object(
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor_label,
        role=entry.role,
        organization=entry.organization_id,
        subject=entry.subject,
        event_type=entry.event_type,
        schema_version=entry.schema_version,
        payload=json.loads(entry.payload),
    )


def check_roundtrip(obj: dict) -> bytes:
    """canonical_json of an entry object (the slow, reference path)."""
    return canonical_json(obj)
