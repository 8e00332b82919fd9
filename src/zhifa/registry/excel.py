"""Officers to and from Excel: the sheet spec, :func:`import_officers` and
:func:`export_officers`.

An import is all or nothing: the whole file is parsed and checked first (the sheet itself, the
units, the actor's scope, certificate numbers held by other officers); with any problem nothing
is imported and the report lists every problem by row and column. Otherwise each row is created
or updated (natural key: 执法证号) through :mod:`zhifa.registry.services` in one transaction, so
every change is a ledger entry and a failure part-way rolls everything back. Rows that match
the register exactly are counted as unchanged and write nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from zhifa.core import excel
from zhifa.core.excel import (
    BoolParser,
    ChoiceParser,
    CitizenIdParser,
    Column,
    DateParser,
    ImportReport,
    LabelsParser,
    RowError,
    SheetSpec,
    TextParser,
)
from zhifa.core.models import Organization, OrgKind, User
from zhifa.core.permissions import require

from . import selectors, services
from .models import EnforcementBody, Gender, Officer, OfficerStatus

__all__ = ["OFFICER_SHEET", "ImportReport", "export_officers", "import_officers"]

OFFICER_SHEET = SheetSpec(
    title="执法人员",
    columns=(
        Column("姓名", "name", TextParser(64), required=True, width=12),
        Column("性别", "gender", ChoiceParser(Gender.choices), required=True, width=8),
        Column(
            "执法机构",
            "organization",
            TextParser(200),
            required=True,
            width=28,
            note="填写本执法主体或其下属机构的全称，与系统中的机构名称一致",
        ),
        Column("职务", "post", TextParser(64), width=14),
        Column("公民身份号码", "citizen_id", CitizenIdParser(), required=True, width=22),
        Column(
            "执法证号",
            "certificate_no",
            TextParser(32),
            required=True,
            width=18,
            note="全系统唯一；已登记的证号将更新该人员信息",
        ),
        Column("执法证类别/领域", "certificate_categories", LabelsParser(), width=24),
        Column("发证日期", "certificate_issued_on", DateParser(), required=True, width=14),
        Column(
            "有效期至",
            "certificate_expires_on",
            DateParser(),
            required=True,
            width=14,
            note="不能早于发证日期",
        ),
        Column(
            "状态",
            "status",
            ChoiceParser(OfficerStatus.choices),
            width=12,
            note="新登记人员不填时为“在岗”，已登记人员不填时保持不变",
        ),
        Column(
            "法律职业资格",
            "has_legal_qualification",
            BoolParser(),
            width=12,
            note="不填视为“否”",
        ),
        Column(
            "资格证号",
            "legal_qualification_no",
            TextParser(32),
            width=20,
            note="法律职业资格为“是”时必填",
        ),
    ),
    natural_key=("certificate_no",),
    notes=("照片、平台账号关联请在系统中逐人维护，导入不会修改。",),
)


def _header(field_name: str) -> str:
    return OFFICER_SHEET.column(field_name).header_zh


def _units_by_name(body: EnforcementBody) -> dict[str, list[Organization]]:
    """Active organisations of the body (itself and its subtree, not nested bodies with a
    profile of their own) by name."""
    by_name: dict[str, list[Organization]] = {}
    orgs = Organization.objects.filter(
        path__startswith=body.organization.path, is_active=True
    ).exclude(kind=OrgKind.LAW_FIRM)
    for org in orgs.order_by("path"):
        found = services.body_of(org)
        if found is not None and found.pk == body.pk:
            by_name.setdefault(org.name, []).append(org)
    return by_name


def _fields(row: dict[str, Any], unit: Organization, existing: Officer | None) -> dict[str, Any]:
    fields = {k: v for k, v in row.items() if k != "organization"}
    fields["organization"] = unit
    fields["post"] = fields["post"] or ""
    fields["certificate_categories"] = fields["certificate_categories"] or []
    fields["has_legal_qualification"] = bool(fields["has_legal_qualification"])
    fields["legal_qualification_no"] = fields["legal_qualification_no"] or ""
    if fields["status"] is None:
        if existing is None:
            fields["status"] = OfficerStatus.ACTIVE
        else:
            del fields["status"]
    return fields


def _check_row(row: excel.ParsedRow) -> list[RowError]:
    errors = []
    if row["certificate_expires_on"] < row["certificate_issued_on"]:
        errors.append(
            RowError(row.number, _header("certificate_expires_on"), "有效期至不能早于发证日期。")
        )
    if row["has_legal_qualification"] and not row["legal_qualification_no"]:
        errors.append(
            RowError(
                row.number,
                _header("legal_qualification_no"),
                "已取得法律职业资格的，请填写资格证号。",
            )
        )
    return errors


def _changes(officer: Officer, fields: dict[str, Any]) -> dict[str, Any]:
    changed = {}
    for key, value in fields.items():
        if key == "organization":
            if value.pk != officer.organization_id:
                changed[key] = value
        elif key == "legal_qualification_no" and not fields.get(
            "has_legal_qualification", officer.has_legal_qualification
        ):
            if officer.legal_qualification_no:
                changed[key] = ""
        elif getattr(officer, key) != value:
            changed[key] = value
    return changed


class _Abort(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors


def import_officers(
    actor: User | None,
    body: EnforcementBody,
    data: bytes,
    *,
    progress: Callable[[int, int], None] | None = None,
    progress_every: int = 100,
) -> ImportReport:
    """Check the whole file, then create or update every officer in one transaction; see the
    module docstring. ``progress(done, total)`` is called every ``progress_every`` rows and
    at the end. ``actor=None`` is the trusted operator (no scope check)."""
    if actor is not None:
        require(actor, "registry.manage")
    parsed = excel.read_workbook(data, OFFICER_SHEET)
    report = ImportReport(errors=list(parsed.errors))
    if report.errors:
        return report

    units = _units_by_name(body)
    existing = {
        o.certificate_no: o
        for o in Officer.objects.filter(
            certificate_no__in=[r["certificate_no"] for r in parsed.rows]
        ).select_related("organization", "body")
    }
    manageable: dict[int, bool] = {}

    def can_manage(org: Organization) -> bool:
        if actor is None:
            return True
        if org.pk not in manageable:
            manageable[org.pk] = services.can_manage(actor, org)
        return manageable[org.pk]

    plan: list[tuple[excel.ParsedRow, Officer | None, dict[str, Any]]] = []
    unit_header = _header("organization")
    cert_header = _header("certificate_no")
    for row in parsed.rows:
        errors = _check_row(row)
        candidates = units.get(row["organization"], [])
        unit = None
        if not candidates:
            errors.append(
                RowError(
                    row.number,
                    unit_header,
                    f"“{row['organization']}”不是{body.organization.name}的机构，请核对名称。",
                )
            )
        elif len(candidates) > 1:
            errors.append(
                RowError(row.number, unit_header, f"有多个名为“{row['organization']}”的机构。")
            )
        else:
            unit = candidates[0]
            if not can_manage(unit):
                errors.append(
                    RowError(row.number, unit_header, f"您不能管理“{unit.name}”的执法人员信息。")
                )
        officer = existing.get(row["certificate_no"])
        if officer is not None:
            if officer.body_id != body.pk:
                errors.append(
                    RowError(
                        row.number,
                        cert_header,
                        f"执法证号 {officer.certificate_no} 已被其他执法主体的人员登记。",
                    )
                )
            elif not can_manage(officer.organization):
                errors.append(
                    RowError(
                        row.number,
                        cert_header,
                        f"执法证号 {officer.certificate_no} 的人员在“{officer.organization.name}”，"
                        "您不能变更。",
                    )
                )
        if errors:
            report.errors.extend(errors)
            continue
        plan.append((row, officer, _fields(row, unit, officer)))
    if report.errors:
        return report

    total = len(plan)
    try:
        with transaction.atomic():
            for done, (row, officer, fields) in enumerate(plan, start=1):
                try:
                    if officer is None:
                        services.create_officer(actor, **fields)
                        report.created += 1
                    else:
                        changes = _changes(officer, fields)
                        if changes:
                            services.update_officer(actor, officer, **changes)
                            report.updated += 1
                        else:
                            report.unchanged += 1
                except ValidationError as exc:
                    raise _Abort(excel.errors_from(exc, row.number)) from None
                except PermissionDenied as exc:
                    raise _Abort([RowError(row.number, "", str(exc))]) from None
                if progress is not None and (done % progress_every == 0 or done == total):
                    progress(done, total)
    except _Abort as abort:
        return ImportReport(errors=abort.errors)
    return report


def _officer_record(officer: Officer) -> dict[str, Any]:
    return {
        "name": officer.name,
        "gender": officer.gender,
        "organization": officer.organization.name,
        "post": officer.post,
        "citizen_id": officer.citizen_id,
        "certificate_no": officer.certificate_no,
        "certificate_categories": officer.certificate_categories,
        "certificate_issued_on": officer.certificate_issued_on,
        "certificate_expires_on": officer.certificate_expires_on,
        "status": officer.status,
        "has_legal_qualification": officer.has_legal_qualification,
        "legal_qualification_no": officer.legal_qualification_no,
    }


def export_officers(user: User | None, body: EnforcementBody) -> bytes:
    """The body's officers the user reads (``user=None``: the operator, all of them), in the
    import layout."""
    if user is None:
        qs = Officer.objects.filter(body=body).select_related("organization")
    else:
        qs = selectors.officers(user, body=body)
    return excel.export_rows(OFFICER_SHEET, (_officer_record(o) for o in qs))


def template() -> bytes:
    return excel.write_template(OFFICER_SHEET)
