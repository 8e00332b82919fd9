"""Scoped reads. Every query of org-owned data goes through here: it takes the user and
restricts to what the user's organisations may see. Missing and forbidden both give 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Membership, Organization, OrgKind, Role, User
from .permissions import BUSINESS_ROLES, memberships_of


def _subtree_q(paths: list[str], field: str = "path") -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def acting_organizations(user: User, roles: set[str] | None = None) -> QuerySet[Organization]:
    """Organisations the user acts on: those they hold a business role in, and their subtrees."""
    wanted = set(roles) if roles else set(BUSINESS_ROLES - {Role.SUPERVISOR})
    paths = [m.organization.path for m in memberships_of(user) if m.role in wanted]
    if not paths:
        return Organization.objects.none()
    return Organization.objects.filter(_subtree_q(paths))


def supervised_bodies(supervisor_org: Organization) -> QuerySet[Organization]:
    """Enforcement bodies a justice bureau or justice office supervises.

    A justice bureau supervises the bodies whose region lies within its region (a county bureau
    supervises the county's departments and its townships); a justice office (司法所) supervises
    the bodies of the government it sits in."""
    bodies = Organization.objects.filter(is_enforcement_body=True)
    if supervisor_org.kind == OrgKind.JUSTICE_BUREAU:
        return bodies.filter(region__prefix__startswith=supervisor_org.region.prefix)
    if supervisor_org.kind == OrgKind.JUSTICE_OFFICE and supervisor_org.parent_id:
        parent = supervisor_org.parent
        return bodies.filter(path__startswith=parent.path)
    return bodies.none()


def supervised_organizations(user: User) -> QuerySet[Organization]:
    """Supervised bodies and their subtrees, for a user holding the supervisor role."""
    if not any(m.role == Role.SUPERVISOR for m in memberships_of(user)):
        return Organization.objects.none()
    orgs = Organization.objects.filter(
        memberships__user=user, memberships__role=Role.SUPERVISOR
    ).select_related("region", "parent")
    paths: list[str] = []
    for org in orgs:
        paths.extend(supervised_bodies(org).values_list("path", flat=True))
    if not paths:
        return Organization.objects.none()
    return Organization.objects.filter(_subtree_q(paths))


def readable_organizations(user: User) -> QuerySet[Organization]:
    """What a business user may read: where they act, plus what they supervise."""
    acting = acting_organizations(user)
    supervised = supervised_organizations(user)
    return Organization.objects.filter(
        Q(pk__in=acting.values("pk")) | Q(pk__in=supervised.values("pk"))
    )


def scope(queryset: QuerySet, user: User, org_field: str = "organization") -> QuerySet:
    """Restrict any org-owned queryset to what the user may read."""
    return queryset.filter(**{f"{org_field}__in": readable_organizations(user).values("pk")})


def get_scoped(queryset: QuerySet, user: User, org_field: str = "organization", **lookup):
    """One object the user may read, or 404 — the same 404 whether it is missing or forbidden."""
    obj = scope(queryset, user, org_field).filter(**lookup).first()
    if obj is None:
        raise Http404("未找到该记录。")
    return obj


def get_readable_organization(user: User, pk: int) -> Organization:
    obj = readable_organizations(user).filter(pk=pk).select_related("region", "parent").first()
    if obj is None:
        raise Http404("未找到该组织。")
    return obj


def admin_organizations(user: User, role: str) -> QuerySet[Organization]:
    """Organisations an administrator manages with the given admin role (their subtrees)."""
    paths = list(
        Membership.objects.filter(user=user, role=role).values_list("organization__path", flat=True)
    )
    if not paths:
        return Organization.objects.none()
    return Organization.objects.filter(_subtree_q(paths))


def managed_users(user: User, role: str) -> QuerySet[User]:
    """Accounts an administrator may see: those whose home organisation they manage."""
    orgs = admin_organizations(user, role)
    return User.objects.filter(organization__in=orgs).select_related("organization")
