"""Enforcement bodies and officers: scoped reads, and writes through the registry services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from zhifa.core.models import Organization
from zhifa.registry import services as registry_services
from zhifa.registry.models import Officer, TrainingRecord

from .. import scope
from ..auth import require_scope
from ..schemas import (
    BodyOut,
    ErrorOut,
    OfficerIn,
    OfficerOut,
    OfficerPatch,
    TrainingIn,
    TrainingOut,
)

router = Router(tags=["执法主体与人员"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def body_out(org: Organization) -> dict[str, Any]:
    profile = getattr(org, "enforcement_profile", None)
    return {
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
