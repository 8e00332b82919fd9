"""Working days (工作日) for statutory deadlines, from the holiday table.

A day is a working day if it is a make-up workday (调休上班) in CalendarDay; otherwise not if it
is a holiday in CalendarDay; otherwise if it is Monday to Friday. A year counts as *verified*
only when a CalendarYear row says the State Council's arrangement for it has been entered. For
any other year the answer falls back to weekends plus whatever rows exist and says
``verified=False``: a deadline is never refused, and never silently guessed.

The chinesecalendar package is used for seeding only. Deadline code must not call it: it raises
NotImplementedError for every year it does not know, which is always next year in December.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import CalendarDay, CalendarYear, DayKind, User
from .permissions import require

__all__ = [
    "DeadlineResult",
    "WorkingDay",
    "WorkingDayCount",
    "add_calendar_day",
    "add_working_days",
    "calendar_warning",
    "confirm_calendar_year",
    "is_working_day",
    "missing_years",
    "package_years",
    "remove_calendar_day",
    "seed_calendar_from_package",
    "seed_calendar_if_empty",
    "working_days_between",
]

WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
# No statutory period runs for decades; the cap stops a typo from walking past year 9999.
MAX_WORKING_DAYS = 3660
# add_working_days loads the table in windows of this many days (one query each): long enough
# for any ordinary deadline to need a single query.
_WINDOW_DAYS = 400


@dataclass(frozen=True)
class WorkingDay:
    working: bool
    verified: bool
    reason: str  # e.g. "工作日", "周末", "法定节假日（国庆节）", "调休工作日（国庆节）"


@dataclass(frozen=True)
class DeadlineResult:
    date: datetime.date
    verified: bool
    missing_years: tuple[int, ...]  # years crossed that have no confirmed holiday arrangement


@dataclass(frozen=True)
class WorkingDayCount:
    count: int
    verified: bool
    missing_years: tuple[int, ...]


class _Table:
    """The holiday table for a span of dates, loaded with one query per window and kept for
    the duration of one call."""

    def __init__(self) -> None:
        self.days: dict[datetime.date, CalendarDay] = {}
        self.loaded_until: datetime.date | None = None
        self.loaded_from: datetime.date | None = None
        self.confirmed: set[int] | None = None

    def load(self, first: datetime.date, last: datetime.date) -> None:
        for row in CalendarDay.objects.filter(date__range=(first, last)):
            self.days[row.date] = row
        if self.loaded_from is None or first < self.loaded_from:
            self.loaded_from = first
        if self.loaded_until is None or last > self.loaded_until:
            self.loaded_until = last

    def confirmed_years(self) -> set[int]:
        if self.confirmed is None:
            self.confirmed = set(CalendarYear.objects.values_list("year", flat=True))
        return self.confirmed

    def info(self, d: datetime.date) -> WorkingDay:
        verified = d.year in self.confirmed_years()
        row = self.days.get(d)
        if row is not None and row.kind == DayKind.WORKDAY:
            return WorkingDay(True, verified, _with_name("调休工作日", row.name))
        if row is not None and row.kind == DayKind.HOLIDAY:
            return WorkingDay(False, verified, _with_name("法定节假日", row.name))
        if d.weekday() >= 5:
            return WorkingDay(False, verified, "周末")
        return WorkingDay(True, verified, "工作日")

    def missing(self, years: Iterable[int]) -> tuple[int, ...]:
        confirmed = self.confirmed_years()
        return tuple(sorted({y for y in years if y not in confirmed}))


def _with_name(label: str, name: str) -> str:
    return f"{label}（{name}）" if name else label


def is_working_day(d: datetime.date) -> WorkingDay:
    table = _Table()
    table.load(d, d)
    return table.info(d)


def add_working_days(start: datetime.date, n: int) -> DeadlineResult:
    """The n-th working day after `start` (`start` itself is not counted; n == 0 gives
    `start`). Used for "N个工作日内" periods."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if n > MAX_WORKING_DAYS:
        raise ValueError(f"n must be <= {MAX_WORKING_DAYS}")
    if n == 0:
        return DeadlineResult(start, True, ())
    table = _Table()
    d = start
    remaining = n
    while remaining:
        d += datetime.timedelta(days=1)
        if table.loaded_until is None or d > table.loaded_until:
            table.load(d, d + datetime.timedelta(days=_WINDOW_DAYS))
        if table.info(d).working:
            remaining -= 1
    # The days examined are start+1 .. d: from 31 December, start's own year is not among them.
    first = start + datetime.timedelta(days=1)
    missing = table.missing(range(first.year, d.year + 1))
    return DeadlineResult(d, not missing, missing)


def working_days_between(a: datetime.date, b: datetime.date) -> WorkingDayCount:
    """Working days in (a, b]: so that add_working_days(a, n).date == b gives n when b is a
    working day. Negative when b is before a (days overdue)."""
    if b < a:
        result = working_days_between(b, a)
        return WorkingDayCount(-result.count, result.verified, result.missing_years)
    if a == b:
        return WorkingDayCount(0, True, ())
    first = a + datetime.timedelta(days=1)
    table = _Table()
    table.load(first, b)
    count = 0
    d = first
    while d <= b:
        if table.info(d).working:
            count += 1
        d += datetime.timedelta(days=1)
    missing = table.missing(range(first.year, b.year + 1))
    return WorkingDayCount(count, not missing, missing)


def missing_years(today: datetime.date | None = None) -> tuple[int, ...]:
    """Years without a confirmed arrangement among this year and, from October on (when the
    State Council usually publishes), next year."""
    today = today or timezone.localdate()
    years = {today.year}
    if today.month >= 10:
        years.add(today.year + 1)
    confirmed = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    return tuple(sorted(years - confirmed))


def calendar_warning(today: datetime.date | None = None) -> str | None:
    years = missing_years(today)
    if not years:
        return None
    listed = "、".join(f"{y}年" for y in years)
    return (
        f"{listed}节假日安排尚未录入，期限计算按周末推算，结果未经核实。"
        "请系统管理员在“节假日管理”中录入国务院公布的安排。"
    )


# ---------------------------------------------------------------- administration


def _check_manage(actor: User | None) -> None:
    # actor=None: a trusted caller (migrations, the demo loader, the command line).
    if actor is not None:
        require(actor, "calendar.manage")


@transaction.atomic
def add_calendar_day(
    actor: User | None, date: datetime.date, kind: str, name: str = ""
) -> CalendarDay:
    _check_manage(actor)
    if kind not in DayKind.values:
        raise ValidationError(f"未知的日期类型：{kind}")
    name = (name or "").strip()
    if len(name) > CalendarDay._meta.get_field("name").max_length:
        raise ValidationError("名称过长，请不超过64个字。")
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        raise ValidationError(
            f"调休工作日必须是周六或周日：{date:%Y-%m-%d}是{WEEKDAY_NAMES[date.weekday()]}，"
            "本来就是工作日。"
        )
    existing = CalendarDay.objects.filter(date=date).first()
    if existing is not None:
        raise ValidationError(
            f"{date:%Y-%m-%d}已有记录（{existing.get_kind_display()}"
            f"{'：' + existing.name if existing.name else ''}），如需修改请先删除。"
        )
    # A holiday on a weekend changes nothing in the arithmetic but is accepted: the State
    # Council's notice lists whole holiday spans, and entering them as printed is easier.
    return CalendarDay.objects.create(date=date, kind=kind, name=name)


@transaction.atomic
def remove_calendar_day(actor: User | None, day_id: int) -> None:
    _check_manage(actor)
    deleted, _ = CalendarDay.objects.filter(pk=day_id).delete()
    if not deleted:
        raise ValidationError("该记录不存在或已被删除。")


@transaction.atomic
def confirm_calendar_year(actor: User | None, year: int, source: str) -> CalendarYear:
    """Mark `year` complete: its State Council arrangement has been entered in full."""
    _check_manage(actor)
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年份无效：{year}")
    source = (source or "").strip()
    if not source:
        raise ValidationError("请填写来源，例如国务院办公厅通知的文号。")
    if len(source) > CalendarYear._meta.get_field("source").max_length:
        raise ValidationError("来源过长，请不超过128个字。")
    # Every year has holidays on weekdays (元旦, 春节...): a year with no rows is a mistake.
    if not CalendarDay.objects.filter(date__year=year).exists():
        raise ValidationError(f"{year}年尚未录入任何节假日或调休记录，不能确认。")
    row, _ = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": source, "confirmed_at": timezone.now()}
    )
    return row


# ---------------------------------------------------------------- seeding from chinesecalendar


def package_years() -> tuple[int, int]:
    """First and last year the installed chinesecalendar package has data for."""
    import chinese_calendar

    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def _package_source() -> str:
    import chinese_calendar

    return f"chinesecalendar {chinese_calendar.__version__}"


def _chinese_name(english: str) -> str:
    from chinese_calendar import Holiday

    try:
        return Holiday(english).chinese
    except ValueError:
        return english


def _seed_year(year: int) -> bool:
    import chinese_calendar

    try:
        chinese_calendar.get_holiday_detail(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    # Only exceptions to the weekend rule are stored; holidays falling on a weekend add nothing.
    for d, english in chinese_calendar.holidays.items():
        if d.year == year and d.weekday() < 5:
            CalendarDay.objects.update_or_create(
                date=d, defaults={"kind": DayKind.HOLIDAY, "name": _chinese_name(english)}
            )
    for d, english in chinese_calendar.workdays.items():
        if d.year == year and d.weekday() >= 5:
            CalendarDay.objects.update_or_create(
                date=d, defaults={"kind": DayKind.WORKDAY, "name": _chinese_name(english)}
            )
    # get_or_create: a year an administrator has confirmed keeps its recorded source. Rows the
    # package does not have (e.g. a prefecture's own ethnic festival) are left alone.
    CalendarYear.objects.get_or_create(year=year, defaults={"source": _package_source()})
    return True


@transaction.atomic
def seed_calendar_from_package(first_year: int, last_year: int) -> int:
    """Load the holiday arrangements the chinesecalendar package knows for the given years
    (inclusive); years it does not know are skipped. Idempotent. Returns the number of years
    seeded."""
    return sum(1 for year in range(first_year, last_year + 1) if _seed_year(year))


def seed_calendar_if_empty(first_year: int = 2020) -> int:
    """Seed from the package when the holiday table is empty (first start, the demo)."""
    if CalendarYear.objects.exists() or CalendarDay.objects.exists():
        return 0
    return seed_calendar_from_package(first_year, package_years()[1])
