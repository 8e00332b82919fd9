"""权责清单 and 裁量基准: scoped reads (the powers app's selectors for users) and writes through
the powers services, which take the caller (a user, or an API client with the ``powers.write``
scope) as the actor, check it and write the ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from zhifa.powers import services as powers_services
from zhifa.powers.models import DiscretionBenchmark, Matter, PowerList

from .. import scope
from ..auth import require_scope
from ..schemas import ErrorOut

router = Router(tags=["权责清单与裁量基准"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_SCOPE = powers_services.WRITE_SCOPE


class PowerListOut(Schema):
    id: int
    body_id: int
    body_name: str
    year: int
    version: int
    title: str
    status: str
    published_at: datetime.datetime | None


class MatterOut(Schema):
    id: int
    power_list_id: int
    code: str
    name: str
    category: str
    basis_text: str
    legal_basis_article_ids: list[int]
    responsible_unit_id: int | None
    time_limit: str
    fees: str
    procedure_steps: list[str]
    acceptance_conditions: str
    materials: str
    guide_time_limit: str
    place: str
    contact: str
    on_inspection_list: bool
    delegated_from: str
    sort_order: int


class GradeOut(Schema):
    seq: int
    label: str
    conditions: str
    fine_min: Decimal | None
    fine_max: Decimal | None
    multiple_min: Decimal | None
    multiple_max: Decimal | None
    multiple_base: str
    other_penalties: str
    raw_text: str


class BenchmarkOut(Schema):
    id: int
    source: str
    organization_id: int | None
    section: str
    item_no: str
    violation: str
    legal_basis: str
    penalty_basis: str


class BenchmarkDetailOut(BenchmarkOut):
    article_ids: list[int]
    grades: list[GradeOut]


def power_list_out(p: PowerList) -> dict:
    return {
        "id": p.pk,
        "body_id": p.organization_id,
        "body_name": p.organization.name,
        "year": p.year,
        "version": p.version,
        "title": p.title or str(p),
        "status": p.status,
        "published_at": p.published_at,
    }


def matter_out(m: Matter) -> dict:
    return {
        "id": m.pk,
        "power_list_id": m.power_list_id,
        "code": m.code,
        "name": m.name,
        "category": m.category,
        "basis_text": m.basis_text,
        "legal_basis_article_ids": [a.pk for a in m.legal_bases.all()],
        "responsible_unit_id": m.responsible_unit_id,
        "time_limit": m.time_limit,
        "fees": m.fees,
        "procedure_steps": list(m.procedure_steps),
        "acceptance_conditions": m.acceptance_conditions,
        "materials": m.materials,
        "guide_time_limit": m.guide_time_limit,
        "place": m.place,
        "contact": m.contact,
        "on_inspection_list": m.on_inspection_list,
        "delegated_from": m.delegated_from,
        "sort_order": m.sort_order,
    }


@router.get("/power-lists", response=list[PowerListOut])
@paginate(LimitOffsetPagination)
def list_power_lists(request: HttpRequest):
    require_scope(request.auth, "read")
    return [power_list_out(p) for p in scope.power_lists(request.auth)]


@router.get("/power-lists/{int:list_id}", response={200: PowerListOut, 404: ErrorOut})
def get_power_list(request: HttpRequest, list_id: int):
    require_scope(request.auth, "read")
    return power_list_out(scope.get_power_list(request.auth, list_id))


@router.get("/power-lists/{int:list_id}/matters", response=list[MatterOut])
@paginate(LimitOffsetPagination)
def list_matters(request: HttpRequest, list_id: int, category: str = "", q: str = ""):
    require_scope(request.auth, "read")
    plist = scope.get_power_list(request.auth, list_id)
    qs = Matter.objects.filter(power_list=plist).prefetch_related("legal_bases")
    if category:
        qs = qs.filter(category=category)
    if q.strip():
        qs = qs.filter(name__icontains=q.strip()) | qs.filter(code__icontains=q.strip())
    return [matter_out(m) for m in qs]


@router.get("/matters/{int:matter_id}", response={200: MatterOut, 404: ErrorOut})
def get_matter(request: HttpRequest, matter_id: int):
    require_scope(request.auth, "read")
    return matter_out(scope.get_matter(request.auth, matter_id))


@router.get("/benchmarks", response=list[BenchmarkOut])
@paginate(LimitOffsetPagination)
def list_benchmarks(request: HttpRequest, q: str = "", basis: str = ""):
    require_scope(request.auth, "read")
    return scope.benchmarks(request.auth, search=q, basis=basis)


def benchmark_out(bench: DiscretionBenchmark) -> dict:
    return {
        "id": bench.pk,
        "source": bench.source,
        "organization_id": bench.organization_id,
        "section": bench.section,
        "item_no": bench.item_no,
        "violation": bench.violation,
        "legal_basis": bench.legal_basis,
        "penalty_basis": bench.penalty_basis,
        "article_ids": [a.pk for a in bench.articles.all()],
        "grades": list(bench.grades.order_by("seq")),
    }


@router.get("/benchmarks/{int:benchmark_id}", response={200: BenchmarkDetailOut, 404: ErrorOut})
def get_benchmark(request: HttpRequest, benchmark_id: int):
    require_scope(request.auth, "read")
    return benchmark_out(scope.get_benchmark(request.auth, benchmark_id))


# ---------------------------------------------------------------- writes


class PowerListIn(Schema):
    body_id: int  # the body's organisation id
    year: int
    title: str = ""


class MatterPatch(Schema):
    name: str | None = None
    category: str | None = None
    basis_text: str | None = None
    responsible_unit_id: int | None = None
    time_limit: str | None = None
    fees: str | None = None
    procedure_steps: list[str] | None = None
    acceptance_conditions: str | None = None
    materials: str | None = None
    guide_time_limit: str | None = None
    place: str | None = None
    contact: str | None = None
    on_inspection_list: bool | None = None
    delegated_from: str | None = None
    sort_order: int | None = None


class MatterIn(MatterPatch):
    code: str
    name: str
    category: str


class GradeIn(Schema):
    label: str
    conditions: str = ""
    fine_min: Decimal | None = None
    fine_max: Decimal | None = None
    multiple_min: Decimal | None = None
    multiple_max: Decimal | None = None
    multiple_base: str = ""
    other_penalties: str = ""
    raw_text: str = ""


class BenchmarkPatch(Schema):
    section: str | None = None
    violation: str | None = None
    legal_basis: str | None = None
    penalty_basis: str | None = None
    grades: list[GradeIn] | None = None  # given: replaces the grades, in this order


class BenchmarkIn(BenchmarkPatch):
    body_id: int
    source: str
    item_no: str
    violation: str


def _matter_fields(request: HttpRequest, data: dict) -> dict:
    """Schema fields → service fields (None = not sent, except the unit, which may be cleared)."""
    fields = {k: v for k, v in data.items() if v is not None or k == "responsible_unit_id"}
    if "responsible_unit_id" in fields:
        unit_id = fields.pop("responsible_unit_id")
        fields["responsible_unit"] = (
            None if unit_id is None else scope.get_organization(request.auth, unit_id)
        )
    return fields


@router.post("/power-lists", response={201: PowerListOut, **ERRORS})
def create_power_list(request: HttpRequest, payload: PowerListIn):
    require_scope(request.auth, WRITE_SCOPE)
    org = scope.get_body_org(request.auth, payload.body_id)
    plist = powers_services.create_list(request.auth, org, payload.year, payload.title)
    return Status(201, power_list_out(plist))


@router.post("/power-lists/{int:list_id}/matters", response={201: MatterOut, **ERRORS})
def create_matter(request: HttpRequest, list_id: int, payload: MatterIn):
    require_scope(request.auth, WRITE_SCOPE)
    plist = scope.get_power_list(request.auth, list_id)
    data = payload.dict(exclude_unset=True)
    code = data.pop("code")
    if Matter.objects.filter(power_list=plist, code=code.strip()).exists():
        raise ValidationError("该清单中已有此事项编码；修改已有事项请用 PATCH /matters/{id}。")
    matter, _ = powers_services.save_matter(
        request.auth, plist, code, **_matter_fields(request, data)
    )
    return Status(201, matter_out(matter))


@router.patch("/matters/{int:matter_id}", response={200: MatterOut, **ERRORS})
def update_matter(request: HttpRequest, matter_id: int, payload: MatterPatch):
    require_scope(request.auth, WRITE_SCOPE)
    matter = scope.get_matter(request.auth, matter_id)
    fields = _matter_fields(request, payload.dict(exclude_unset=True))
    saved, _ = powers_services.save_matter(request.auth, matter.power_list, matter.code, **fields)
    return matter_out(saved)


@router.post("/power-lists/{int:list_id}/publish", response={200: PowerListOut, **ERRORS})
def publish_power_list(request: HttpRequest, list_id: int):
    require_scope(request.auth, WRITE_SCOPE)
    plist = scope.get_power_list(request.auth, list_id)
    return power_list_out(powers_services.publish_list(request.auth, plist))


def _benchmark_fields(data: dict) -> dict:
    fields = {k: v for k, v in data.items() if v is not None}
    if "grades" in fields:
        fields["grades"] = [dict(g) for g in fields["grades"]]
    return fields


@router.post("/benchmarks", response={201: BenchmarkDetailOut, **ERRORS})
def create_benchmark(request: HttpRequest, payload: BenchmarkIn):
    require_scope(request.auth, WRITE_SCOPE)
    data = payload.dict(exclude_unset=True)
    org = scope.get_body_org(request.auth, data.pop("body_id"))
    source, item_no = data.pop("source"), data.pop("item_no")
    if DiscretionBenchmark.objects.filter(source=source.strip(), item_no=item_no.strip()).exists():
        raise ValidationError("已有该来源表和序号的裁量基准；修改请用 PATCH /benchmarks/{id}。")
    bench, _ = powers_services.save_benchmark(
        request.auth, org, source, item_no, **_benchmark_fields(data)
    )
    return Status(201, benchmark_out(bench))


@router.patch("/benchmarks/{int:benchmark_id}", response={200: BenchmarkDetailOut, **ERRORS})
def update_benchmark(request: HttpRequest, benchmark_id: int, payload: BenchmarkPatch):
    require_scope(request.auth, WRITE_SCOPE)
    bench = scope.get_benchmark(request.auth, benchmark_id)
    data = _benchmark_fields(payload.dict(exclude_unset=True))
    return benchmark_out(powers_services.update_benchmark(request.auth, bench, **data))
