"""Running time limits of a case as `Deadline` rows, so overdue lists are one indexed query.

Day periods of the penalty law (二日、三日、五日、七日) and the licensing law, and the coercion
law's periods up to ten days, count working days (行政处罚法第八十五条, 行政许可法第八十二条,
行政强制法第六十九条) through zhifa.core.calendar; the 90-day decision limit (第六十条), the
15-day payment period and the 30-day seizure term are calendar days.

Kinds used by the procedures: ``decision`` (90 days from filing) with ``decision_warning`` (day
75), ``statement`` (陈述申辩期), ``hearing_request`` (听证申请期), ``preservation`` (先行登记保存
处理), ``payment``, ``measure``, ``freeze_decision`` (冻结决定书 within 3 working days),
``emergency_report``, ``correction_notice`` (补正告知), ``handover`` and ``bank_deposit`` (a
fine collected on the spot handed to the body, then paid into the bank, 2 working days each,
行政处罚法第七十一条),
``licence_decision``, ``certificate``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from zhifa.core.calendar import add_working_days, working_days_between

from .models import Case, Deadline, DeadlineStatus

__all__ = [
    "DECISION_DAYS",
    "DECISION_WARNING_DAY",
    "WARNING_KINDS",
    "DeadlineView",
    "close_deadlines",
    "deadline_views",
    "late",
    "open_deadline",
    "open_deadlines",
    "overdue",
    "working_day_after",
]

# Early warnings are Deadline rows too (so the case page lists them), but passing one does not
# make a case overdue.
WARNING_KINDS = ("decision_warning",)
DECISION_DAYS = 90
DECISION_WARNING_DAY = 75
DECISION_BASIS = "《中华人民共和国行政处罚法》第六十条：自立案之日起九十日内作出行政处罚决定"


def working_day_after(start: datetime.date, n: int) -> datetime.date:
    return add_working_days(start, n).date


def open_deadline(
    case: Case,
    kind: str,
    label: str,
    *,
    starts_on: datetime.date,
    due_on: datetime.date,
    basis: str = "",
    working_days: bool = False,
) -> Deadline:
    """A new running limit; an open one of the same kind is cancelled (replaced)."""
    Deadline.objects.filter(case=case, kind=kind, status=DeadlineStatus.OPEN).update(
        status=DeadlineStatus.CANCELLED, closed_at=timezone.now()
    )
    return Deadline.objects.create(
        case=case,
        kind=kind,
        label=label,
        basis=basis[:200],
        starts_on=starts_on,
        due_on=due_on,
        working_days=working_days,
    )


def close_deadlines(case: Case, *kinds: str, status: str = DeadlineStatus.MET) -> int:
    return Deadline.objects.filter(case=case, kind__in=kinds, status=DeadlineStatus.OPEN).update(
        status=status, closed_at=timezone.now()
    )


def open_deadlines(case: Case) -> QuerySet[Deadline]:
    return case.deadlines.filter(status=DeadlineStatus.OPEN)


def current(case: Case, kind: str) -> Deadline | None:
    return case.deadlines.filter(kind=kind, status=DeadlineStatus.OPEN).order_by("-id").first()


def open_decision_deadlines(case: Case, filed_on: datetime.date) -> datetime.date:
    """Day 90 (the limit) and day 75 (the warning) from filing; returns the due date."""
    due = filed_on + datetime.timedelta(days=DECISION_DAYS)
    open_deadline(
        case,
        "decision_warning",
        f"办案期限预警（立案第{DECISION_WARNING_DAY}日）",
        starts_on=filed_on,
        due_on=filed_on + datetime.timedelta(days=DECISION_WARNING_DAY),
        basis=DECISION_BASIS,
    )
    open_deadline(
        case, "decision", "作出处罚决定期限", starts_on=filed_on, due_on=due, basis=DECISION_BASIS
    )
    return due


def late(today: datetime.date, *, warning: bool = False) -> Exists:
    """For a case queryset: an open time limit of the case past its due date (``warning``:
    only an early warning such as day 75, which does not make a case overdue; otherwise only
    the limits that do). Probed per listed case through the deadline's case index, so the
    cost follows the list, not every body's deadlines (bench/cases.py)."""
    rows = Deadline.objects.filter(case_id=OuterRef("pk"), status=DeadlineStatus.OPEN)
    rows = rows.filter(due_on__lt=today)
    if warning:
        return Exists(rows.filter(kind__in=WARNING_KINDS))
    return Exists(rows.exclude(kind__in=WARNING_KINDS))


def overdue(queryset: QuerySet[Case], today: datetime.date) -> QuerySet[Case]:
    """Cases with an open deadline (not a warning) already passed."""
    return queryset.filter(late(today))


@dataclass(frozen=True)
class DeadlineView:
    deadline: Deadline
    remaining: int  # days left (working days when the period counts them); negative = overdue
    unit: str  # "个工作日" or "日"
    overdue: bool
    verified: bool  # False when the holiday table of a year crossed is not confirmed

    @property
    def text(self) -> str:
        if self.overdue:
            return f"已逾期{-self.remaining}{self.unit}"
        if self.remaining == 0:
            return "今日届满"
        return f"剩余{self.remaining}{self.unit}"


def deadline_views(case: Case, today: datetime.date | None = None) -> list[DeadlineView]:
    """The open deadlines of a case with what is left, for the case page."""
    today = today or timezone.localdate()
    views = []
    for d in open_deadlines(case).order_by("due_on", "id"):
        if d.working_days:
            count = working_days_between(today, d.due_on)
            remaining, verified, unit = count.count, count.verified, "个工作日"
        else:
            remaining, verified, unit = (d.due_on - today).days, True, "日"
        views.append(DeadlineView(d, remaining, unit, d.due_on < today, verified))
    return views
