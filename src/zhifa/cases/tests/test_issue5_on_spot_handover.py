"""Issue 5: a fine collected on the spot is handed to the body within 2 working days and paid
into the designated bank within 2 more (行政处罚法第七十一条; 二日 = working days, 第八十五条).
Each rule broken: refused, nothing changed; a late date is recorded and flagged."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases import deadlines, execution
from zhifa.cases.models import Case, Deadline, DeadlineStatus, Step
from zhifa.cases.services import CaseActionRefused, allowed_actions

from .conftest import case_state as snapshot

pytestmark = pytest.mark.usefixtures("builtin_gates")

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
ARTICLE = "第七十一条.*执法人员当场收缴的罚款，应当自收缴罚款之日起二日内"


def refused(cw, case, action, data, match, user="officer", **kw) -> None:
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match=match):
        cw.perform(case, action, data, user=user, **kw)
    assert snapshot(case) == before


def collected(cw, make_case, procedure="penalty_simplified", **data) -> Case:
    stage = "filed" if procedure == "penalty_simplified" else "served"
    case = make_case(procedure, stage, fine="100")
    execution.record_payment(cw.users["officer"], case, "100", TODAY)
    ground = "small" if procedure == "penalty_simplified" else "remote"
    return cw.perform(
        case,
        "record_execution",
        {
            "done_on": TODAY,
            "manner": "collected",
            "on_spot_ground": ground,
            "receipt_no": "云财0100",
            **data,
        },
        user="officer",
    )


def handover(on=TODAY, amount="100", **data) -> dict:
    return {"handed_over_on": on, "received_by": "大兴乡财政所 张会计", "amount": amount, **data}


def deposit(on=TODAY, amount="100") -> dict:
    return {"deposited_on": on, "bank": "农业银行耿马支行", "amount": amount}


@pytest.mark.parametrize("procedure", ["penalty_simplified", "penalty_ordinary"])
def test_collection_opens_two_working_days_to_hand_over_and_the_case_cannot_close(
    cw, make_case, client_for, procedure
):
    case = collected(cw, make_case, procedure)
    d = Deadline.objects.get(case=case, kind="handover", status=DeadlineStatus.OPEN)
    assert d.label == "当场收缴的罚款交至行政机关"
    assert (d.starts_on, d.due_on, d.working_days) == (
        TODAY,
        deadlines.working_day_after(TODAY, 2),
        True,
    )
    assert "第七十一条" in d.basis and "第八十五条" in d.basis
    assert case.data["execution"]["collected_amount"] == "100.00"
    # Overdue list: not yet, and the day after the two working days.
    assert case not in deadlines.overdue(Case.objects.all(), d.due_on)
    assert case in deadlines.overdue(Case.objects.all(), d.due_on + DAY)
    page = client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "当场收缴的罚款交至行政机关" in page and "当场收缴罚款" in page
    # nothing_open: no 结案 while the money is with the officers.
    refused(
        cw, case, "close", {"summary": "结案"}, "当场收缴的罚款交至行政机关.*不能结案", "unithead"
    )


def test_hand_over_refused_in_the_future_before_collection_or_another_amount(cw, make_case):
    case = collected(cw, make_case)
    refused(cw, case, "hand_over_fine", handover(on=TODAY + DAY), "不能晚于今天")
    refused(cw, case, "hand_over_fine", handover(on=TODAY - DAY), "不能早于收缴罚款")
    refused(
        cw, case, "hand_over_fine", handover(amount="90"), "90.00元与.*100.00元不一致.*" + ARTICLE
    )
    refused(cw, case, "hand_over_fine", handover(amount="110"), "不一致")
    refused(cw, case, "deposit_fine", deposit(), "请先登记执法人员将当场收缴的罚款交至行政机关")


def test_hand_over_then_bank_then_close(cw, make_case):
    case = collected(cw, make_case)
    case = cw.perform(case, "hand_over_fine", handover(), user="officer")
    record = case.data["execution"]["handover"]
    assert (record["on"], record["amount"], record["late"]) == (TODAY.isoformat(), "100.00", False)
    assert Deadline.objects.get(case=case, kind="handover").status == DeadlineStatus.MET
    bank = Deadline.objects.get(case=case, kind="bank_deposit", status=DeadlineStatus.OPEN)
    assert (bank.due_on, bank.working_days) == (deadlines.working_day_after(TODAY, 2), True)
    refused(cw, case, "hand_over_fine", handover(), "已于.*登记交至行政机关")
    refused(cw, case, "close", {"summary": "结案"}, "缴付指定的银行.*不能结案", "unithead")
    refused(cw, case, "deposit_fine", deposit(amount="50"), "不一致.*第七十一条")
    refused(cw, case, "deposit_fine", deposit(on=TODAY + DAY), "不能晚于今天")
    refused(cw, case, "deposit_fine", deposit(on=TODAY - DAY), "不能早于罚款交至行政机关")
    case = cw.perform(case, "deposit_fine", deposit(), user="unithead")
    assert case.data["execution"]["deposit"]["bank"] == "农业银行耿马支行"
    assert not Deadline.objects.filter(case=case, status=DeadlineStatus.OPEN).exists()
    refused(cw, case, "deposit_fine", deposit(), "已于.*登记缴付")
    case = cw.perform(case, "close", {"summary": "结案"}, user="unithead")
    assert case.stage == "closed"


def test_a_late_hand_over_is_recorded_and_stays_flagged(cw, make_case, client_for):
    """第七十一条 sets a duty, not a condition of validity: the late date is kept, flagged."""
    case = collected(cw, make_case)
    due = Deadline.objects.get(case=case, kind="handover").due_on
    later = due + 3 * DAY
    case = cw.perform(case, "hand_over_fine", handover(on=due + DAY), user="officer", today=later)
    record = case.data["execution"]["handover"]
    assert record["late"] is True and record["due_on"] == due.isoformat()
    step = Step.objects.filter(case=case, action="hand_over_fine").get()
    assert step.data["result"]["late"] is True
    page = client_for("unithead").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f"逾期交付，应于{due.isoformat()}前" in page


def test_an_execution_recorded_before_the_rule_takes_the_collection_from_the_payments(
    cw, make_case
):
    """A case executed as 当场收缴 before the collection was kept in its execution record:
    the hand-over is still checked against the payments recorded."""
    case = collected(cw, make_case)
    record = {
        k: v
        for k, v in case.data["execution"].items()
        if k not in ("collected_on", "collected_amount")
    }
    Case.objects.filter(pk=case.pk).update(data={**case.data, "execution": record})
    case = Case.objects.get(pk=case.pk)
    refused(cw, case, "hand_over_fine", handover(amount="90"), "当场收缴的100.00元不一致")
    refused(cw, case, "hand_over_fine", handover(on=TODAY - DAY), "不能早于收缴罚款")
    case = cw.perform(case, "hand_over_fine", handover(), user="unithead")
    assert case.data["execution"]["handover"]["amount"] == "100.00"


def test_on_water_the_two_days_run_from_landing(cw, make_case):
    case = make_case("penalty_simplified", "filed", fine="100")
    execution.record_payment(cw.users["officer"], case, "100", TODAY)
    data = {"done_on": TODAY, "manner": "collected", "on_spot_ground": "small", "receipt_no": "1"}
    refused(cw, case, "record_execution", {**data, "landed_on": TODAY - DAY}, "抵岸日期.*不能早于")
    refused(cw, case, "record_execution", {**data, "landed_on": TODAY + DAY}, "不能晚于今天")
    case = cw.perform(case, "record_execution", {**data, "landed_on": TODAY}, user="officer")
    d = Deadline.objects.get(case=case, kind="handover")
    assert d.starts_on == TODAY and case.data["execution"]["landed_on"] == TODAY.isoformat()


def test_a_fine_paid_at_the_bank_has_nothing_to_hand_over(cw, make_case):
    case = make_case("penalty_simplified", "filed", fine="100")
    execution.record_payment(cw.users["officer"], case, "100", TODAY)
    case = cw.perform(
        case, "record_execution", {"done_on": TODAY, "manner": "performed"}, user="officer"
    )
    assert not Deadline.objects.filter(case=case, kind="handover").exists()
    actions = {a.action: a for a in allowed_actions(cw.users["officer"], case)}
    assert not actions["hand_over_fine"].allowed
    assert "不是执法人员当场收缴" in actions["hand_over_fine"].reason
    refused(cw, case, "hand_over_fine", handover(), "不是执法人员当场收缴")
    assert cw.perform(case, "close", {}, user="unithead").stage == "closed"


def test_scoped_access_to_the_hand_over(cw, make_case, client_for):
    case = collected(cw, make_case)
    url = reverse("cases:act", args=[case.pk])
    post = {"action": "hand_over_fine", "expected_stage": "executed"}
    for key, value in handover(on=TODAY.isoformat()).items():
        post[f"hand_over_fine-{key}"] = value
    before = snapshot(case)
    assert client_for("marketofficer").post(url, post).status_code == 404
    assert client_for("sysadmin").post(url, post).status_code == 404
    assert client_for("supervisor").post(url, post).status_code == 403
    assert snapshot(case) == before
    response = client_for("officer").post(url, post)
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.data["execution"]["handover"]["amount"] == str(Decimal("100.00"))


def test_the_overdue_list_shows_a_hand_over_not_done_in_two_working_days(cw, make_case, client_for):
    case = collected(cw, make_case)
    overdue = reverse("cases:overdue")
    assert case.number not in client_for("unithead").get(overdue).content.decode()
    # Two working days have passed (the deadline moved back: the clock of the test is today).
    Deadline.objects.filter(case=case, kind="handover").update(due_on=TODAY - DAY)
    page = client_for("unithead").get(overdue).content.decode()
    assert case.number in page and "超期" in page
    detail = client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "当场收缴的罚款交至行政机关" in detail and "已逾期" in detail
    case = cw.perform(case, "hand_over_fine", handover(), user="officer")
    assert case.data["execution"]["handover"]["late"] is True
    assert case.number not in client_for("unithead").get(overdue).content.decode()
    detail = client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f"逾期交付，应于{(TODAY - DAY).isoformat()}前" in detail
