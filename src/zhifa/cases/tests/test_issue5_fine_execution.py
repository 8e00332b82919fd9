"""Issue 5: a fine is recorded as executed only when paid or enforced (行政处罚法第六十七条第三款、
第六十八条至第七十条、第七十二条). Each rule broken: refused, nothing changed; then allowed."""

from __future__ import annotations

import datetime
import types
from decimal import Decimal

import pytest
from django.utils import timezone

from zhifa.cases import execution
from zhifa.cases.models import Deadline
from zhifa.cases.services import CaseActionRefused

from .conftest import case_state as snapshot

pytestmark = pytest.mark.usefixtures("builtin_gates")

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def execute(cw, case, manner: str, user: str = "officer", **data):
    return cw.perform(
        case,
        "record_execution",
        {"done_on": data.pop("done_on", TODAY), "manner": manner, **data},
        user=user,
        **({"today": data.pop("today")} if "today" in data else {}),
    )


def pay(cw, case, amount, on=TODAY):
    return execution.record_payment(cw.users["officer"], case, amount, on)


def refused(cw, case, match: str, manner: str, user: str = "officer", **data) -> None:
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match=match):
        execute(cw, case, manner, user, **data)
    assert snapshot(case) == before


@pytest.mark.parametrize(
    "procedure,stage", [("penalty_ordinary", "served"), ("penalty_simplified", "filed")]
)
def test_an_unpaid_fine_is_not_performed(cw, make_case, procedure, stage):
    case = make_case(procedure, stage, fine="100")
    refused(cw, case, "罚款100.00元，尚未登记缴款.*第六十七条第三款", "performed")


def test_a_partly_paid_fine_says_what_is_still_owed(cw, make_case):
    case = make_case("penalty_ordinary", "served", fine="500")
    pay(cw, case, "200")
    refused(cw, case, "已缴200.00元，尚欠罚款300.00元", "performed")
    pay(cw, case, "300")
    case = execute(cw, case, "performed")
    assert case.stage == "executed"
    assert case.data["execution"]["paid"] == "500.00"
    assert not Deadline.objects.filter(case=case, kind="payment", status="open").exists()


def test_a_paid_fine_is_performed(cw, make_case):
    case = make_case("penalty_simplified", "filed", fine="100")
    pay(cw, case, "100")
    case = execute(cw, case, "performed")
    assert case.stage == "executed"


def test_enforcement_only_once_the_party_is_in_default_and_with_its_document(cw, make_case):
    case = make_case("penalty_ordinary", "served", fine="500")
    due = execution.payment_status(case).due_on
    later = due + DAY
    # Within the 15 days the party is not in default: no enforcement yet (第七十二条第一款).
    refused(cw, case, "尚未逾期", "court", enforcement_ref="（2026）云0926行审1号")
    refused(
        cw,
        case,
        "人民法院的执行文书文号.*第七十二条第一款第四项",
        "court",
        done_on=later,
        today=later,
    )
    refused(cw, case, "强制执行决定书文号.*第十三条", "enforced", done_on=later, today=later)
    case = execute(
        cw, case, "court", done_on=later, today=later, enforcement_ref="（2026）云0926行审1号"
    )
    assert case.stage == "executed"
    assert case.data["execution"]["enforcement_ref"] == "（2026）云0926行审1号"


def test_enforced_by_the_body_with_its_decision(cw, make_case):
    case = make_case("penalty_simplified", "filed", fine="100")
    later = execution.payment_status(case).due_on + DAY
    case = execute(
        cw, case, "enforced", done_on=later, today=later, enforcement_ref="大兴强执〔2026〕1号"
    )
    assert case.stage == "executed"


@pytest.fixture
def late_payment(cw, make_case, monkeypatch):
    """A fine of 500 served today and paid in full 3 days after the 15 days to pay: the
    platform computes a surcharge of 3 % × 3 days = 45 yuan (第七十二条第一款第一项)."""
    case = make_case("penalty_ordinary", "served", fine="500")
    later = execution.payment_status(case).due_on + 3 * DAY
    monkeypatch.setattr(
        execution, "timezone", types.SimpleNamespace(localdate=lambda: later, now=timezone.now)
    )
    pay(cw, case, "500", later)
    status = execution.payment_status(case, later)
    assert (status.surcharge, status.outstanding) == (Decimal("45.00"), Decimal("45.00"))
    return case, later


def test_a_fine_paid_late_needs_the_surcharge_or_a_heads_decision(cw, late_payment):
    case, later = late_payment
    refused(cw, case, "加处罚款尚欠45.00元", "performed", done_on=later, today=later)
    # Not adding the surcharge is the body's decision: an officer cannot tick it.
    refused(
        cw,
        case,
        "须由执法机构负责人或者主要负责人登记",
        "performed",
        done_on=later,
        today=later,
        surcharge_waived=True,
    )
    case = execute(
        cw, case, "performed", "unithead", done_on=later, today=later, surcharge_waived=True
    )
    assert case.data["execution"]["surcharge_waived"] is True
    assert case.data["execution"]["surcharge"] == "45.00"


def test_a_fine_paid_late_with_its_surcharge_is_performed(cw, late_payment):
    case, later = late_payment
    pay(cw, case, "45", later)
    case = execute(cw, case, "performed", done_on=later, today=later)
    assert case.stage == "executed"


def test_collected_on_the_spot_only_as_the_law_allows(cw, make_case):
    case = make_case("penalty_simplified", "filed", fine="100")
    refused(cw, case, "尚未登记缴款", "collected", on_spot_ground="small", receipt_no="No.1")
    pay(cw, case, "100")
    refused(cw, case, "请选择当场收缴的依据.*第六十八条", "collected", receipt_no="No.1")
    refused(cw, case, "专用票据号码.*第七十条", "collected", on_spot_ground="small")
    case = execute(cw, case, "collected", on_spot_ground="small", receipt_no="云财0001")
    assert case.data["execution"]["receipt_no"] == "云财0001"


def test_more_than_100_yuan_is_not_collected_as_a_small_fine(cw, make_case):
    case = make_case("penalty_simplified", "filed", fine="150")
    pay(cw, case, "150")
    refused(
        cw,
        case,
        "超过一百元.*第六十八条第一项",
        "collected",
        on_spot_ground="small",
        receipt_no="1",
    )
    case = execute(cw, case, "collected", on_spot_ground="hard_later", receipt_no="云财0002")
    assert case.stage == "executed"


def test_an_ordinary_decision_is_collected_on_the_spot_only_in_remote_places(cw, make_case):
    case = make_case("penalty_ordinary", "served", fine="100")
    pay(cw, case, "100")
    refused(cw, case, "第六十九条", "collected", on_spot_ground="small", receipt_no="1")
    case = execute(cw, case, "collected", on_spot_ground="remote", receipt_no="云财0003")
    assert case.stage == "executed"


def test_the_case_page_tells_why_execution_waits(cw, make_case):
    """The refusal reaches the officer through allowed_actions only with the form's data: with
    no data the action is offered (the manner decides what is needed)."""
    from zhifa.cases.services import allowed_actions

    case = make_case("penalty_ordinary", "served", fine="100")
    actions = {a.action: a for a in allowed_actions(cw.users["officer"], case)}
    assert actions["record_execution"].allowed
