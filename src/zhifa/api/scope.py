"""Scoped reads for either kind of caller. A user reads what ``zhifa.core.selectors`` and
``zhifa.registry.selectors`` allow; an API client reads its organisation's subtree (and the
enforcement body that subtree belongs to), like a user with business roles there. Missing and
forbidden both give 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from zhifa.core import selectors as core_selectors
from zhifa.core.models import Organization
from zhifa.exchange.models import ApiClient
from zhifa.registry import selectors as registry_selectors
from zhifa.registry.models import Officer

Principal = Any  # zhifa.core.models.User | ApiClient


def _client_org(client: ApiClient) -> Organization | None:
    org = client.organization
    return org if client.active and org.is_active else None


def readable_organizations(principal: Principal) -> QuerySet[Organization]:
    """The organisations the caller reads: a user's acting + supervised organisations, a
    client's organisation subtree."""
    if isinstance(principal, ApiClient):
        org = _client_org(principal)
        if org is None:
            return Organization.objects.none()
        return Organization.objects.filter(path__startswith=org.path)
    return core_selectors.readable_organizations(principal)


def readable_body_orgs(principal: Principal) -> QuerySet[Organization]:
    """Enforcement-body organisations the caller reads."""
    if isinstance(principal, ApiClient):
        org = _client_org(principal)
        if org is None:
            return Organization.objects.none()
        enclosing = [int(x) for x in org.path.strip("/").split("/") if x]
        return (
            Organization.objects.filter(is_enforcement_body=True)
            .filter(Q(path__startswith=org.path) | Q(pk__in=enclosing))
            .select_related("region", "enforcement_profile")
        )
    return registry_selectors.readable_body_orgs(principal)


def get_body_org(principal: Principal, pk: int) -> Organization:
    org = readable_body_orgs(principal).filter(pk=pk).first()
    if org is None:
        raise Http404("未找到该执法主体。")
    return org


def officers(
    principal: Principal, *, unit: int | None = None, status: str = "", search: str = ""
) -> QuerySet[Officer]:
    if not isinstance(principal, ApiClient):
        return registry_selectors.officers(principal, unit=unit, status=status, search=search)
    qs = Officer.objects.filter(
        body__organization__in=readable_body_orgs(principal).values("pk")
    ).select_related("organization", "body__organization")
    if unit:
        qs = qs.filter(organization_id=unit)
    if status:
        qs = qs.filter(status=status)
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(certificate_no__icontains=search)
            | Q(post__icontains=search)
        )
    return qs


def get_officer(principal: Principal, pk: int) -> Officer:
    officer = officers(principal).filter(pk=pk).first()
    if officer is None:
        raise Http404("未找到该执法人员。")
    return officer


def get_organization(principal: Principal, pk: int) -> Organization:
    org = readable_organizations(principal).filter(pk=pk).first()
    if org is None:
        raise Http404("未找到该组织。")
    return org


# ---------------------------------------------------------------- powers (权责清单, 裁量基准)


def power_lists(principal: Principal):
    from zhifa.powers import selectors as powers_selectors
    from zhifa.powers.models import PowerList

    if not isinstance(principal, ApiClient):
        return powers_selectors.power_lists(principal)
    return PowerList.objects.filter(
        organization__in=readable_body_orgs(principal).values("pk")
    ).select_related("organization")


def get_power_list(principal: Principal, pk: int):
    obj = power_lists(principal).filter(pk=pk).first()
    if obj is None:
        raise Http404("未找到该权责清单。")
    return obj


def get_matter(principal: Principal, pk: int):
    from zhifa.powers.models import Matter

    obj = (
        Matter.objects.filter(power_list__in=power_lists(principal).values("pk"), pk=pk)
        .select_related("power_list__organization", "responsible_unit")
        .first()
    )
    if obj is None:
        raise Http404("未找到该事项。")
    return obj


def benchmarks(principal: Principal, *, search: str = "", basis: str = ""):
    """Reference benchmarks (no organisation) and those of the bodies the caller reads."""
    from zhifa.powers import selectors as powers_selectors
    from zhifa.powers.models import DiscretionBenchmark

    if not isinstance(principal, ApiClient):
        return powers_selectors.benchmarks(principal, search=search, basis=basis)
    qs = DiscretionBenchmark.objects.filter(
        Q(organization__isnull=True)
        | Q(organization__in=readable_body_orgs(principal).values("pk"))
    )
    if search.strip():
        qs = qs.filter(violation__icontains=search.strip())
    if basis.strip():
        qs = qs.filter(legal_basis__icontains=basis.strip())
    return qs


def get_benchmark(principal: Principal, pk: int):
    obj = benchmarks(principal).filter(pk=pk).first()
    if obj is None:
        raise Http404("未找到该裁量基准。")
    return obj
