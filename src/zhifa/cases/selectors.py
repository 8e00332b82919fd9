"""Scoped reads of cases. Who sees a case:

* officers: cases of the units they hold a role in (and their subtrees), and cases they are
  assigned to;
* unit heads, body heads, legal reviewers: cases of their organisation and its subtree (a body
  head sees the whole body);
* supervisors: cases of the bodies they supervise, read-only (the services refuse their
  actions).

``cases_for(user, *, scope="mine"|"unit"|"all", category=None, procedure=None, stage=None,
overdue=False, q=None)``, ``get_case(user, pk)`` (404 when missing or forbidden alike) and
``overdue_cases(user)``. Filters are subqueries on indexed columns, not joins with DISTINCT,
so a unit's list stays fast with a million cases.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhifa.core.models import Organization, User
from zhifa.core.selectors import acting_organizations, readable_organizations

from .deadlines import WARNING_KINDS
from .models import Case, CaseOfficer, Deadline, DeadlineStatus, Party, Step

__all__ = [
    "SCOPES",
    "cases_for",
    "get_case",
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
    database union the branches and sort before it can page. Most of it is redundant and is
    dropped here: a case's body is always an enforcement body, so only readable bodies enter the
    ``organization`` branch; a readable unit whose every enclosing enforcement body is readable
    too is covered by the ``organization`` branch already; and an assignment only counts for a
    case outside both. A unit head then reads ``unit_id IN (...)`` and a body head
    ``organization_id IN (...)``: one index range each (bench/cases.py)."""
    orgs = list(readable_organizations(user).values_list("pk", "path", "is_enforcement_body"))
    bodies = {pk for pk, _, is_body in orgs if is_body}
    units = {pk: _ancestors(path) for pk, path, is_body in orgs if not is_body}
    if units:
        enclosing = set(
            Organization.objects.filter(
                pk__in=set().union(*units.values()), is_enforcement_body=True
            ).values_list("pk", flat=True)
        )
        # A unit outside every enforcement body handles no case (``register_case``).
        units = {pk: up for pk, up in units.items() if not (up & enclosing) <= bodies}
    branches = []
    if bodies:
        branches.append(Q(organization_id__in=sorted(bodies)))
    if units:
        branches.append(Q(unit_id__in=sorted(units)))
    # Only assignments on cases the organisations do not already show (usually none): a join
    # on the user's few assignments, never a scan of the visible cases.
    assigned = CaseOfficer.objects.filter(officer__user=user)
    if bodies:
        assigned = assigned.exclude(case__organization_id__in=bodies)
    if units:
        assigned = assigned.exclude(case__unit_id__in=list(units))
    extra = sorted(set(assigned.values_list("case_id", flat=True)))
    if extra:
        branches.append(Q(pk__in=extra))
    if not branches:
        return Q(pk__in=[])
    condition = branches[0]
    for branch in branches[1:]:
        condition |= branch
    return condition


def _late(today: datetime.date) -> Exists:
    """An open time limit of the case (not a mere warning) past its due date, probed per visible
    case through the deadline's case index: the cost follows the list, not every body's
    deadlines."""
    late = Deadline.objects.filter(
        case_id=OuterRef("pk"), status=DeadlineStatus.OPEN, due_on__lt=today
    ).exclude(kind__in=WARNING_KINDS)
    return Exists(late)


def _ancestors(path: str) -> set[int]:
    return {int(x) for x in path.strip("/").split("/") if x}


def visible_cases(user: User) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(_visibility(user))


def cases_for(
    user: User,
    *,
    scope: str = "all",
    category: str | None = None,
    procedure: str | None = None,
    stage: str | None = None,
    overdue: bool = False,
    q: str | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Case]:
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
    if category:
        qs = qs.filter(category=category)
    if procedure:
        qs = qs.filter(procedure=procedure)
    if stage:
        qs = qs.filter(stage=stage)
    if overdue:
        qs = qs.filter(_late(today or timezone.localdate()))
    q = (q or "").strip()
    if q:
        # The party test is probed per listed case (EXISTS on the party's case index), so a
        # search costs what the caller's list costs, not a scan of every body's parties.
        party = Exists(Party.objects.filter(case_id=OuterRef("pk"), name__icontains=q))
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | party)
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
