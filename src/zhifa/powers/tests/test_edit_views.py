"""Edit pages: 大兴乡's body head creates a list, adds and edits a matter, publishes (ledger
entries written), cannot edit the published version, starts a new draft; 大兴乡's officer gets
403; a body head of 县市场监督管理局 gets 404 for 大兴乡's objects; anonymous → login."""

from __future__ import annotations

import pytest
from django.test import Client

from zhifa.core import services as core_services
from zhifa.core.models import Role
from zhifa.ledger.models import LedgerEntry
from zhifa.powers import services
from zhifa.powers.models import ListStatus, Matter, PowerList

pytestmark = pytest.mark.django_db

MATTER = {
    "code": "XZCF-100",
    "name": "违规占道经营",
    "category": "penalty",
    "basis_text": "",
    "procedure_steps": "立案\n调查取证\n\n决定",
    "time_limit": "90日",
    "sort_order": "",
}


@pytest.fixture
def draft(world):
    plist = services.create_list(None, world.orgs["daxing"], 2026)
    matter, _ = services.save_matter(
        None, plist, "XZJC-001", name="农村建房检查", category="inspection"
    )
    return {"plist": plist, "matter": matter}


def edit_urls(world, draft):
    pk, mpk = draft["plist"].pk, draft["matter"].pk
    return [
        f"/powers/bodies/{world.orgs['daxing'].pk}/lists/new/",
        f"/powers/lists/{pk}/matters/new/",
        f"/powers/matters/{mpk}/edit/",
        f"/powers/lists/{pk}/publish/",
        f"/powers/lists/{pk}/new-draft/",
    ]


def test_body_head_creates_fills_and_publishes_a_list(world, client_for):
    client = client_for("bodyhead")
    daxing = world.orgs["daxing"]
    index = client.get("/powers/").content.decode()
    assert f"/powers/bodies/{daxing.pk}/lists/new/" in index

    response = client.post(
        f"/powers/bodies/{daxing.pk}/lists/new/", {"year": "2027", "title": "2027年权责清单"}
    )
    assert response.status_code == 302
    plist = PowerList.objects.get(organization=daxing, year=2027)
    assert response["Location"] == plist.get_absolute_url()
    page = client.get(plist.get_absolute_url()).content.decode()
    assert "添加事项" in page and f"/powers/lists/{plist.pk}/publish/" in page

    # publishing an empty list is refused, in Chinese, and nothing changes
    response = client.post(f"/powers/lists/{plist.pk}/publish/", {"confirm": "on"})
    assert response.status_code == 400
    assert "清单中没有事项，不能发布。" in response.content.decode()
    plist.refresh_from_db()
    assert plist.status == ListStatus.DRAFT

    unit = world.orgs["daxing_office"]
    response = client.post(
        f"/powers/lists/{plist.pk}/matters/new/", {**MATTER, "responsible_unit": unit.pk}
    )
    assert response.status_code == 302
    matter = Matter.objects.get(power_list=plist, code="XZCF-100")
    assert matter.procedure_steps == ["立案", "调查取证", "决定"]
    assert matter.responsible_unit == unit and matter.sort_order == 0

    # the same code again is refused
    response = client.post(f"/powers/lists/{plist.pk}/matters/new/", MATTER)
    assert response.status_code == 400
    assert "已有此事项编码" in response.content.decode()
    assert Matter.objects.filter(power_list=plist).count() == 1

    detail = client.get(matter.get_absolute_url()).content.decode()
    assert f"/powers/matters/{matter.pk}/edit/" in detail
    form = client.get(f"/powers/matters/{matter.pk}/edit/").content.decode()
    assert "调查取证" in form and "违规占道经营" in form
    response = client.post(
        f"/powers/matters/{matter.pk}/edit/", {**MATTER, "name": "占道经营", "code": "IGNORED"}
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.name == "占道经营" and matter.code == "XZCF-100"

    # a step over 40 characters: the service's reason is shown, nothing changes
    response = client.post(
        f"/powers/matters/{matter.pk}/edit/", {**MATTER, "procedure_steps": "长" * 41}
    )
    assert response.status_code == 400
    assert "每个办理环节不超过40字。" in response.content.decode()
    matter.refresh_from_db()
    assert matter.procedure_steps == ["立案", "调查取证", "决定"]

    # publishing needs the confirmation
    assert client.post(f"/powers/lists/{plist.pk}/publish/", {}).status_code == 400
    plist.refresh_from_db()
    assert plist.status == ListStatus.DRAFT
    response = client.post(f"/powers/lists/{plist.pk}/publish/", {"confirm": "on"})
    assert response.status_code == 302
    plist.refresh_from_db()
    assert plist.status == ListStatus.PUBLISHED and plist.published_at is not None

    events = list(
        LedgerEntry.objects.filter(event_type__startswith="powers.", actor=world.users["bodyhead"])
        .order_by("seq")
        .values_list("event_type", flat=True)
    )
    assert events == [
        "powers.list_created",
        "powers.matter_saved",
        "powers.matter_saved",
        "powers.list_published",
    ]

    # the published list cannot be edited: no links, and a POST is refused
    page = client.get(plist.get_absolute_url()).content.decode()
    assert "添加事项" not in page and "新建草稿版本" in page
    assert (
        f"/powers/matters/{matter.pk}/edit/"
        not in client.get(matter.get_absolute_url()).content.decode()
    )
    for url, data in [
        (f"/powers/matters/{matter.pk}/edit/", {**MATTER, "name": "改名"}),
        (f"/powers/lists/{plist.pk}/matters/new/", {**MATTER, "code": "XZCF-101"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 400
        assert "已发布的清单不能修改" in response.content.decode()
    assert client.post(f"/powers/lists/{plist.pk}/publish/", {"confirm": "on"}).status_code == 400
    matter.refresh_from_db()
    assert matter.name == "占道经营"
    assert Matter.objects.filter(power_list=plist).count() == 1

    # a new draft version copies the matters; the published one stays
    response = client.post(f"/powers/lists/{plist.pk}/new-draft/", {"confirm": "on"})
    assert response.status_code == 302
    new = PowerList.objects.get(organization=daxing, year=2027, version=2)
    assert new.status == ListStatus.DRAFT
    assert list(new.matters.values_list("code", flat=True)) == ["XZCF-100"]
    # a second draft of the same year is refused
    response = client.post(f"/powers/lists/{plist.pk}/new-draft/", {"confirm": "on"})
    assert response.status_code == 400
    assert "2027年已有草稿清单。" in response.content.decode()


def test_bad_year_is_refused(world, client_for):
    client = client_for("bodyhead")
    response = client.post(f"/powers/bodies/{world.orgs['daxing'].pk}/lists/new/", {"year": "1"})
    assert response.status_code == 400
    assert not PowerList.objects.exists()


def test_officer_gets_403(world, draft, client_for):
    client = client_for("officer")
    assert "lists/new/" not in client.get("/powers/").content.decode()
    assert "添加事项" not in client.get(draft["plist"].get_absolute_url()).content.decode()
    assert "编辑事项" not in client.get(draft["matter"].get_absolute_url()).content.decode()
    for url in edit_urls(world, draft):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {**MATTER, "confirm": "on", "year": "2027"}).status_code == 403
    assert PowerList.objects.count() == 1
    assert Matter.objects.count() == 1


def test_other_body_head_gets_404(world, draft, client_for):
    core_services.grant_role(
        None, world.users["marketofficer"], world.orgs["county_market"], Role.BODY_HEAD
    )
    client = client_for("marketofficer")
    for url in edit_urls(world, draft):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {**MATTER, "confirm": "on", "year": "2027"}).status_code == 404
    assert PowerList.objects.count() == 1
    # its own body is fine
    market = world.orgs["county_market"]
    assert client.get(f"/powers/bodies/{market.pk}/lists/new/").status_code == 200


def test_anonymous_is_sent_to_login(world, draft):
    for url in edit_urls(world, draft):
        response = Client().get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
