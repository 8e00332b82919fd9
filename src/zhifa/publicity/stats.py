"""Annual statistics of the portal (年度数据, DOMAIN.md R-06): per year (by decision date) and
per body, penalty decisions by type, a decision with several penalties counted once under its
heaviest type, the total of fines, and the counts of licensing, inspection, coercion and other
decisions. Numbers only, from published decisions (withdrawn ones, whose decision was revoked,
are not counted; expired ones still are: a count shows nobody's data)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db.models import Count, Max, Min, Sum

from .models import PubCategory, Publication, PubStatus

# R-06, heaviest first: the first type found in a decision's text is the one it counts under.
# (key, label, words that show it in the published penalty text)
PENALTY_TYPES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("detention", "行政拘留", ("行政拘留",)),
    ("revoke_licence", "吊销许可证件", ("吊销",)),
    ("close", "责令关闭、限制从业", ("责令关闭", "限制从业")),
    ("stop_business", "责令停产停业", ("责令停产停业", "责令停业", "责令停产")),
    ("restrict_business", "限制开展生产经营活动", ("限制开展生产经营活动",)),
    ("lower_qualification", "降低资质等级", ("降低资质等级",)),
    ("suspend_licence", "暂扣许可证件", ("暂扣",)),
    ("confiscation", "没收违法所得、没收非法财物", ("没收",)),
    ("fine", "罚款", ("罚款",)),
    ("criticism", "通报批评", ("通报批评",)),
    ("warning", "警告", ("警告",)),
)
PENALTY_LABELS = {key: label for key, label, _ in PENALTY_TYPES}
OTHER_PENALTY = "other"
_FINE = re.compile(r"罚款(?:人民币)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万?)元")

CACHE_TTL = 600


def penalty_summary(text: str) -> tuple[str, Decimal]:
    """(heaviest penalty type, fine in yuan) read from a decision's published penalty text
    ("罚款人民币500元、暂扣许可证件"); ("other", 0) when no known type is named."""
    kind = next(
        (key for key, _, words in PENALTY_TYPES if any(w in text for w in words)), OTHER_PENALTY
    )
    fine = Decimal("0")
    for number, wan in _FINE.findall(text):
        try:
            amount = Decimal(number.replace(",", ""))
        except InvalidOperation:
            continue
        fine += amount * 10000 if wan else amount
    return kind, fine.quantize(Decimal("0.01"))


@dataclass
class BodyYear:
    organization_id: int
    name: str
    penalties: dict[str, int] = field(default_factory=dict)
    penalty_total: int = 0
    fines: Decimal = Decimal("0")
    by_category: dict[str, int] = field(default_factory=dict)

    def penalty_row(self) -> list[int]:
        return [self.penalties.get(key, 0) for key in PENALTY_KEYS]

    def category_row(self) -> list[int]:
        return [self.by_category.get(key, 0) for key in OTHER_CATEGORIES]


PENALTY_KEYS = [key for key, _, _ in reversed(PENALTY_TYPES)] + [OTHER_PENALTY]
PENALTY_HEADERS = [PENALTY_LABELS[k] for k in PENALTY_KEYS[:-1]] + ["其他"]
OTHER_CATEGORIES = [
    PubCategory.LICENSING,
    PubCategory.INSPECTION,
    PubCategory.COERCION,
    PubCategory.OTHER,
]


def years() -> list[int]:
    """The years from the latest decision back to the earliest (two index lookups; a DISTINCT
    over the years would read every row)."""
    key = "publicity:stats:years"
    value = cache.get(key)
    if value is None:
        span = Publication.objects.filter(status=PubStatus.PUBLISHED).aggregate(
            first=Min("decided_on"), last=Max("decided_on")
        )
        value = list(range(span["last"].year, span["first"].year - 1, -1)) if span["first"] else []
        cache.set(key, value, CACHE_TTL)
    return value


def annual(year: int) -> list[BodyYear]:
    """One row per body that published a decision made that year, in the organisation tree's
    order. Two GROUP BY queries, cached CACHE_TTL seconds (a publication shows up in the figures
    within that time; the figures are a yearly report, not a live count)."""
    key = f"publicity:stats:{year}"
    rows = cache.get(key)
    if rows is None:
        rows = _annual(year)
        cache.set(key, rows, CACHE_TTL)
    return rows


def _annual(year: int) -> list[BodyYear]:
    published = Publication.objects.filter(
        status=PubStatus.PUBLISHED,
        decided_on__gte=f"{year}-01-01",
        decided_on__lte=f"{year}-12-31",
    )
    bodies: dict[int, BodyYear] = {}

    def body(org_id: int, name: str) -> BodyYear:
        if org_id not in bodies:
            bodies[org_id] = BodyYear(org_id, name)
        return bodies[org_id]

    penalties = (
        published.filter(category=PubCategory.PENALTY)
        .values("organization_id", "organization__name", "organization__path", "penalty_kind")
        .annotate(n=Count("id"), fines=Sum("fine_amount"))
    )
    others = (
        published.exclude(category=PubCategory.PENALTY)
        .values("organization_id", "organization__name", "organization__path", "category")
        .annotate(n=Count("id"))
    )
    paths = {}
    for row in penalties:
        b = body(row["organization_id"], row["organization__name"])
        paths[b.organization_id] = row["organization__path"]
        kind = row["penalty_kind"] if row["penalty_kind"] in PENALTY_LABELS else OTHER_PENALTY
        b.penalties[kind] = b.penalties.get(kind, 0) + row["n"]
        b.penalty_total += row["n"]
        b.fines += row["fines"] or Decimal("0")
    for row in others:
        b = body(row["organization_id"], row["organization__name"])
        paths[b.organization_id] = row["organization__path"]
        b.by_category[row["category"]] = b.by_category.get(row["category"], 0) + row["n"]
    return sorted(bodies.values(), key=lambda b: paths[b.organization_id])


def totals(rows: list[BodyYear]) -> BodyYear:
    total = BodyYear(0, "合计")
    for b in rows:
        for k, n in b.penalties.items():
            total.penalties[k] = total.penalties.get(k, 0) + n
        for k, n in b.by_category.items():
            total.by_category[k] = total.by_category.get(k, 0) + n
        total.penalty_total += b.penalty_total
        total.fines += b.fines
    return total
