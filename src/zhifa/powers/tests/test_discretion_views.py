"""Pages for a body's own benchmarks, no-penalty items and the Excel sheets (matters, benchmarks):
the body head works through them (ledger entries written, refusals shown, nothing half-saved);
scoped access on every URL: anonymous → login, officer 403, another body's head 404,
reference tables read-only."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from zhifa.core import services as core_services
from zhifa.core.models import Role
from zhifa.ledger.models import LedgerEntry
from zhifa.powers import excel, services
from zhifa.powers.models import DiscretionBenchmark, DiscretionGrade, Matter, NoPenaltyItem

from .test_benchmarks import GOOD
from .test_benchmarks import _xlsx as benchmark_xlsx
from .test_excel import _good_rows
from .test_excel import _xlsx as matter_xlsx

pytestmark = pytest.mark.django_db

SOURCE = "大兴乡生态环境违法行为裁量基准（2026）"


def _grades(*rows, extra_empty=1):
    """POST data of the grade formset."""
    data = {
        "grades-TOTAL_FORMS": str(len(rows) + extra_empty),
        "grades-INITIAL_FORMS": "0",
        "grades-MIN_NUM_FORMS": "0",
        "grades-MAX_NUM_FORMS": "50",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"grades-{i}-{key}"] = value
    return data


@pytest.fixture
def own(world):
    daxing = world.orgs["daxing"]
    plist = services.create_list(None, daxing, 2026)
    services.save_matter(None, plist, "XZJC-001", name="农村建房检查", category="inspection")
    bench, _ = services.save_benchmark(
        None, daxing, SOURCE, "1", violation="露天焚烧秸秆", grades=[{"label": "一般"}]
    )
    item, _ = services.save_no_penalty_item(
        None, daxing, "大兴乡不予处罚清单", "1", list_name="轻微不罚", violation="占道堆放杂物"
    )
    ref = DiscretionBenchmark.objects.create(source="参考表", item_no="1", violation="超标排放")
    DiscretionGrade.objects.create(benchmark=ref, seq=1, label="第1类", raw_text="处一万元罚款")
    ref_item = NoPenaltyItem.objects.create(
        list_name="轻微不罚", source="参考清单", item_no="1", violation="未按规定公开"
    )
    return {"plist": plist, "bench": bench, "item": item, "ref": ref, "ref_item": ref_item}


def manage_urls(world, own):
    org, pk = world.orgs["daxing"].pk, own["plist"].pk
    return [
        f"/powers/bodies/{org}/discretion/new/",
        f"/powers/discretion/{own['bench'].pk}/edit/",
        f"/powers/bodies/{org}/no-penalty/new/",
        f"/powers/no-penalty/{own['item'].pk}/edit/",
        f"/powers/lists/{pk}/matters/template.xlsx",
        f"/powers/lists/{pk}/matters/export.xlsx",
        f"/powers/lists/{pk}/matters/import/",
        f"/powers/bodies/{org}/discretion/template.xlsx",
        f"/powers/bodies/{org}/discretion/export.xlsx",
        f"/powers/bodies/{org}/discretion/import/",
    ]


def test_body_head_makes_and_edits_a_benchmark(world, own, client_for):
    client = client_for("bodyhead")
    daxing = world.orgs["daxing"]
    page = client.get("/powers/discretion/").content.decode()
    assert f"/powers/bodies/{daxing.pk}/discretion/new/" in page
    assert f"/powers/bodies/{daxing.pk}/discretion/import/" in page
    url = f"/powers/bodies/{daxing.pk}/discretion/new/"
    assert client.get(url).status_code == 200
    data = {
        "source": SOURCE,
        "item_no": "2",
        "violation": "未按规定处置建筑垃圾",
        "legal_basis": "",
        **_grades(
            {"label": "轻微", "fine_min": "1000", "fine_max": "5000"},
            {"label": "严重", "fine_min": "50000", "fine_max": "10000"},
        ),
    }
    response = client.post(url, data)  # 下限 > 上限: refused, nothing saved
    assert response.status_code == 400
    assert "第2档：罚款下限不能大于上限。" in response.content.decode()
    assert not DiscretionBenchmark.objects.filter(item_no="2").exists()

    data["grades-1-fine_max"] = "100000"
    response = client.post(url, data)
    assert response.status_code == 302
    bench = DiscretionBenchmark.objects.get(source=SOURCE, item_no="2")
    assert response["Location"] == bench.get_absolute_url()
    assert bench.organization == daxing
    assert [(g.label, g.fine_max) for g in bench.grades.all()] == [
        ("轻微", 5000),
        ("严重", 100000),
    ]
    # the same number again is refused, and the existing benchmark is left as it was
    response = client.post(url, {**data, "violation": "改写"})
    assert response.status_code == 400 and "已有此序号" in response.content.decode()
    bench.refresh_from_db()
    assert bench.violation == "未按规定处置建筑垃圾"

    detail = client.get(bench.get_absolute_url()).content.decode()
    edit_url = f"/powers/discretion/{bench.pk}/edit/"
    assert edit_url in detail
    form = client.get(edit_url).content.decode()
    assert "未按规定处置建筑垃圾" in form and 'value="100000"' in form
    edit = {
        "violation": "未按规定处置建筑垃圾",
        "section": "市容环境",
        **_grades(
            {"label": "轻微", "fine_min": "1000", "fine_max": "5000", "DELETE": "on"},
            {"label": "严重", "fine_min": "50000", "fine_max": "100000"},
        ),
    }
    assert client.post(edit_url, edit).status_code == 302
    bench.refresh_from_db()
    assert bench.section == "市容环境"
    assert [g.label for g in bench.grades.all()] == ["严重"]
    entries = LedgerEntry.objects.filter(
        event_type="powers.benchmark_saved", actor=world.users["bodyhead"]
    )
    assert entries.count() == 2


def test_reference_tables_are_read_only(world, own, client_for):
    client = client_for("bodyhead")
    ref = own["ref"]
    assert "/edit/" not in client.get(ref.get_absolute_url()).content.decode()
    assert client.get(f"/powers/discretion/{ref.pk}/edit/").status_code == 403
    assert client.post(f"/powers/discretion/{ref.pk}/edit/", {"violation": "x"}).status_code == 403
    assert client.get(f"/powers/no-penalty/{own['ref_item'].pk}/edit/").status_code == 403
    ref.refresh_from_db()
    assert ref.violation == "超标排放"


def test_no_penalty_pages(world, own, client_for):
    client = client_for("bodyhead")
    daxing = world.orgs["daxing"]
    page = client.get("/powers/no-penalty/").content.decode()
    assert f"/powers/no-penalty/{own['item'].pk}/edit/" in page
    assert f"/powers/no-penalty/{own['ref_item'].pk}/edit/" not in page
    url = f"/powers/bodies/{daxing.pk}/no-penalty/new/"
    data = {
        "source": "大兴乡不予处罚清单",
        "item_no": "2",
        "list_name": "首违不罚",
        "violation": "未按规定设置门前三包责任牌",
        "conditions": "初次违法且危害后果轻微并及时改正",
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "violation": "改写"})
    assert response.status_code == 400 and "已有此序号" in response.content.decode()
    item = NoPenaltyItem.objects.get(source="大兴乡不予处罚清单", item_no="2")
    assert item.violation == "未按规定设置门前三包责任牌"
    assert item.organization == daxing and item.list_name == "首违不罚"
    edit_url = f"/powers/no-penalty/{item.pk}/edit/"
    response = client.post(edit_url, {**data, "violation": ""})
    assert response.status_code == 400
    response = client.post(edit_url, {**data, "conditions": "初次违法，及时改正"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.conditions == "初次违法，及时改正"
    assert LedgerEntry.objects.filter(event_type="powers.no_penalty_saved").count() == 3


def _upload(client, url, data: bytes, name="x.xlsx"):
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def test_matter_sheet_pages(world, own, client_for):
    client = client_for("bodyhead")
    plist = own["plist"]
    detail = client.get(plist.get_absolute_url()).content.decode()
    assert f"/powers/lists/{plist.pk}/matters/import/" in detail
    response = client.get(f"/powers/lists/{plist.pk}/matters/template.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd")
    headers = [c.value for c in load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    assert headers == [c.header_zh for c in excel.MATTER_SHEET.columns]

    url = f"/powers/lists/{plist.pk}/matters/import/"
    bad = _good_rows()
    bad[1][2] = "行政乱罚"
    response = _upload(client, url, matter_xlsx(bad))
    assert response.status_code == 400
    page = response.content.decode()
    assert "未导入任何数据" in page and "<td>3</td><td>类别</td>" in page
    assert plist.matters.count() == 1
    response = _upload(client, url, b"\xd0\xcf\x11\xe0 old xls", name="x.xls")
    assert response.status_code == 400 and "另存为 .xlsx" in response.content.decode()

    response = _upload(client, url, matter_xlsx(_good_rows()))
    assert response.status_code == 200
    assert "新增 2 项事项，更新 1 项事项" in response.content.decode()  # XZJC-001 existed
    exported = client.get(f"/powers/lists/{plist.pk}/matters/export.xlsx").content
    response = _upload(client, url, exported)
    assert "新增 0 项事项，更新 0 项事项，未变化 3 项事项" in response.content.decode()
    assert Matter.objects.filter(power_list=plist).count() == 3


def test_benchmark_sheet_pages(world, own, client_for):
    client = client_for("bodyhead")
    org = world.orgs["daxing"].pk
    url = f"/powers/bodies/{org}/discretion/import/"
    response = _upload(client, url, benchmark_xlsx(GOOD))
    assert response.status_code == 200, response.content.decode()
    assert "新增 1 项裁量基准，更新 1 项裁量基准" in response.content.decode()
    exported = client.get(f"/powers/bodies/{org}/discretion/export.xlsx")
    assert exported.status_code == 200
    rows = load_workbook(io.BytesIO(exported.content)).worksheets[0].max_row - 1
    assert rows == 3  # item 1 (2 grades, replaced by the file) and item 2 (1 grade)
    response = _upload(client, url, exported.content)
    assert "未变化 2 项裁量基准" in response.content.decode()
    assert client.get(f"/powers/bodies/{org}/discretion/template.xlsx").status_code == 200


def test_officer_gets_403(world, own, client_for):
    client = client_for("officer")
    assert "discretion/new/" not in client.get("/powers/discretion/").content.decode()
    assert "/edit/" not in client.get(own["bench"].get_absolute_url()).content.decode()
    for url in manage_urls(world, own):
        assert client.get(url).status_code == 403, url
        if not url.endswith(".xlsx"):  # downloads are GET only
            assert client.post(url, {"violation": "x"}).status_code == 403, url
    assert DiscretionBenchmark.objects.get(pk=own["bench"].pk).violation == "露天焚烧秸秆"


def test_other_body_head_gets_404(world, own, client_for):
    core_services.grant_role(
        None, world.users["marketofficer"], world.orgs["county_market"], Role.BODY_HEAD
    )
    client = client_for("marketofficer")
    for url in manage_urls(world, own):
        assert client.get(url).status_code == 404, url
        if not url.endswith(".xlsx"):
            assert client.post(url, {"violation": "x"}).status_code == 404, url
    # its own body's pages work; the other body's items are not even listed
    market = world.orgs["county_market"].pk
    assert client.get(f"/powers/bodies/{market}/discretion/new/").status_code == 200
    page = client.get("/powers/no-penalty/").content.decode()
    assert "占道堆放杂物" not in page and "未按规定公开" in page


def test_anonymous_is_sent_to_login(world, own):
    for url in manage_urls(world, own):
        response = Client().get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_list_filters(world, own, client_for):
    client = client_for("officer")
    own_only = client.get("/powers/discretion/", {"owner": "own"}).content.decode()
    assert "露天焚烧秸秆" in own_only and "超标排放" not in own_only
    ref_only = client.get("/powers/discretion/", {"owner": "reference"}).content.decode()
    assert "超标排放" in ref_only and "露天焚烧秸秆" not in ref_only
    services.save_no_penalty_item(
        None,
        world.orgs["daxing"],
        "大兴乡不予处罚清单",
        "2",
        list_name="首违不罚",
        violation="乱贴广告",
    )
    page = client.get("/powers/no-penalty/", {"list": "首违不罚"}).content.decode()
    assert "乱贴广告" in page and "占道堆放杂物" not in page
    page = client.get("/powers/no-penalty/", {"q": "占道"}).content.decode()
    assert "占道堆放杂物" in page and "乱贴广告" not in page and "未按规定公开" not in page


def test_a_reference_table_is_exported_renamed_and_adopted(world, own, client_for):
    url = "/powers/discretion/export.xlsx"
    assert Client().get(url).status_code == 302
    assert client_for("sysadmin").get(url).status_code == 403
    market = load_workbook(io.BytesIO(client_for("marketofficer").get(url).content)).worksheets[0]
    assert "露天焚烧秸秆" not in {c.value for c in market["D"]}  # 大兴乡's own: not theirs
    response = client_for("officer").get(url, {"owner": "reference"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws["D"]][1:] == ["超标排放"]
    ws["A2"] = "大兴乡参照执行的裁量基准"
    out = io.BytesIO()
    wb.save(out)
    org = world.orgs["daxing"].pk
    response = _upload(
        client_for("bodyhead"), f"/powers/bodies/{org}/discretion/import/", out.getvalue()
    )
    assert response.status_code == 200 and "新增 1 项裁量基准" in response.content.decode()
    adopted = DiscretionBenchmark.objects.get(source="大兴乡参照执行的裁量基准")
    assert adopted.organization_id == org and adopted.grades.get().label == "第1类"
