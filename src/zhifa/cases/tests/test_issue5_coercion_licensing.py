"""Issue 5, coercion and licensing rules the other test files left open: broken, refused, and
nothing changed."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhifa.cases.models import Deadline
from zhifa.cases.services import CaseActionRefused
from zhifa.core.calendar import is_working_day

from .conftest import case_state as snapshot

pytestmark = pytest.mark.usefixtures("builtin_gates")

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


# ---------------------------------------------------------------- 行政强制 (第三十五条至第四十三条)


def test_no_execution_decision_before_the_party_is_heard(cw, make_case):
    case = make_case("coercion")
    data = {"method": "强制拆除", "reasons": "逾期不履行"}
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="不能执行"):
        cw.perform(case, "decide_execution", data)
    assert snapshot(case) == before
    case = cw.perform(
        case,
        "urge",
        {"served_on": TODAY - 10 * DAY, "perform_by": TODAY - DAY, "manner": "自行拆除"},
        user="officer",
    )
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="不能执行"):
        cw.perform(case, "decide_execution", data)
    assert snapshot(case) == before
    case = cw.perform(
        case, "hear_party", {"heard_on": TODAY, "statement": "无", "review": "无"}, user="officer"
    )
    assert cw.perform(case, "decide_execution", data).stage == "execution_decided"


def _working_day() -> datetime.date:
    day = TODAY - DAY
    while not is_working_day(day).working:
        day -= DAY
    return day


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def test_night_begins_at_22_and_ends_at_6(cw, make_case):
    case = make_case("coercion", "execution_decided", branch="execution")
    day = _working_day()
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="夜间"):
        cw.perform(case, "execute", {"executed_at": _at(day, 22)}, user="officer")
    with pytest.raises(CaseActionRefused, match="夜间"):
        cw.perform(case, "execute", {"executed_at": _at(day, 5, 59)}, user="officer")
    # A blank emergency reason is no reason.
    with pytest.raises(CaseActionRefused, match="夜间"):
        cw.perform(
            case,
            "execute",
            {"executed_at": _at(day, 23), "emergency_reason": "   "},
            user="officer",
        )
    assert snapshot(case) == before
    assert cw.perform(case, "execute", {"executed_at": _at(day, 6)}, user="officer").stage == (
        "executed"
    )


# ---------------------------------------------------------------- 行政许可 (第三十二条)


def test_no_refusal_of_acceptance_once_deemed_accepted(cw, make_case):
    case = make_case("licensing")
    due = Deadline.objects.get(case=case, kind="correction_notice").due_on
    late = due + DAY
    before = snapshot(case)
    with pytest.raises(
        CaseActionRefused, match="视为已受理，不能再不予受理.*第三十二条第一款第四项"
    ):
        cw.perform(case, "not_accept", {"reason": "不属于本机关职权范围"}, today=late)
    assert snapshot(case) == before
    # Within the five working days a refusal of acceptance stays possible.
    case = cw.perform(case, "not_accept", {"reason": "不属于本机关职权范围"}, today=due)
    assert case.stage == "not_accepted"


def test_correction_not_completed_may_still_be_refused_acceptance(cw, make_case):
    case = make_case("licensing")
    case = cw.perform(
        case, "request_correction", {"items": "缺少申请表", "notified_on": TODAY}, user="officer"
    )
    later = TODAY + 30 * DAY
    case = cw.perform(case, "not_accept", {"reason": "逾期未补正"}, today=later)
    assert case.stage == "not_accepted"


def test_the_case_page_tells_why_acceptance_cannot_be_refused(cw, make_case):
    from zhifa.cases.services import allowed_actions

    case = make_case("licensing")
    late = Deadline.objects.get(case=case, kind="correction_notice").due_on + DAY
    states = {s.action: s for s in allowed_actions(cw.users["unithead"], case, today=late)}
    assert not states["not_accept"].allowed
    assert "视为已受理" in states["not_accept"].reason
    assert states["accept"].allowed


# ---------------------------------------------------------------- two officers (第十八条第二项)


def test_measure_by_one_officer_cites_the_coercion_law(cw, make_case):
    case = make_case("coercion", officers=[cw.officers["李明"]])
    measure = {"kind": "other", "items": "物品（示例）", "days": 30, "told_rights": True}
    cw.perform(case, "approve_measure", {**measure, "reason": "隐患"})
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="行政强制法》第十八条第二项.*只有1名"):
        cw.perform(case, "apply_measure", measure, user="officer")
    assert snapshot(case) == before


def test_execution_needs_two_officers_not_recused(cw, make_case):
    from zhifa.cases import services

    case = make_case("coercion", "execution_decided", branch="execution")
    services.declare_conflict(cw.users["unithead"], case, cw.officers["王芳"], "系当事人近亲属")
    at = _at(_working_day(), 10)
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="王芳已回避"):
        cw.perform(case, "execute", {"executed_at": at}, user="officer")
    assert snapshot(case) == before
