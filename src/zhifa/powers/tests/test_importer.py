"""The discretion importer on hand-written fragments in the real formats, and the counts of the
real tables in ../shared/data/discretion."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from zhifa.powers.amounts import parse_penalty
from zhifa.powers.importer import import_discretion
from zhifa.powers.models import DiscretionBenchmark, DiscretionGrade, NoPenaltyItem

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[5] / "shared" / "data" / "discretion"


def jm(item_no, grade, circumstance, standard, note=""):
    return {
        "sheet": "大气污染防治法",
        "law": "三、《中华人民共和国大气污染防治法》",
        "item_no": item_no,
        "violation": "超过大气污染物排放标准排放大气污染物的",
        "legal_basis": "《中华人民共和国大气污染防治法》第九十九条：……处十万元以上罚款",
        "grade": grade,
        "circumstance": circumstance,
        "penalty_standard": standard,
        "note": note,
    }


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


@pytest.mark.parametrize(
    "text,expected",
    [
        ("处五万元以上二十万元以下罚款", (50000, 200000, None, None, "")),
        ("责令改正，处五十万以上一百万元以下罚款", (500000, 1000000, None, None, "")),
        ("可以处二百以上五百元以下的罚款", (200, 500, None, None, "")),
        ("处一万元以下罚款", (None, 10000, None, None, "")),
        ("处10万元罚款", (100000, 100000, None, None, "")),
        ("处 5 万元以上 20 万元以\n下的罚款", (50000, 200000, None, None, "")),
        ("处违法所得一倍以上三倍以下的罚款", (None, None, 1, 3, "违法所得")),
        ("处货值金额百分之五十以上三倍以下", (None, None, Decimal("0.5"), 3, "货值金额")),
        ("处以直接损失20%的罚款", (None, None, Decimal("0.2"), Decimal("0.2"), "直接损失")),
    ],
)
def test_parse_penalty(text, expected):
    p = parse_penalty(text)
    assert (p.fine_min, p.fine_max, p.multiple_min, p.multiple_max, p.multiple_base) == expected


@pytest.mark.parametrize("text", ["给予警告", "", "处二十万元以上三十万元以下元罚款"])
def test_unparseable_penalties(text):
    assert not parse_penalty(text).found


def test_jiangmen_fragment_keeps_and_reports_bad_rows_and_is_idempotent(tmp_path):
    path = write_jsonl(
        tmp_path / "jm.jsonl",
        [
            jm("3-1", "1", "超标0.5倍以下的", "责令改正，处十万元以上二十万元以下罚款"),
            jm("3-1", "2", "超标0.5倍以上的", "处二十万元以上三十万元以下元罚款"),
            jm("3-1", "3", "造成严重后果的", ""),
            jm("3-2", "1", "首次", "处违法所得一倍以上三倍以下的罚款", "没收违法所得"),
        ],
    )
    report = import_discretion(path)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert len(report.problems) == 2
    assert report.problems[0][0] == "jm.jsonl:2（3-1）" and "未能解析" in report.problems[0][1]
    assert "为空" in report.problems[1][1]
    bench = DiscretionBenchmark.objects.get(item_no="3-1")
    grades = list(bench.grades.all())
    assert [g.label for g in grades] == ["第1类", "第2类", "第3类"]
    assert grades[0].fine_min == 100000 and grades[0].fine_max == 200000
    assert grades[1].fine_max is None and grades[1].raw_text.startswith("处二十万元")
    other = DiscretionBenchmark.objects.get(item_no="3-2").grades.get()
    assert (other.multiple_min, other.multiple_max, other.multiple_base) == (1, 3, "违法所得")
    assert other.other_penalties == "没收违法所得"

    again = import_discretion(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert DiscretionGrade.objects.count() == 4

    rows = [jm("3-1", "1", "超标0.5倍以下的", "处十万元以上十五万元以下罚款")]
    changed = import_discretion(write_jsonl(tmp_path / "jm.jsonl", rows))
    assert changed.updated == 1
    assert bench.grades.get().fine_max == 150000


def test_jiangmen_csv_is_read_too(tmp_path):
    import csv

    path = tmp_path / "jm.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(jm("1", "1", "", "")))
        writer.writeheader()
        writer.writerow(jm("9-1", "1", "多行\n情节", "处二万元罚款"))
    report = import_discretion(path)
    assert report.created == 1 and not report.problems
    assert DiscretionGrade.objects.get().fine_min == 20000


def test_guangdong_items_and_no_penalty_fragments(tmp_path):
    layout = (
        "       《中华人民共和国大气污染防治法》第十八条 企业事业单位和其他生产经营者\n"
        "违反条款\n"
        "       应当达标排放。\n"
        "处罚依据   《中华人民共和国大气污染防治法》第九十九条 ……由县级以上人民政府\n"
        "       生态环境主管部门责令改正或者限制生产、停产整治，并处十万元以上一百\n"
        "       万元以下的罚款；情节严重的，报经有批准权的人民政府批准，责令停业、关闭。\n"
        "违法行为    裁量要素           违法程度\n"
        "                裁量起点                 20%\n"
    )
    items = [
        {"section": "§3.1", "chapter": "第三章大气污染防治类", "title": "一、超标排放",
         "table_text_layout": layout},
        {"section": "§3.1", "chapter": "第三章大气污染防治类", "title": "二、重复编号",
         "table_text_layout": "违反条款  无罚款规定\n违法行为   裁量要素\n"},
    ]  # fmt: skip
    report = import_discretion(write_jsonl(tmp_path / "gd.items.jsonl", items))
    assert report.created == 2
    reasons = [reason for _row, reason in report.problems]
    assert any("§3.1-2" in r for r in reasons) and any("未能" in r for r in reasons)
    bench = DiscretionBenchmark.objects.get(item_no="§3.1")
    assert "违反条款" not in bench.legal_basis and "第九十九条" in bench.legal_basis
    grade = bench.grades.get()
    assert (grade.fine_min, grade.fine_max) == (100000, 1000000)
    assert bench.raw_text == layout

    rows = [
        {"no": 1, "category": "建设项目管理", "violation": "未备案环境影响登记表",
         "violated_provision": "《中华人民共和国环境影响评价法》第二十二条第四款",
         "no_penalty_conditions": "同时满足下列情形的：\n（1）属于首次违法；"},
        {"no": 2, "category": "其他", "violation": "轻微", "violated_provision": "",
         "no_penalty_conditions": "危害后果轻微并及时改正的"},
    ]  # fmt: skip
    path = write_jsonl(tmp_path / "np.jsonl", rows)
    assert import_discretion(path).created == 2
    assert list(NoPenaltyItem.objects.values_list("list_name", flat=True)) == [
        "首违不罚",
        "轻微不罚",
    ]
    assert import_discretion(path).unchanged == 2


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="无法识别"):
        import_discretion(write_jsonl(tmp_path / "x.jsonl", [{"a": 1}]))


def test_counts_of_the_real_tables():
    if not SHARED.is_dir():
        pytest.fail(f"../shared/data/discretion is missing (looked in {SHARED})")
    jm = import_discretion(SHARED / "jiangmen_eco_env_discretion_table_2020.jsonl")
    # SOURCES.md: 872 rows = 165 violation items; 3 rows have an empty standard in the source.
    assert (jm.created, jm.grades) == (165, 872)
    assert DiscretionGrade.objects.count() == 872
    assert len([p for p in jm.problems if "为空" in p[1]]) == 3
    assert len(jm.problems) == 7  # + 1 typo (以下元罚款), 1 warning only, 2 non-range texts
    gd = import_discretion(SHARED / "guangdong_eco_env_fine_discretion_table_2022.items.jsonl")
    assert gd.created == 269  # 268 distinct sections: §8.17 appears twice
    assert len(gd.problems) == 3
    np = import_discretion(SHARED / "guangdong_eco_env_no_penalty_minor_violations_2022.jsonl")
    assert np.created == 20 and not np.problems
    again = import_discretion(SHARED / "jiangmen_eco_env_discretion_table_2020.csv")
    assert (again.created, again.updated, again.unchanged, again.grades) == (0, 0, 165, 872)


def test_command_reports_counts_and_problems(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = write_jsonl(tmp_path / "jm.jsonl", [jm("1-1", "1", "", "给予警告")])
    out = StringIO()
    call_command("powers", "import-discretion", str(path), stdout=out)
    assert "新增 1" in out.getvalue() and "jm.jsonl:1（1-1）" in out.getvalue()


def test_import_reports_are_kept_and_shown(tmp_path, world, client_for):
    """Rows that could not be parsed are listed on the 导入报告 page (business users only)."""
    from django.test import Client

    from zhifa.powers.models import DiscretionImport

    path = write_jsonl(
        tmp_path / "jm.jsonl",
        [
            jm("3-1", "1", "超标0.5倍以下的", "责令改正，处十万元以上二十万元以下罚款"),
            jm("3-1", "2", "超标0.5倍以上的", "处二十万元以上三十万元以下元罚款"),
        ],
    )
    import_discretion(path)
    run = DiscretionImport.objects.get()
    assert (run.created, run.grades, run.file_name) == (1, 2, "jm.jsonl")
    assert run.problems == [
        ["jm.jsonl:2（3-1）", "未能解析罚款幅度：处二十万元以上三十万元以下元罚款"]
    ]
    page = client_for("officer").get("/powers/discretion/imports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 行需要核对" in html and "jm.jsonl:2（3-1）" in html
    assert client_for("sysadmin").get("/powers/discretion/imports/").status_code == 403
    assert Client().get("/powers/discretion/imports/").status_code == 302
