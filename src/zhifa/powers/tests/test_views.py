"""Pages: anonymous → login, admins → 403, another body's officer → 404 for 大兴乡's list,
大兴乡's officer → 200; filters; flowchart and grades shown."""

from __future__ import annotations

import pytest
from django.test import Client

from zhifa.powers import services
from zhifa.powers.models import DiscretionBenchmark, DiscretionGrade, NoPenaltyItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    plist = services.create_list(None, world.orgs["daxing"], 2026)
    matter, _ = services.save_matter(
        None,
        plist,
        "XZJC-001",
        name="农村建房检查",
        category="inspection",
        procedure_steps=["检查", "记录<存档>"],
        on_inspection_list=True,
        delegated_from="耿马傣族佤族自治县自然资源局",
    )
    services.save_matter(None, plist, "XZCF-001", name="乱倒垃圾", category="penalty")
    bench = DiscretionBenchmark.objects.create(
        source="测试表", item_no="1-1", violation="超标排放", legal_basis="大气污染防治法"
    )
    DiscretionGrade.objects.create(benchmark=bench, seq=1, label="第1类", raw_text="处一万元罚款")
    NoPenaltyItem.objects.create(
        list_name="首违不罚", source="测试", item_no="1", violation="未备案"
    )
    return {"plist": plist, "matter": matter, "bench": bench}


def urls(data):
    return [
        "/powers/",
        f"/powers/lists/{data['plist'].pk}/",
        f"/powers/matters/{data['matter'].pk}/",
        "/powers/discretion/",
        f"/powers/discretion/{data['bench'].pk}/",
        "/powers/no-penalty/",
    ]


def test_anonymous_is_sent_to_login(data):
    for url in urls(data):
        response = Client().get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditadmin"])
def test_administrators_get_403(data, client_for, username):
    client = client_for(username)
    for url in urls(data):
        assert client.get(url).status_code == 403, url


def test_other_body_officer_gets_404(data, client_for):
    client = client_for("marketofficer")
    for url in urls(data)[1:3]:
        assert client.get(url).status_code == 404, url
    assert "大兴乡" not in client.get("/powers/").content.decode()
    # reference tables are for everyone
    assert client.get(f"/powers/discretion/{data['bench'].pk}/").status_code == 200


@pytest.mark.parametrize("username", ["officer", "bodyhead", "supervisor", "countysupervisor"])
def test_daxing_users_read_everything(data, client_for, username):
    client = client_for(username)
    for url in urls(data):
        assert client.get(url).status_code == 200, url


def test_pages_show_matters_flowchart_and_grades(data, client_for):
    client = client_for("officer")
    detail = client.get(f"/powers/lists/{data['plist'].pk}/?category=inspection").content.decode()
    assert "农村建房检查" in detail and "乱倒垃圾" not in detail
    found = client.get(f"/powers/lists/{data['plist'].pk}/?q=垃圾").content.decode()
    assert "乱倒垃圾" in found and "农村建房检查" not in found
    page = client.get(f"/powers/matters/{data['matter'].pk}/").content.decode()
    assert "<svg" in page and "记录&lt;存档&gt;" in page and "自然资源局" in page
    bench = client.get(f"/powers/discretion/{data['bench'].pk}/").content.decode()
    assert "处一万元罚款" in bench
    assert "超标排放" in client.get("/powers/discretion/?q=超标").content.decode()
    assert "超标排放" not in client.get("/powers/discretion/?basis=森林法").content.decode()
    assert "权责清单" in client.get("/").content.decode()
