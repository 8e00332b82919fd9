"""The ledger's event vocabulary. Each app registers the event types it records from its
AppConfig.ready(); :func:`zhifa.ledger.services.record` refuses any other type, so a typo
cannot silently start a new kind of record.

    from zhifa.ledger import events
    events.register("case.opened", "立案", schema_version=1)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["EventType", "UnknownEventType", "all_events", "get", "label", "register"]

_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")


class UnknownEventType(ValueError):
    """record() was given an event type nobody registered."""


@dataclass(frozen=True)
class EventType:
    event_type: str
    label_zh: str
    schema_version: int = 1


_REGISTRY: dict[str, EventType] = {}


def register(event_type: str, label_zh: str, schema_version: int = 1) -> EventType:
    """Register (or re-register identically) an event type such as ``"case.opened"``.

    Names are dotted lower-case, ``<app>.<event>``. Registering the same name again with a
    different label or a higher schema version replaces it (an app moving to schema 2)."""
    if not _NAME.fullmatch(event_type):
        raise ValueError(f"event type {event_type!r} must look like 'app.event' (lower case)")
    if not isinstance(schema_version, int) or isinstance(schema_version, bool):
        raise ValueError("schema_version must be an integer")
    if schema_version < 1:
        raise ValueError("schema_version must be >= 1")
    if not label_zh.strip():
        raise ValueError("label_zh must not be empty")
    event = EventType(event_type, label_zh.strip(), schema_version)
    _REGISTRY[event_type] = event
    return event


def get(event_type: str) -> EventType:
    try:
        return _REGISTRY[event_type]
    except KeyError:
        raise UnknownEventType(
            f"未登记的事件类型 / unregistered ledger event type: {event_type!r}"
        ) from None


def label(event_type: str) -> str:
    """Chinese label, or the raw type for entries whose type is no longer registered."""
    event = _REGISTRY.get(event_type)
    return event.label_zh if event else event_type


def all_events() -> list[EventType]:
    return sorted(_REGISTRY.values(), key=lambda e: e.event_type)
