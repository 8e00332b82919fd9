"""Excel import/export of officers: the generic sheet framework (template, parsers, whole-file
checks) and the officer import (all or nothing, ledger entries, idempotent re-import), the CLI
and the pages (scoped access and an upload)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from zhifa.core import excel
from zhifa.ledger.models import LedgerEntry
from zhifa.registry.excel import OFFICER_SHEET, export_officers, import_officers, template
from zhifa.registry.models import Officer

from .conftest import citizen_id

pytestmark = pytest.mark.django_db

HEADERS = [c.header_zh for c in OFFICER_SHEET.columns]


def officer_row(n: int, **overrides) -> list:
    values = {
        "姓名": f"导入员{n}",
        "性别": "女" if n % 2 else "男",
        "执法机构": "大兴乡综合行政执法队",
        "职务": "执法队员",
        "公民身份号码": citizen_id(500 + n),
        "执法证号": f"5309269{n:04d}",
        "执法证类别/领域": "农业农村、自然资源",
        "发证日期": datetime.date(2025, 1, 1),
        "有效期至": "2030/12/31",
        "状态": "在岗",
        "法律职业资格": "否",
        "资格证号": None,
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]


def workbook(rows, headers=HEADERS, prepare=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    if prepare:
        prepare(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ledger_count() -> int:
    return LedgerEntry.objects.count()


# ---------------------------------------------------------------- the generic framework


def test_template_has_headers_and_instructions_and_round_trips():
    data = template()
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["执法人员", "填写说明"]
    assert [c.value for c in wb["执法人员"][1]] == HEADERS
    rules = {row[0].value: row[2].value for row in wb["填写说明"].iter_rows(min_row=2)}
    assert "男、女" in rules["性别"]
    assert wb["执法人员"].column_dimensions["A"].width == 12
    # The empty template parses with no header errors, only "no data".
    result = excel.read_workbook(data, OFFICER_SHEET)
    assert [e.message_zh for e in result.errors] == ["文件中没有数据行。"]


def test_filled_in_template_imports(world, body):
    wb = load_workbook(io.BytesIO(template()))
    wb["执法人员"].append(officer_row(1, 发证日期="2025年1月1日"))
    out = io.BytesIO()
    wb.save(out)
    report = import_officers(world.users["bodyhead"], body, out.getvalue())
    assert report.errors == [] and report.created == 1
    officer = Officer.objects.get(certificate_no="53092690001")
    assert officer.certificate_issued_on == datetime.date(2025, 1, 1)
    assert officer.gender == "female"


def test_parsers():
    date = excel.DateParser()
    for text in ("2026-01-31", "2026/1/31", "2026年1月31日", datetime.datetime(2026, 1, 31)):  # noqa: DTZ001
        assert date(text) == datetime.date(2026, 1, 31)
    for bad in ("2026-02-30", "31/01/2026", 46053):
        with pytest.raises(excel.ValidationError):
            date(bad)
    assert excel.IntParser(0, 10)("7") == 7
    with pytest.raises(excel.ValidationError):
        excel.IntParser(0, 10)(11)
    assert excel.DecimalParser(1)("2.5") == Decimal("2.5")
    with pytest.raises(excel.ValidationError):
        excel.DecimalParser(1)("2.55")
    assert excel.BoolParser()("是") is True and excel.BoolParser()("否") is False
    assert excel.ChoiceParser([("male", "男")])("男") == "male"
    with pytest.raises(excel.ValidationError):
        excel.ChoiceParser([("male", "男")])("公")
    with pytest.raises(excel.ValidationError):
        excel.CitizenIdParser()(530926198503045001)  # a number loses digits in Excel
    assert excel.LabelsParser()("甲、乙，甲;丙") == ["甲", "乙", "丙"]


def test_xls_and_random_bytes_get_a_clear_message():
    xls = excel.read_workbook(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, OFFICER_SHEET)
    assert ".xls" in xls.errors[0].message_zh and "另存为 .xlsx" in xls.errors[0].message_zh
    junk = excel.read_workbook(b"not a spreadsheet at all", OFFICER_SHEET)
    assert junk.errors[0].message_zh == excel.NOT_XLSX
    broken_zip = excel.read_workbook(b"PK\x03\x04garbage", OFFICER_SHEET)
    assert broken_zip.errors[0].message_zh == excel.NOT_XLSX


def test_size_and_row_limits():
    small = excel.SheetSpec(
        title="t",
        columns=(excel.Column("编号", "no", excel.IntParser(), required=True),),
        natural_key=("no",),
        max_rows=3,
        max_bytes=100_000,
    )
    too_big = excel.read_workbook(b"PK\x03\x04" + b"\0" * 100_001, small)
    assert "文件过大" in too_big.errors[0].message_zh
    many = excel.read_workbook(workbook([[i] for i in range(5)], headers=["编号"]), small)
    assert any("超过3行" in e.message_zh for e in many.errors)


# ---------------------------------------------------------------- officer import


def test_good_file_imports_and_reimport_changes_nothing(world, body):
    data = workbook([officer_row(n) for n in range(1, 6)])
    before = ledger_count()
    report = import_officers(world.users["bodyhead"], body, data)
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    assert ledger_count() == before + 5
    officer = Officer.objects.get(certificate_no="53092690001")
    assert officer.organization == world.orgs["daxing_team"]
    assert officer.certificate_expires_on == datetime.date(2030, 12, 31)
    assert officer.certificate_categories == ["农业农村", "自然资源"]

    again = import_officers(world.users["bodyhead"], body, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert ledger_count() == before + 5

    changed = workbook([officer_row(1, 职务="中队长")] + [officer_row(n) for n in range(2, 6)])
    third = import_officers(world.users["bodyhead"], body, changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 4)
    assert ledger_count() == before + 6
    assert Officer.objects.get(certificate_no="53092690001").post == "中队长"


def test_export_reimports_unchanged(world, body, make_officer):
    make_officer(
        certificate_categories=["农业农村"],
        has_legal_qualification=True,
        legal_qualification_no="A123",
    )
    make_officer(org="daxing_office", status="suspended")
    data = export_officers(world.users["bodyhead"], body)
    before = ledger_count()
    report = import_officers(world.users["bodyhead"], body, data)
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert ledger_count() == before


def test_one_bad_row_imports_nothing_and_names_row_and_column(world, body):
    bad_id = citizen_id(503)[:17] + ("0" if citizen_id(503)[17] != "0" else "1")
    rows = [officer_row(1), officer_row(2), officer_row(3, 公民身份号码=bad_id)]
    before = ledger_count()
    report = import_officers(world.users["bodyhead"], body, workbook(rows))
    assert [(e.row, e.column_header) for e in report.errors] == [(4, "公民身份号码")]
    assert "校验位" in report.errors[0].message_zh
    assert report.created == 0
    assert not Officer.objects.filter(certificate_no__startswith="5309269").exists()
    assert ledger_count() == before


def test_wrong_and_missing_headers_are_named(world, body):
    headers = [h if h != "发证日期" else "发证时间" for h in HEADERS if h != "状态"]
    report = import_officers(world.users["bodyhead"], body, workbook([], headers=headers))
    messages = " ".join(e.message_zh for e in report.errors)
    assert "缺少列：发证日期、状态" in messages
    assert "无法识别的列：发证时间" in messages


def test_merged_cells_are_refused_with_the_range(world, body):
    data = workbook([officer_row(1), officer_row(2)], prepare=lambda ws: ws.merge_cells("C2:C3"))
    report = import_officers(world.users["bodyhead"], body, data)
    assert report.errors[0].row == 2 and report.errors[0].column_header == "执法机构"
    assert "C2:C3" in report.errors[0].message_zh
    assert not Officer.objects.filter(certificate_no__startswith="5309269").exists()


def test_wrong_date_type_and_missing_required(world, body):
    rows = [officer_row(1, 发证日期=45000), officer_row(2, 姓名=None), officer_row(3, 性别="M")]
    report = import_officers(world.users["bodyhead"], body, workbook(rows))
    found = {(e.row, e.column_header) for e in report.errors}
    assert found == {(2, "发证日期"), (3, "姓名"), (4, "性别")}
    assert "当前为数字" in report.errors[0].message_zh


def test_duplicate_certificates_in_file_and_against_other_bodies(world, body):
    rows = [officer_row(1), officer_row(2, 执法证号="53092690001")]
    report = import_officers(world.users["bodyhead"], body, workbook(rows))
    assert [(e.row, e.column_header) for e in report.errors] == [(3, "执法证号")]
    assert "与第2行重复" in report.errors[0].message_zh

    from zhifa.registry import services

    from .conftest import uscc_for

    market = services.create_body(
        None,
        world.orgs["county_market"],
        uscc=uscc_for("MA0000001"),
        kind="department",
        head_name="某某",
        address="耿马县",
        phone="0883-1",
        supervision_phone="0883-2",
        area="耿马县",
    )
    services.create_officer(
        None,
        organization=market.organization,
        name="外单位",
        gender="male",
        citizen_id=citizen_id(900),
        certificate_no="53092690009",
        certificate_issued_on=datetime.date(2024, 1, 1),
        certificate_expires_on=datetime.date(2029, 1, 1),
    )
    report = import_officers(world.users["bodyhead"], body, workbook([officer_row(9)]))
    assert [(e.row, e.column_header) for e in report.errors] == [(2, "执法证号")]
    assert "其他执法主体" in report.errors[0].message_zh


def test_unknown_unit_and_unit_outside_scope(world, body):
    rows = [
        officer_row(1, 执法机构="不存在的机构"),
        officer_row(2, 执法机构="大兴乡党政综合办公室"),
    ]
    report = import_officers(world.users["unithead"], body, workbook(rows))
    assert [(e.row, e.column_header) for e in report.errors] == [(2, "执法机构"), (3, "执法机构")]
    assert "不能管理" in report.errors[1].message_zh
    ok = import_officers(world.users["unithead"], body, workbook([officer_row(1)]))
    assert ok.created == 1


def test_service_refusal_rolls_back_everything(world, body, monkeypatch):
    from zhifa.registry import services

    real = services.create_officer
    calls = {"n": 0}

    def flaky(actor, **fields):
        calls["n"] += 1
        if calls["n"] == 3:
            raise services.ValidationError("模拟失败。")
        return real(actor, **fields)

    monkeypatch.setattr(services, "create_officer", flaky)
    before = ledger_count()
    report = import_officers(
        world.users["bodyhead"], body, workbook([officer_row(n) for n in range(1, 5)])
    )
    assert [(e.row, e.message_zh) for e in report.errors] == [(4, "模拟失败。")]
    assert not Officer.objects.filter(certificate_no__startswith="5309269").exists()
    assert ledger_count() == before


# ---------------------------------------------------------------- CLI


def test_cli_import_and_export(world, body, tmp_path, capsys):
    path = tmp_path / "officers.xlsx"
    path.write_bytes(workbook([officer_row(n) for n in range(1, 4)]))
    org = str(world.orgs["daxing"].pk)
    call_command("registry", "import-officers", "--body", org, "--as", "bodyhead", str(path))
    out = capsys.readouterr()
    assert "新增 3" in out.out
    assert "3/3" in out.err
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"junk")
    with pytest.raises(CommandError) as exit_info:
        call_command("registry", "import-officers", "--body", org, str(bad))
    assert exit_info.value.returncode == 1
    assert excel.NOT_XLSX in capsys.readouterr().out
    exported = tmp_path / "out.xlsx"
    call_command("registry", "export-officers", "--body", org, "--out", str(exported))
    wb = load_workbook(exported)
    assert wb.active.max_row == 4


# ---------------------------------------------------------------- pages


def excel_urls(world):
    org = world.orgs["daxing"].pk
    return [
        f"/registry/bodies/{org}/officers/template.xlsx",
        f"/registry/bodies/{org}/officers/export.xlsx",
        f"/registry/bodies/{org}/officers/import/",
    ]


def test_pages_are_scoped(world, body, client_for):
    urls = excel_urls(world)
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
        assert client_for("sysadmin").get(url).status_code == 403, url
        assert client_for("marketofficer").get(url).status_code == 404, url
        assert client_for("officer").get(url).status_code == 403, url
        assert client_for("bodyhead").get(url).status_code == 200, url
    response = client_for("bodyhead").get(urls[0])
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    detail = client_for("bodyhead").get(f"/registry/bodies/{world.orgs['daxing'].pk}/")
    assert urls[2] in detail.content.decode()


def test_upload_through_the_page(world, body, client_for):
    url = excel_urls(world)[2]
    client = client_for("bodyhead")
    bad = workbook([officer_row(1), officer_row(2, 发证日期="明年")])
    response = client.post(url, {"file": SimpleUploadedFile("a.xlsx", bad)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "发证日期" in page and "<td>3</td>" in page
    assert not Officer.objects.filter(certificate_no__startswith="5309269").exists()

    good = workbook([officer_row(1), officer_row(2)])
    response = client.post(url, {"file": SimpleUploadedFile("a.xlsx", good)})
    assert response.status_code == 200
    assert "新增 2" in response.content.decode()
    assert Officer.objects.filter(certificate_no__startswith="5309269").count() == 2

    xls = client.post(url, {"file": SimpleUploadedFile("a.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 64)})
    assert xls.status_code == 400 and "另存为 .xlsx" in xls.content.decode()
