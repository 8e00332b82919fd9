"""Execution of a fine (执行): when it is due, the late surcharge, what is still owed, and the
payments recorded.

* Due: 15 days from receipt of the decision (行政处罚法第六十七条第三款). These are calendar
  days: the penalty law makes only its 二日、三日、五日、七日 periods working days (第八十五条).
  The day of service is not counted (民法典第二百零一条) and a period ending on a statutory
  holiday or rest day ends on the next working day (第二百零三条).
* Late: 3 % of the fine per day after the due date, never more than the fine itself
  (行政处罚法第七十二条第一款第一项).

The law lets the body add the surcharge ("可以"); the platform computes it as due, shows it,
and records a fine as performed by the party only when the fine and the computed surcharge are
paid, unless a head records that the body adds none (guard ``fine_executed`` of the penalty
procedures).

A fine collected on the spot (当场收缴) is handed to the body within 2 working days and paid
into the designated bank within 2 more (第七十一条): the deadlines ``handover`` and
``bank_deposit`` and the actions ``hand_over_fine`` / ``deposit_fine`` of the penalty
procedures (``procedures/penalty_ordinary.py``), which take the collection from the payments
recorded here.

Payments are Records of the case (kind ``document``, ``content["payment"]``): the case row is
the procedures' to write, the record is ours, and each one has its ledger entry."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhifa.core import calendar
from zhifa.core.models import User

from . import delivery, records
from .models import Case, Record, RecordKind

__all__ = [
    "PAYMENT_DAYS",
    "SURCHARGE_RATE",
    "WORKING_DAY_PERIODS",
    "PaymentStatus",
    "figures",
    "payment_due_on",
    "payment_status",
    "payments",
    "period_end",
    "record_payment",
    "surcharge",
]

PAYMENT_DAYS = 15
SURCHARGE_RATE = Decimal("0.03")
WORKING_DAY_PERIODS = frozenset({2, 3, 5, 7})
CENT = Decimal("0.01")

LAW_PAYMENT = (
    "《中华人民共和国行政处罚法》第六十七条第三款：“当事人应当自收到行政处罚决定书之日起十五日内，"
    "到指定的银行或者通过电子支付系统缴纳罚款。”"
)
LAW_SURCHARGE = (
    "《中华人民共和国行政处罚法》第七十二条第一款第一项：“到期不缴纳罚款的，每日按罚款数额的"
    "百分之三加处罚款，加处罚款的数额不得超出罚款的数额”"
)
LAW_WORKING_DAYS = (
    "《中华人民共和国行政处罚法》第八十五条：“本法中“二日”“三日”“五日”“七日”的规定是指工作日，"
    "不含法定节假日。”"
)
LAW_LAST_DAY = (
    "《中华人民共和国民法典》第二百零三条第一款：“期间的最后一日是法定休假日的，以法定休假日结束的"
    "次日为期间的最后一日。”"
)


def period_end(start: datetime.date, days: int) -> datetime.date:
    """The last day of a period of ``days`` of the penalty law counted from ``start`` (which
    is not counted): 2/3/5/7 days are working days (第八十五条); any other period is calendar
    days, moved to the next working day when it ends on a holiday or rest day."""
    if days in WORKING_DAY_PERIODS:
        return calendar.add_working_days(start, days).date
    end = start + datetime.timedelta(days=days)
    while not calendar.is_working_day(end).working:
        end += datetime.timedelta(days=1)
    return end


def payment_due_on(served_on: datetime.date) -> datetime.date:
    """The last day to pay a fine whose decision was served on ``served_on``."""
    return period_end(served_on, PAYMENT_DAYS)


def _money(value: Any, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{label}格式错误。", code="amount") from None
    if not amount.is_finite():
        raise ValidationError(f"{label}格式错误。", code="amount")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def surcharge(fine: Decimal, due_on: datetime.date, on_date: datetime.date) -> Decimal:
    """The late surcharge owed on ``on_date``: 3 % of the fine for each day after ``due_on``,
    capped at the fine."""
    fine = Decimal(fine)
    days = (on_date - due_on).days
    if days <= 0 or fine <= 0:
        return Decimal("0.00")
    amount = (fine * SURCHARGE_RATE * days).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(amount, fine.quantize(CENT))


@dataclass(frozen=True)
class Payment:
    record_id: int
    amount: Decimal
    paid_on: datetime.date


@dataclass(frozen=True)
class PaymentStatus:
    status: str  # "no_fine" | "not_served" | "due" | "overdue" | "paid"
    label: str
    fine: Decimal | None
    served_on: datetime.date | None
    due_on: datetime.date | None
    days_late: int
    surcharge: Decimal
    surcharge_capped: bool
    paid: Decimal
    outstanding: Decimal
    payments: tuple[Payment, ...]


def payments(case: Case) -> list[Payment]:
    """Payments recorded for the case (latest versions of their records), by date."""
    result = []
    for record in records.current_records(case).filter(kind=RecordKind.DOCUMENT):
        payment = (record.content or {}).get("payment")
        if payment:
            result.append(
                Payment(
                    record.pk,
                    Decimal(payment["amount"]),
                    datetime.date.fromisoformat(payment["paid_on"]),
                )
            )
    return sorted(result, key=lambda p: (p.paid_on, p.record_id))


def _served(case: Case) -> datetime.date | None:
    return delivery.first_served_on(case, "decision") or case.served_on


def figures(
    fine: Decimal,
    served_on: datetime.date,
    paid: list[Payment] | tuple[Payment, ...],
    on_date: datetime.date,
) -> PaymentStatus:
    """What is owed on ``on_date`` for a fine served on ``served_on`` with these payments.
    The surcharge runs on the fine until the day it is paid in full; payments go to the fine
    first."""
    zero = Decimal("0.00")
    done = tuple(sorted(paid, key=lambda p: (p.paid_on, p.record_id)))
    total = sum((p.amount for p in done), zero)
    due = payment_due_on(served_on)
    fine_paid_on = None
    running = zero
    for p in done:
        running += p.amount
        if running >= fine:
            fine_paid_on = p.paid_on
            break
    end = min(on_date, fine_paid_on) if fine_paid_on else on_date
    late = surcharge(fine, due, end)
    outstanding = max(zero, fine + late - total)
    if outstanding == 0:
        status, label = "paid", "已缴清"
    elif on_date > due:
        status, label = "overdue", "逾期未缴"
    else:
        status, label = "due", "待缴纳"
    return PaymentStatus(
        status=status,
        label=label,
        fine=fine,
        served_on=served_on,
        due_on=due,
        days_late=max(0, (end - due).days),
        surcharge=late,
        surcharge_capped=late >= fine,
        paid=total,
        outstanding=outstanding,
        payments=done,
    )


def payment_status(case: Case, on_date: datetime.date | None = None) -> PaymentStatus:
    """The case's fine on ``on_date`` (today by default): see :func:`figures`."""
    on_date = on_date or timezone.localdate()
    zero = Decimal("0.00")
    fine = case.fine_amount
    if not fine:
        return PaymentStatus("no_fine", "无罚款", None, None, None, 0, zero, False, zero, zero, ())
    served = _served(case)
    done = tuple(payments(case))
    if served is None:
        paid = sum((p.amount for p in done), zero)
        return PaymentStatus(
            "not_served", "决定书未送达", fine, None, None, 0, zero, False, paid, fine - paid, done
        )
    return figures(fine, served, done, on_date)


def _paid_on(value: Any) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime.date):
        raise ValidationError("请填写缴款日期。", code="date")
    if value > timezone.localdate():
        raise ValidationError("缴款日期不能晚于今天。", code="future")
    return value


def record_payment(
    actor: User,
    case: Case,
    amount: Any,
    paid_on: Any,
    receipt_upload: IO[bytes] | Any = None,
) -> Record:
    """Record a payment of the fine (and surcharge) with its bank receipt if there is one."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("organization", "unit")
            .get(pk=case.pk)
        )
        role = records.acting_role(actor, case)
        records._check_open(case)
        amount = _money(amount, "缴款金额")
        if amount <= 0:
            raise ValidationError("缴款金额须大于零。", code="amount")
        paid_on = _paid_on(paid_on)
        if not case.fine_amount:
            raise ValidationError("本案没有罚款决定，不能登记缴款。", code="no_fine")
        served = _served(case)
        if served is None:
            raise ValidationError(
                f"行政处罚决定书尚未送达，不能登记缴款。依据{LAW_PAYMENT}", code="not_served"
            )
        if paid_on < served:
            raise ValidationError(
                f"缴款日期（{paid_on}）早于决定书送达日期（{served}）。", code="date"
            )
        owed = payment_status(case, paid_on).outstanding
        if amount > owed:
            raise ValidationError(
                f"缴款金额 {amount} 元超过截至 {paid_on} 应缴的 {owed} 元（含加处罚款）。",
                code="amount",
            )
        receipt = None
        if receipt_upload is not None:
            name = str(getattr(receipt_upload, "name", None) or "缴款凭证")
            with records._spooled(receipt_upload) as path:
                records._ensure_type(RecordKind.DOCUMENT, records.filetypes.detect(path))
                receipt = records._store(actor, case, role, path, name, {"receipt_of": "fine"})
        content = {
            "payment": {
                "amount": str(amount),
                "paid_on": paid_on.isoformat(),
                "receipt_evidence": receipt.pk if receipt else None,
            }
        }
        fields = records._Fields(
            title=f"罚款缴纳 {amount} 元",
            taken_at=timezone.now(),
            place="",
            latitude=None,
            longitude=None,
            officers=[],
        )
        return records._write_record(
            actor,
            role,
            case,
            kind=RecordKind.DOCUMENT,
            stage=case.stage,
            fields=fields,
            content=content,
            evidence_record=receipt,
            event_type=records.EVENT_PAYMENT,
            extra={"payment": content["payment"]},
        )
