"""Power-list matters to and from Excel (:data:`MATTER_SHEET`, :func:`import_matters`,
:func:`export_matters`) and discretion benchmarks (:data:`BENCHMARK_SHEET`,
:func:`import_benchmarks`, :func:`export_benchmarks`), on the framework of
:mod:`zhifa.core.excel`.

A matter import is all or nothing, like the officer import: only into a draft list; the whole
file is parsed and checked first (the sheet, the units named in 实施机构); with any problem
nothing is imported and the report lists every problem by row and column. Otherwise each row is
created or updated (natural key: 事项编码) through :func:`zhifa.powers.services.save_matter` in
one transaction, so every change is a ledger entry. Rows that already match the list are
counted as unchanged and write nothing, so importing the same file again changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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
    IntParser,
    RowError,
    SheetSpec,
    TextParser,
)
from zhifa.core.models import Organization, OrgKind
from zhifa.exchange.actors import Actor

from . import services
from .models import Category, DiscretionBenchmark, ListStatus, Matter, PowerList

__all__ = [
    "BENCHMARK_SHEET",
    "MATTER_SHEET",
    "ImportReport",
    "benchmark_template",
    "export_benchmarks",
    "export_matters",
    "import_benchmarks",
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


def import_matters(
    actor: Actor,
    power_list: PowerList,
    data: bytes,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
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
            for done, (row, matter, fields) in enumerate(plan, start=1):
                if progress is not None and (done % 20 == 0 or done == len(plan)):
                    progress(done, len(plan))
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
        Column(
            "来源表",
            "source",
            TextParser(200),
            required=True,
            width=30,
            note="本机关制定的裁量基准表名称，如“大兴乡生态环境违法行为裁量基准（2026）”",
        ),
        Column("序号", "item_no", TextParser(32), required=True, width=8),
        Column("分类", "section", TextParser(200), width=16),
        Column(
            "违法行为",
            "violation",
            TextParser(10000),
            required=True,
            width=40,
            note="同一裁量基准的各行须相同",
        ),
        Column("法律依据", "legal_basis", TextParser(10000), width=40),
        Column("处罚依据", "penalty_basis", TextParser(10000), width=30),
        Column(
            "档次顺序",
            "seq",
            IntParser(min_value=1, max_value=999),
            width=10,
            note="填写裁量档次时必填，同一裁量基准内从1起不重复；不填档次的行表示该基准暂无档次",
        ),
        Column("档次", "label", TextParser(64), width=10, note="如 轻微、一般、较重、严重"),
        Column("裁量情节", "conditions", TextParser(10000), width=36),
        Column("罚款下限（元）", "fine_min", DecimalParser(places=2, min_value=0), width=14),
        Column("罚款上限（元）", "fine_max", DecimalParser(places=2, min_value=0), width=14),
        Column("倍数下限", "multiple_min", DecimalParser(places=4, min_value=0), width=10),
        Column("倍数上限", "multiple_max", DecimalParser(places=4, min_value=0), width=10),
        Column("倍数基数", "multiple_base", TextParser(64), width=14, note="如 违法所得、货值金额"),
        Column("其他处罚", "other_penalties", TextParser(10000), width=30),
        Column("裁量标准原文", "raw_text", TextParser(10000), width=40),
    ),
    natural_key=("source", "item_no", "seq"),
    notes=(
        "每个裁量档次一行；同一裁量基准（来源表＋序号）的各行，分类、违法行为、法律依据、处罚依据须相同。",
        "导入的裁量基准属于本机关；参考表（其他地区的裁量基准）只能查阅，不能通过导入修改。",
        "文件中出现的裁量基准，其档次以文件为准（文件中没有的档次将删除）；文件中没有的裁量基准不受影响。",
    ),
)

_BENCH_FIELDS = services.BENCHMARK_FIELDS
_GRADE_FIELDS = services.GRADE_FIELDS


def _benchmark_rows(benchmarks: Iterable[DiscretionBenchmark]) -> Iterable[dict[str, Any]]:
    for bench in benchmarks:
        base = {"source": bench.source, "item_no": bench.item_no}
        base.update({name: getattr(bench, name) for name in _BENCH_FIELDS})
        grades = list(bench.grades.all())
        if not grades:  # a benchmark without grades is still listed, once
            yield base
        for grade in grades:
            row = {**base, "seq": grade.seq}
            row.update({name: getattr(grade, name) for name in _GRADE_FIELDS})
            row["multiple_min"] = _plain(grade.multiple_min)
            row["multiple_max"] = _plain(grade.multiple_max)
            yield row


def _plain(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize()


def export_benchmarks(queryset) -> bytes:
    """One row per grade (a benchmark without grades: one row) of the benchmarks given, in
    the import layout: edit and import again."""
    benchmarks = queryset.prefetch_related("grades")
    return excel.export_rows(BENCHMARK_SHEET, _benchmark_rows(benchmarks))


def benchmark_template() -> bytes:
    return excel.write_template(BENCHMARK_SHEET)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _same_state(state: dict[str, Any]) -> dict[str, Any]:
    """A benchmark state with texts stripped, to compare a file with the register."""
    out = {k: _strip(v) for k, v in state.items() if k != "grades"}
    out["grades"] = [{k: _strip(v) for k, v in g.items()} for g in state.get("grades", [])]
    return out


_GRADE_NO = re.compile(r"^第(\d+)档：")


def _plan_benchmark(
    rows: list[excel.ParsedRow], organization: Organization
) -> tuple[dict[str, Any] | None, list[RowError]]:
    """Check the rows of one benchmark (same 来源表 + 序号) and work out what to save."""
    first = rows[0]
    errors: list[RowError] = []
    for row in rows[1:]:
        for name in _BENCH_FIELDS:
            if (row[name] or "") != (first[name] or ""):
                header = BENCHMARK_SHEET.column(name).header_zh
                errors.append(
                    RowError(
                        row.number,
                        header,
                        f"与第{first.number}行（同一裁量基准）的{header}不一致。",
                    )
                )
    graded = []
    for row in rows:
        has_grade = any(row[name] not in (None, "") for name in _GRADE_FIELDS)
        if row["seq"] is None:
            if has_grade or len(rows) > 1:
                errors.append(RowError(row.number, "档次顺序", "请填写档次顺序（从1起的整数）。"))
            continue
        if not row["label"]:
            errors.append(RowError(row.number, "档次", "请填写档次。"))
            continue
        graded.append(row)
    if errors:
        return None, errors
    graded.sort(key=lambda r: r["seq"])
    raw_grades = [{name: row[name] for name in _GRADE_FIELDS} for row in graded]
    try:
        grades = services.clean_grades(raw_grades)
    except ValidationError as exc:
        message = exc.messages[0]
        match = _GRADE_NO.match(message)
        row = graded[int(match.group(1)) - 1] if match else first
        return None, [RowError(row.number, "", _GRADE_NO.sub("", message))]
    fields = {name: first[name] or "" for name in _BENCH_FIELDS}
    wanted = {**fields, "grades": [services._grade_state(g) for g in grades]}
    bench = (
        DiscretionBenchmark.objects.filter(source=first["source"], item_no=first["item_no"])
        .select_related("organization")
        .first()
    )
    outcome = "created"
    if bench is not None:
        if _same_state(services._benchmark_state(bench)) == _same_state(wanted):
            outcome = "unchanged"
        elif bench.organization_id != organization.pk:
            owner = bench.organization.name if bench.organization else "参考表"
            return None, [
                RowError(
                    first.number,
                    "来源表",
                    f"该裁量基准属于{owner}，不能通过导入修改；请改用本机关的来源表名称。",
                )
            ]
        else:
            outcome = "updated"
    return {
        "row": first,
        "outcome": outcome,
        "fields": fields,
        "grades": raw_grades,
    }, []


Progress = Callable[[int, int], None]


def import_benchmarks(
    actor: Actor, organization: Organization, data: bytes, progress: Progress | None = None
) -> ImportReport:
    """Check the whole file, then create or update the body's benchmarks (natural key: 来源表 +
    序号, one row per grade) through :func:`zhifa.powers.services.save_benchmark` in one
    transaction, every change a ledger entry. All or nothing; benchmarks that already match
    the file are counted unchanged and write nothing (a reference table exported and imported
    again changes nothing). Counts are of benchmarks, not rows. ``progress(done, total)`` is
    called as benchmarks are saved (the CLI's progress bar). The actor is a user, an API client
    or None (the operator); PermissionDenied when it may not manage the body."""
    if actor is not None and not services.can_manage(actor, organization):
        raise PermissionDenied("您不能管理该执法主体的裁量基准。")
    if not organization.is_enforcement_body:
        return ImportReport(errors=[RowError(0, "", "只有执法主体可以导入裁量基准。")])
    parsed = excel.read_workbook(data, BENCHMARK_SHEET)
    report = ImportReport(errors=list(parsed.errors))
    if report.errors:
        return report
    groups: dict[tuple[str, str], list[excel.ParsedRow]] = {}
    for row in parsed.rows:
        groups.setdefault((row["source"], row["item_no"]), []).append(row)
    plans = []
    for rows in groups.values():
        plan, errors = _plan_benchmark(rows, organization)
        report.errors.extend(errors)
        if plan is not None:
            plans.append(plan)
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
        return report
    try:
        with transaction.atomic():
            for done, plan in enumerate(plans, start=1):
                row = plan["row"]
                if progress is not None and (done % 20 == 0 or done == len(plans)):
                    progress(done, len(plans))
                if plan["outcome"] == "unchanged":
                    report.unchanged += 1
                    continue
                try:
                    services.save_benchmark(
                        actor,
                        organization,
                        row["source"],
                        row["item_no"],
                        grades=plan["grades"],
                        **plan["fields"],
                    )
                except ValidationError as exc:
                    raise _Abort(excel.errors_from(exc, row.number)) from None
                except PermissionDenied as exc:
                    raise _Abort([RowError(row.number, "", str(exc))]) from None
                setattr(report, plan["outcome"], getattr(report, plan["outcome"]) + 1)
    except _Abort as abort:
        return ImportReport(errors=abort.errors)
    return report
