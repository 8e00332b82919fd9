"""权责清单 and 裁量基准: scoped reads (the powers app's selectors for users)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from zhifa.powers.models import DiscretionBenchmark, Matter, PowerList

from .. import scope
from ..auth import require_scope
from ..schemas import ErrorOut

router = Router(tags=["权责清单与裁量基准"])


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
    on_inspection_list: bool
    delegated_from: str


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
        "on_inspection_list": m.on_inspection_list,
        "delegated_from": m.delegated_from,
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


@router.get("/benchmarks/{int:benchmark_id}", response={200: BenchmarkDetailOut, 404: ErrorOut})
def get_benchmark(request: HttpRequest, benchmark_id: int):
    require_scope(request.auth, "read")
    bench: DiscretionBenchmark = scope.get_benchmark(request.auth, benchmark_id)
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
