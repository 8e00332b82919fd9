"""Issue 5: the date of service drives the deadlines (an announcement is no service until its
30 days have run), and an inspection is recorded in the order of its flow."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhifa.cases import delivery
from zhifa.cases.models import Deadline, DeadlineStatus
from zhifa.cases.services import CaseActionRefused

from .conftest import case_state as snapshot

pytestmark = pytest.mark.usefixtures("builtin_gates")

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def test_announced_decision_is_served_only_after_30_days(cw, make_case):
    case = make_case("penalty_ordinary", "decided")
    delivery.record_service(
        cw.users["officer"],
        case,
        party=case.parties.get(),
        document="decision",
        mode="announcement",
        delivered_on=TODAY,
        note="当事人下落不明，经村委会确认外出务工无法联系（示例）",
    )
    deemed = TODAY + 30 * DAY
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="公告送达.*视为送达.*届时才能确认送达"):
        cw.perform(case, "serve", user="officer", today=deemed - DAY)
    assert snapshot(case) == before
    case = cw.perform(case, "serve", user="officer", today=deemed)
    assert case.stage == "served" and case.served_on == deemed
    payment = Deadline.objects.get(case=case, kind="payment", status=DeadlineStatus.OPEN)
    assert payment.due_on == deemed + 15 * DAY


def test_the_case_page_tells_why_the_announced_decision_is_not_yet_served(cw, make_case):
    from zhifa.cases.services import allowed_actions

    case = make_case("penalty_ordinary", "decided")
    delivery.record_service(
        cw.users["officer"],
        case,
        party=case.parties.get(),
        document="decision",
        mode="announcement",
        delivered_on=TODAY,
        note="下落不明（示例）",
    )
    state = {s.action: s for s in allowed_actions(cw.users["officer"], case)}["serve"]
    assert not state.allowed and "公告送达" in state.reason


def test_inspection_not_dated_before_its_notice_nor_feedback_before_it(cw, make_case):
    case = make_case("inspection", "approved")
    case = cw.perform(case, "notify", {"notified_on": TODAY, "manner": "written"}, user="officer")
    before = snapshot(case)
    data = {"inspected_on": TODAY - DAY, "showed_certificate": True, "findings": "情况"}
    with pytest.raises(CaseActionRefused, match="“检查日期”不能早于"):
        cw.perform(case, "inspect", data, user="officer")
    assert snapshot(case) == before
    case = cw.perform(case, "inspect", {**data, "inspected_on": TODAY}, user="officer")
    case = cw.perform(
        case, "record_result", {"result": "no_issue", "record": "检查记录"}, user="officer"
    )
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="“反馈日期”不能早于"):
        cw.perform(
            case, "give_feedback", {"fed_back_on": TODAY - DAY, "content": "反馈"}, user="officer"
        )
    assert snapshot(case) == before
    case = cw.perform(
        case, "give_feedback", {"fed_back_on": TODAY, "content": "反馈"}, user="officer"
    )
    assert case.stage == "fed_back"


def test_inspection_steps_follow_the_flow(cw, make_case):
    case = make_case("inspection", "approved")
    before = snapshot(case)
    data = {"inspected_on": TODAY, "showed_certificate": True, "findings": "情况"}
    with pytest.raises(CaseActionRefused, match="不能执行"):
        cw.perform(case, "inspect", data, user="officer")  # no notice yet
    assert snapshot(case) == before
