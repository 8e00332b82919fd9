"""Complaint services: submission refuses bad input and writes nothing; the ledger records
every change with no personal data; only the supervising office or bureau (or, once assigned,
the body's head for the reply) handles a complaint."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhifa.core.calendar import add_working_days
from zhifa.ledger.models import LedgerEntry
from zhifa.supervision import services
from zhifa.supervision.models import Complaint, ComplaintEvent, Status

from .conftest import TEXT

pytestmark = pytest.mark.django_db


def entries(complaint):
    return list(LedgerEntry.objects.filter(subject=f"complaint:{complaint.pk}").order_by("seq"))


def test_submit_records_public_actor_and_no_personal_data(world, make_complaint):
    c = make_complaint(case_reference="耿大兴罚〔2026〕1号")
    assert c.status == Status.RECEIVED and not c.anonymous
    assert c.events.get().action == "submitted"
    (entry,) = entries(c)
    assert entry.actor_id is None and entry.actor_label == "public" and entry.role == "public"
    assert entry.event_type == "complaint.submitted"
    assert entry.organization_id == world.orgs["daxing"].pk
    for private in ("周小梅", "13800000001", TEXT[:8], "耿大兴罚"):
        assert private not in entry.payload
    payload = json.loads(entry.payload)
    expected = "\x1f".join([TEXT, "", "耿大兴罚〔2026〕1号", "周小梅", "13800000001"])
    assert payload["content_sm3"] == hashlib.new("sm3", expected.encode()).hexdigest()


def test_script_tags_are_stored_as_plain_text(make_complaint):
    text = "<script>alert('x')</script> 执法人员乱收费，请查处。"
    assert make_complaint(text=text).text == text


def test_anonymous_without_contact(make_complaint):
    c = make_complaint(contact_name="", contact_phone="")
    assert c.anonymous


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "太差了"}, "至少10个字"),
        ({"text": "很" * 2001}, "不能超过2000个字"),
        ({"contact_phone": "12345"}, "手机号码格式错误"),
        ({"category": "nonsense"}, "请选择投诉类别"),
        ({"body": None}, "请选择被投诉的执法主体"),
        ({"officer_reference": "张" * 65}, "不能超过64个字"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(make_complaint, fields, message):
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_complaint(**fields)
    assert message in " ".join(exc.value.messages)
    assert Complaint.objects.count() == 0 and ComplaintEvent.objects.count() == 0
    assert LedgerEntry.objects.count() == before


def test_only_enforcement_bodies_can_be_complained_about(world, make_complaint):
    with pytest.raises(ValidationError):
        make_complaint(body=world.orgs["daxing_justice"])


def test_officer_linked_by_certificate_number(world, make_complaint):
    from zhifa.registry.demo import build_registry_demo
    from zhifa.registry.models import Officer

    build_registry_demo(world)
    officer = Officer.objects.filter(body__organization=world.orgs["daxing"]).first()
    assert make_complaint(officer_reference=officer.certificate_no).officer == officer
    assert make_complaint(officer_reference="李某").officer is None


def test_due_date_in_working_days_and_configurable(settings, make_complaint):
    today = timezone.localdate()
    assert make_complaint().due_on == add_working_days(today, 15).date
    settings.COMPLAINT_HANDLING_DAYS = 5
    assert make_complaint().due_on == add_working_days(today, 5).date


def test_overdue_flag(world, make_complaint):
    c = make_complaint()
    assert not c.is_overdue(c.due_on)
    assert c.is_overdue(c.due_on + datetime.timedelta(days=1))
    services.accept(world.users["supervisor"], c)
    c.refresh_from_db()
    assert c.is_overdue(c.due_on + datetime.timedelta(days=1))
    Complaint.objects.filter(pk=c.pk).update(due_on=c.due_on - datetime.timedelta(days=60))
    c.refresh_from_db()
    services.reply(world.users["supervisor"], c, "经核查，情况属实，已责令整改。")
    c.refresh_from_db()
    assert c.is_overdue()  # handled after the deadline stays flagged


def test_full_flow_each_change_one_ledger_entry(world, make_complaint):
    sup, head = world.users["supervisor"], world.users["bodyhead"]
    c = make_complaint()
    c = services.accept(sup, c, "予以受理。")
    assert c.handler == sup
    c = services.assign(sup, c)
    c = services.reply(head, c, "已对执法人员批评教育，并向投诉人致歉。")
    c = services.close(sup, c)
    assert c.status == Status.CLOSED
    found = entries(c)
    assert [e.event_type for e in found] == [
        "complaint.submitted",
        "complaint.accepted",
        "complaint.assigned",
        "complaint.replied",
        "complaint.closed",
    ]
    assert [e.role for e in found[1:]] == ["supervisor", "supervisor", "body_head", "supervisor"]
    assert "批评教育" not in found[3].payload and "note_sm3" in found[3].payload
    assert [e.action for e in c.events.all()] == [
        "submitted",
        "accepted",
        "assigned",
        "replied",
        "closed",
    ]


def test_county_bureau_supervisor_also_handles(world, make_complaint):
    c = services.accept(world.users["countysupervisor"], make_complaint())
    assert c.status == Status.ACCEPTED


@pytest.mark.parametrize("username", ["officer", "reviewer", "sysadmin", "bodyhead"])
def test_others_cannot_accept(world, make_complaint, username):
    c = make_complaint()
    with pytest.raises(PermissionDenied):
        services.accept(world.users[username], c)
    c.refresh_from_db()
    assert c.status == Status.RECEIVED and len(entries(c)) == 1


def test_supervisor_of_another_county_cannot_handle(world, make_complaint, other_supervisor):
    c = make_complaint()
    for action in (services.accept, services.assign):
        with pytest.raises(PermissionDenied):
            action(other_supervisor, c)
    with pytest.raises(PermissionDenied):
        services.close(other_supervisor, c, "不属于本机关监督范围。")
    assert len(entries(c)) == 1


def test_body_head_replies_only_once_assigned(world, make_complaint):
    c = services.accept(world.users["supervisor"], make_complaint())
    with pytest.raises(PermissionDenied):
        services.reply(world.users["bodyhead"], c, "已对执法人员批评教育。")
    c = services.assign(world.users["supervisor"], c)
    c = services.reply(world.users["bodyhead"], c, "已对执法人员批评教育。")
    assert c.status == Status.HANDLED
    with pytest.raises(PermissionDenied):
        services.close(world.users["bodyhead"], c)


def test_transitions_out_of_order_are_refused(world, make_complaint):
    sup = world.users["supervisor"]
    c = make_complaint()
    with pytest.raises(ValidationError, match="不能答复"):
        services.reply(sup, c, "已对执法人员批评教育。")
    c = services.accept(sup, c)
    with pytest.raises(ValidationError, match="不能受理"):
        services.accept(sup, c)
    c = services.assign(sup, c)
    with pytest.raises(ValidationError, match="须先答复"):
        services.close(sup, c, "不予受理，理由如下略。")
    assert len(entries(c)) == 3


def test_closing_unhandled_needs_a_reason_shown_as_reply(world, make_complaint):
    sup = world.users["supervisor"]
    c = make_complaint()
    with pytest.raises(ValidationError, match="理由"):
        services.close(sup, c, "")
    assert len(entries(c)) == 1
    c = services.close(sup, c, "该事项不属于行政执法监督范围，请向有关部门反映。")
    assert c.status == Status.CLOSED and c.reply.startswith("该事项")


def test_bad_reply_changes_nothing(world, make_complaint):
    sup = world.users["supervisor"]
    c = services.accept(sup, make_complaint())
    for text in ("", "好", "答" * 2001):
        with pytest.raises(ValidationError):
            services.reply(sup, c, text)
    c.refresh_from_db()
    assert c.status == Status.ACCEPTED and c.reply == "" and len(entries(c)) == 2
