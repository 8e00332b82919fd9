"""Staff pages: scoped access for every page (anonymous → login, wrong role → 403, a supervisor
of another county → 404, the supervising office and bureau → 200), masking of the complainant,
the actions through the services, navigation."""

from __future__ import annotations

import pytest
from django.test import Client

from zhifa.ledger.models import LedgerEntry
from zhifa.supervision import services
from zhifa.supervision.models import Status

pytestmark = pytest.mark.django_db

LIST = "/supervision/complaints/"


def urls(c):
    return [LIST, f"{LIST}{c.pk}/"]


def action(c, name):
    return f"{LIST}{c.pk}/{name}/"


def test_anonymous_sent_to_login(make_complaint):
    c = make_complaint()
    for url in urls(c):
        response = Client().get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    response = Client().post(action(c, "accept"))
    assert response.status_code == 302 and "/login" in response["Location"]
    c.refresh_from_db()
    assert c.status == Status.RECEIVED


@pytest.mark.parametrize(
    "username", ["officer", "unithead", "reviewer", "marketofficer", "sysadmin", "auditadmin"]
)
def test_wrong_role_403(make_complaint, client_for, username):
    c = make_complaint()
    client = client_for(username)
    for url in urls(c):
        assert client.get(url).status_code == 403, url
    assert client.post(action(c, "accept")).status_code == 403
    c.refresh_from_db()
    assert c.status == Status.RECEIVED


def test_supervisor_of_another_county_404(make_complaint, other_supervisor):
    c = make_complaint()
    client = Client()
    client.force_login(other_supervisor)
    listing = client.get(LIST)
    assert listing.status_code == 200 and c.tracking_no not in listing.content.decode()
    assert client.get(f"{LIST}{c.pk}/").status_code == 404
    assert client.get(f"{LIST}999999/").status_code == 404
    for name in ("accept", "assign", "reply", "close"):
        assert (
            client.post(action(c, name), {"note": "不属于本机关监督范围的投诉。"}).status_code
            == 404
        )
    c.refresh_from_db()
    assert c.status == Status.RECEIVED


@pytest.mark.parametrize("username", ["supervisor", "countysupervisor"])
def test_supervising_office_and_bureau_read(make_complaint, client_for, username):
    c = make_complaint()
    client = client_for(username)
    listing = client.get(LIST).content.decode()
    assert c.tracking_no in listing
    assert "周某" in listing and "138****0001" in listing and "周小梅" not in listing
    detail = client.get(f"{LIST}{c.pk}/").content.decode()
    assert c.text in detail and "13800000001" not in detail
    assert "受理" in detail and "转办被投诉主体" in detail


def test_handler_sees_full_contact(world, make_complaint, client_for):
    c = services.accept(world.users["supervisor"], make_complaint())
    client = client_for("supervisor")
    assert "周小梅 13800000001" in client.get(LIST).content.decode()
    assert "13800000001" in client.get(f"{LIST}{c.pk}/").content.decode()
    other = client_for("countysupervisor").get(f"{LIST}{c.pk}/").content.decode()
    assert "13800000001" not in other


def test_body_head_sees_only_assigned_and_never_the_contact(world, make_complaint, client_for):
    c = make_complaint()
    client = client_for("bodyhead")
    assert c.tracking_no not in client.get(LIST).content.decode()
    assert client.get(f"{LIST}{c.pk}/").status_code == 404
    services.assign(world.users["supervisor"], c)
    assert c.tracking_no in client.get(LIST).content.decode()
    detail = client.get(f"{LIST}{c.pk}/").content.decode()
    assert "13800000001" not in detail and "周小梅" not in detail
    assert "答复并办结" in detail and "转办被投诉主体" not in detail
    response = client.post(action(c, "reply"), {"note": "已对执法人员批评教育，并向投诉人致歉。"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == Status.HANDLED
    assert client.post(action(c, "close")).status_code == 403


def test_actions_through_pages_each_a_ledger_entry(make_complaint, client_for):
    c = make_complaint()
    client = client_for("supervisor")
    steps = [
        ("accept", {"note": ""}, Status.ACCEPTED),
        ("reply", {"note": "经核查，已责令整改，感谢您的监督。"}, Status.HANDLED),
        ("close", {"note": "已回访。"}, Status.CLOSED),
    ]
    for name, data, status in steps:
        response = client.post(action(c, name), data)
        assert response.status_code == 302, name
        c.refresh_from_db()
        assert c.status == status
    events = LedgerEntry.objects.filter(subject=f"complaint:{c.pk}").values_list(
        "event_type", flat=True
    )
    assert list(events.order_by("seq")) == [
        "complaint.submitted",
        "complaint.accepted",
        "complaint.replied",
        "complaint.closed",
    ]
    detail = client.get(f"{LIST}{c.pk}/").content.decode()
    assert "办理记录" in detail and "陈静" in detail and "公众" in detail


def test_bad_action_input_shows_message_and_changes_nothing(make_complaint, client_for):
    c = make_complaint()
    client = client_for("supervisor")
    response = client.post(action(c, "reply"), {"note": "好"})
    assert response.status_code == 400 and "不能答复" in response.content.decode()
    client.post(action(c, "accept"))
    response = client.post(action(c, "reply"), {"note": "好"})
    assert response.status_code == 400 and "至少10个字" in response.content.decode()
    assert client.post(action(c, "nonsense")).status_code == 404
    assert client.get(action(c, "accept")).status_code == 405
    c.refresh_from_db()
    assert c.status == Status.ACCEPTED
    assert LedgerEntry.objects.filter(subject=f"complaint:{c.pk}").count() == 2


def test_overdue_filter_and_flag(make_complaint, client_for):
    from zhifa.supervision.models import Complaint

    late = make_complaint()
    make_complaint()
    Complaint.objects.filter(pk=late.pk).update(due_on="2020-01-02")
    client = client_for("supervisor")
    html = client.get(LIST + "?overdue=1").content.decode()
    assert late.tracking_no in html and html.count("超期</span>") == 1
    assert Complaint.objects.exclude(pk=late.pk).get().tracking_no not in html
    assert "已超过办理期限" in client.get(f"{LIST}{late.pk}/").content.decode()


def test_navigation_entry(world, client_for):
    assert "投诉举报" in client_for("supervisor").get("/").content.decode()
    assert "投诉举报" in client_for("bodyhead").get("/").content.decode()
    assert "投诉举报" not in client_for("officer").get("/").content.decode()
