"""简易程序 rules (行政处罚法第五十一条、第五十二条), broken and refused."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhifa.cases.models import Case, Deadline
from zhifa.cases.services import CaseActionRefused

from .conftest import company, person

pytestmark = pytest.mark.usefixtures("builtin_gates")
TODAY = timezone.localdate()


def decision(fine="200", kinds=("fine",), **kw):
    return {
        "kinds": list(kinds),
        "fine": fine,
        "facts": "违法行为（示例）",
        "basis": "《中华人民共和国大气污染防治法》第一百一十八条第三款",
        "showed_certificate": True,
        **kw,
    }


def test_citizen_fine_above_200_refused(cw, make_case):
    case = make_case("penalty_simplified")
    with pytest.raises(CaseActionRefused, match="第五十一条.*不得超过200元"):
        cw.perform(case, "decide_on_spot", decision("201"), user="officer")
    assert Case.objects.get(pk=case.pk).stage == "on_spot"
    case = cw.perform(case, "decide_on_spot", decision("200"), user="officer")
    assert case.stage == "decided" and case.fine_amount == 200
    assert case.decision_number == f"大兴乡当罚决〔{TODAY.year}〕1号"
    assert case.served_on == TODAY
    payment = Deadline.objects.get(case=case, kind="payment")
    assert payment.due_on == TODAY + datetime.timedelta(days=15)


def test_organisation_fine_above_3000_refused(cw, make_case):
    case = make_case("penalty_simplified", parties=[company()])
    with pytest.raises(CaseActionRefused, match="不得超过3000元"):
        cw.perform(case, "decide_on_spot", decision("3000.01"), user="officer")
    assert cw.perform(case, "decide_on_spot", decision("3000"), user="officer")


def test_only_warning_or_fine(cw, make_case):
    case = make_case("penalty_simplified")
    with pytest.raises(CaseActionRefused, match="选项无效"):
        cw.perform(case, "decide_on_spot", decision("0", ("confiscation",)), user="officer")


def test_certificate_must_be_shown(cw, make_case):
    case = make_case("penalty_simplified")
    with pytest.raises(CaseActionRefused, match="第五十二条第一款"):
        cw.perform(case, "decide_on_spot", decision(showed_certificate=False), user="officer")


def test_two_officers_on_the_spot(cw, make_case):
    case = make_case("penalty_simplified", officers=[cw.officers["李明"]])
    with pytest.raises(CaseActionRefused, match="第四十二条"):
        cw.perform(case, "decide_on_spot", decision(), user="officer")


def test_not_fined_twice_on_the_spot(cw, make_case):
    act = TODAY - datetime.timedelta(days=1)
    party = person("岩温（虚构）", serial=555)
    first = make_case("penalty_simplified", parties=[party], occurred_on=act, discovered_on=TODAY)
    cw.perform(first, "decide_on_spot", decision(), user="officer")
    second = make_case("penalty_simplified", parties=[party], occurred_on=act, discovered_on=TODAY)
    with pytest.raises(CaseActionRefused, match="第二十九条"):
        cw.perform(second, "decide_on_spot", decision(), user="officer")


def test_a_fine_is_closed_only_after_execution(cw, make_case):
    case = make_case("penalty_simplified", "filed")
    with pytest.raises(CaseActionRefused, match="执行完毕"):
        cw.perform(case, "close_warning")
