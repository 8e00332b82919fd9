"""Working days from the holiday table, seeding from chinesecalendar, and the admin services.

Facts about 2026 are from the State Council's notice (国办发明电〔2025〕7号) as carried by
chinesecalendar 1.11: 国庆节、中秋节 10-01..10-07 off, make-up workdays on Sunday 09-20 and
Saturday 10-10."""

import datetime
import sys
import types
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from zhifa.core import calendar as cal
from zhifa.core.models import (
    CalendarDay,
    CalendarYear,
    DayKind,
    Membership,
    OrgKind,
    Role,
    User,
)
from zhifa.core.services import create_organization, create_region

D = datetime.date


@pytest.fixture
def seeded_2026(db):
    assert cal.seed_calendar_from_package(2026, 2026) == 1


# ---------------------------------------------------------------- seeding


@pytest.mark.django_db
def test_seed_2026_facts(seeded_2026):
    for day in range(1, 8):
        assert not cal.is_working_day(D(2026, 10, day)).working
    first = cal.is_working_day(D(2026, 10, 1))  # a Thursday
    assert first == cal.WorkingDay(False, True, "法定节假日（国庆节）")
    assert cal.is_working_day(D(2026, 10, 8)) == cal.WorkingDay(True, True, "工作日")
    assert cal.is_working_day(D(2026, 10, 10)) == cal.WorkingDay(True, True, "调休工作日（国庆节）")
    assert cal.is_working_day(D(2026, 10, 11)) == cal.WorkingDay(False, True, "周末")

    workdays = CalendarDay.objects.filter(kind=DayKind.WORKDAY, date__year=2026)
    assert sorted(workdays.values_list("date", flat=True)) == [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]
    # Only weekday holidays are stored: the weekend ones are implied.
    assert not CalendarDay.objects.filter(date=D(2026, 10, 3)).exists()
    year = CalendarYear.objects.get(year=2026)
    assert year.source.startswith("chinesecalendar ")


@pytest.mark.django_db
def test_seeding_is_idempotent_and_skips_unknown_years(seeded_2026):
    rows = CalendarDay.objects.count()
    assert cal.seed_calendar_from_package(2025, 2040) == 2  # 2025 and 2026 only
    assert cal.seed_calendar_from_package(2026, 2026) == 1
    assert CalendarDay.objects.filter(date__year=2026).count() == rows
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2025, 2026]


@pytest.mark.django_db
def test_seeding_keeps_confirmed_source_and_local_rows(seeded_2026):
    CalendarYear.objects.filter(year=2026).update(source="国办发明电〔2025〕7号")
    local = cal.add_calendar_day(None, D(2026, 7, 22), DayKind.HOLIDAY, "地方节日")
    cal.seed_calendar_from_package(2026, 2026)
    assert CalendarYear.objects.get(year=2026).source == "国办发明电〔2025〕7号"
    assert CalendarDay.objects.filter(pk=local.pk).exists()


@pytest.mark.django_db
def test_seed_if_empty_only_once():
    assert cal.seed_calendar_if_empty(first_year=2025) == 2
    assert cal.seed_calendar_if_empty(first_year=2025) == 0
    assert cal.is_working_day(D(2025, 10, 11)).working  # 2025's Saturday make-up day


@pytest.mark.django_db
def test_seed_calendar_command():
    out = StringIO()
    call_command("seed_calendar", "--from", "2026", "--to", "2031", stdout=out)
    text = out.getvalue()
    assert "已导入 1 个年度" in text
    assert "2027、2028、2029、2030、2031" in text
    assert CalendarYear.objects.filter(year=2026).exists()


@pytest.mark.django_db
def test_deadline_code_never_calls_chinesecalendar(monkeypatch):
    # The package raises for years it does not know; deadline code must not depend on it.
    class Unavailable(types.ModuleType):
        def __getattr__(self, name):
            raise AssertionError(f"chinese_calendar.{name} used by deadline code")

    monkeypatch.setitem(sys.modules, "chinese_calendar", Unavailable("chinese_calendar"))
    assert "chinese_calendar" not in vars(cal)
    assert cal.add_working_days(D(2031, 3, 6), 3).date == D(2031, 3, 11)
    assert cal.working_days_between(D(2031, 3, 6), D(2031, 3, 11)).count == 3
    assert cal.is_working_day(D(2031, 3, 7)).working
    assert cal.calendar_warning(D(2031, 11, 1)) is not None
    with pytest.raises(AssertionError):  # the guard itself works
        cal.seed_calendar_from_package(2026, 2026)


# ---------------------------------------------------------------- working days


@pytest.mark.django_db
def test_seven_working_days_across_national_day_2026(seeded_2026):
    # 09-28 Mon (start, not counted): 09-29 Tue 1, 09-30 Wed 2, 10-01..07 off, 10-08 Thu 3,
    # 10-09 Fri 4, 10-10 Sat make-up 5, 10-11 Sun off, 10-12 Mon 6, 10-13 Tue 7.
    result = cal.add_working_days(D(2026, 9, 28), 7)
    assert result == cal.DeadlineResult(D(2026, 10, 13), True, ())
    assert cal.working_days_between(D(2026, 9, 28), D(2026, 10, 13)).count == 7
    assert cal.working_days_between(D(2026, 10, 13), D(2026, 9, 28)).count == -7


@pytest.mark.django_db
def test_working_days_around_spring_festival_2026(seeded_2026):
    # 02-13 Fri start; 02-14 Sat make-up 1; 02-15 Sun..02-23 Mon off; 02-24 Tue 2.
    assert cal.add_working_days(D(2026, 2, 13), 2).date == D(2026, 2, 24)
    count = cal.working_days_between(D(2026, 2, 13), D(2026, 2, 28))
    # 02-14, 02-24, 02-25, 02-26, 02-27, 02-28 (Saturday make-up).
    assert count == cal.WorkingDayCount(6, True, ())


@pytest.mark.django_db
def test_zero_days_and_negative(seeded_2026):
    assert cal.add_working_days(D(2026, 10, 3), 0) == cal.DeadlineResult(D(2026, 10, 3), True, ())
    assert cal.working_days_between(D(2026, 10, 3), D(2026, 10, 3)).count == 0
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 10, 3), -1)


@pytest.mark.django_db
def test_unknown_year_falls_back_to_weekends_unverified():
    # 2031-03-06 is a Thursday. With no data: Fri 07, Mon 10, Tue 11.
    result = cal.add_working_days(D(2031, 3, 6), 3)
    assert result == cal.DeadlineResult(D(2031, 3, 11), False, (2031,))
    assert cal.is_working_day(D(2031, 3, 8)) == cal.WorkingDay(False, False, "周末")

    # A holiday entered for 2031 is honoured, but the year is still unconfirmed.
    cal.add_calendar_day(None, D(2031, 3, 7), DayKind.HOLIDAY, "测试假日")
    result = cal.add_working_days(D(2031, 3, 6), 3)
    assert result == cal.DeadlineResult(D(2031, 3, 12), False, (2031,))
    assert cal.is_working_day(D(2031, 3, 7)) == cal.WorkingDay(
        False, False, "法定节假日（测试假日）"
    )

    cal.confirm_calendar_year(None, 2031, "测试通知")
    result = cal.add_working_days(D(2031, 3, 6), 3)
    assert result == cal.DeadlineResult(D(2031, 3, 12), True, ())
    assert cal.is_working_day(D(2031, 3, 7)).verified


@pytest.mark.django_db
def test_deadline_crossing_into_unconfirmed_year(seeded_2026):
    result = cal.add_working_days(D(2026, 12, 30), 3)
    # 12-31 Thu 1; 2027: 01-01 Fri 2 (no 2027 data: a weekday), 01-04 Mon 3.
    assert result == cal.DeadlineResult(D(2027, 1, 4), False, (2027,))
    # Start on 31 December: only 2027 days are examined, so 2026 is not "missing" either way.
    assert cal.add_working_days(D(2026, 12, 31), 1).missing_years == (2027,)
    assert cal.working_days_between(D(2026, 12, 1), D(2026, 12, 31)).verified


@pytest.mark.django_db
def test_one_query_per_window(seeded_2026, django_assert_num_queries):
    with django_assert_num_queries(2):  # the holiday rows, the confirmed years
        cal.add_working_days(D(2026, 1, 1), 200)
    with django_assert_num_queries(2):
        cal.working_days_between(D(2026, 1, 1), D(2026, 12, 31))


@pytest.mark.django_db
def test_whole_year_2026_count(seeded_2026):
    # 2026: 261 weekdays, minus 19 weekday holidays, plus 6 make-up days = 248 working days.
    assert cal.working_days_between(D(2025, 12, 31), D(2026, 12, 31)).count == 248


# ---------------------------------------------------------------- warnings


@pytest.mark.django_db
def test_missing_years_and_warning(seeded_2026):
    assert cal.missing_years(D(2026, 5, 1)) == ()
    assert cal.calendar_warning(D(2026, 5, 1)) is None
    assert cal.missing_years(D(2026, 10, 1)) == (2027,)
    warning = cal.calendar_warning(D(2026, 10, 1))
    assert warning.startswith("2027年节假日安排尚未录入，期限计算按周末推算，结果未经核实。")
    assert "节假日管理" in warning
    assert cal.missing_years(D(2027, 1, 5)) == (2027,)
    assert cal.missing_years(D(2027, 11, 5)) == (2027, 2028)
    assert cal.calendar_warning(D(2027, 11, 5)).startswith("2027年、2028年节假日安排")


# ---------------------------------------------------------------- admin services


@pytest.fixture
def org(db):
    region = create_region("530102", "五华区")
    return create_organization(
        None, name="五华区司法局", kind=OrgKind.JUSTICE_BUREAU, region=region
    )


def _user(org, username, role):
    user = User.objects.create_user(username=username, password="x-Unused-9", organization=org)
    Membership.objects.create(user=user, organization=org, role=role)
    return user


@pytest.mark.django_db
def test_admin_services_for_system_admin(org):
    admin = _user(org, "sysadmin", Role.SYSTEM_ADMIN)
    day = cal.add_calendar_day(admin, D(2031, 1, 1), DayKind.HOLIDAY, " 元旦 ")
    assert day.name == "元旦"
    cal.add_calendar_day(admin, D(2031, 1, 5), DayKind.WORKDAY, "春节")  # a Sunday
    cal.add_calendar_day(admin, D(2031, 1, 4), DayKind.HOLIDAY, "")  # a Saturday: accepted
    year = cal.confirm_calendar_year(admin, 2031, "国办发明电〔2030〕1号")
    assert year.source == "国办发明电〔2030〕1号"
    again = cal.confirm_calendar_year(admin, 2031, "更正后的通知")
    assert again.pk == year.pk and again.source == "更正后的通知"
    cal.remove_calendar_day(admin, day.pk)
    assert not CalendarDay.objects.filter(pk=day.pk).exists()


@pytest.mark.django_db
def test_admin_service_validation(org):
    admin = _user(org, "sysadmin", Role.SYSTEM_ADMIN)
    with pytest.raises(ValidationError, match="调休工作日必须是周六或周日"):
        cal.add_calendar_day(admin, D(2031, 1, 6), DayKind.WORKDAY, "春节")  # a Monday
    cal.add_calendar_day(admin, D(2031, 1, 1), DayKind.HOLIDAY, "元旦")
    with pytest.raises(ValidationError, match="已有记录"):
        cal.add_calendar_day(admin, D(2031, 1, 1), DayKind.HOLIDAY, "元旦")
    with pytest.raises(ValidationError, match="未知的日期类型"):
        cal.add_calendar_day(admin, D(2031, 1, 2), "vacation", "")
    with pytest.raises(ValidationError, match="不存在或已被删除"):
        cal.remove_calendar_day(admin, 999999)
    with pytest.raises(ValidationError, match="请填写来源"):
        cal.confirm_calendar_year(admin, 2031, "  ")
    with pytest.raises(ValidationError, match="尚未录入任何节假日"):
        cal.confirm_calendar_year(admin, 2032, "某通知")
    assert not CalendarYear.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.OFFICER])
def test_admin_services_refused_for_others(org, role):
    other = _user(org, "someone", role)
    day = cal.add_calendar_day(None, D(2031, 1, 1), DayKind.HOLIDAY, "元旦")
    with pytest.raises(PermissionDenied):
        cal.add_calendar_day(other, D(2031, 1, 2), DayKind.HOLIDAY, "")
    with pytest.raises(PermissionDenied):
        cal.remove_calendar_day(other, day.pk)
    with pytest.raises(PermissionDenied):
        cal.confirm_calendar_year(other, 2031, "某通知")
    assert list(CalendarDay.objects.values_list("pk", flat=True)) == [day.pk]
    assert not CalendarYear.objects.exists()
