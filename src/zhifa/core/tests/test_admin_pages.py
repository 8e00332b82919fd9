"""The administration pages: who may open them, what they change, and that the audit admin
changes nothing. Login/lockout/password policy tests live elsewhere."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhifa.core import services
from zhifa.core.demo import DEMO_PASSWORD
from zhifa.core.models import (
    CalendarDay,
    CalendarYear,
    DayKind,
    LoginLog,
    LoginResult,
    Membership,
    OperationLog,
    Organization,
    OrgKind,
    Role,
    User,
)

pytestmark = pytest.mark.django_db


ADMIN_PAGES = {
    "core:admin_orgs": "sysadmin",
    "core:admin_users": "sysadmin",
    "core:admin_calendar": "sysadmin",
    "core:admin_roles": "secadmin",
    "core:audit_logins": "auditadmin",
    "core:audit_operations": "auditadmin",
}
WRONG_USERS = ["sysadmin", "secadmin", "auditadmin", "officer", "supervisor"]

# A valid USCC (GB 32100-2015 check character).
VALID_USCC = "91350100M000100Y43"


def snapshot() -> dict:
    """Everything an admin POST could change."""
    return {
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "password", "is_active", "must_change_password"
            )
        ),
        "memberships": list(
            Membership.objects.order_by("pk").values_list(
                "pk", "user_id", "organization_id", "role"
            )
        ),
        "orgs": list(Organization.objects.order_by("pk").values_list("pk", "name", "parent_id")),
        "days": list(CalendarDay.objects.order_by("pk").values_list("pk", "date", "kind", "name")),
        "years": list(CalendarYear.objects.order_by("pk").values_list("year", "source")),
    }


def html(response) -> str:
    return response.content.decode()


def without_csrf(response) -> str:
    """The page with its per-request CSRF token removed, to compare two answers."""
    return re.sub(r"[A-Za-z0-9]{64}", "", html(response))


def login_via_page(username: str, password: str) -> Client:
    client = Client(HTTP_USER_AGENT="pytest-browser/1.0")
    client.post(reverse("core:login"), {"username": username, "password": password})
    return client


@pytest.fixture
def outsider(world):
    """An account whose home organisation (the law firm, a root) no demo admin manages."""
    user, _ = services.create_user(
        None,
        username="lawyer",
        full_name="周律师",
        organization=world.orgs["law_firm"],
        password=DEMO_PASSWORD,
    )
    return user


@pytest.fixture
def daxing_sysadmin(world):
    """A system admin whose scope is 大兴乡 only."""
    user, _ = services.create_user(
        None,
        username="daxingsys",
        full_name="乡系统管理员",
        organization=world.orgs["daxing"],
        password=DEMO_PASSWORD,
    )
    services.grant_role(None, user, world.orgs["daxing"], Role.SYSTEM_ADMIN)
    return user


# ---------------------------------------------------------------- who may open what


@pytest.mark.parametrize("name", list(ADMIN_PAGES))
def test_anonymous_is_sent_to_login(world, name):
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


@pytest.mark.parametrize("name", list(ADMIN_PAGES))
@pytest.mark.parametrize("username", WRONG_USERS)
def test_wrong_role_gets_403_right_role_200(client_for, name, username):
    response = client_for(username).get(reverse(name))
    if username == ADMIN_PAGES[name]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "无权访问" in html(response)


@pytest.mark.parametrize("name", ["core:audit_logins", "core:audit_operations"])
def test_system_admin_cannot_read_logs(client_for, name):
    assert client_for("sysadmin").get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["core:audit_logins", "core:audit_operations"])
def test_audit_pages_accept_no_post(client_for, name):
    before = LoginLog.objects.count()
    response = client_for("auditadmin").post(reverse(name), {"username": "x"})
    assert response.status_code == 405
    assert LoginLog.objects.count() == before


def test_navigation_shows_only_own_admin_entries(client_for):
    page = html(client_for("auditadmin").get(reverse("core:home")))
    assert reverse("core:audit_logins") in page
    assert reverse("core:admin_users") not in page
    page = html(client_for("sysadmin").get(reverse("core:home")))
    assert reverse("core:admin_users") in page
    assert reverse("core:audit_logins") not in page
    assert reverse("core:admin_roles") not in page


# ---------------------------------------------------------------- audit admin changes nothing


def _admin_posts(world) -> list[tuple[str, dict]]:
    officer = world.users["officer"]
    membership = Membership.objects.get(user=officer)
    day = CalendarDay.objects.create(date=datetime.date(2031, 1, 1), kind=DayKind.HOLIDAY)
    daxing = world.orgs["daxing"]
    return [
        (
            reverse("core:admin_user_create"),
            {"username": "newbie", "full_name": "新人", "organization": daxing.pk},
        ),
        (reverse("core:admin_user_reset_password", args=[officer.pk]), {}),
        (reverse("core:admin_user_deactivate", args=[officer.pk]), {}),
        (reverse("core:admin_user_activate", args=[officer.pk]), {}),
        (reverse("core:admin_user_unlock", args=[officer.pk]), {}),
        (
            reverse("core:admin_org_create"),
            {
                "name": "新机构",
                "kind": OrgKind.INTERNAL_OFFICE,
                "region": daxing.region_id,
                "parent": daxing.pk,
            },
        ),
        (
            reverse("core:admin_role_grant"),
            {
                "user": world.users["officer2"].pk,
                "organization": daxing.pk,
                "role": Role.LEGAL_REVIEWER,
            },
        ),
        (reverse("core:admin_role_revoke", args=[membership.pk]), {}),
        (
            reverse("core:admin_calendar_add"),
            {"date": "2031-01-02", "kind": DayKind.HOLIDAY, "name": "元旦"},
        ),
        (reverse("core:admin_calendar_remove", args=[day.pk]), {}),
        (reverse("core:admin_calendar_confirm"), {"year": 2031, "source": "国办发明电"}),
    ]


def test_audit_admin_gets_403_on_every_admin_post_and_nothing_changes(world, client_for):
    posts = _admin_posts(world)
    client = client_for("auditadmin")
    before = snapshot()
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403, url
    assert snapshot() == before


# ---------------------------------------------------------------- audit logs


def test_audit_admin_sees_a_real_login(world, client_for):
    login_via_page("officer", DEMO_PASSWORD)
    login_via_page("officer2", "wrong-password")
    assert LoginLog.objects.filter(username="officer", result=LoginResult.SUCCESS).exists()

    page = html(client_for("auditadmin").get(reverse("core:audit_logins")))
    assert "<td>officer</td>" in page
    assert "pytest-browser/1.0" in page
    assert "成功" in page
    assert "密码错误" in page

    filtered = html(
        client_for("auditadmin").get(reverse("core:audit_logins"), {"result": "failure"})
    )
    assert "<td>officer2</td>" in filtered
    assert "<td>officer</td>" not in filtered
    assert "成功</td>" not in filtered


def test_audit_admin_sees_admin_operations(world, client_for):
    client_for("sysadmin").post(
        reverse("core:admin_user_create"),
        {"username": "newbie", "full_name": "新人", "organization": world.orgs["daxing"].pk},
    )
    row = OperationLog.objects.get(action="core:admin_user_create")
    assert row.username == "sysadmin"
    page = html(client_for("auditadmin").get(reverse("core:audit_operations")))
    assert reverse("core:admin_user_create") in page
    assert "sysadmin" in page


def _logs(username: str, count: int, at: datetime.datetime) -> None:
    LoginLog.objects.bulk_create(
        LoginLog(username=username, result=LoginResult.SUCCESS, at=at) for _ in range(count)
    )


def test_audit_logs_paginate_by_50(world, client_for):
    _logs("bulkuser", 120, timezone.now())
    client = client_for("auditadmin")
    url = reverse("core:audit_logins")
    first = client.get(url, {"username": "bulkuser"})
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.num_pages == 3
    last = client.get(url, {"username": "bulkuser", "page": 3})
    assert len(last.context["page"].object_list) == 20
    # The filter survives paging.
    assert "username=bulkuser&amp;page=2" in html(first)


def test_audit_logs_filter_by_username_and_date(world, client_for):
    tz = timezone.get_current_timezone()
    _logs("alice", 3, datetime.datetime(2030, 3, 1, 9, 0, tzinfo=tz))
    _logs("alice", 2, datetime.datetime(2030, 3, 5, 23, 30, tzinfo=tz))
    _logs("bob", 4, datetime.datetime(2030, 3, 5, 10, 0, tzinfo=tz))
    client = client_for("auditadmin")
    url = reverse("core:audit_logins")

    def count(**params) -> int:
        return client.get(url, params).context["page"].paginator.count

    assert count(username="alice") == 5
    assert count(username="alice", date_from="2030-03-02") == 2
    # 23:30 Beijing time is still 5 March: dates are local dates.
    assert count(username="alice", date_to="2030-03-05", date_from="2030-03-05") == 2
    assert count(date_from="2030-03-01", date_to="2030-03-04") == 3
    response = client.get(url, {"date_from": "2030-03-06", "date_to": "2030-03-01"})
    assert response.status_code == 200
    assert "起始日期不能晚于截止日期" in html(response)
    ops = client.get(reverse("core:audit_operations"), {"username": "nobody"})
    assert ops.context["page"].paginator.count == 0


# ---------------------------------------------------------------- organisations


def test_system_admin_sees_org_tree_and_adds_child(world, client_for):
    client = client_for("sysadmin")
    page = html(client.get(reverse("core:admin_orgs")))
    assert "大兴乡综合行政执法队" in page
    assert "云南明理律师事务所" not in page  # a root outside the admin's tree

    daxing = world.orgs["daxing"]
    response = client.post(
        reverse("core:admin_org_create"),
        {
            "name": "大兴乡应急管理办公室",
            "kind": OrgKind.INTERNAL_OFFICE,
            "region": daxing.region_id,
            "parent": daxing.pk,
            "uscc": VALID_USCC,
        },
    )
    assert response.status_code == 302
    org = Organization.objects.get(name="大兴乡应急管理办公室")
    assert org.parent == daxing
    assert org.path.startswith(daxing.path)
    assert org.uscc == VALID_USCC


def test_org_create_bad_uscc_shows_error_and_changes_nothing(world, client_for):
    daxing = world.orgs["daxing"]
    before = snapshot()
    response = client_for("sysadmin").post(
        reverse("core:admin_org_create"),
        {
            "name": "大兴乡应急管理办公室",
            "kind": OrgKind.INTERNAL_OFFICE,
            "region": daxing.region_id,
            "parent": daxing.pk,
            "uscc": "12345",
        },
    )
    assert response.status_code == 400
    assert "统一社会信用代码长度应为18位" in html(response)
    assert snapshot() == before


def test_org_create_duplicate_name_shows_error(world, client_for):
    daxing = world.orgs["daxing"]
    before = snapshot()
    response = client_for("sysadmin").post(
        reverse("core:admin_org_create"),
        {
            "name": "大兴乡司法所",
            "kind": OrgKind.JUSTICE_OFFICE,
            "region": daxing.region_id,
            "parent": daxing.pk,
        },
    )
    assert response.status_code == 400
    assert "同一上级下已有名为“大兴乡司法所”的组织" in html(response)
    assert snapshot() == before


def test_org_create_under_unmanaged_parent_is_403(world, client_for):
    before = snapshot()
    response = client_for("sysadmin").post(
        reverse("core:admin_org_create"),
        {
            "name": "分所",
            "kind": OrgKind.LAW_FIRM,
            "region": world.orgs["law_firm"].region_id,
            "parent": world.orgs["law_firm"].pk,
        },
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_scoped_system_admin_sees_only_its_subtree(world, daxing_sysadmin):
    client = Client()
    client.force_login(daxing_sysadmin)
    orgs = html(client.get(reverse("core:admin_orgs")))
    assert "大兴乡司法所" in orgs
    assert "耿马傣族佤族自治县市场监督管理局" not in orgs
    users = client.get(reverse("core:admin_users"))
    usernames = {row["user"].username for row in users.context["rows"]}
    assert {"officer", "bodyhead", "supervisor"} <= usernames
    assert "marketofficer" not in usernames
    assert "sysadmin" not in usernames


# ---------------------------------------------------------------- accounts


def test_create_user_shows_temporary_password_once(world, client_for):
    client = client_for("sysadmin")
    response = client.post(
        reverse("core:admin_user_create"),
        {
            "username": "newbie",
            "full_name": "新人",
            "organization": world.orgs["daxing_team"].pk,
            "phone": "138 0013 8000",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    temporary = response.context["password"]
    assert temporary and temporary in html(response)
    user = User.objects.get(username="newbie")
    assert user.organization == world.orgs["daxing_team"]
    assert user.phone == "13800138000"
    assert user.must_change_password
    assert user.check_password(temporary)
    # Shown once: the account list never shows it again.
    assert temporary not in html(client.get(reverse("core:admin_users")))
    # And it works at the login page (then the password must be changed).
    fresh = login_via_page("newbie", temporary)
    assert fresh.get(reverse("core:home"))["Location"] == reverse("core:password_change")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"username": "officer"}, "用户名“officer”已被使用"),
        ({"username": "OFFICER"}, "用户名“OFFICER”已被使用"),
        ({"phone": "12345"}, "手机号码格式错误"),
        ({"username": ""}, "这个字段是必填项"),
        ({"organization": 999999}, "请选择有效的组织"),
    ],
)
def test_create_user_errors_are_shown_and_change_nothing(world, client_for, data, message):
    form = {"username": "newbie", "full_name": "新人", "organization": world.orgs["daxing"].pk}
    form.update(data)
    before = snapshot()
    response = client_for("sysadmin").post(reverse("core:admin_user_create"), form)
    assert response.status_code == 400
    assert message in html(response)
    assert snapshot() == before


def test_create_user_in_unmanaged_org_is_403(world, client_for, daxing_sysadmin):
    client = Client()
    client.force_login(daxing_sysadmin)
    before = snapshot()
    response = client.post(
        reverse("core:admin_user_create"),
        {"username": "newbie", "full_name": "新人", "organization": world.orgs["county_market"].pk},
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_reset_password_shows_new_temporary_password(world, client_for):
    officer = world.users["officer"]
    response = client_for("sysadmin").post(
        reverse("core:admin_user_reset_password", args=[officer.pk])
    )
    assert response.status_code == 200
    temporary = response.context["password"]
    assert temporary in html(response)
    officer.refresh_from_db()
    assert officer.check_password(temporary)
    assert not officer.check_password(DEMO_PASSWORD)
    assert officer.must_change_password


def test_deactivate_and_activate(world, client_for):
    officer = world.users["officer"]
    client = client_for("sysadmin")
    assert client.post(reverse("core:admin_user_deactivate", args=[officer.pk])).status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
    # A deactivated account cannot log in.
    assert not LoginLog.objects.filter(username="officer", result=LoginResult.SUCCESS).exists()
    login_via_page("officer", DEMO_PASSWORD)
    assert not LoginLog.objects.filter(username="officer", result=LoginResult.SUCCESS).exists()
    assert client.post(reverse("core:admin_user_activate", args=[officer.pk])).status_code == 302
    officer.refresh_from_db()
    assert officer.is_active


def test_system_admin_cannot_deactivate_itself(world, client_for):
    sysadmin = world.users["sysadmin"]
    client = client_for("sysadmin")
    response = client.post(reverse("core:admin_user_deactivate", args=[sysadmin.pk]), follow=True)
    assert "不能停用自己的账号" in html(response)
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


def test_unlock_lifts_a_lockout(world, client_for, settings):
    officer = world.users["officer"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_via_page("officer", "wrong-password")
    assert services.is_locked(officer)
    client = client_for("sysadmin")
    page = html(client.get(reverse("core:admin_users")))
    assert reverse("core:admin_user_unlock", args=[officer.pk]) in page
    assert "已锁定" in page
    assert client.post(reverse("core:admin_user_unlock", args=[officer.pk])).status_code == 302
    assert not services.is_locked(officer)


USER_ACTIONS = [
    "core:admin_user_reset_password",
    "core:admin_user_deactivate",
    "core:admin_user_activate",
    "core:admin_user_unlock",
]


@pytest.mark.parametrize("name", USER_ACTIONS)
def test_user_outside_scope_is_404_like_missing(world, client_for, outsider, name):
    client = client_for("sysadmin")
    before = snapshot()
    out_of_scope = client.post(reverse(name, args=[outsider.pk]))
    missing = client.post(reverse(name, args=[999999]))
    assert out_of_scope.status_code == missing.status_code == 404
    assert without_csrf(out_of_scope) == without_csrf(missing)
    assert snapshot() == before


@pytest.mark.parametrize("name", USER_ACTIONS)
def test_scoped_system_admin_gets_404_for_county_user(world, daxing_sysadmin, name):
    client = Client()
    client.force_login(daxing_sysadmin)
    before = snapshot()
    assert client.post(reverse(name, args=[world.users["marketofficer"].pk])).status_code == 404
    assert snapshot() == before


# ---------------------------------------------------------------- holiday table


def test_calendar_add_remove_confirm(world, client_for):
    client = client_for("sysadmin")
    url = reverse("core:admin_calendar")
    response = client.post(
        reverse("core:admin_calendar_add"),
        {"date": "2031-01-01", "kind": DayKind.HOLIDAY, "name": "元旦"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=datetime.date(2031, 1, 1))
    page = html(client.get(url, {"year": 2031}))
    assert "2031-01-01" in page and "元旦" in page
    assert "2031-01-01" not in html(client.get(url, {"year": 2030}))

    # Duplicate: a clear error, nothing changes.
    before = snapshot()
    response = client.post(
        reverse("core:admin_calendar_add"),
        {"date": "2031-01-01", "kind": DayKind.HOLIDAY, "name": "元旦"},
    )
    assert response.status_code == 400
    assert "2031-01-01已有记录" in html(response)
    # A make-up workday on a weekday is refused.
    response = client.post(
        reverse("core:admin_calendar_add"),
        {"date": "2031-01-06", "kind": DayKind.WORKDAY, "name": "春节"},
    )
    assert response.status_code == 400
    assert "调休工作日必须是周六或周日" in html(response)
    # Confirming without a source is refused.
    response = client.post(reverse("core:admin_calendar_confirm"), {"year": 2031, "source": " "})
    assert response.status_code == 400
    assert snapshot() == before

    response = client.post(
        reverse("core:admin_calendar_confirm"), {"year": 2031, "source": "国办发明电〔2030〕1号"}
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2031).source == "国办发明电〔2030〕1号"

    response = client.post(reverse("core:admin_calendar_remove", args=[day.pk]))
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    response = client.post(reverse("core:admin_calendar_remove", args=[day.pk]))
    assert response.status_code == 400
    assert "该记录不存在或已被删除" in html(response)


def test_calendar_confirm_empty_year_is_refused(world, client_for):
    before = snapshot()
    response = client_for("sysadmin").post(
        reverse("core:admin_calendar_confirm"), {"year": 2033, "source": "国办发明电"}
    )
    assert response.status_code == 400
    assert "2033年尚未录入任何节假日或调休记录" in html(response)
    assert snapshot() == before


def test_calendar_page_shows_warning_for_unconfirmed_year(world, client_for):
    from zhifa.core.calendar import calendar_warning

    client = client_for("sysadmin")
    year = timezone.localdate().year
    CalendarYear.objects.filter(year__gte=year).delete()
    warning = calendar_warning()
    assert warning and f"{year}年" in warning
    assert warning in html(client.get(reverse("core:admin_calendar")))
    assert client.get(reverse("core:admin_calendar"), {"year": "x"}).status_code == 200
