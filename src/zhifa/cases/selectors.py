"""Scoped reads of cases. Who sees a case:

* officers: cases of the units they hold a role in (and their subtrees), and cases they are
  assigned to;
* unit heads, body heads, legal reviewers: cases of their organisation and its subtree (a body
  head sees the whole body);
* supervisors: cases of the bodies they supervise, read-only (the services refuse their
  actions).

``cases_for(user, *, scope="mine"|"unit"|"all", category=None, procedure=None, stage=None,
overdue=False, q=None)``, ``get_case(user, pk)`` (404 when missing or forbidden alike) and
``overdue_cases(user)``. Visibility is read first as id lists (no OR-ed subqueries), filters
are columns of the list indexes or EXISTS probes per listed case (no joins with DISTINCT), so a
list costs what the caller can see, not what the database holds: p95 7 ms for a unit's list
among a million cases (bench/cases.py, docs/cases.md).
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhifa.core.models import Organization, User
from zhifa.core.selectors import acting_organizations, readable_organizations

from . import deadlines
from .models import Case, CaseOfficer, Step

__all__ = [
    "SCOPES",
    "cases_for",
    "filter_cases",
    "get_case",
    "organisation_cases",
    "overdue_cases",
    "steps_of",
    "timeline",
    "visible_cases",
]

SCOPES = ("mine", "unit", "all")


def _visibility(user: User) -> Q:
    """The visibility condition as id lists, read first (small indexed queries).

    A case is readable when its body or its handling unit is a readable organisation, or the
    user is assigned to it. Written literally that is an OR of three IN-lists, which makes every
    database union the branches and sort before it can page; ``organisation_branches`` drops the
    redundant ones, and an assignment only counts for a case outside them. A unit head then reads
    ``unit_id IN (...)`` and a body head ``organization_id IN (...)``: one index range each
    (bench/cases.py)."""
    bodies, units = _bodies_and_units(readable_organizations(user))
    branches = _branches(bodies, units)
    # Only assignments on cases the organisations do not already show (usually none): a join
    # on the user's few assignments, never a scan of the visible cases.
    assigned = CaseOfficer.objects.filter(officer__user=user)
    if bodies:
        assigned = assigned.exclude(case__organization_id__in=bodies)
    if units:
        assigned = assigned.exclude(case__unit_id__in=units)
    extra = sorted(set(assigned.values_list("case_id", flat=True)))
    if extra:
        branches.append(Q(pk__in=extra))
    return _any(branches)


def organisation_cases(organizations: QuerySet[Organization]) -> Q:
    """Cases whose body or handling unit is one of ``organizations`` (a subtree-closed set, as
    the scoping selectors return), without redundant branches: what an API client reads."""
    return _any(_branches(*_bodies_and_units(organizations)))


def _bodies_and_units(organizations: QuerySet[Organization]) -> tuple[list[int], list[int]]:
    """A case's body is always an enforcement body (``register_case``), so only readable
    bodies can match ``organization``; a readable unit matters only when some enforcement body
    enclosing it is not readable (otherwise the body's branch shows its cases already)."""
    orgs = list(organizations.values_list("pk", "path", "is_enforcement_body"))
    bodies = {pk for pk, _, is_body in orgs if is_body}
    units = {pk: _ancestors(path) for pk, path, is_body in orgs if not is_body}
    if units:
        enclosing = set(
            Organization.objects.filter(
                pk__in=set().union(*units.values()), is_enforcement_body=True
            ).values_list("pk", flat=True)
        )
        # A unit outside every enforcement body handles no case.
        units = {pk: up for pk, up in units.items() if not (up & enclosing) <= bodies}
    return sorted(bodies), sorted(units)


def _branches(bodies: list[int], units: list[int]) -> list[Q]:
    branches = []
    if bodies:
        branches.append(Q(organization_id__in=bodies))
    if units:
        branches.append(Q(unit_id__in=units))
    return branches


def _any(branches: list[Q]) -> Q:
    if not branches:
        return Q(pk__in=[])
    condition = branches[0]
    for branch in branches[1:]:
        condition |= branch
    return condition


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _ancestors(path: str) -> set[int]:
    return {int(x) for x in path.strip("/").split("/") if x}


def visible_cases(user: User) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(_visibility(user))


def cases_for(user: User, *, scope: str = "all", **filters) -> QuerySet[Case]:
    """The caller's cases in ``scope``, filtered by ``filter_cases``'s keyword filters."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    if not user.is_authenticated:
        return Case.objects.none()
    if scope == "unit":
        # A unit's cases are readable by its members by definition: no visibility OR needed,
        # and the (unit, -created_at, -id) index serves the page directly.
        units = list(acting_organizations(user).values_list("pk", flat=True))
        qs = Case.objects.filter(unit_id__in=units)
    else:
        qs = Case.objects.filter(_visibility(user))
    if scope == "mine":
        # As one id list too: an OR of a subquery and created_by made SQLite scan the body.
        mine = set(
            CaseOfficer.objects.filter(officer__user=user, recused=False).values_list(
                "case_id", flat=True
            )
        )
        mine.update(Case.objects.filter(created_by=user).values_list("pk", flat=True))
        qs = qs.filter(pk__in=sorted(mine))
    return filter_cases(qs, **filters)


def filter_cases(
    qs: QuerySet[Case],
    *,
    category: str | None = None,
    procedure: str | None = None,
    stage: str | None = None,
    overdue: bool = False,
    q: str | None = None,
    registered_from: datetime.date | None = None,
    registered_to: datetime.date | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Case]:
    """The list filters on an already scoped queryset, newest first: the pages and the API (for
    users and clients alike) filter the same way."""
    # Registration dates as a range of local days on created_at (the list index's second
    # column), not ``created_at__date``: that casts every row (a Python function on SQLite).
    if registered_from:
        qs = qs.filter(created_at__gte=_day_start(registered_from))
    if registered_to:
        qs = qs.filter(created_at__lt=_day_start(registered_to + datetime.timedelta(days=1)))
    if category:
        qs = qs.filter(category=category)
    if procedure:
        qs = qs.filter(procedure=procedure)
    if stage:
        qs = qs.filter(stage=stage)
    if overdue:
        qs = deadlines.overdue(qs, today or timezone.localdate())
    q = (q or "").strip()
    if q:
        # Number, title and parties' names in one column, tested per listed case: a search
        # costs what the caller's list costs, not a scan of every body's cases and parties.
        qs = qs.filter(search_text__icontains=q)
    return qs.select_related("matter", "unit", "organization").order_by("-created_at", "-id")


def get_case(user: User, pk) -> Case:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("未找到该案件。") from None
    case = visible_cases(user).select_related("matter", "unit", "organization").filter(pk=pk)
    found = case.first()
    if found is None:
        raise Http404("未找到该案件。")
    return found


def overdue_cases(user: User, today: datetime.date | None = None) -> QuerySet[Case]:
    return cases_for(user, overdue=True, today=today)


def steps_of(case: Case) -> QuerySet[Step]:
    """The case's own index of its history (each row points at its ledger entry)."""
    return case.steps.select_related("actor").order_by("at", "id")


def timeline(case: Case) -> QuerySet:
    """Every ledger entry about the case (transitions, records, service, review...), oldest
    first: the authoritative history for the case page and the case file."""
    from zhifa.ledger.models import LedgerEntry

    return LedgerEntry.objects.filter(subject=case.subject).order_by("seq")
