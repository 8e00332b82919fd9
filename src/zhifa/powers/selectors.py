"""Scoped reads: power lists of the enforcement bodies the user reads (the registry's rule: acting,
supervised, or the body the user works inside). Reference benchmarks and no-penalty items
(organization None) are read by every business user; a body's own by its readers. Missing and
forbidden both give 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from zhifa.registry.selectors import readable_body_orgs

from .models import DiscretionBenchmark, Matter, NoPenaltyItem, PowerList


def power_lists(user) -> QuerySet[PowerList]:
    return PowerList.objects.filter(
        organization__in=readable_body_orgs(user).values("pk")
    ).select_related("organization")


def get_power_list(user, pk: int) -> PowerList:
    obj = power_lists(user).filter(pk=pk).first()
    if obj is None:
        raise Http404("未找到该权责清单。")
    return obj


def matters(user, power_list: PowerList, *, category: str = "", search: str = ""):
    qs = Matter.objects.filter(power_list=power_list)
    if category:
        qs = qs.filter(category=category)
    search = search.strip()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return qs


def get_matter(user, pk: int) -> Matter:
    obj = (
        Matter.objects.filter(power_list__in=power_lists(user).values("pk"), pk=pk)
        .select_related("power_list__organization", "responsible_unit")
        .first()
    )
    if obj is None:
        raise Http404("未找到该事项。")
    return obj


def benchmarks(
    user, *, search: str = "", basis: str = "", owner: str = ""
) -> QuerySet[DiscretionBenchmark]:
    """``owner``: "own" = the bodies' own benchmarks, "reference" = reference tables."""
    qs = DiscretionBenchmark.objects.filter(
        Q(organization__isnull=True) | Q(organization__in=readable_body_orgs(user).values("pk"))
    )
    if owner == "own":
        qs = qs.filter(organization__isnull=False)
    elif owner == "reference":
        qs = qs.filter(organization__isnull=True)
    if search.strip():
        qs = qs.filter(violation__icontains=search.strip())
    if basis.strip():
        qs = qs.filter(legal_basis__icontains=basis.strip())
    return qs


def get_benchmark(user, pk: int) -> DiscretionBenchmark:
    obj = benchmarks(user).filter(pk=pk).first()
    if obj is None:
        raise Http404("未找到该裁量基准。")
    return obj


def no_penalty_items(user, *, list_name: str = "", search: str = "") -> QuerySet[NoPenaltyItem]:
    """Reference lists (no organisation) and those of the bodies the user reads; ``search``
    matches the violation, the conditions or the legal basis."""
    qs = NoPenaltyItem.objects.filter(
        Q(organization__isnull=True) | Q(organization__in=readable_body_orgs(user).values("pk"))
    ).select_related("organization")
    if list_name:
        qs = qs.filter(list_name=list_name)
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(violation__icontains=search)
            | Q(conditions__icontains=search)
            | Q(legal_basis__icontains=search)
        )
    return qs


def get_no_penalty_item(user, pk: int) -> NoPenaltyItem:
    obj = no_penalty_items(user).filter(pk=pk).first()
    if obj is None:
        raise Http404("未找到该不予处罚事项。")
    return obj
