"""Power-list matters to and from Excel (:data:`MATTER_SHEET`, :func:`import_matters`,
:func:`export_matters`) and discretion benchmarks to Excel (:data:`BENCHMARK_SHEET`,
:func:`export_benchmarks`), on the framework of :mod:`zhifa.core.excel`.

A matter import is all or nothing, like the officer import: only into a draft list; the whole
file is parsed and checked first (the sheet, the units named in 实施机构); with any problem
nothing is imported and the report lists every problem by row and column. Otherwise each row is
created or updated (natural key: 事项编码) through :func:`zhifa.powers.services.save_matter` in
one transaction, so every change is a ledger entry. Rows that already match the list are
counted as unchanged and write nothing, so importing the same file again changes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from zhifa.core import excel
from zhifa.core.excel import (
    BoolParser,
    ChoiceParser,
    Column,
    DecimalParser,
    ImportReport,
    RowError,
    SheetSpec,
    TextParser,
)
from zhifa.core.models import Organization, OrgKind, User

from . import services
from .models import Category, DiscretionBenchmark, ListStatus, Matter, PowerList

__all__ = [
    "BENCHMARK_SHEET",
    "MATTER_SHEET",
    "ImportReport",
    "export_benchmarks",
    "export_matters",
    "import_matters",
    "matter_template",
]

STEP_SEPARATOR = "→"
PUBLISHED_REFUSED = "已发布的清单不能导入事项；请先生成新的草稿版本，再导入到草稿中。"


class StepsParser(TextParser):
    """办理流程: steps separated by → (or new lines), each at most 40 characters."""

    def __init__(self) -> None:
        super().__init__(max_length=2000)
        self.rule = "各环节用“→”分隔，如：受理→审查→决定→送达；每个环节不超过40字"

    def __call__(self, value: Any) -> list[str]:
        text = super().__call__(value)
        for sep in ("->", "\n"):
            text = text.replace(sep, STEP_SEPARATOR)
        steps = [s.strip() for s in text.split(STEP_SEPARATOR) if s.strip()]
        for step in steps:
            if len(step) > 40:
                raise ValidationError(f"环节“{step[:20]}…”过长（每个环节不超过40字）。")
        return steps

    def to_cell(self, value: Any) -> str:
        return STEP_SEPARATOR.join(value or [])


MATTER_SHEET = SheetSpec(
    title="权力事项",
    columns=(
        Column(
            "事项编码",
            "code",
            TextParser(64),
            required=True,
            width=16,
            note="同一清单内唯一；清单中已有的编码将更新该事项",
        ),
        Column("事项名称", "name", TextParser(300), required=True, width=30),
        Column("类别", "category", ChoiceParser(Category.choices), required=True, width=14),
        Column(
            "法律依据",
            "basis_text",
            TextParser(10000),
            width=40,
            note="填写设定依据原文，系统自动关联法规库中已有的条文",
        ),
        Column(
            "实施机构",
            "responsible_unit",
            TextParser(200),
            width=24,
            note="选填；填写本执法主体或其下属机构的全称，与系统中的机构名称一致",
        ),
        Column("办理时限", "time_limit", TextParser(200), width=14),
        Column("收费", "fees", TextParser(200), width=12),
        Column("办理流程", "procedure_steps", StepsParser(), width=36),
        Column("受理条件", "acceptance_conditions", TextParser(10000), width=30),
        Column("申请材料", "materials", TextParser(10000), width=30),
        Column("办理地点", "place", TextParser(300), width=24),
        Column("咨询电话", "contact", TextParser(200), width=16),
        Column("列入检查清单", "on_inspection_list", BoolParser(), width=12, note="不填视为“否”"),
        Column("委托/下放来源", "delegated_from", TextParser(200), width=20),
    ),
    natural_key=("code",),
    notes=("只能导入到草稿清单；已发布的清单不能修改。", "选填列留空表示清空该项内容。"),
)

# the fields an import sets (``code`` is the key; guide_time_limit and sort_order are kept)
_IMPORTED = (
    "name",
    "category",
    "basis_text",
    "responsible_unit",
    "time_limit",
    "fees",
    "procedure_steps",
    "acceptance_conditions",
    "materials",
    "place",
    "contact",
    "on_inspection_list",
    "delegated_from",
)


def _header(field_name: str) -> str:
    return MATTER_SHEET.column(field_name).header_zh


def _units_by_name(organization: Organization) -> dict[str, list[Organization]]:
    """Active organisations of the body (itself and its subtree) by name."""
    by_name: dict[str, list[Organization]] = {}
    orgs = Organization.objects.filter(path__startswith=organization.path, is_active=True)
    for org in orgs.exclude(kind=OrgKind.LAW_FIRM).order_by("path"):
        by_name.setdefault(org.name, []).append(org)
    return by_name


def _fields(row: excel.ParsedRow, unit: Organization | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in _IMPORTED:
        value = row[name]
        if name == "responsible_unit":
            value = unit
        elif name == "procedure_steps":
            value = list(value or [])
        elif name == "on_inspection_list":
            value = bool(value)
        elif value is None:
            value = ""
        fields[name] = value.strip() if isinstance(value, str) else value
    return fields


def _changes(matter: Matter, fields: dict[str, Any]) -> dict[str, Any]:
    changed = {}
    for name, value in fields.items():
        if name == "responsible_unit":
            if (value.pk if value else None) != matter.responsible_unit_id:
                changed[name] = value
        elif name == "procedure_steps":
            if list(matter.procedure_steps or []) != value:
                changed[name] = value
        elif getattr(matter, name) != value:
            changed[name] = value
    return changed


class _Abort(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors


def import_matters(actor: User | None, power_list: PowerList, data: bytes) -> ImportReport:
    """Check the whole file, then create or update every matter of the draft list in one
    transaction; see the module docstring. ``actor=None`` is the trusted operator. Raises
    PermissionDenied when the actor may not manage the list's body."""
    if actor is not None and not services.can_manage(actor, power_list.organization):
        raise PermissionDenied("您不能管理该执法主体的权责清单。")
    power_list = PowerList.objects.select_related("organization").get(pk=power_list.pk)
    if power_list.status != ListStatus.DRAFT:
        return ImportReport(errors=[RowError(0, "", PUBLISHED_REFUSED)])
    parsed = excel.read_workbook(data, MATTER_SHEET)
    report = ImportReport(errors=list(parsed.errors))
    if report.errors:
        return report

    organization = power_list.organization
    units = _units_by_name(organization)
    existing = {m.code: m for m in Matter.objects.filter(power_list=power_list)}
    next_order = max((m.sort_order for m in existing.values()), default=0)
    unit_header = _header("responsible_unit")
    plan: list[tuple[excel.ParsedRow, Matter | None, dict[str, Any]]] = []
    for row in parsed.rows:
        unit = None
        name = row["responsible_unit"]
        if name:
            candidates = units.get(name, [])
            if not candidates:
                report.errors.append(
                    RowError(
                        row.number,
                        unit_header,
                        f"“{name}”不是{organization.name}的机构，请核对名称。",
                    )
                )
                continue
            if len(candidates) > 1:
                report.errors.append(
                    RowError(row.number, unit_header, f"有多个名为“{name}”的机构。")
                )
                continue
            unit = candidates[0]
        plan.append((row, existing.get(row["code"]), _fields(row, unit)))
    if report.errors:
        return report

    try:
        with transaction.atomic():
            for row, matter, fields in plan:
                try:
                    if matter is None:
                        next_order += 1
                        services.save_matter(
                            actor, power_list, row["code"], sort_order=next_order, **fields
                        )
                        report.created += 1
                    else:
                        changes = _changes(matter, fields)
                        if changes:
                            services.save_matter(actor, power_list, row["code"], **changes)
                            report.updated += 1
                        else:
                            report.unchanged += 1
                except ValidationError as exc:
                    raise _Abort(excel.errors_from(exc, row.number)) from None
                except PermissionDenied as exc:
                    raise _Abort([RowError(row.number, "", str(exc))]) from None
    except _Abort as abort:
        return ImportReport(errors=abort.errors)
    return report


def _matter_record(matter: Matter) -> dict[str, Any]:
    record = {name: getattr(matter, name) for name in _IMPORTED}
    record["code"] = matter.code
    record["responsible_unit"] = matter.responsible_unit.name if matter.responsible_unit else ""
    record["procedure_steps"] = list(matter.procedure_steps or [])
    return record


def export_matters(power_list: PowerList) -> bytes:
    """The list's matters in the import layout (edit and import into a draft)."""
    matters = power_list.matters.select_related("responsible_unit").order_by(
        "sort_order", "code", "id"
    )
    return excel.export_rows(MATTER_SHEET, (_matter_record(m) for m in matters))


def matter_template() -> bytes:
    return excel.write_template(MATTER_SHEET)


# ---------------------------------------------------------------- discretion benchmarks

BENCHMARK_SHEET = SheetSpec(
    title="裁量基准",
    columns=(
        Column("来源表", "source", TextParser(200), required=True, width=30),
        Column("序号", "item_no", TextParser(32), required=True, width=8),
        Column("违法行为", "violation", TextParser(10000), required=True, width=40),
        Column("法律依据", "legal_basis", TextParser(10000), width=40),
        Column("档次", "grade", TextParser(64), width=10),
        Column("裁量情节", "conditions", TextParser(10000), width=36),
        Column("罚款下限（元）", "fine_min", DecimalParser(places=2, min_value=0), width=14),
        Column("罚款上限（元）", "fine_max", DecimalParser(places=2, min_value=0), width=14),
        Column("倍数下限", "multiple_min", DecimalParser(places=4, min_value=0), width=10),
        Column("倍数上限", "multiple_max", DecimalParser(places=4, min_value=0), width=10),
        Column("倍数基数", "multiple_base", TextParser(64), width=14),
        Column("其他处罚", "other_penalties", TextParser(10000), width=30),
    ),
    natural_key=("source", "item_no", "grade"),
    notes=("每个裁量档次一行；导出仅供查阅。",),
)


def _benchmark_rows(benchmarks: Iterable[DiscretionBenchmark]) -> Iterable[dict[str, Any]]:
    for bench in benchmarks:
        base = {
            "source": bench.source,
            "item_no": bench.item_no,
            "violation": bench.violation,
            "legal_basis": bench.legal_basis,
        }
        grades = list(bench.grades.all())
        if not grades:  # a benchmark without grades is still listed, once
            yield base
        for grade in grades:
            yield {
                **base,
                "grade": grade.label,
                "conditions": grade.conditions,
                "fine_min": grade.fine_min,
                "fine_max": grade.fine_max,
                "multiple_min": _plain(grade.multiple_min),
                "multiple_max": _plain(grade.multiple_max),
                "multiple_base": grade.multiple_base,
                "other_penalties": grade.other_penalties,
            }


def _plain(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize()


def export_benchmarks(queryset) -> bytes:
    """One row per grade (a benchmark without grades: one row) of the benchmarks given."""
    benchmarks = queryset.prefetch_related("grades")
    return excel.export_rows(BENCHMARK_SHEET, _benchmark_rows(benchmarks))
