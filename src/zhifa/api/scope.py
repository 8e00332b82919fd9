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
