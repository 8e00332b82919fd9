"""Import discretion benchmark tables and no-penalty lists (the formats in
``../shared/data/discretion``): the Jiangmen 2020 table (.jsonl or .csv, one row per grade), the
Guangdong 2022 fine table split into items (.items.jsonl) and the Guangdong 2022 no-penalty list
(.jsonl). The format is told by the fields of the rows.

Reference data loaded by the operator (`zhifa powers import-discretion`, `zhifa demo`): no
permission check and no ledger entry, like the law library. Idempotent: importing a file again
changes nothing. Rows whose penalty could not be read are imported with their raw text AND
reported in ``problems``; nothing is dropped silently."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from zhifa.core.models import Organization

from .amounts import parse_penalty
from .models import DiscretionBenchmark, DiscretionGrade, DiscretionImport, NoPenaltyItem

JIANGMEN_SOURCE = "江门市生态环境违法行为行政处罚自由裁量权裁量标准参照表（2020，试行）"
GUANGDONG_SOURCE = "广东省生态环境违法行为行政处罚罚款金额裁量表（2022）"
GUANGDONG_NO_PENALTY_SOURCE = "广东省生态环境不予行政处罚的轻微违法行为目录（2022）"

JIANGMEN_FIELDS = {"sheet", "item_no", "violation", "grade", "penalty_standard"}
GUANGDONG_FIELDS = {"section", "title", "table_text_layout"}
NO_PENALTY_FIELDS = {"no", "violation", "no_penalty_conditions"}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    grades: int = 0  # grade rows read

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def merge(self, other: ImportReport) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.grades += other.grades
        self.problems.extend(other.problems)


def _read_rows(path: Path) -> list[tuple[int, dict]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            # the header is line 1; quoted cells may span lines, so number rows, not lines
            return [(i, dict(row)) for i, row in enumerate(csv.DictReader(fh), start=2)]
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.strip():
                rows.append((lineno, json.loads(line)))
    return rows


def _articles_for(text: str) -> list:
    from zhifa.laws.citations import find_citations

    return sorted({c.article_obj.pk for c in find_citations(text) if c.article_obj is not None})


def _decimal(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.0001"))


def _grade_state(values: dict) -> tuple:
    return tuple(
        _decimal(values[k]) if k.startswith(("fine_", "multiple_m")) else values[k]
        for k in sorted(values)
    )


def _save_benchmark(
    source: str, organization: Organization | None, fields: dict, grades: list[dict]
) -> str:
    """Create or update one benchmark with its grades; "created" / "updated" / "unchanged"."""
    articles = _articles_for(fields["legal_basis"] + "\n" + fields.get("penalty_basis", ""))
    bench = DiscretionBenchmark.objects.filter(source=source, item_no=fields["item_no"]).first()
    if bench is None:
        bench = DiscretionBenchmark.objects.create(
            source=source, organization=organization, **fields
        )
        bench.articles.set(articles)
        DiscretionGrade.objects.bulk_create(
            DiscretionGrade(benchmark=bench, seq=i, **g) for i, g in enumerate(grades, start=1)
        )
        return "created"
    changed = False
    for name, value in fields.items():
        if getattr(bench, name) != value:
            setattr(bench, name, value)
            changed = True
    if bench.organization_id != (organization.pk if organization else None):
        bench.organization = organization
        changed = True
    if changed:
        bench.save()
    if sorted(bench.articles.values_list("pk", flat=True)) != articles:
        bench.articles.set(articles)
        changed = True
    keys = list(grades[0]) if grades else []
    existing = [
        _grade_state({k: getattr(g, k) for k in keys}) for g in bench.grades.order_by("seq")
    ]
    if existing != [_grade_state(g) for g in grades]:
        bench.grades.all().delete()
        DiscretionGrade.objects.bulk_create(
            DiscretionGrade(benchmark=bench, seq=i, **g) for i, g in enumerate(grades, start=1)
        )
        changed = True
    return "updated" if changed else "unchanged"


def _grade(label: str, conditions: str, raw: str, other: str = "") -> tuple[dict, bool]:
    parsed = parse_penalty(raw)
    return {
        "label": label[:64],
        "conditions": conditions,
        "fine_min": parsed.fine_min,
        "fine_max": parsed.fine_max,
        "multiple_min": parsed.multiple_min,
        "multiple_max": parsed.multiple_max,
        "multiple_base": parsed.multiple_base,
        "other_penalties": other,
        "raw_text": raw,
    }, parsed.found


def _where(path: Path, lineno: int, item: str) -> str:
    return f"{path.name}:{lineno}（{item}）"


# ---------------------------------------------------------------- Jiangmen


def _import_jiangmen(path: Path, rows, organization, source: str) -> ImportReport:
    report = ImportReport()
    items: dict[str, dict] = {}
    for lineno, row in rows:
        item_no = (row.get("item_no") or "").strip()
        if not item_no:
            report.problems.append((_where(path, lineno, "?"), "缺少序号，未导入"))
            continue
        item = items.setdefault(
            item_no,
            {
                "fields": {
                    "item_no": item_no,
                    "section": (row.get("law") or row.get("sheet") or "").strip()[:200],
                    "violation": (row.get("violation") or "").strip(),
                    "legal_basis": (row.get("legal_basis") or "").strip(),
                    "penalty_basis": "",
                    "raw_text": "",
                },
                "grades": [],
            },
        )
        raw = (row.get("penalty_standard") or "").strip()
        grade_no = (row.get("grade") or "").strip()
        grade, found = _grade(
            f"第{grade_no}类" if grade_no else "",
            (row.get("circumstance") or "").strip(),
            raw,
            (row.get("note") or "").strip(),
        )
        item["grades"].append(grade)
        report.grades += 1
        if not raw:
            report.problems.append((_where(path, lineno, item_no), "裁量标准为空（原表如此）"))
        elif not found:
            report.problems.append((_where(path, lineno, item_no), f"未能解析罚款幅度：{raw}"))
    for item in items.values():
        report.add(_save_benchmark(source, organization, item["fields"], item["grades"]))
    return report


# ---------------------------------------------------------------- Guangdong fine table


_LABELS = re.compile(r"^\s*(违反条款|处罚依据)\s*")


def _guangdong_basis(layout: str) -> str:
    """The law text above the factor table, label column removed, lines joined."""
    lines = []
    for line in layout.split("\n"):
        if re.match(r"^\s*违法行为\s+裁量", line):
            break
        line = _LABELS.sub("", line).strip()
        line = re.sub(r"\s{2,}(违反条款|处罚依据)$", "", line)
        if line in ("违反条款", "处罚依据") or line.isdigit():
            continue
        lines.append(line)
    text = "".join(lines)
    return re.sub(r"(?<=[^\s\w])\s+|\s+(?=[^\s\w])", "", text)


def _import_guangdong(path: Path, rows, organization, source: str) -> ImportReport:
    report = ImportReport()
    seen: set[str] = set()
    for lineno, row in rows:
        item_no = (row.get("section") or "").strip() or f"L{lineno}"
        if item_no in seen:
            new_no = f"{item_no}-2"
            report.problems.append(
                (
                    _where(path, lineno, item_no),
                    f"分节编号与上一项重复，以“{new_no}”导入",
                )
            )
            item_no = new_no
        seen.add(item_no)
        layout = row.get("table_text_layout") or ""
        basis = _guangdong_basis(layout)
        grades = []
        for clause in re.split(r"[；。]", basis):
            if "罚款" not in clause:
                continue
            grade, found = _grade(f"法定幅度{len(grades) + 1}", "", clause)
            if found:
                grades.append(grade)
        report.grades += len(grades)
        if not grades:
            report.problems.append(
                (_where(path, lineno, item_no), "未能从处罚依据解析罚款幅度（原文已保留）")
            )
        fields = {
            "item_no": item_no,
            "section": (row.get("chapter") or "").strip()[:200],
            "violation": (row.get("title") or "").strip(),
            "legal_basis": basis,
            "penalty_basis": "",
            "raw_text": layout,
        }
        report.add(_save_benchmark(source, organization, fields, grades))
    return report


# ---------------------------------------------------------------- no-penalty list


def _import_no_penalty(path: Path, rows, source: str) -> ImportReport:
    report = ImportReport()
    for lineno, row in rows:
        item_no = str(row.get("no") or "").strip()
        violation = (row.get("violation") or "").strip()
        if not item_no or not violation:
            report.problems.append((_where(path, lineno, item_no or "?"), "缺少序号或违法行为"))
            continue
        conditions = (row.get("no_penalty_conditions") or "").strip()
        fields = {
            "list_name": "首违不罚" if "首次违法" in conditions else "轻微不罚",
            "category": (row.get("category") or "").strip()[:100],
            "violation": violation,
            "conditions": conditions,
            "legal_basis": (row.get("violated_provision") or "").strip(),
        }
        item = NoPenaltyItem.objects.filter(source=source, item_no=item_no).first()
        if item is None:
            NoPenaltyItem.objects.create(source=source, item_no=item_no, **fields)
            report.add("created")
            continue
        changed = [k for k, v in fields.items() if getattr(item, k) != v]
        for k in changed:
            setattr(item, k, fields[k])
        if changed:
            item.save()
        report.add("updated" if changed else "unchanged")
    return report


@transaction.atomic
def import_discretion(path, organization: Organization | None = None) -> ImportReport:
    """Import one file; the format is told by its fields. ValueError for an unknown format.
    Each run's report is kept (:class:`DiscretionImport`) for the 导入报告 page."""
    path = Path(path)
    rows = _read_rows(path)
    if not rows:
        return ImportReport()
    keys = set(rows[0][1])
    if JIANGMEN_FIELDS <= keys:
        source = JIANGMEN_SOURCE
        report = _import_jiangmen(path, rows, organization, source)
    elif GUANGDONG_FIELDS <= keys:
        source = GUANGDONG_SOURCE
        report = _import_guangdong(path, rows, organization, source)
    elif NO_PENALTY_FIELDS <= keys:
        source = GUANGDONG_NO_PENALTY_SOURCE
        report = _import_no_penalty(path, rows, source)
    else:
        raise ValueError(f"{path.name}：无法识别的裁量基准格式（字段：{'、'.join(sorted(keys))}）")
    DiscretionImport.objects.create(
        source=source,
        file_name=path.name[:300],
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        grades=report.grades,
        problems=[list(p) for p in report.problems],
    )
    return report


# The files `zhifa demo` loads as reference tables when ../shared/data/discretion exists.
REFERENCE_FILES = (
    "jiangmen_eco_env_discretion_table_2020.jsonl",
    "guangdong_eco_env_fine_discretion_table_2022.items.jsonl",
    "guangdong_eco_env_no_penalty_minor_violations_2022.jsonl",
)
