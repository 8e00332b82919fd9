"""Excel import/export of power-list matters; export of discretion benchmarks."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from zhifa.core import excel as core_excel
from zhifa.ledger.models import LedgerEntry
from zhifa.powers import excel, services
from zhifa.powers.models import Category, DiscretionBenchmark, DiscretionGrade, Matter

pytestmark = pytest.mark.django_db

HEADERS = [c.header_zh for c in excel.MATTER_SHEET.columns]


def _row(code, name, category="行政处罚", unit="", steps="立案→调查→决定", inspect="否"):
    return [
        code,
        name,
        category,
        "《中华人民共和国城乡规划法》第六十五条",
        unit,
        "90日",
        "不收费",
        steps,
        "符合条件",
        "身份证明",
        "乡政府一楼",
        "0871-1234567",
        inspect,
        "",
    ]


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = excel.MATTER_SHEET.title
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _good_rows():
    return [
        _row("XZCF-001", "未取得乡村建设规划许可证进行建设", unit="大兴乡综合行政执法队"),
        _row("XZJC-001", "农村建房巡查", category="行政检查", inspect="是", steps=""),
        _row("XZQR-001", "宅基地使用确认", category="行政确认", steps="受理\n审查\n决定"),
    ]


def _matter_events() -> int:
    return LedgerEntry.objects.filter(event_type="powers.matter_saved").count()


@pytest.fixture
def draft(world):
    return services.create_list(None, world.orgs["daxing"], 2026)


def test_template_has_headers_and_instructions():
    wb = load_workbook(io.BytesIO(excel.matter_template()))
    assert [c.value for c in wb.worksheets[0][1]] == HEADERS
    assert core_excel.INSTRUCTIONS_TITLE in wb.sheetnames


def test_good_file_imports_with_ledger_entries_and_reimport_changes_nothing(world, draft):
    head = world.users["bodyhead"]
    report = excel.import_matters(head, draft, _xlsx(_good_rows()))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert _matter_events() == 3
    first = Matter.objects.get(power_list=draft, code="XZCF-001")
    assert first.category == Category.PENALTY
    assert first.responsible_unit == world.orgs["daxing_team"]
    assert first.procedure_steps == ["立案", "调查", "决定"]
    assert Matter.objects.get(code="XZJC-001").on_inspection_list is True
    assert Matter.objects.get(code="XZQR-001").procedure_steps == ["受理", "审查", "决定"]

    again = excel.import_matters(head, draft, _xlsx(_good_rows()))
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert _matter_events() == 3

    rows = _good_rows()
    rows[1][1] = "农村建房日常巡查"
    changed = excel.import_matters(head, draft, _xlsx(rows))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert _matter_events() == 4


def test_export_round_trip(draft):
    assert excel.import_matters(None, draft, _xlsx(_good_rows())).ok
    data = excel.export_matters(draft)
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.max_row == 4
    assert ws["C2"].value == "行政处罚" and ws["H2"].value == "立案→调查→决定"
    before = _matter_events()
    report = excel.import_matters(None, draft, data)
    assert report.ok and report.unchanged == 3 and report.total == 3
    assert _matter_events() == before


def test_one_bad_row_imports_nothing_and_names_row_and_column(draft):
    rows = _good_rows()
    rows[2][2] = "行政奖励"
    report = excel.import_matters(None, draft, _xlsx(rows))
    assert not report.ok and report.total == 0
    assert [(e.row, e.column_header) for e in report.errors] == [(4, "类别")]
    assert "行政奖励" in report.errors[0].message_zh
    assert not Matter.objects.exists() and _matter_events() == 0


def test_unknown_unit_imports_nothing(draft):
    rows = _good_rows()
    rows[0][4] = "不存在的机构"
    report = excel.import_matters(None, draft, _xlsx(rows))
    assert [(e.row, e.column_header) for e in report.errors] == [(2, "实施机构")]
    assert not Matter.objects.exists()


def test_published_list_is_refused(draft):
    services.save_matter(None, draft, "A1", name="检查", category="inspection")
    services.publish_list(None, draft)
    before = _matter_events()
    report = excel.import_matters(None, draft, _xlsx(_good_rows()))
    assert not report.ok and "已发布" in report.errors[0].message_zh
    assert draft.matters.count() == 1 and _matter_events() == before


def test_other_users_may_not_import(world, draft):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        excel.import_matters(world.users["officer"], draft, _xlsx(_good_rows()))
    assert not Matter.objects.exists()


def test_benchmark_export_has_one_row_per_grade():
    for no in ("1", "2"):
        bench = DiscretionBenchmark.objects.create(
            source="测试裁量表", item_no=no, violation=f"违法行为{no}", legal_basis="某法第一条"
        )
        for seq, (label, low, high) in enumerate(
            [("轻微", 1000, 5000), ("一般", 5000, 10000), ("严重", None, None)], start=1
        ):
            DiscretionGrade.objects.create(
                benchmark=bench,
                seq=seq,
                label=label,
                conditions=f"情节{seq}",
                fine_min=None if low is None else Decimal(low),
                fine_max=None if high is None else Decimal(high),
                multiple_min=Decimal("1.5") if low is None else None,
                multiple_max=Decimal("3") if low is None else None,
                multiple_base="违法所得" if low is None else "",
                other_penalties="责令改正",
            )
    data = excel.export_benchmarks(DiscretionBenchmark.objects.filter(source="测试裁量表"))
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in ws[1]] == [c.header_zh for c in excel.BENCHMARK_SHEET.columns]
    headers = [c.header_zh for c in excel.BENCHMARK_SHEET.columns]
    rows = [dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == 6
    first = {k: rows[0][k] for k in ("来源表", "序号", "违法行为", "法律依据", "档次顺序", "档次")}
    assert first == {
        "来源表": "测试裁量表",
        "序号": "1",
        "违法行为": "违法行为1",
        "法律依据": "某法第一条",
        "档次顺序": 1,
        "档次": "轻微",
    }
    assert rows[0]["裁量情节"] == "情节1" and rows[0]["罚款下限（元）"] == 1000
    assert rows[2]["档次"] == "严重" and rows[2]["倍数下限"] == 1.5 and rows[2]["倍数上限"] == 3
    assert rows[2]["倍数基数"] == "违法所得" and rows[2]["其他处罚"] == "责令改正"


def test_management_commands_import_and_export(world, draft, tmp_path):
    from django.core.management import CommandError, call_command

    source = tmp_path / "in.xlsx"
    source.write_bytes(_xlsx(_good_rows()))
    out = io.StringIO()
    call_command(
        "powers",
        "import-matters",
        "--list",
        str(draft.pk),
        "--as",
        "bodyhead",
        str(source),
        stdout=out,
    )
    assert "新增 3" in out.getvalue() and draft.matters.count() == 3
    target = tmp_path / "out.xlsx"
    call_command(
        "powers",
        "export-matters",
        "--list",
        str(draft.pk),
        "--out",
        str(target),
        stdout=io.StringIO(),
    )
    assert load_workbook(target).worksheets[0].max_row == 4
    with pytest.raises(CommandError):
        call_command(
            "powers",
            "import-matters",
            "--list",
            str(draft.pk),
            "--as",
            "officer",
            str(source),
            stdout=io.StringIO(),
        )
