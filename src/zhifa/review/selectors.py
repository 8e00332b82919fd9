"""Scoped reads of review data. A case is readable by whoever reads its body (heads, reviewers,
supervisors of the body) or acts in its handling unit (the unit's officers); a review request,
round or deliberation is readable when its case is. Missing and forbidden both give 404."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from zhifa.cases.models import Case
from zhifa.core.models import Organization, User
from zhifa.core.selectors import readable_organizations
from zhifa.registry.selectors import readable_body_orgs

from .models import (
    CatalogueVersion,
    Deliberation,
    Determination,
    Finding,
    RequestStatus,
    ReviewRequest,
    ReviewRound,
)


def readable_cases(user: User, orgs: QuerySet[Organization] | None = None) -> QuerySet[Case]:
    """`orgs` replaces the user's readable organisations (an API client's subtree)."""
    if orgs is None:
        orgs = readable_organizations(user)
    ids = orgs.values("pk")
    return Case.objects.filter(Q(organization__in=ids) | Q(unit__in=ids))


def get_case(user: User, pk: int, orgs: QuerySet[Organization] | None = None) -> Case:
    case = readable_cases(user, orgs).filter(pk=pk).select_related("organization", "unit", "matter")
    found = case.first()
    if found is None:
        raise Http404("未找到该案件。")
    return found


def requests_for(user: User, orgs: QuerySet[Organization] | None = None) -> QuerySet[ReviewRequest]:
    return (
        ReviewRequest.objects.filter(case__in=readable_cases(user, orgs).values("pk"))
        .select_related("case", "organization", "reviewer__officer", "reviewer__adviser")
        .order_by("-created_at", "-id")
    )


def get_request(user: User, pk: int, orgs: QuerySet[Organization] | None = None) -> ReviewRequest:
    found = requests_for(user, orgs).filter(pk=pk).first()
    if found is None:
        raise Http404("未找到该审核申请。")
    return found


def rounds_of(request: ReviewRequest) -> QuerySet[ReviewRound]:
    return (
        request.rounds.select_related(
            "submitted_by", "opinion_by", "reviewer__officer", "reviewer__adviser"
        )
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by("id")))
        .order_by("number")
    )


def get_round(user: User, pk: int, orgs: QuerySet[Organization] | None = None) -> ReviewRound:
    found = (
        ReviewRound.objects.filter(pk=pk, request__case__in=readable_cases(user, orgs).values("pk"))
        .select_related(
            "request__case__organization",
            "request__case__matter",
            "submitted_by",
            "opinion_by",
            "reviewer__officer",
            "reviewer__adviser",
        )
        .first()
    )
    if found is None:
        raise Http404("未找到该审核记录。")
    return found


def determination_of(case: Case) -> Determination | None:
    return Determination.objects.filter(case=case).select_related("catalogue").first()


def deliberations_of(case: Case) -> QuerySet[Deliberation]:
    return case.review_deliberations.prefetch_related("attendees").order_by("held_at", "id")


def queue(user: User) -> dict[str, list[ReviewRequest]]:
    """The reviewer's and heads' work lists: rounds waiting for this user's opinion, open
    rounds without a reviewer, cases sent back to the handler, and the recently passed."""
    requests = list(requests_for(user).filter(status__in=RequestStatus.values)[:500])
    open_rounds = {
        r.request_id: r
        for r in ReviewRound.objects.filter(request__in=requests, opinion="").select_related(
            "reviewer__officer"
        )
    }
    sections: dict[str, list[ReviewRequest]] = {
        "mine": [],
        "unassigned": [],
        "reviewing": [],
        "returned": [],
        "passed": [],
    }
    for request in requests:
        request.open_round = open_rounds.get(request.pk)
        if request.status == RequestStatus.PASSED:
            sections["passed"].append(request)
        elif request.status == RequestStatus.RETURNED:
            sections["returned"].append(request)
        elif request.open_round and request.open_round.reviewer is None:
            sections["unassigned"].append(request)
        elif (
            request.open_round
            and request.open_round.reviewer.officer_id
            and request.open_round.reviewer.officer.user_id == user.pk
        ):
            sections["mine"].append(request)
        else:
            sections["reviewing"].append(request)
    sections["passed"] = sections["passed"][:20]
    return sections


def catalogue_bodies(user: User) -> QuerySet[Organization]:
    """The bodies whose catalogue the user reads: an officer reads the catalogue of the body
    their unit belongs to."""
    return readable_body_orgs(user).order_by("path")


def get_catalogue_body(user: User, pk: int) -> Organization:
    found = catalogue_bodies(user).filter(pk=pk).first()
    if found is None:
        raise Http404("未找到该执法主体。")
    return found


def catalogue_versions(organization: Organization) -> QuerySet[CatalogueVersion]:
    return (
        CatalogueVersion.objects.filter(organization=organization)
        .select_related("published_by")
        .prefetch_related("rules")
        .order_by("-version")
    )
