"""Enforcement bodies and officers: scoped reads, and writes through the registry services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from zhifa.core.models import Organization, OrgKind
from zhifa.registry import rules
from zhifa.registry import selectors as registry_selectors
from zhifa.registry import services as registry_services
from zhifa.registry.models import (
    EnforcementBody,
    LegalAdviser,
    LegalReviewer,
    Officer,
    TrainingRecord,
)

from .. import scope
from ..auth import require_scope
from ..schemas import (
    AdviserIn,
    AdviserOut,
    AdviserPatch,
    BodyIn,
    BodyOut,
    ErrorOut,
    OfficerIn,
    OfficerOut,
    OfficerPatch,
    ReviewerIn,
    ReviewerOut,
    ReviewerWithdrawIn,
    TrainingIn,
    TrainingOut,
    TrainingsOut,
)

router = Router(tags=["执法主体与人员"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _ratio(profile) -> dict[str, Any] | None:
    if profile is None:
        return None
    check = rules.reviewer_ratio(profile)
    return {
        "ok": check.ok,
        "reviewers": check.reviewers,
        "officers": check.officers,
        "required": check.required,
        "message": check.message,
    }


def body_out(org: Organization) -> dict[str, Any]:
    profile = getattr(org, "enforcement_profile", None)
    return {
        "reviewer_ratio": _ratio(profile),
        "id": org.pk,
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "region_code": org.region.code,
        "region_name": org.region.name,
        "parent_id": org.parent_id,
        "registered": profile is not None,
        "profile": None
        if profile is None
        else {
            "uscc": profile.uscc,
            "kind": profile.kind,
            "head_name": profile.head_name,
            "address": profile.address,
            "phone": profile.phone,
            "supervision_phone": profile.supervision_phone,
            "categories": list(profile.categories),
            "area": profile.area,
        },
    }


def officer_out(officer: Officer) -> dict[str, Any]:
    return {
        "id": officer.pk,
        "name": officer.name,
        "gender": officer.gender,
        "post": officer.post,
        "citizen_id": officer.masked_citizen_id,
        "body_id": officer.body.organization_id,
        "body_name": officer.body.organization.name,
        "unit_id": officer.organization_id,
        "unit_name": officer.organization.name,
        "certificate_no": officer.certificate_no,
        "certificate_categories": list(officer.certificate_categories),
        "certificate_issued_on": officer.certificate_issued_on,
        "certificate_expires_on": officer.certificate_expires_on,
        "status": officer.status,
        "has_legal_qualification": officer.has_legal_qualification,
    }


def training_out(training: TrainingRecord) -> dict[str, Any]:
    return {
        "id": training.pk,
        "officer_id": training.officer_id,
        "date": training.date,
        "title": training.title,
        "hours": str(training.hours),
    }


# ---------------------------------------------------------------- reads


@router.get("/bodies", response=list[BodyOut])
@paginate(LimitOffsetPagination)
def list_bodies(request: HttpRequest):
    require_scope(request.auth, "read")
    orgs = scope.readable_body_orgs(request.auth).order_by("path")
    return [body_out(org) for org in orgs]


@router.get("/bodies/{int:org_id}", response={200: BodyOut, **ERRORS})
def get_body(request: HttpRequest, org_id: int):
    require_scope(request.auth, "read")
    return body_out(scope.get_body_org(request.auth, org_id))


@router.get("/officers", response=list[OfficerOut])
@paginate(LimitOffsetPagination)
def list_officers(request: HttpRequest, unit: int | None = None, status: str = "", q: str = ""):
    require_scope(request.auth, "read")
    qs = scope.officers(request.auth, unit=unit, status=status, search=q)
    return [officer_out(o) for o in qs]


@router.get("/officers/{int:officer_id}", response={200: OfficerOut, **ERRORS})
def get_officer(request: HttpRequest, officer_id: int):
    require_scope(request.auth, "read")
    return officer_out(scope.get_officer(request.auth, officer_id))


@router.get("/officers/{int:officer_id}/trainings", response={200: TrainingsOut, **ERRORS})
def list_trainings(request: HttpRequest, officer_id: int):
    """The officer's training records and the hours per year."""
    require_scope(request.auth, "read")
    officer = scope.get_officer(request.auth, officer_id)
    hours = registry_selectors.training_hours_by_year(officer)
    return {
        "items": [training_out(t) for t in officer.trainings.order_by("-date", "-id")],
        "hours_by_year": {str(year): str(total) for year, total in hours.items()},
    }


# ---------------------------------------------------------------- writes

WRITE_SCOPE = registry_services.WRITE_SCOPE

# Writes pass the caller (a user or an API client) to the registry services as the actor: they
# check the role or the token's scope and organisation subtree, and their ledger entry names
# the caller.


@router.post("/officers", response={201: OfficerOut, **ERRORS})
def create_officer(request: HttpRequest, payload: OfficerIn):
    principal = request.auth
    require_scope(principal, WRITE_SCOPE)
    fields = payload.dict()
    org = scope.get_organization(principal, fields.pop("organization_id"))
    officer = registry_services.create_officer(principal, organization=org, **fields)
    return Status(201, officer_out(officer))


@router.patch("/officers/{int:officer_id}", response={200: OfficerOut, **ERRORS})
def update_officer(request: HttpRequest, officer_id: int, payload: OfficerPatch):
    principal = request.auth
    require_scope(principal, WRITE_SCOPE)
    officer = scope.get_officer(principal, officer_id)
    fields = payload.dict(exclude_unset=True)
    if "organization_id" in fields:
        org_id = fields.pop("organization_id")
        if org_id is not None:
            fields["organization"] = scope.get_organization(principal, org_id)
    officer = registry_services.update_officer(principal, officer, **fields)
    return officer_out(scope.get_officer(principal, officer.pk))


@router.post("/officers/{int:officer_id}/trainings", response={201: TrainingOut, **ERRORS})
def add_training(request: HttpRequest, officer_id: int, payload: TrainingIn):
    principal = request.auth
    require_scope(principal, WRITE_SCOPE)
    officer = scope.get_officer(principal, officer_id)
    training = registry_services.add_training(
        principal, officer, date=payload.date, title=payload.title, hours=payload.hours
    )
    return Status(201, training_out(training))


# ---------------------------------------------------------------- body profile, advisers, reviewers


def _profile(org: Organization):
    try:
        return org.enforcement_profile
    except EnforcementBody.DoesNotExist:
        return None


def _registered_body(principal, org_id: int):
    profile = _profile(scope.get_body_org(principal, org_id))
    if profile is None:
        raise Http404("该执法主体的主体信息尚未登记。")
    return profile


def adviser_out(adviser: LegalAdviser) -> dict[str, Any]:
    return {
        "id": adviser.pk,
        "body_id": adviser.body.organization_id,
        "name": adviser.name,
        "law_firm_id": adviser.law_firm_id,
        "law_firm_name": adviser.law_firm.name,
        "practising_certificate_no": adviser.practising_certificate_no,
        "active": adviser.active,
    }


def reviewer_out(reviewer: LegalReviewer) -> dict[str, Any]:
    return {
        "id": reviewer.pk,
        "body_id": reviewer.body.organization_id,
        "officer_id": reviewer.officer_id,
        "adviser_id": reviewer.adviser_id,
        "name": reviewer.person_name,
        "appointed_on": reviewer.appointed_on,
        "first_time": reviewer.first_time,
        "active": reviewer.active,
        "withdrawn_on": reviewer.withdrawn_on,
    }


def _law_firm(firm_id: int) -> Organization:
    firm = Organization.objects.filter(pk=firm_id, kind=OrgKind.LAW_FIRM, is_active=True).first()
    if firm is None:
        raise ValidationError("律师事务所不存在或已停用。")
    return firm


REQUIRED_PROFILE = ("uscc", "kind", "head_name", "address", "phone", "supervision_phone", "area")


@router.put("/bodies/{int:org_id}/profile", response={200: BodyOut, **ERRORS})
def save_body_profile(request: HttpRequest, org_id: int, payload: BodyIn):
    """Register the body's profile (every field but ``categories`` required), or change the
    fields sent."""
    principal = request.auth
    require_scope(principal, WRITE_SCOPE)
    org = scope.get_body_org(principal, org_id)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    profile = _profile(org)
    if profile is None:
        missing = [k for k in REQUIRED_PROFILE if k not in fields]
        if missing:
            raise ValidationError("登记执法主体信息须填写：" + "、".join(missing) + "。")
        fields.setdefault("categories", [])
        registry_services.create_body(principal, org, **fields)
    else:
        registry_services.update_body(principal, profile, **fields)
    return body_out(scope.get_body_org(principal, org_id))


@router.get("/bodies/{int:org_id}/advisers", response={200: list[AdviserOut], **ERRORS})
def list_advisers(request: HttpRequest, org_id: int):
    require_scope(request.auth, "read")
    body = _registered_body(request.auth, org_id)
    return [adviser_out(a) for a in body.advisers.select_related("body", "law_firm")]


@router.post("/bodies/{int:org_id}/advisers", response={201: AdviserOut, **ERRORS})
def create_adviser(request: HttpRequest, org_id: int, payload: AdviserIn):
    principal = request.auth
    require_scope(principal, WRITE_SCOPE)
    body = _registered_body(principal, org_id)
    adviser = registry_services.create_adviser(
        principal,
        body,
        name=payload.name,
        law_firm=_law_firm(payload.law_firm_id),
        practising_certificate_no=payload.practising_certificate_no,
    )
    return Status(201, adviser_out(adviser))


def _get_adviser(principal, adviser_id: int) -> LegalAdviser:
    adviser = (
        LegalAdviser.objects.filter(
            pk=adviser_id,
            body__organization__in=scope.readable_body_orgs(principal).values("pk"),
        )
        .select_related("body__organization", "law_firm")
        .first()
    )
    if adviser is None:
        raise Http404("未找到该法律顾问。")
    return adviser


@router.patch("/advisers/{int:adviser_id}", response={200: AdviserOut, **ERRORS})
def update_adviser(request: HttpRequest, adviser_id: int, payload: AdviserPatch):
    principal = request.auth
    require_scope(principal, WRITE_SCOPE)
    adviser = _get_adviser(principal, adviser_id)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "law_firm_id" in fields:
        fields["law_firm"] = _law_firm(fields.pop("law_firm_id"))
    registry_services.update_adviser(principal, adviser, **fields)
    return adviser_out(_get_adviser(principal, adviser_id))


@router.get("/bodies/{int:org_id}/reviewers", response={200: list[ReviewerOut], **ERRORS})
def list_reviewers(request: HttpRequest, org_id: int):
    require_scope(request.auth, "read")
    body = _registered_body(request.auth, org_id)
    qs = body.reviewers.select_related("body", "officer", "adviser")
    return [reviewer_out(r) for r in qs]


@router.post("/bodies/{int:org_id}/reviewers", response={201: ReviewerOut, **ERRORS})
def appoint_reviewer(request: HttpRequest, org_id: int, payload: ReviewerIn):
    """Appoint an officer or a retained adviser of the body; a first-time reviewer must hold
    the 法律职业资格 (行政处罚法 第五十八条第二款), else 400."""
    principal = request.auth
    require_scope(principal, WRITE_SCOPE)
    body = _registered_body(principal, org_id)
    person: dict[str, Any] = {}
    if payload.officer_id is not None:
        person["officer"] = scope.get_officer(principal, payload.officer_id)
    if payload.adviser_id is not None:
        person["adviser"] = _get_adviser(principal, payload.adviser_id)
    reviewer = registry_services.appoint_reviewer(
        principal,
        body,
        appointed_on=payload.appointed_on,
        first_time=payload.first_time,
        **person,
    )
    return Status(201, reviewer_out(reviewer))


@router.post("/reviewers/{int:reviewer_id}/withdraw", response={200: ReviewerOut, **ERRORS})
def withdraw_reviewer(request: HttpRequest, reviewer_id: int, payload: ReviewerWithdrawIn):
    principal = request.auth
    require_scope(principal, WRITE_SCOPE)
    reviewer = (
        LegalReviewer.objects.filter(
            pk=reviewer_id,
            body__organization__in=scope.readable_body_orgs(principal).values("pk"),
        )
        .select_related("body__organization", "officer", "adviser")
        .first()
    )
    if reviewer is None:
        raise Http404("未找到该法制审核人员。")
    reviewer = registry_services.withdraw_reviewer(
        principal, reviewer, withdrawn_on=payload.withdrawn_on, reason=payload.reason
    )
    return reviewer_out(reviewer)
