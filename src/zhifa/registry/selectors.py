"""Scoped reads of the register. A business user reads the enforcement bodies they act in or
supervise (``zhifa.core.selectors.readable_organizations``) and the body they work inside (an
officer of a unit reads their own body's register); missing and forbidden both give 404."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhifa.core.models import Membership, Organization, User
from zhifa.core.permissions import BUSINESS_ROLES, has_perm
from zhifa.core.selectors import readable_organizations

from . import rules
from .models import EnforcementBody, LegalAdviser, LegalReviewer, Officer, TrainingRecord

__all__ = [
    "body_officers",
    "bodies_short_of_reviewers",
    "expiring_certificates",
    "get_body_org",
    "get_officer",
    "officers",
    "readable_bodies",
    "readable_body_orgs",
    "reviewers_of",
    "advisers_of",
    "training_hours_by_year",
]


def _enclosing_ids(user: User) -> set[int]:
    """Ids of the organisations at and above each organisation where the user holds a business
    role: an officer of 综合行政执法队 belongs to (and reads) 大兴乡人民政府's register."""
    if not user.is_authenticated or not has_perm(user, "business.view"):
        return set()
    paths = Membership.objects.filter(user=user, role__in=BUSINESS_ROLES).values_list(
        "organization__path", flat=True
    )
    return {int(x) for path in paths for x in path.strip("/").split("/") if x}


def readable_body_orgs(user: User) -> QuerySet[Organization]:
    """Enforcement-body organisations (with or without a registered profile) the user reads."""
    if not user.is_authenticated or not has_perm(user, "business.view"):
        return Organization.objects.none()
    return (
        Organization.objects.filter(is_enforcement_body=True)
        .filter(
            Q(pk__in=readable_organizations(user).values("pk")) | Q(pk__in=_enclosing_ids(user))
        )
        .select_related("region", "enforcement_profile")
    )


def readable_bodies(user: User) -> QuerySet[EnforcementBody]:
    return EnforcementBody.objects.filter(
        organization__in=readable_body_orgs(user).values("pk")
    ).select_related("organization")


def get_body_org(user: User, pk: int) -> Organization:
    org = readable_body_orgs(user).filter(pk=pk).first()
    if org is None:
        raise Http404("未找到该执法主体。")
    return org


def officers(
    user: User,
    *,
    body: EnforcementBody | None = None,
    unit: Organization | int | None = None,
    status: str = "",
    certificate_state: str = "",
    search: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Officer]:
    """Officers of the bodies the user reads, filtered. ``search`` matches the name, the
    certificate number or the post."""
    qs = Officer.objects.filter(body__in=readable_bodies(user).values("pk")).select_related(
        "organization", "body__organization", "user"
    )
    if body is not None:
        qs = qs.filter(body=body)
    if unit:
        qs = qs.filter(organization_id=getattr(unit, "pk", unit))
    if status:
        qs = qs.filter(status=status)
    if certificate_state:
        qs = qs.filter(rules.certificate_state_q(certificate_state, today or timezone.localdate()))
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(certificate_no__icontains=search)
            | Q(post__icontains=search)
        )
    return qs


def body_officers(user: User, body: EnforcementBody) -> QuerySet[Officer]:
    return officers(user, body=body)


def get_officer(user: User, pk: int) -> Officer:
    officer = officers(user).filter(pk=pk).first()
    if officer is None:
        raise Http404("未找到该执法人员。")
    return officer


def reviewers_of(body: EnforcementBody, *, active_only: bool = False) -> QuerySet[LegalReviewer]:
    """Reviewers of a body the caller already read through :func:`get_body_org`."""
    qs = LegalReviewer.objects.filter(body=body).select_related(
        "officer__organization", "adviser__law_firm"
    )
    return qs.filter(active=True) if active_only else qs


def advisers_of(body: EnforcementBody) -> QuerySet[LegalAdviser]:
    return LegalAdviser.objects.filter(body=body).select_related("law_firm")


def expiring_certificates(
    user: User, *, body: EnforcementBody | None = None, today: datetime.date | None = None
) -> QuerySet[Officer]:
    """Officers (在岗) whose certificates have expired or expire within 30 days."""
    from .models import OfficerStatus

    today = today or timezone.localdate()
    return (
        officers(user, body=body, status=OfficerStatus.ACTIVE)
        .filter(
            rules.certificate_state_q(rules.CertificateState.EXPIRED, today)
            | rules.certificate_state_q(rules.CertificateState.EXPIRING, today)
        )
        .order_by("certificate_expires_on", "id")
    )


def bodies_short_of_reviewers(user: User) -> list[tuple[EnforcementBody, rules.RatioCheck]]:
    """Bodies the user reads (supervisors: the bodies they supervise) whose legal reviewers are
    fewer than the rule asks."""
    short = []
    for body in readable_bodies(user):
        check = rules.reviewer_ratio(body)
        if not check.ok:
            short.append((body, check))
    return short


def training_hours_by_year(officer: Officer) -> dict[int, Decimal]:
    """{year: hours} for the officer, most recent year first."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for day, hours in TrainingRecord.objects.filter(officer=officer).values_list("date", "hours"):
        totals[day.year] += hours
    return dict(sorted(totals.items(), reverse=True))
