"""Reads of the ledger for the UI, scoped like every other business read."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from zhifa.core.models import Role
from zhifa.core.selectors import readable_organizations

from . import events
from .models import LedgerEntry

DIGEST_KEYS = ("sm3", "sha256", "digest", "hash")


@dataclass(frozen=True)
class TimelineItem:
    seq: int
    at: object
    who: str
    actor_label: str
    role: str
    role_label: str
    organization: str
    event_type: str
    event_label: str
    digests: list[tuple[str, str]] = field(default_factory=list)


def _who(label: str) -> str:
    """``user:12 李明`` -> ``李明``; other labels (``system``, ``api:x``) as they are."""
    if label.startswith("user:"):
        _, _, name = label.partition(" ")
        return name or label
    if label == "system":
        return "系统"
    return label


def evidence_digests(payload: object, path: str = "") -> list[tuple[str, str]]:
    """(where, digest) for every string in the payload under a key ending in sm3, sha256,
    digest or hash, e.g. ``{"evidence": [{"name": "a.jpg", "sm3": "..."}]}``."""
    found: list[tuple[str, str]] = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            where = f"{path}.{key}" if path else key
            if isinstance(value, str) and key.lower().endswith(DIGEST_KEYS):
                label = payload.get("name") or payload.get("filename") or where
                found.append((str(label), value))
            else:
                found.extend(evidence_digests(value, where))
    elif isinstance(payload, list):
        for i, value in enumerate(payload):
            found.extend(evidence_digests(value, f"{path}[{i}]"))
    return found


def timeline(subject: str, user) -> list[TimelineItem]:
    """The subject's ledger entries the user may read (organisations from
    ``readable_organizations``), oldest first, straight from the ledger."""
    entries = (
        LedgerEntry.objects.filter(
            subject=subject, organization__in=readable_organizations(user).values("pk")
        )
        .select_related("organization")
        .order_by("seq")
    )
    return timeline_items(entries)


def timeline_items(entries) -> list[TimelineItem]:
    """Ledger entries (with their organisation) as timeline items, in the order given: for
    callers that have already decided which entries the reader may see."""
    roles = dict(Role.choices)
    return [
        TimelineItem(
            seq=e.seq,
            at=e.at,
            who=_who(e.actor_label),
            actor_label=e.actor_label,
            role=e.role,
            role_label=str(roles.get(e.role, e.role)),
            organization=e.organization.name if e.organization else "",
            event_type=e.event_type,
            event_label=events.label(e.event_type),
            digests=evidence_digests(json.loads(e.payload)),
        )
        for e in entries
    ]
