"""Execution figures: the payment deadline (calendar days, holiday end moved), the 2/3/5/7-day
periods in working days, the 3 % daily surcharge capped at the fine, payments."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhifa.cases import delivery, execution
from zhifa.cases.models import Record
from zhifa.core.calendar import seed_calendar_from_package
from zhifa.ledger.models import LedgerEntry

from . import records_support as support

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def calendar_2026(db):
    seed_calendar_from_package(2026, 2026)


@pytest.fixture
def s(cw, make_case, settings, tmp_path, calendar_2026):
    return support.build(cw, make_case, settings, tmp_path, stage="decided", fine="1000")


def serve_decision(s, day: datetime.date) -> None:
    delivery.record_service(
        s.world.users["officer"],
        s.case,
        party=s.party,
        document="decision",
        mode="direct",
        delivered_on=day,
        recipient="岩应",
    )


# ---------------------------------------------------------------- periods


def test_fifteen_days_to_pay_are_calendar_days(calendar_2026):
    # Served Monday 2 March: the 15 days run to Tuesday 17 March, weekends included.
    assert execution.payment_due_on(D(2026, 3, 2)) == D(2026, 3, 17)
    # Across the National Day holiday the count does not stop: 25 September + 15 days is
    # Saturday 10 October, a make-up working day, so that is the last day.
    assert execution.payment_due_on(D(2026, 9, 25)) == D(2026, 10, 10)


def test_a_period_ending_on_a_holiday_ends_on_the_next_working_day(calendar_2026):
    # 20 September + 15 days = 5 October, inside the National Day holiday (民法典第二百零三条).
    assert execution.payment_due_on(D(2026, 9, 20)) == D(2026, 10, 8)


def test_three_five_seven_day_periods_are_working_days(calendar_2026):
    # 行政处罚法第八十五条: from Monday 28 September, five working days skip the holiday
    # (29, 30 September, 8, 9 October and Saturday 10 October, a make-up working day).
    assert execution.period_end(D(2026, 9, 28), 5) == D(2026, 10, 10)
    assert execution.period_end(D(2026, 9, 28), 3) == D(2026, 10, 8)
    # The same start with a calendar-day period of 15 is not counted in working days.
    assert execution.period_end(D(2026, 9, 28), 15) == D(2026, 10, 13)


# ---------------------------------------------------------------- surcharge


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (D(2026, 3, 10), "0.00"),  # before the due date
        (D(2026, 3, 17), "0.00"),  # the last day to pay
        (D(2026, 3, 18), "30.00"),  # one day late: 3 %
        (D(2026, 3, 27), "300.00"),  # ten days late
        (D(2026, 4, 19), "990.00"),  # 33 days
        (D(2026, 4, 20), "1000.00"),  # 34 days would be 1020: capped at the fine
        (D(2027, 1, 1), "1000.00"),
    ],
)
def test_surcharge_three_percent_a_day_capped_at_the_fine(on, expected):
    assert execution.surcharge(Decimal("1000"), D(2026, 3, 17), on) == Decimal(expected)


def test_surcharge_rounds_to_the_cent():
    assert execution.surcharge(Decimal("333.33"), D(2026, 3, 17), D(2026, 3, 18)) == Decimal(
        "10.00"
    )


# ---------------------------------------------------------------- status and payments


def pay(amount: str, day: datetime.date, n: int) -> execution.Payment:
    return execution.Payment(n, Decimal(amount), day)


def test_surcharge_stops_when_the_fine_is_paid(calendar_2026):
    fine, served = Decimal("1000.00"), D(2026, 3, 2)
    due = execution.figures(fine, served, [], D(2026, 3, 17))
    assert (due.status, due.due_on, due.outstanding) == ("due", D(2026, 3, 17), fine)
    late = execution.figures(fine, served, [], D(2026, 3, 27))
    assert (late.status, late.days_late, late.surcharge) == ("overdue", 10, Decimal("300.00"))
    assert late.outstanding == Decimal("1300.00")
    # The fine paid on 27 March: the surcharge stops running there, 300 still owed in June.
    part = execution.figures(fine, served, [pay("1000", D(2026, 3, 27), 1)], D(2026, 6, 1))
    assert (part.status, part.surcharge, part.paid, part.outstanding) == (
        "overdue",
        Decimal("300.00"),
        Decimal("1000.00"),
        Decimal("300.00"),
    )
    # Paid in two parts (first too little): the surcharge runs until the fine is covered.
    paid = [pay("500", D(2026, 3, 20), 1), pay("500", D(2026, 3, 22), 2)]
    split = execution.figures(fine, served, paid, D(2026, 6, 1))
    assert split.surcharge == Decimal("150.00") and split.days_late == 5
    done = execution.figures(fine, served, [*paid, pay("150", D(2026, 3, 23), 3)], D(2026, 6, 1))
    assert (done.status, done.outstanding) == ("paid", Decimal("0.00"))
    never = execution.figures(fine, served, [], D(2026, 12, 1))
    assert never.surcharge == fine and never.surcharge_capped


def test_payment_of_a_served_decision(s):
    today = timezone.localdate()
    assert s.case.fine_amount == Decimal("1000.00")
    assert execution.payment_status(s.case).status == "not_served"
    serve_decision(s, today)
    status = execution.payment_status(s.case)
    assert (status.status, status.due_on) == ("due", execution.payment_due_on(today))
    later = execution.payment_status(s.case, status.due_on + datetime.timedelta(days=2))
    assert (later.status, later.surcharge) == ("overdue", Decimal("60.00"))

    user = s.world.users["officer"]
    with pytest.raises(ValidationError, match="超过"):
        execution.record_payment(user, s.case, "1000.01", today)
    record = execution.record_payment(
        user,
        s.case,
        "1000",
        today,
        receipt_upload=support.upload(support.png_bytes(), "缴款凭证.png"),
    )
    assert record.kind == "document" and record.evidence.file.content_type == "image/png"
    assert record.content["payment"] == {
        "amount": "1000.00",
        "paid_on": today.isoformat(),
        "receipt_evidence": record.evidence.pk,
    }
    entry = LedgerEntry.objects.get(seq=record.ledger_seq)
    assert entry.event_type == "cases.payment_recorded"
    assert json.loads(entry.payload)["payment"]["amount"] == "1000.00"
    done = execution.payment_status(s.case, today + datetime.timedelta(days=60))
    assert (done.status, done.surcharge, done.outstanding) == ("paid", 0, 0)


def test_payment_refusals_change_nothing(s):
    user = s.world.users["officer"]
    today = timezone.localdate()
    before = (Record.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ValidationError, match="尚未送达"):
        execution.record_payment(user, s.case, "100", today)
    assert (Record.objects.count(), LedgerEntry.objects.count()) == before
    serve_decision(s, today)
    before = (Record.objects.count(), LedgerEntry.objects.count())
    cases = [
        ("0", today, "须大于零"),
        ("abc", today, "格式错误"),
        ("100", today + datetime.timedelta(days=1), "不能晚于今天"),
        ("100", today - datetime.timedelta(days=1), "早于决定书送达日期"),
    ]
    for amount, day, message in cases:
        with pytest.raises(ValidationError, match=message):
            execution.record_payment(user, s.case, amount, day)
    with pytest.raises(PermissionDenied):
        execution.record_payment(s.world.users["reviewer"], s.case, "100", today)
    assert (Record.objects.count(), LedgerEntry.objects.count()) == before


def test_no_fine_no_payment(cw, make_case, settings, tmp_path):
    s = support.build(cw, make_case, settings, tmp_path, stage="decided", fine="")
    assert s.case.fine_amount is None
    assert execution.payment_status(s.case).status == "no_fine"
    with pytest.raises(ValidationError, match="没有罚款决定"):
        execution.record_payment(s.world.users["officer"], s.case, "100", timezone.localdate())
