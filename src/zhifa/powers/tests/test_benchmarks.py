"""A body's own discretion benchmarks (with grades) and no-penalty items: the services (rules,
scope, ledger before/after) and the Excel import (all or nothing, row report, re-import changes
nothing; reference tables are read-only)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook, load_workbook

from zhifa.core import services as core_services
from zhifa.core.models import Role
from zhifa.ledger.models import LedgerEntry
from zhifa.powers import excel, services
from zhifa.powers.models import DiscretionBenchmark, DiscretionGrade, NoPenaltyItem

pytestmark = pytest.mark.django_db

SOURCE = "大兴乡生态环境违法行为裁量基准（2026）"
SHARED = Path(__file__).resolve().parents[5] / "shared" / "data" / "discretion"
BASIS = "《中华人民共和国大气污染防治法》第九十九条"
GRADES = [
    {"label": "轻微", "conditions": "首次且及时改正", "fine_min": "100000", "fine_max": "300000"},
    {"label": "一般", "conditions": "超标50%以下", "fine_min": "300000", "fine_max": "600000"},
    {
        "label": "严重",
        "conditions": "拒不改正",
        "multiple_min": "1",
        "multiple_max": "3",
        "multiple_base": "违法所得",
        "other_penalties": "责令停业整治",
    },
]


def _events(kind: str = "powers.benchmark_saved"):
    return LedgerEntry.objects.filter(event_type=kind).order_by("seq")


def _bench(world, **extra):
    bench, created = services.save_benchmark(
        world.users["bodyhead"],
        world.orgs["daxing"],
        SOURCE,
        "1",
        violation="超过大气污染物排放标准排放大气污染物",
        legal_basis=BASIS,
        grades=GRADES,
        **extra,
    )
    assert created
    return bench


def _market_head(world):
    user = world.users["marketofficer"]
    core_services.grant_role(None, user, world.orgs["county_market"], Role.BODY_HEAD)
    return user


# ---------------------------------------------------------------- services


def test_body_head_creates_and_updates_with_before_and_after(world):
    bench = _bench(world)
    grades = list(bench.grades.order_by("seq"))
    assert [g.label for g in grades] == ["轻微", "一般", "严重"]
    assert grades[0].fine_min == Decimal("100000.00") and grades[2].multiple_max == Decimal(3)
    entry = _events().get()
    assert entry.actor == world.users["bodyhead"] and entry.role == Role.BODY_HEAD
    payload = json.loads(entry.payload)
    assert payload["created"] and payload["after"]["grades"][1]["label"] == "一般"

    changed = [dict(g) for g in GRADES]
    changed[1]["fine_max"] = "500000"
    services.update_benchmark(world.users["bodyhead"], bench, grades=changed, section="大气")
    payload = json.loads(_events().last().payload)
    assert payload["changed"] == ["grades", "section"]
    assert payload["before"]["section"] == "" and payload["after"]["section"] == "大气"
    assert payload["before"]["grades"][1]["fine_max"] == "600000.00"
    assert payload["after"]["grades"][1]["fine_max"] == "500000.00"

    # saving the same values again records nothing
    services.update_benchmark(world.users["bodyhead"], bench, grades=changed, section="大气")
    assert _events().count() == 2


@pytest.mark.parametrize(
    ("grade", "message"),
    [
        ({"label": "", "fine_max": "10"}, "第1档：请填写档次。"),
        ({"label": "一般", "fine_min": "500", "fine_max": "100"}, "罚款下限不能大于上限"),
        ({"label": "一般", "multiple_max": "2"}, "请填写倍数基数"),
        ({"label": "一般", "fine_max": "-1"}, "罚款上限应为0至"),
        ({"label": "一般", "fine_max": "1.234"}, "最多保留2位小数"),
    ],
)
def test_bad_grades_are_refused_and_change_nothing(world, grade, message):
    bench = _bench(world)
    with pytest.raises(ValidationError) as exc:
        services.update_benchmark(world.users["bodyhead"], bench, grades=[grade])
    assert message in exc.value.messages[0]
    assert bench.grades.count() == 3 and _events().count() == 1


def test_scope_and_reference_tables(world):
    bench = _bench(world)
    with pytest.raises(PermissionDenied):  # an officer reads but does not make benchmarks
        services.update_benchmark(world.users["officer"], bench, section="x")
    with pytest.raises(PermissionDenied):  # another body's head
        services.update_benchmark(_market_head(world), bench, section="x")
    ref = DiscretionBenchmark.objects.create(source="参考表", item_no="1", violation="超标排放")
    with pytest.raises(PermissionDenied, match="参考表"):
        services.update_benchmark(world.users["bodyhead"], ref, section="x")
    # the same source and number under another body: refused, not taken over
    with pytest.raises(ValidationError, match="属于"):
        services.save_benchmark(
            world.users["marketofficer"], world.orgs["county_market"], SOURCE, "1", violation="x"
        )
    bench.refresh_from_db()
    assert bench.section == "" and bench.organization == world.orgs["daxing"]
    assert _events().count() == 1


def test_no_penalty_items(world):
    head = world.users["bodyhead"]
    item, created = services.save_no_penalty_item(
        head,
        world.orgs["daxing"],
        "大兴乡轻微违法行为不予处罚清单",
        "1",
        list_name="首违不罚",
        violation="未按规定设置垃圾分类收集容器",
        conditions="初次违法且危害后果轻微并及时改正",
    )
    assert created and item.organization == world.orgs["daxing"]
    with pytest.raises(ValidationError, match="清单应为"):
        services.update_no_penalty_item(head, item, list_name="随意不罚")
    with pytest.raises(PermissionDenied):
        services.update_no_penalty_item(world.users["officer"], item, conditions="x")
    services.update_no_penalty_item(head, item, conditions="初次违法，及时改正")
    entries = list(_events("powers.no_penalty_saved"))
    assert len(entries) == 2
    payload = json.loads(entries[1].payload)
    assert payload["before"] == {"conditions": "初次违法且危害后果轻微并及时改正"}
    assert payload["after"] == {"conditions": "初次违法，及时改正"}
    ref = NoPenaltyItem.objects.create(
        list_name="轻微不罚", source="参考", item_no="1", violation="x"
    )
    with pytest.raises(PermissionDenied):
        services.update_no_penalty_item(head, ref, conditions="y")


# ---------------------------------------------------------------- Excel


HEADERS = [c.header_zh for c in excel.BENCHMARK_SHEET.columns]


def _xlsx(rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append([row.get(h) for h in HEADERS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(item_no, seq, label, **extra):
    return {
        "来源表": SOURCE,
        "序号": item_no,
        "违法行为": f"违法行为{item_no}",
        "法律依据": BASIS,
        "档次顺序": seq,
        "档次": label,
        "罚款下限（元）": 1000,
        "罚款上限（元）": 5000,
        **extra,
    }


GOOD = [
    _row("1", 1, "轻微"),
    _row("1", 2, "严重", **{"罚款下限（元）": 5000, "罚款上限（元）": 20000}),
    _row("2", 1, "一般", **{"倍数下限": 1, "倍数上限": 3, "倍数基数": "违法所得"}),
]


def test_import_creates_and_reimport_of_the_export_changes_nothing(world):
    head, daxing = world.users["bodyhead"], world.orgs["daxing"]
    report = excel.import_benchmarks(head, daxing, _xlsx(GOOD))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert _events().count() == 2
    bench = DiscretionBenchmark.objects.get(source=SOURCE, item_no="1")
    assert bench.organization == daxing
    assert [g.label for g in bench.grades.all()] == ["轻微", "严重"]

    exported = excel.export_benchmarks(DiscretionBenchmark.objects.filter(organization=daxing))
    report = excel.import_benchmarks(head, daxing, exported)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert _events().count() == 2

    # an edited export updates the one benchmark that changed
    wb = load_workbook(io.BytesIO(exported))
    ws = wb.worksheets[0]
    ws.cell(row=3, column=HEADERS.index("罚款上限（元）") + 1, value=30000)
    out = io.BytesIO()
    wb.save(out)
    report = excel.import_benchmarks(head, daxing, out.getvalue())
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert bench.grades.get(seq=2).fine_max == Decimal("30000.00")


def test_one_bad_row_imports_nothing_and_is_reported(world):
    rows = [*GOOD, _row("3", 1, "一般", **{"罚款下限（元）": 9000, "罚款上限（元）": 100})]
    report = excel.import_benchmarks(world.users["bodyhead"], world.orgs["daxing"], _xlsx(rows))
    assert not report.ok
    assert [(e.row, e.message_zh) for e in report.errors] == [(5, "罚款下限不能大于上限。")]
    assert not DiscretionBenchmark.objects.exists() and not _events().exists()


def test_row_problems_are_reported_by_row_and_column(world):
    rows = [
        _row("1", 1, "轻微"),
        _row("1", 2, "严重", 违法行为="另一种违法行为"),
        _row("2", None, "一般"),
        _row("3", 1, "一般", **{"罚款上限（元）": "五千"}),
        _row("1", 1, "重复"),
    ]
    report = excel.import_benchmarks(world.users["bodyhead"], world.orgs["daxing"], _xlsx(rows))
    problems = {(e.row, e.column_header) for e in report.errors}
    assert (5, "罚款上限（元）") in problems  # not a number
    assert (6, "来源表") in problems  # same 来源表 + 序号 + 档次顺序 as row 2
    assert not DiscretionBenchmark.objects.exists()
    rows = rows[:3]
    report = excel.import_benchmarks(world.users["bodyhead"], world.orgs["daxing"], _xlsx(rows))
    assert {(e.row, e.column_header) for e in report.errors} == {(3, "违法行为"), (4, "档次顺序")}
    assert all("\u4e00" <= e.message_zh[0] <= "\u9fff" for e in report.errors)
    assert not DiscretionBenchmark.objects.exists()


def test_reference_tables_reimport_unchanged_but_cannot_be_changed(world):
    ref = DiscretionBenchmark.objects.create(source="参考表", item_no="1", violation="超标排放")
    DiscretionGrade.objects.create(
        benchmark=ref, seq=1, label="第1类", fine_min=Decimal(1000), fine_max=Decimal(5000)
    )
    exported = excel.export_benchmarks(DiscretionBenchmark.objects.filter(pk=ref.pk))
    head, daxing = world.users["bodyhead"], world.orgs["daxing"]
    report = excel.import_benchmarks(head, daxing, exported)
    assert report.ok and report.unchanged == 1
    wb = load_workbook(io.BytesIO(exported))
    wb.worksheets[0].cell(row=2, column=HEADERS.index("档次") + 1, value="改")
    out = io.BytesIO()
    wb.save(out)
    report = excel.import_benchmarks(head, daxing, out.getvalue())
    assert [(e.row, e.column_header) for e in report.errors] == [(2, "来源表")]
    assert "参考表" in report.errors[0].message_zh
    assert ref.grades.get().label == "第1类"


def test_officer_may_not_import(world):
    with pytest.raises(PermissionDenied):
        excel.import_benchmarks(world.users["officer"], world.orgs["daxing"], _xlsx(GOOD))
    assert not DiscretionBenchmark.objects.exists()


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/discretion not present")
def test_real_jiangmen_table_round_trips_through_excel(world):
    """The real 872-row table, exported and imported again: every benchmark unchanged."""
    from zhifa.powers.importer import import_discretion

    import_discretion(SHARED / "jiangmen_eco_env_discretion_table_2020.jsonl")
    qs = DiscretionBenchmark.objects.all()
    exported = excel.export_benchmarks(qs)
    assert load_workbook(io.BytesIO(exported)).worksheets[0].max_row == 873
    report = excel.import_benchmarks(world.users["bodyhead"], world.orgs["daxing"], exported)
    assert report.ok, report.errors[:5]
    assert report.unchanged == qs.count() == 165
    assert not _events().exists()


def _merged() -> bytes:
    wb = load_workbook(io.BytesIO(_xlsx(GOOD)))
    wb.worksheets[0].merge_cells("A2:A3")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _wrong_headers() -> bytes:
    wb = load_workbook(io.BytesIO(_xlsx(GOOD)))
    wb.worksheets[0].cell(row=1, column=HEADERS.index("档次") + 1, value="等级")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_wrong_headers, "缺少列：档次"),
        (_merged, "合并单元格"),
        (lambda: b"\xd0\xcf\x11\xe0" + b"\0" * 100, "另存为 .xlsx"),
        (lambda: b"PK\x03\x04 corrupt", "不是有效的 .xlsx"),
        (lambda: b"", "文件为空"),
    ],
)
def test_bad_files_are_reported_and_import_nothing(world, data, message):
    report = excel.import_benchmarks(world.users["bodyhead"], world.orgs["daxing"], data())
    assert not report.ok
    assert any(message in e.message_zh for e in report.errors), report.errors
    assert not DiscretionBenchmark.objects.exists() and not _events().exists()


def test_benchmark_commands(world, tmp_path):
    from django.core.management import CommandError, call_command

    source = tmp_path / "in.xlsx"
    source.write_bytes(_xlsx(GOOD))
    org = str(world.orgs["daxing"].pk)
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "powers", "import-benchmarks", "--body", org, "--as", "bodyhead", str(source),
        stdout=out, stderr=err,
    )  # fmt: skip
    assert "新增 2" in out.getvalue() and "2/2" in err.getvalue()  # the progress bar
    target = tmp_path / "out.xlsx"
    call_command(
        "powers", "export-benchmarks", "--body", org, "--out", str(target), stdout=io.StringIO()
    )
    assert load_workbook(target).worksheets[0].max_row == 4
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_xlsx([_row("9", 1, "一般", **{"罚款下限（元）": 9, "罚款上限（元）": 1})]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何裁量基准"):
        call_command(
            "powers", "import-benchmarks", "--body", org, "--as", "bodyhead", str(bad),
            stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    assert "第2行" in err.getvalue()
    with pytest.raises(CommandError):
        call_command(
            "powers", "import-benchmarks", "--body", org, "--as", "officer", str(source),
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
