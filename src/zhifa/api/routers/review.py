"""法制审核 API: a case's review (determination, rounds with findings, deliberations, whether
the decision is blocked and why), the work queue, catalogues, statistics; and the workflow
(determination, submission, assignment, opinion, extension, deliberation) through the review
services.

Reads: signed-in users (scoped like the pages) and API clients with the ``read`` scope (their
organisation's subtree). Writes are acts of named people — the handler who submits, the
reviewer who signs the opinion, the heads who deliberate — so they need a signed-in user; an
API client gets 403."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from zhifa.core.permissions import require
from zhifa.exchange.models import ApiClient
from zhifa.registry.models import LegalReviewer
from zhifa.review import catalogue as cat
from zhifa.review import selectors, services
from zhifa.review.checklist import CHECKLIST_LABELS
from zhifa.review.models import Deliberation, ReviewRequest, ReviewRound
from zhifa.review.stats import review_statistics

from .. import scope
from ..auth import require_scope
from ..schemas import ErrorOut

router = Router(tags=["法制审核"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# ---------------------------------------------------------------- schemas


class ReasonOut(Schema):
    label: str
    basis: str
    kind: str
    detail: str = ""


class DeterminationOut(Schema):
    major: bool
    requires_deliberation: bool
    reasons: list[ReasonOut]
    catalogue_version: int
    text: str
    stored: bool
    determined_at: datetime.datetime | None = None


class FindingOut(Schema):
    item: str
    label: str
    result: str
    comment: str


class RoundOut(Schema):
    id: int
    number: int
    submitted_at: datetime.datetime
    submitted_by: str | None
    materials: dict[str, str]
    statement: str
    clock_started_on: datetime.date
    due_on: datetime.date
    extended: bool
    reviewer_id: int | None
    reviewer: str | None
    opinion: str
    problems: str
    summary: str
    opinion_at: datetime.datetime | None
    findings: list[FindingOut]


class RequestOut(Schema):
    id: int
    case_id: int
    case_number: str
    case_title: str
    organization_id: int
    status: str
    voluntary: bool
    reviewer_id: int | None
    time_limit: int
    created_at: datetime.datetime
    passed_at: datetime.datetime | None


class AttendeeIO(Schema):
    name: str
    position: str
    opinion: str


class DeliberationOut(Schema):
    id: int
    held_at: datetime.datetime
    place: str
    chair: str
    recorder: str
    conclusion: str
    conclusion_text: str
    minutes: str
    attendees: list[AttendeeIO]


class CaseReviewOut(Schema):
    case_id: int
    case_number: str
    decision_blocked: str | None
    requires_review: bool
    requires_deliberation: bool
    determination: DeterminationOut
    request: RequestOut | None
    rounds: list[RoundOut]
    deliberations: list[DeliberationOut]


class CircumstancesIn(Schema):
    public_interest: bool = False
    complex: bool = False
    several_relations: bool = False
    other_basis: str = ""


class SubmitIn(Schema):
    materials: dict[str, str]
    statement: str = ""
    voluntary: bool = False
    reviewer_id: int | None = None
    circumstances: CircumstancesIn | None = None


class AssignIn(Schema):
    reviewer_id: int


class FindingIn(Schema):
    result: str
    comment: str = ""


class OpinionIn(Schema):
    opinion: str
    findings: dict[str, FindingIn]
    problems: str = ""
    summary: str = ""


class ReasonIn(Schema):
    reason: str


class DeliberationIn(Schema):
    held_at: datetime.datetime
    place: str
    chair: str
    recorder: str
    attendees: list[AttendeeIO]
    conclusion: str
    conclusion_text: str
    minutes: str


class RuleOut(Schema):
    seq: int
    kind: str
    label: str
    categories: list[str]
    matter_codes: list[str]
    penalty_kinds: list[str]
    party_scope: str
    threshold: Decimal | None
    basis: str
    requires_deliberation: bool


class CatalogueOut(Schema):
    organization_id: int
    version: int
    default: bool
    note: str
    time_limit: int
    extension_days: int
    published_at: datetime.datetime | None
    versions: list[int]
    rules: list[RuleOut]


class CatalogueIn(Schema):
    rules: list[dict[str, Any]]
    note: str = ""
    time_limit: int = services.DEFAULT_TIME_LIMIT
    extension_days: int = services.DEFAULT_EXTENSION


class BodyStatsOut(Schema):
    organization_id: int
    name: str
    requests: int
    rounds: int
    passed: int
    returned_now: int
    first_round_pass_rate: float | None
    average_days: float | None
    open_rounds: int
    overdue: int


class ProblemOut(Schema):
    item: str
    label: str
    count: int


class StatsOut(Schema):
    bodies: list[BodyStatsOut]
    totals: BodyStatsOut
    problems: list[ProblemOut]
    overdue_round_ids: list[int]


# ---------------------------------------------------------------- helpers


def _orgs(principal):
    """An API client reads its organisation's subtree; a user what the selectors allow."""
    return scope.readable_organizations(principal) if isinstance(principal, ApiClient) else None


def _user(principal):
    if isinstance(principal, ApiClient):
        raise PermissionDenied("法制审核的送审、审核和讨论须由本人登录办理，接口令牌不能代为操作。")
    return principal


def _reviewer(case, reviewer_id: int | None) -> LegalReviewer | None:
    if reviewer_id is None:
        return None
    # Any id the caller sends is checked by the service (body, active, not on the case); an id
    # that names no reviewer at all is the same refusal.
    reviewer = LegalReviewer.objects.filter(pk=reviewer_id).first()
    if reviewer is None:
        raise ValidationError("所选人员不是本执法主体在任的法制审核人员。")
    return reviewer


def round_out(r: ReviewRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "number": r.number,
        "submitted_at": r.submitted_at,
        "submitted_by": r.submitted_by.display_name if r.submitted_by else None,
        "materials": r.materials,
        "statement": r.statement,
        "clock_started_on": r.clock_started_on,
        "due_on": r.due_on,
        "extended": r.extended,
        "reviewer_id": r.reviewer_id,
        "reviewer": r.reviewer.person_name if r.reviewer else None,
        "opinion": r.opinion,
        "problems": r.problems,
        "summary": r.summary,
        "opinion_at": r.opinion_at,
        "findings": [
            {
                "item": f.item,
                "label": CHECKLIST_LABELS.get(f.item, f.item),
                "result": f.result,
                "comment": f.comment,
            }
            for f in r.findings.all()
        ],
    }


def request_out(r: ReviewRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "case_id": r.case_id,
        "case_number": r.case.number,
        "case_title": r.case.title,
        "organization_id": r.organization_id,
        "status": r.status,
        "voluntary": r.voluntary,
        "reviewer_id": r.reviewer_id,
        "time_limit": r.time_limit,
        "created_at": r.created_at,
        "passed_at": r.passed_at,
    }


def deliberation_out(d: Deliberation) -> dict[str, Any]:
    return {
        "id": d.pk,
        "held_at": d.held_at,
        "place": d.place,
        "chair": d.chair,
        "recorder": d.recorder,
        "conclusion": d.conclusion,
        "conclusion_text": d.conclusion_text,
        "minutes": d.minutes,
        "attendees": [
            {"name": a.name, "position": a.position, "opinion": a.opinion}
            for a in d.attendees.all()
        ],
    }


def case_review_out(principal, case) -> dict[str, Any]:
    case.refresh_from_db()
    stored = selectors.determination_of(case)
    determination = stored or cat.evaluate(case)
    review = selectors.requests_for(principal, _orgs(principal)).filter(case=case).first()
    return {
        "case_id": case.pk,
        "case_number": case.number,
        "decision_blocked": services.decision_gate(case),
        "requires_review": case.requires_review,
        "requires_deliberation": case.requires_deliberation,
        "determination": {
            "major": determination.major,
            "requires_deliberation": determination.requires_deliberation,
            "reasons": determination.reasons,
            "catalogue_version": determination.catalogue_version,
            "text": cat.describe(determination),
            "stored": stored is not None,
            "determined_at": stored.determined_at if stored else None,
        },
        "request": request_out(review) if review else None,
        "rounds": [round_out(r) for r in selectors.rounds_of(review)] if review else [],
        "deliberations": [deliberation_out(d) for d in selectors.deliberations_of(case)],
    }


# ---------------------------------------------------------------- reads


@router.get("/review/queue", response=list[RequestOut])
@paginate(LimitOffsetPagination)
def review_queue(request: HttpRequest, status: str = ""):
    require_scope(request.auth, "read")
    qs = selectors.requests_for(request.auth, _orgs(request.auth))
    if status:
        qs = qs.filter(status=status)
    return [request_out(r) for r in qs]


@router.get("/review/cases/{int:case_id}", response={200: CaseReviewOut, **ERRORS})
def case_review(request: HttpRequest, case_id: int):
    require_scope(request.auth, "read")
    case = selectors.get_case(request.auth, case_id, _orgs(request.auth))
    return case_review_out(request.auth, case)


@router.get("/review/catalogues/{int:org_id}", response={200: CatalogueOut, **ERRORS})
def catalogue(request: HttpRequest, org_id: int, version: int | None = None):
    require_scope(request.auth, "read")
    org = scope.get_body_org(request.auth, org_id)
    versions = list(selectors.catalogue_versions(org))
    shown = versions[0] if versions else None
    if version is not None:
        shown = next((v for v in versions if v.version == version), None)
        if shown is None and version != 0:
            raise Http404("未找到该版本的目录清单。")
    rules = list(shown.rules.all()) if shown else list(cat.DEFAULT_SPECS)
    return {
        "organization_id": org.pk,
        "version": shown.version if shown else 0,
        "default": shown is None,
        "note": shown.note if shown else "默认目录（行政处罚法第五十八条、第六十三条）",
        "time_limit": shown.time_limit if shown else services.DEFAULT_TIME_LIMIT,
        "extension_days": shown.extension_days if shown else services.DEFAULT_EXTENSION,
        "published_at": shown.published_at if shown else None,
        "versions": [v.version for v in versions],
        "rules": [
            {
                "seq": i,
                "kind": r.kind,
                "label": r.label,
                "categories": list(r.categories),
                "matter_codes": list(r.matter_codes),
                "penalty_kinds": list(r.penalty_kinds),
                "party_scope": r.party_scope,
                "threshold": r.threshold,
                "basis": r.basis,
                "requires_deliberation": r.requires_deliberation,
            }
            for i, r in enumerate(rules, start=1)
        ],
    }


def _body_stats(b) -> dict[str, Any]:
    return {
        "organization_id": b.organization_id,
        "name": b.name,
        "requests": b.requests,
        "rounds": b.rounds,
        "passed": b.passed,
        "returned_now": b.returned_now,
        "first_round_pass_rate": b.first_round_pass_rate,
        "average_days": b.average_days,
        "open_rounds": b.open_rounds,
        "overdue": b.overdue,
    }


@router.get("/review/stats", response={200: StatsOut, **ERRORS})
def stats(
    request: HttpRequest,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
):
    user = _user(request.auth)
    require(user, "review.stats")
    result = review_statistics(user, date_from=date_from, date_to=date_to)
    return {
        "bodies": [_body_stats(b) for b in result.bodies],
        "totals": _body_stats(result.totals),
        "problems": [{"item": c, "label": label, "count": n} for c, label, n in result.problems],
        "overdue_round_ids": [r.pk for r in result.overdue_rounds],
    }


# ---------------------------------------------------------------- workflow


@router.post("/review/cases/{int:case_id}/determination", response={201: CaseReviewOut, **ERRORS})
def determine(request: HttpRequest, case_id: int, payload: CircumstancesIn):
    user = _user(request.auth)
    case = selectors.get_case(user, case_id)
    services.determine(user, case, payload.dict())
    return Status(201, case_review_out(user, case))


@router.post("/review/cases/{int:case_id}/submissions", response={201: RoundOut, **ERRORS})
def submit(request: HttpRequest, case_id: int, payload: SubmitIn):
    user = _user(request.auth)
    case = selectors.get_case(user, case_id)
    review_round = services.submit(
        user,
        case,
        materials=payload.materials,
        statement=payload.statement,
        voluntary=payload.voluntary,
        reviewer=_reviewer(case, payload.reviewer_id),
        circumstances=payload.circumstances.dict() if payload.circumstances else None,
    )
    return Status(201, round_out(selectors.get_round(user, review_round.pk)))


@router.post("/review/requests/{int:request_id}/assignment", response={200: RoundOut, **ERRORS})
def assign(request: HttpRequest, request_id: int, payload: AssignIn):
    user = _user(request.auth)
    review = selectors.get_request(user, request_id)
    review_round = services.assign_reviewer(
        user, review, _reviewer(review.case, payload.reviewer_id)
    )
    return round_out(selectors.get_round(user, review_round.pk))


@router.post("/review/rounds/{int:round_id}/opinion", response={200: RoundOut, **ERRORS})
def give_opinion(request: HttpRequest, round_id: int, payload: OpinionIn):
    user = _user(request.auth)
    review_round = selectors.get_round(user, round_id)
    services.give_opinion(
        user,
        review_round,
        opinion=payload.opinion,
        findings={k: v.dict() for k, v in payload.findings.items()},
        problems=payload.problems,
        summary=payload.summary,
    )
    return round_out(selectors.get_round(user, round_id))


@router.post("/review/rounds/{int:round_id}/extension", response={200: RoundOut, **ERRORS})
def extend(request: HttpRequest, round_id: int, payload: ReasonIn):
    user = _user(request.auth)
    review_round = selectors.get_round(user, round_id)
    services.extend_round(user, review_round, payload.reason)
    return round_out(selectors.get_round(user, round_id))


@router.post("/review/cases/{int:case_id}/deliberations", response={201: DeliberationOut, **ERRORS})
def deliberate(request: HttpRequest, case_id: int, payload: DeliberationIn):
    user = _user(request.auth)
    case = selectors.get_case(user, case_id)
    data = payload.dict()
    deliberation = services.record_deliberation(user, case, **data)
    return Status(201, deliberation_out(deliberation))


@router.post("/review/catalogues/{int:org_id}", response={201: CatalogueOut, **ERRORS})
def publish_catalogue(request: HttpRequest, org_id: int, payload: CatalogueIn):
    user = _user(request.auth)
    org = scope.get_body_org(user, org_id)
    services.publish_catalogue(
        user,
        org,
        payload.rules,
        note=payload.note,
        time_limit=payload.time_limit,
        extension_days=payload.extension_days,
    )
    return Status(201, catalogue(request, org_id))
