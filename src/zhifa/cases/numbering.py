"""Case numbers (案号) and decision numbers (决定书文号): body prefix + kind + 〔year〕 + sequence +
号, e.g. 大兴乡罚决〔2026〕7号 (the pattern 地区简称+执法类别+[年份]+顺序号 of DOMAIN.md R-20).
Sequences live in `Counter` rows locked with select_for_update: unique and gap-free per body,
kind and year, also on PostgreSQL under concurrent filings."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from zhifa.core.models import Organization

from .models import Counter

__all__ = ["CASE_KINDS", "DECISION_KINDS", "body_prefix", "case_number", "next_number"]

# Procedure → the kind word of its case number / decision number.
CASE_KINDS = {
    "penalty_ordinary": "罚立",
    "penalty_simplified": "当罚",
    "inspection": "检",
    "coercion": "强",
    "licensing": "许受",
}
DECISION_KINDS = {
    "penalty_ordinary": "罚决",
    "penalty_simplified": "当罚决",
    "coercion": "强决",
    "licensing": "许决",
    "inspection": "检反",
}


def body_prefix(organization: Organization) -> str:
    """The body's short name: its name without the county it sits in and without 人民政府
    (耿马傣族佤族自治县大兴乡人民政府 → 大兴乡)."""
    name = organization.name
    region = getattr(organization, "region", None)
    if region is not None and name.startswith(region.name) and len(name) > len(region.name):
        name = name[len(region.name) :]
    if name.endswith("人民政府") and len(name) > 4:
        name = name[: -len("人民政府")]
    return name


def next_number(organization: Organization, kind: str, year: int) -> int:
    """The next sequence number; call inside the transaction that uses it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside a transaction")
    if not Counter.objects.filter(organization=organization, kind=kind, year=year).exists():
        try:
            with transaction.atomic():
                Counter.objects.create(organization=organization, kind=kind, year=year)
        except IntegrityError:
            pass  # created by a concurrent transaction: lock it below
    counter = Counter.objects.select_for_update().get(
        organization=organization, kind=kind, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def case_number(organization: Organization, kind: str, year: int) -> str:
    n = next_number(organization, kind, year)
    return f"{body_prefix(organization)}{kind}〔{year}〕{n}号"
