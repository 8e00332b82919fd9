"""Guards and helpers shared by the procedures."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from .. import rules
from .base import Context, FieldSpec

__all__ = [
    "after_field",
    "close",
    "data_list_append",
    "not_future",
    "officers",
    "set_data",
]


def officers(ctx: Context) -> str | None:
    """At least two assigned officers with valid certificates covering the matter's field."""
    return rules.check_officers(ctx.case, ctx.today)


def not_future(name: str, label: str) -> Callable[[Context], str | None]:
    def guard(ctx: Context) -> str | None:
        value = ctx.data.get(name)
        if value is None:
            return None
        day = value.date() if isinstance(value, datetime.datetime) else value
        if day > ctx.today:
            return f"“{label}”不能晚于今天。"
        return None

    return guard


def after_field(name: str, label: str, earliest: Callable[[Context], datetime.date | None]):
    """The date in `name` may not be before the date `earliest` gives (e.g. the filing date)."""

    def guard(ctx: Context) -> str | None:
        value = ctx.data.get(name)
        first = earliest(ctx)
        if value is None or first is None:
            return None
        day = value.date() if isinstance(value, datetime.datetime) else value
        if day < first:
            return f"“{label}”不能早于{first:%Y年%m月%d日}。"
        return None

    return guard


def set_data(case, **values) -> None:
    case.data = {**case.data, **values}


def data_list_append(case, key: str, item: dict) -> None:
    items = list(case.data.get(key, []))
    items.append(item)
    set_data(case, **{key: items})


def close(ctx: Context) -> None:
    ctx.case.closed_on = ctx.today


REASON = FieldSpec("reason", "理由", "textarea")
NOTE = FieldSpec("note", "说明", "textarea", required=False)
