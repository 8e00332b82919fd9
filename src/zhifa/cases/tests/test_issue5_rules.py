"""Issue 5, rules the other test files left open: each broken, refused with a Chinese reason,
and nothing changed (stage, fields, ledger)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhifa.cases import deadlines, services
from zhifa.cases.models import Case, Deadline, DeadlineStatus, Party
from zhifa.cases.services import CaseActionRefused
from zhifa.ledger.models import LedgerEntry

from .conftest import case_state as snapshot
from .conftest import company, person, uscc_code

pytestmark = pytest.mark.usefixtures("builtin_gates")

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def penalty(fine="500", kinds=("fine",)):
    return {"kinds": list(kinds), "fine": fine, "facts": "事实", "basis": "依据"}


# ---------------------------------------------------------------- parties (item 4)


def test_wrong_uscc_check_digit_refused_and_nothing_saved(cw, make_case):
    good = uscc_code()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    cases, parties = Case.objects.count(), Party.objects.count()
    with pytest.raises(CaseActionRefused, match="统一社会信用代码"):
        make_case(parties=[company(id_number=wrong)])
    assert (Case.objects.count(), Party.objects.count()) == (cases, parties)
    case = make_case()
    entries = LedgerEntry.objects.count()
    with pytest.raises(CaseActionRefused, match="统一社会信用代码"):
        services.add_party(cw.users["officer"], case, company(id_number=wrong))
    assert case.parties.count() == 1 and LedgerEntry.objects.count() == entries
    # An other organisation (个体工商户 without a code) may have none; several parties per case.
    services.add_party(cw.users["officer"], case, {"kind": "other", "name": "某合伙（虚构）"})
    services.add_party(cw.users["officer"], case, company(id_number=good))
    assert case.parties.count() == 3


def test_wrong_citizen_id_on_add_party_changes_nothing(cw, make_case):
    case = make_case()
    bad = person(name="张某（虚构）", serial=321)
    bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")
    entries = LedgerEntry.objects.count()
    with pytest.raises(CaseActionRefused, match="张某（虚构）"):
        services.add_party(cw.users["officer"], case, bad)
    assert case.parties.count() == 1 and LedgerEntry.objects.count() == entries


# ---------------------------------------------------------------- 负责人审查 (第五十七条)


@pytest.mark.parametrize(
    "action,data,stage,outcome",
    [
        ("transfer", {"receiver": "耿马县公安局", "reason": "涉嫌犯罪"}, "transferred", None),
        ("decide_minor", {"reason": "轻微并及时改正"}, "no_penalty", "minor"),
        ("decide_not_established", {"reason": "证据不足"}, "no_penalty", "not_established"),
    ],
)
def test_head_review_outcomes_are_the_heads_and_end_the_decision_limit(
    cw, make_case, action, data, stage, outcome
):
    case = make_case("penalty_ordinary", "concluded")
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="负责人"):
        cw.perform(case, action, data, user="officer")
    assert snapshot(case) == before
    case = cw.perform(case, action, data)
    assert case.stage == stage
    assert case.data["outcome"] == (outcome or "transferred")
    assert not Deadline.objects.filter(case=case, kind="decision", status=DeadlineStatus.OPEN)
    assert LedgerEntry.objects.count() > before[6]


def test_penalty_outcome_is_not_offered_before_the_investigation_report(cw, make_case):
    case = make_case("penalty_ordinary", "investigating")
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="不能执行"):
        cw.perform(case, "transfer", {"receiver": "公安局", "reason": "涉嫌犯罪"})
    assert snapshot(case) == before


# ---------------------------------------------------------------- statement and hearing periods


def _notified_with_hearing_right(cw, make_case):
    case = make_case("penalty_ordinary", "to_notify", hearing=True)
    return cw.perform(
        case,
        "notify",
        {"served_on": TODAY, "facts": "事实", "reasons": "理由", "basis": "依据"},
        user="officer",
    )


def test_hearing_request_period_holds_the_decision_after_the_statement_period(cw, make_case):
    case = _notified_with_hearing_right(cw, make_case)
    statement = Deadline.objects.get(case=case, kind="statement").due_on
    hearing = Deadline.objects.get(case=case, kind="hearing_request").due_on
    assert hearing > statement  # 5 working days against 3
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="申请听证期限.*第六十二条"):
        cw.perform(case, "decide", penalty(), today=statement + DAY)
    assert snapshot(case) == before
    assert cw.perform(case, "decide", penalty(), today=hearing + DAY).stage == "decided"


def test_no_decision_while_the_hearing_is_pending(cw, make_case):
    case = _notified_with_hearing_right(cw, make_case)
    case = cw.perform(case, "request_hearing", {"requested_on": TODAY}, user="officer")
    with pytest.raises(CaseActionRefused, match="不能执行"):
        cw.perform(case, "decide", penalty(), today=TODAY + 30 * DAY)
    assert Case.objects.get(pk=case.pk).stage == "hearing"


# ---------------------------------------------------------------- 90 days (第六十条)


def test_decision_limit_cannot_be_extended_after_it_has_passed(cw, make_case):
    case = make_case("penalty_ordinary", "notified")
    late = case.decision_due_on + DAY
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="第六十条"):
        cw.perform(case, "decide", penalty(), today=late)
    assert snapshot(case) == before
    with pytest.raises(CaseActionRefused, match="届满后不能再批准延长"):
        services.extend_decision_deadline(cw.users["unithead"], case, 30, "依规章延长", today=late)
    assert snapshot(case) == before
    # On the last day it may still be extended.
    case = services.extend_decision_deadline(
        cw.users["unithead"], case, 30, "依规章延长（示例）", today=case.decision_due_on
    )
    assert case.data["extensions"][0]["days"] == 30


def test_decision_limit_warnings_on_day_75_and_90(cw, make_case):
    case = make_case("penalty_ordinary", "investigating")
    views = {v.deadline.kind: v for v in deadlines.deadline_views(case, case.filed_on + 75 * DAY)}
    assert views["decision_warning"].text == "今日届满"
    assert views["decision"].text == "剩余15日"
    on_90 = {v.deadline.kind: v for v in deadlines.deadline_views(case, case.filed_on + 90 * DAY)}
    assert on_90["decision"].text == "今日届满" and not on_90["decision"].overdue
    # Passing day 75 does not make a case overdue; passing day 90 does.
    qs = Case.objects.filter(pk=case.pk)
    assert not deadlines.overdue(qs, case.filed_on + 76 * DAY).exists()
    assert deadlines.overdue(qs, case.filed_on + 91 * DAY).exists()


# ---------------------------------------------------------------- closing


def test_no_closing_while_a_deadline_is_open(cw, make_case):
    case = make_case("penalty_ordinary", "executed")
    deadlines.open_deadline(
        case, "preservation", "先行登记保存处理期限", starts_on=TODAY, due_on=TODAY + 5 * DAY
    )
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="尚有未完成的期限事项（先行登记保存处理期限）"):
        cw.perform(case, "close", {"summary": "结案"})
    assert snapshot(case) == before
    deadlines.close_deadlines(case, "preservation")
    assert cw.perform(case, "close", {"summary": "结案"}).stage == "closed"


# ---------------------------------------------------------------- 简易程序 (第五十一条, 第三十六条)


def _on_spot(**kw):
    return {
        "kinds": ["fine"],
        "facts": "违法行为（示例）",
        "basis": "《中华人民共和国大气污染防治法》第一百一十八条第三款",
        "showed_certificate": True,
        **kw,
    }


def test_simplified_limit_of_a_citizen_applies_when_a_citizen_is_a_party(cw, make_case):
    case = make_case("penalty_simplified", parties=[company(), person(serial=77)])
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="第五十一条.*对公民当场罚款不得超过200元"):
        cw.perform(case, "decide_on_spot", _on_spot(fine="201"), user="officer")
    assert snapshot(case) == before
    organisation = make_case("penalty_simplified", parties=[company()])
    with pytest.raises(CaseActionRefused, match="不得超过3000元"):
        cw.perform(organisation, "decide_on_spot", _on_spot(fine="3000.01"), user="officer")
    case = cw.perform(organisation, "decide_on_spot", _on_spot(fine="3000"), user="officer")
    assert case.stage == "decided" and case.decision_number


def test_simplified_decision_checks_the_limitation_period(cw, make_case):
    old = TODAY.replace(year=TODAY.year - 3)
    case = make_case("penalty_simplified", occurred_on=old, discovered_on=TODAY)
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="第三十六条"):
        cw.perform(case, "decide_on_spot", _on_spot(fine="100"), user="officer")
    assert snapshot(case) == before


def test_waiver_and_hearing_request_not_dated_before_the_notice(cw, make_case):
    case = _notified_with_hearing_right(cw, make_case)
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="“放弃日期”不能早于"):
        cw.perform(
            case, "waive_statement", {"waived_on": TODAY - DAY, "waiver": "放弃"}, user="officer"
        )
    with pytest.raises(CaseActionRefused, match="“申请日期”不能早于"):
        cw.perform(case, "request_hearing", {"requested_on": TODAY - DAY}, user="officer")
    assert snapshot(case) == before
    case = cw.perform(case, "request_hearing", {"requested_on": TODAY}, user="officer")
    assert case.stage == "hearing"


def test_sent_back_for_investigation_the_notice_periods_end(cw, make_case):
    case = _notified_with_hearing_right(cw, make_case)
    case = cw.perform(case, "reinvestigate", {"reason": "事实不清，补充调查"})
    assert case.stage == "investigating"
    assert not Deadline.objects.filter(
        case=case, kind__in=["statement", "hearing_request"], status=DeadlineStatus.OPEN
    )
    # Long after, the case is not listed as overdue for a notice that no longer runs.
    later = TODAY + 20 * DAY
    assert not deadlines.overdue(Case.objects.filter(pk=case.pk), later).exists()
    assert Deadline.objects.get(case=case, kind="decision", status=DeadlineStatus.OPEN)


# ---------------------------------------------------------------- 听证权利 (第六十三条)


@pytest.mark.parametrize("kind", ["revoke_licence", "stop_business", "restrict_practice"])
def test_heavy_penalties_carry_the_right_to_a_hearing(cw, make_case, kind):
    case = make_case("penalty_ordinary", "concluded")
    data = {"kinds": [kind], "facts": "事实", "basis": "依据"}
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="第六十三条.*告知听证权利"):
        cw.perform(case, "approve_penalty", data)
    assert snapshot(case) == before
    case = cw.perform(case, "approve_penalty", {**data, "hearing_right": True})
    assert case.stage == "to_notify" and case.data["proposed_penalty"]["hearing_right"]


def test_a_small_fine_leaves_the_hearing_right_to_the_head(cw, make_case):
    case = make_case("penalty_ordinary", "concluded")
    case = cw.perform(case, "approve_penalty", {**penalty("500"), "hearing_right": False})
    assert case.stage == "to_notify"
