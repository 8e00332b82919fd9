from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from zhifa.cases import selectors, services
from zhifa.cases.models import Deadline

from .conftest import person


def test_scopes_per_role(cw, make_case):
    case = make_case()
    users = cw.users
    for name in ("officer", "officer2", "unithead", "bodyhead", "reviewer", "supervisor"):
        assert selectors.get_case(users[name], case.pk) == case
        assert case in selectors.cases_for(users[name])
    for name in ("marketofficer", "sysadmin", "auditadmin"):
        with pytest.raises(Http404):
            selectors.get_case(users[name], case.pk)
        assert not selectors.cases_for(users[name]).exists()
    with pytest.raises(Http404):
        selectors.get_case(users["officer"], case.pk + 1000)
    with pytest.raises(Http404):
        selectors.get_case(users["officer"], "x")


def test_anonymous_sees_nothing(cw, make_case):
    from django.contrib.auth.models import AnonymousUser

    make_case()
    assert not selectors.cases_for(AnonymousUser()).exists()


def test_mine_unit_and_filters(cw, make_case):
    mine = make_case(officers=[cw.officers["李明"], cw.officers["王芳"]], title="李明的案件")
    other = make_case(
        officers=[cw.officers["岩温香"], cw.officers["杨德福"]],
        title="别人的案件",
        actor="unithead",
    )
    officer = cw.users["officer"]
    assert list(selectors.cases_for(officer, scope="mine")) == [mine]
    assert set(selectors.cases_for(officer, scope="unit")) == {mine, other}
    assert list(selectors.cases_for(officer, q="别人")) == [other]
    assert list(selectors.cases_for(officer, q=other.number)) == [other]
    assert not selectors.cases_for(officer, category="licensing").exists()
    assert (
        selectors.cases_for(officer, procedure="penalty_ordinary", stage="registered").count() == 2
    )
    with pytest.raises(ValueError):
        selectors.cases_for(officer, scope="everything")


def test_overdue(cw, make_case):
    case = make_case("penalty_ordinary", "investigating")
    officer = cw.users["officer"]
    assert not selectors.overdue_cases(officer).exists()
    day = datetime.timedelta(days=1)
    warning = Deadline.objects.get(case=case, kind="decision_warning").due_on
    assert not selectors.overdue_cases(officer, today=warning + day).exists()  # a warning only
    due = Deadline.objects.get(case=case, kind="decision").due_on
    assert not selectors.overdue_cases(officer, today=due).exists()
    assert list(selectors.overdue_cases(officer, today=due + day)) == [case]
    assert list(selectors.cases_for(officer, overdue=True, today=due + day)) == [case]


def test_deadline_views_count_working_days(cw, make_case):
    from zhifa.cases.deadlines import deadline_views
    from zhifa.core.calendar import working_days_between

    case = make_case("penalty_ordinary", "to_notify")
    today = timezone.localdate()
    cw.perform(
        case,
        "notify",
        {"served_on": case.filed_on, "facts": "事实", "reasons": "理由", "basis": "依据"},
        user="officer",
    )
    views = {v.deadline.kind: v for v in deadline_views(case, today)}
    statement = views["statement"]
    assert statement.unit == "个工作日"
    assert statement.remaining == working_days_between(today, statement.deadline.due_on).count
    assert views["decision"].unit == "日" and views["decision"].remaining == 90
    late = deadline_views(case, statement.deadline.due_on + datetime.timedelta(days=10))
    assert any(v.overdue and v.text.startswith("已逾期") for v in late)


def test_visibility_by_body_unit_and_assignment(cw, make_case):
    """The selector drops redundant visibility branches (selectors._visibility); what each
    person reads must not change: a case handled by another unit of the body is read by the
    body's head and by the officers assigned to it, not by another unit's head."""
    elsewhere = make_case(
        actor="bodyhead",
        unit=cw.orgs["daxing_agri"],
        title="农业中心承办的案件（虚构）",
        parties=[person("岩虚构甲", serial=901)],
    )
    assert elsewhere.unit == cw.orgs["daxing_agri"]
    team_case = make_case()
    officer, unithead, bodyhead = (cw.users[n] for n in ("officer", "unithead", "bodyhead"))
    assert set(selectors.cases_for(officer)) == {elsewhere, team_case}
    assert selectors.get_case(officer, elsewhere.pk) == elsewhere
    assert elsewhere not in selectors.cases_for(officer, scope="unit")
    assert elsewhere in selectors.cases_for(officer, scope="mine")
    assert set(selectors.cases_for(bodyhead)) == {elsewhere, team_case}
    assert list(selectors.cases_for(unithead)) == [team_case]
    with pytest.raises(Http404):
        selectors.get_case(unithead, elsewhere.pk)
    # A party's name finds the case, within what the caller reads only.
    assert list(selectors.cases_for(officer, q="虚构甲")) == [elsewhere]
    assert not selectors.cases_for(unithead, q="虚构甲").exists()
    assert list(selectors.cases_for(officer, q="虚构甲", stage="registered")) == [elsewhere]


def test_search_finds_a_party_added_later(cw, make_case):
    case = make_case()
    officer = cw.users["officer"]
    assert not selectors.cases_for(officer, q="后加当事人").exists()
    services.add_party(officer, case, person("岩后加当事人（虚构）", serial=902))
    assert list(selectors.cases_for(officer, q="后加当事人")) == [case]
    assert list(selectors.cases_for(officer, q=case.number)) == [case]


def test_registration_date_range_is_local_days(cw, make_case):
    case = make_case()
    officer = cw.users["officer"]
    day = timezone.localdate(case.created_at)
    one = datetime.timedelta(days=1)
    assert list(selectors.cases_for(officer, registered_from=day, registered_to=day)) == [case]
    assert not selectors.cases_for(officer, registered_from=day + one).exists()
    assert not selectors.cases_for(officer, registered_to=day - one).exists()
    # The last second of the local day still counts as that day.
    late = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))
    type(case).objects.filter(pk=case.pk).update(created_at=late)
    assert list(selectors.cases_for(officer, registered_to=day)) == [case]
    assert not selectors.cases_for(officer, registered_from=day + one).exists()
