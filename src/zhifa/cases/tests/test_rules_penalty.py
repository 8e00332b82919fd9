"""Each rule of law of the penalty procedures, broken and refused (and the lawful path open)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhifa.cases import gates, services
from zhifa.cases.models import Case, Deadline, DeadlineStatus, Party
from zhifa.cases.services import CaseActionRefused
from zhifa.core.calendar import add_calendar_day
from zhifa.registry import services as registry_services

from .conftest import citizen_id, person

pytestmark = pytest.mark.usefixtures("builtin_gates")

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def penalty(fine="500", kinds=("fine",)):
    return {"kinds": list(kinds), "fine": fine, "facts": "事实", "basis": "依据"}


# ---------------------------------------------------------------- officers (第四十二条)


def test_two_officers_with_valid_certificates(cw, make_case):
    case = make_case(officers=[cw.officers["李明"]])
    with pytest.raises(CaseActionRefused, match="第四十二条.*只有1名"):
        cw.perform(case, "file")
    assert Case.objects.get(pk=case.pk).stage == "registered"
    # 何晓东's certificate expires within 20 days: a month later he no longer counts.
    case = make_case(officers=[cw.officers["李明"], cw.officers["何晓东"]])
    later = cw.officers["何晓东"].certificate_expires_on + DAY
    with pytest.raises(CaseActionRefused, match="何晓东的行政执法证已于"):
        cw.perform(case, "file", today=later)
    assert cw.perform(case, "file").stage == "investigating"


def test_expired_officer_cannot_be_assigned(cw, make_case):
    case = make_case()
    with pytest.raises(CaseActionRefused, match="过期"):
        services.assign_officer(cw.users["unithead"], case, cw.officers["罗春燕"])
    services.assign_officer(cw.users["unithead"], case, cw.officers["岩温香"])
    assert case.case_officers.count() == 3


def test_certificate_must_cover_the_matter_field(cw, make_case):
    forester = registry_services.create_officer(
        None,
        organization=cw.orgs["daxing_team"],
        name="林业员（虚构）",
        gender="male",
        citizen_id=citizen_id("19880808", 321),
        certificate_no="530926099901",
        certificate_categories=["林业草原"],
        certificate_issued_on=TODAY - 300 * DAY,
        certificate_expires_on=TODAY + 900 * DAY,
    )
    # XZCF-001 cites 城乡规划法 (乡村建设规划): a 林业草原 certificate does not cover it.
    with pytest.raises(CaseActionRefused, match="执法类别不含“乡村建设规划”"):
        make_case(officers=[cw.officers["李明"], forester])
    # XZCF-008 cites 森林法: covered.
    forest = make_case(matter=cw.matter("XZCF-008"), officers=[cw.officers["李明"], forester])
    assert cw.perform(forest, "file").stage == "investigating"


# ---------------------------------------------------------------- 回避 (第四十三条)


def test_recused_officer_neither_counts_nor_acts(cw, make_case):
    case = make_case("penalty_ordinary", "investigating")
    services.declare_conflict(cw.users["unithead"], case, cw.officers["王芳"], "系当事人近亲属")
    with pytest.raises(CaseActionRefused, match="王芳已回避"):
        cw.perform(case, "conclude", {"report": "报告", "proposal": "penalize"}, user="officer")
    services.assign_officer(cw.users["unithead"], case, cw.officers["岩温香"])
    with pytest.raises(CaseActionRefused, match="您已在本案回避"):
        cw.perform(case, "conclude", {"report": "报告", "proposal": "penalize"}, user="officer2")
    assert cw.perform(case, "conclude", {"report": "报告", "proposal": "penalize"}, user="officer")


def test_recusal_is_the_heads_decision(cw, make_case):
    case = make_case()
    with pytest.raises(CaseActionRefused, match="负责人"):
        services.declare_conflict(cw.users["officer"], case, cw.officers["王芳"], "利害关系")
    with pytest.raises(CaseActionRefused, match="回避事由"):
        services.declare_conflict(cw.users["unithead"], case, cw.officers["王芳"], " ")


# ---------------------------------------------------------------- 追责时效 (第三十六条)


def test_limitation_two_years(cw, make_case):
    old = TODAY.replace(year=TODAY.year - 3)
    case = make_case(occurred_on=old, discovered_on=TODAY)
    with pytest.raises(CaseActionRefused, match="第三十六条"):
        cw.perform(case, "file")
    # Life/health or financial safety with harm: five years.
    assert cw.perform(case, "file", {"serious_harm": True}).stage == "investigating"


def test_limitation_runs_from_the_end_of_a_continuing_act(cw, make_case):
    old = TODAY.replace(year=TODAY.year - 3)
    case = make_case(occurred_on=old, act_continuing_until=TODAY - 30 * DAY)
    assert cw.perform(case, "file").stage == "investigating"


# ---------------------------------------------------------------- matter of the power list


def test_matter_must_be_in_the_list_in_force_and_fit_the_procedure(cw, make_case):
    from zhifa.powers import services as powers_services

    with pytest.raises(CaseActionRefused, match="不能适用"):
        make_case(matter=cw.matter("XZXK-001"))
    draft = powers_services.new_draft(None, cw.power_list)
    with pytest.raises(CaseActionRefused, match="现行的权责清单"):
        make_case(matter=draft.matters.get(code="XZCF-001"))


def test_only_an_enforcement_body_registers(cw):
    with pytest.raises(CaseActionRefused, match="不是行政执法主体"):
        services.register_case(
            cw.users["officer"],
            organization=cw.orgs["daxing_team"],
            unit=None,
            matter=cw.matter("XZCF-001"),
            procedure="penalty_ordinary",
            title="案由",
            source="inspection",
            parties=[person()],
            officer_ids=[cw.officers["李明"].pk],
        )


# ---------------------------------------------------------------- parties


def test_party_identity_validated_and_minor_flagged(cw, make_case):
    before = Case.objects.count()
    with pytest.raises(CaseActionRefused, match="校验位错误"):
        make_case(parties=[person(id_number="530926199001011230")])
    with pytest.raises(CaseActionRefused, match="统一社会信用代码"):
        make_case(parties=[{"kind": "legal", "name": "某公司", "id_number": ""}])
    assert Case.objects.count() == before
    born = TODAY.replace(year=TODAY.year - 15).strftime("%Y%m%d")
    case = make_case(parties=[person(id_number=citizen_id(born, 7))])
    party = Party.objects.get(case=case)
    assert party.is_minor and party.birth_date.year == TODAY.year - 15


# ---------------------------------------------------------------- statement period (第六十二条)


def _notified(cw, make_case, **kw):
    case = make_case("penalty_ordinary", "to_notify", **kw)
    return cw.perform(
        case,
        "notify",
        {"served_on": TODAY, "facts": "事实", "reasons": "理由", "basis": "依据"},
        user="officer",
    )


def test_no_decision_before_the_statement_period_ends(cw, make_case):
    case = _notified(cw, make_case)
    statement = Deadline.objects.get(case=case, kind="statement")
    assert statement.working_days
    with pytest.raises(CaseActionRefused, match="第六十二条"):
        cw.perform(case, "decide", penalty(), today=statement.due_on)
    case = cw.perform(case, "decide", penalty(), today=statement.due_on + DAY)
    assert case.stage == "decided"


def test_written_waiver_allows_an_earlier_decision(cw, make_case):
    case = _notified(cw, make_case)
    cw.perform(case, "waive_statement", {"waived_on": TODAY, "waiver": "书面放弃"}, user="officer")
    assert cw.perform(case, "decide", penalty()).stage == "decided"


def test_statement_period_counts_working_days(cw, make_case):
    # A holiday inside the period pushes the end back by a day (第八十五条).
    start = TODAY
    plain = start
    for _ in range(3):
        plain += DAY
        while plain.weekday() >= 5:
            plain += DAY
    add_calendar_day(None, _next_weekday(start), "holiday", "测试假日")
    case = _notified(cw, make_case)
    due = Deadline.objects.get(case=case, kind="statement").due_on
    assert due > plain
    assert due.weekday() < 5


def _next_weekday(d):
    d += DAY
    while d.weekday() >= 5:
        d += DAY
    return d


# ---------------------------------------------------------------- hearing (第六十四条)


def test_hearing_request_within_five_working_days(cw, make_case):
    case = _notified(cw, make_case, hearing=True)
    due = Deadline.objects.get(case=case, kind="hearing_request").due_on
    late = due + DAY
    with pytest.raises(CaseActionRefused, match="第六十四条"):
        cw.perform(case, "request_hearing", {"requested_on": late}, user="officer", today=late)
    assert cw.perform(case, "request_hearing", {"requested_on": due}, user="officer", today=due)


def test_no_hearing_request_when_no_hearing_right_notified(cw, make_case):
    case = _notified(cw, make_case)
    with pytest.raises(CaseActionRefused, match="未告知听证权利"):
        cw.perform(case, "request_hearing", {"requested_on": TODAY}, user="officer")


def test_hearing_notice_seven_working_days_and_independent_host(cw, make_case):
    case = _notified(cw, make_case, hearing=True)
    case = cw.perform(case, "request_hearing", {"requested_on": TODAY}, user="officer")
    data = {"notified_on": TODAY - 3 * DAY, "held_on": TODAY, "host": "刘洋", "summary": "笔录"}
    with pytest.raises(CaseActionRefused, match="七日前"):
        cw.perform(case, "hold_hearing", data, user="officer")
    data["notified_on"] = TODAY - 20 * DAY
    with pytest.raises(CaseActionRefused, match="非本案调查人员"):
        cw.perform(case, "hold_hearing", {**data, "host": "李明"}, user="officer")
    assert cw.perform(case, "hold_hearing", data, user="officer").stage == "heard"


# ---------------------------------------------------------------- not heavier (第四十五条)


def test_no_heavier_penalty_than_notified(cw, make_case):
    case = _notified(cw, make_case)
    cw.perform(case, "waive_statement", {"waived_on": TODAY, "waiver": "书面放弃"}, user="officer")
    with pytest.raises(CaseActionRefused, match="第四十五条第二款.*高于告知的500.00元"):
        cw.perform(case, "decide", penalty("600"))
    with pytest.raises(CaseActionRefused, match="增加了告知时没有的“警告”"):
        cw.perform(case, "decide", penalty("500", ("warning", "fine")))
    case = cw.perform(case, "decide", penalty("400"))
    assert case.fine_amount == 400


# ---------------------------------------------------------------- 90 days (第六十条)


def test_ninety_day_limit_with_warnings_and_approved_extension(cw, make_case):
    case = make_case("penalty_ordinary", "investigating")
    rows = {d.kind: d for d in Deadline.objects.filter(case=case)}
    assert rows["decision"].due_on == case.filed_on + 90 * DAY
    assert rows["decision_warning"].due_on == case.filed_on + 75 * DAY
    case = make_case("penalty_ordinary", "notified")  # waiver recorded by the factory
    late = case.filed_on + 91 * DAY
    with pytest.raises(CaseActionRefused, match="第六十条"):
        cw.perform(case, "decide", penalty(), today=late)
    with pytest.raises(CaseActionRefused, match="负责人"):
        services.extend_decision_deadline(cw.users["officer"], case, 30, "市场监管规定")
    case = services.extend_decision_deadline(cw.users["unithead"], case, 30, "经批准延长（示例）")
    assert case.decision_due_on == case.filed_on + 120 * DAY
    assert cw.perform(case, "decide", penalty(), today=late).stage == "decided"
    assert not Deadline.objects.filter(case=case, status=DeadlineStatus.OPEN, kind="decision")


# ---------------------------------------------------------------- one act, one fine (第二十九条)


def test_same_act_not_fined_twice(cw, make_case):
    act = TODAY - 20 * DAY
    first = make_case("penalty_ordinary", "decided", occurred_on=act, parties=[person()])
    assert first.fine_amount == 500
    second = make_case("penalty_ordinary", "notified", occurred_on=act, parties=[person()])
    with pytest.raises(CaseActionRefused, match="第二十九条.*" + first.number):
        cw.perform(second, "decide", penalty())
    # A different act of the same party (another date) may be fined.
    other = make_case("penalty_ordinary", "notified", occurred_on=act - DAY, parties=[person()])
    assert cw.perform(other, "decide", penalty()).stage == "decided"
    # A warning is not a second fine.
    warned = make_case("penalty_ordinary", "notified", occurred_on=act, parties=[person()])
    Case.objects.filter(pk=warned.pk).update(notified_penalty={"kinds": ["warning"]})
    assert cw.perform(warned, "decide", penalty("", ("warning",))).stage == "decided"


# ---------------------------------------------------------------- 先行登记保存 (第五十六条)


def test_preserved_evidence_decided_within_seven_working_days(cw, make_case):
    case = make_case("penalty_ordinary", "investigating")
    with pytest.raises(CaseActionRefused, match="负责人"):
        cw.perform(case, "preserve_evidence", {"items": "砖块", "reason": "灭失"}, user="officer")
    cw.perform(case, "preserve_evidence", {"items": "砖块若干", "reason": "可能灭失"})
    due = Deadline.objects.get(case=case, kind="preservation").due_on
    with pytest.raises(CaseActionRefused, match="先行登记保存的证据未作出处理决定"):
        cw.perform(case, "conclude", {"report": "报告", "proposal": "penalize"}, user="officer")
    late = due + DAY
    with pytest.raises(CaseActionRefused, match="逾期只能解除"):
        cw.perform(case, "dispose_preserved", {"outcome": "test"}, user="officer", today=late)
    cw.perform(case, "dispose_preserved", {"outcome": "release"}, user="officer", today=late)
    assert cw.perform(case, "conclude", {"report": "报告", "proposal": "penalize"}, user="officer")


# ---------------------------------------------------------------- gates (第五十八条, 第五十七条)


def test_review_and_deliberation_gates(cw, make_case):
    case = make_case("penalty_ordinary", "notified")
    Case.objects.filter(pk=case.pk).update(requires_review=True, requires_deliberation=True)
    with pytest.raises(CaseActionRefused, match="第五十八条"):
        cw.perform(case, "decide", penalty())
    Case.objects.filter(pk=case.pk).update(data={**case.data, "review_passed": True})
    with pytest.raises(CaseActionRefused, match="第五十七条第二款"):
        cw.perform(case, "decide", penalty())
    cw.perform(
        case,
        "record_deliberation",
        {"held_on": TODAY, "participants": "张伟、赵强", "conclusion": "同意处罚"},
    )
    assert cw.perform(case, "decide", penalty()).stage == "decided"


def test_after_decision_hook_runs_in_the_transaction(cw, make_case, monkeypatch):
    seen = []
    monkeypatch.setattr(gates, "after_decision", [lambda case, actor: seen.append(case.stage)])
    case = make_case("penalty_ordinary", "decided")
    assert seen == ["decided"]

    def boom(case, actor):
        raise RuntimeError("publicity failed")

    monkeypatch.setattr(gates, "after_decision", [boom])
    case = make_case("penalty_ordinary", "notified")
    assert case.data["waived"]
    with pytest.raises(RuntimeError):
        cw.perform(case, "decide", penalty())
    case.refresh_from_db()
    assert case.stage == "notified" and not case.decision_number


# ---------------------------------------------------------------- service and closing


def test_serve_needs_the_decision_served_on_every_party(cw, make_case):
    case = make_case("penalty_ordinary", "decided")
    with pytest.raises(CaseActionRefused, match="尚未登记处罚决定书"):
        cw.perform(case, "serve", user="officer")


def test_cannot_close_with_the_payment_running(cw, make_case):
    case = make_case("penalty_ordinary", "served")
    payment = Deadline.objects.get(case=case, kind="payment", status=DeadlineStatus.OPEN)
    assert payment.due_on == case.served_on + 15 * DAY
    assert case.stage == "served"


# ---------------------------------------------------------------- minors (第三十条)


def test_no_penalty_on_a_child_under_14(cw, make_case):
    act = TODAY - 10 * DAY
    born = (act.replace(year=act.year - 14) + DAY).strftime("%Y%m%d")  # 14 the day after
    case = make_case(
        "penalty_ordinary", "notified", parties=[person(id_number=citizen_id(born, 9))]
    )
    assert case.parties.get().is_minor
    with pytest.raises(CaseActionRefused, match="第三十条"):
        cw.perform(case, "decide", penalty())
    # 14 on the day of the act: may be penalised (lighter, 第三十条第二句; a matter for the head).
    born = act.replace(year=act.year - 14).strftime("%Y%m%d")
    case = make_case(
        "penalty_ordinary", "notified", parties=[person(id_number=citizen_id(born, 8))]
    )
    assert cw.perform(case, "decide", penalty()).stage == "decided"
