"""Login, lockout, password policy, session timeout and the security logs."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhifa.core import services
from zhifa.core.demo import DEMO_PASSWORD
from zhifa.core.models import LoginLog, LoginResult, OperationLog, User

LOGIN = "/login/"


def login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.mark.django_db
def test_login_page_is_chinese(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="zh-CN"' in body and "用户名" in body and "密码" in body


def test_login_success_logged(world):
    client = Client()
    response = login(client, "officer", DEMO_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    row = LoginLog.objects.get(username="officer")
    assert row.result == LoginResult.SUCCESS and row.ip == "127.0.0.1"
    home = client.get("/")
    assert "工作台" in home.content.decode()


def test_wrong_password_clear_message(world):
    client = Client()
    response = login(client, "officer", "wrong-Password1")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()
    assert LoginLog.objects.get(username="officer").result == LoginResult.FAILURE


def test_lockout_after_five_failures_and_unlock(world):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "officer", "wrong-Password1")
    # Locked now: even the right password is refused, with the reason.
    response = login(client, "officer", DEMO_PASSWORD)
    assert response.status_code == 403
    assert "账号已被锁定" in response.content.decode()
    assert services.is_locked(world.users["officer"])
    assert LoginLog.objects.filter(username="officer", result=LoginResult.LOCKED).exists()
    # Another account is not affected.
    assert login(Client(), "officer2", DEMO_PASSWORD).status_code == 302
    # The system admin lifts the lock early.
    services.unlock_user(world.users["sysadmin"], world.users["officer"])
    assert not services.is_locked(world.users["officer"])
    assert login(client, "officer", DEMO_PASSWORD).status_code == 302


def test_four_failures_do_not_lock(world):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "officer", "wrong-Password1")
    assert login(client, "officer", DEMO_PASSWORD).status_code == 302


def test_lock_expires_after_cooloff(world):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "officer", "wrong-Password1")
    assert login(Client(), "officer", DEMO_PASSWORD).status_code == 403
    minutes = settings.AXES_COOLOFF_TIME * 60
    AccessAttempt.objects.filter(username="officer").update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=minutes + 1)
    )
    assert login(Client(), "officer", DEMO_PASSWORD).status_code == 302


def test_unlock_needs_system_admin(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.unlock_user(world.users["auditadmin"], world.users["officer"])
    with pytest.raises(PermissionDenied):
        services.unlock_user(world.users["secadmin"], world.users["officer"])


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!", "至少需要 8 个字符"),
        ("abcdefgh12", "至少 3 类"),
        ("ABCDEFGH!!", "至少 3 类"),
        ("Officer#2026x", "不能包含用户名"),
    ],
)
def test_password_policy(world, password, message):
    user = world.users["officer"]
    with pytest.raises(ValidationError) as exc:
        services.change_own_password(user, DEMO_PASSWORD, password)
    assert any(message in m for m in exc.value.messages)
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


def test_password_policy_accepts_good_password(world):
    user = world.users["officer"]
    services.change_own_password(user, DEMO_PASSWORD, "Lancang#River9")
    user.refresh_from_db()
    assert user.check_password("Lancang#River9")


def test_password_history_refuses_last_five(world):
    user = world.users["officer"]
    passwords = [DEMO_PASSWORD] + [f"Mengding#{n}x" for n in range(5)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        services.change_own_password(user, old, new)
        user.refresh_from_db()
    # The current one and the four before it are refused ...
    for reused in passwords[-5:-1]:
        with pytest.raises(ValidationError, match="最近 5 次"):
            services.change_own_password(user, passwords[-1], reused)
    # ... the sixth-oldest is free again.
    services.change_own_password(user, passwords[-1], DEMO_PASSWORD)


def test_temporary_password_forces_change(world):
    admin = world.users["sysadmin"]
    target = world.users["officer"]
    temporary = services.reset_password(admin, target)
    client = Client()
    assert login(client, "officer", temporary).status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("core:password_change")
    response = client.post(
        reverse("core:password_change"),
        {
            "old_password": temporary,
            "new_password": "Nanting#River7",
            "new_password2": "Nanting#River7",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_expired_password_forces_change(world, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(username="officer").update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    client = Client()
    login(client, "officer", DEMO_PASSWORD)
    assert client.get("/").headers["Location"] == reverse("core:password_change")


def test_password_change_page_shows_policy_error(world):
    client = Client()
    login(client, "officer", DEMO_PASSWORD)
    response = client.post(
        reverse("core:password_change"),
        {"old_password": DEMO_PASSWORD, "new_password": "short", "new_password2": "short"},
    )
    assert response.status_code == 400
    assert "至少需要 8 个字符" in response.content.decode()


def test_idle_session_times_out(world, settings):
    client = Client()
    login(client, "officer", DEMO_PASSWORD)
    assert client.get("/").status_code == 200
    session = client.session
    session["_last_seen"] = session["_last_seen"] - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert LoginLog.objects.filter(username="officer", result=LoginResult.TIMEOUT).exists()
    assert client.get("/").status_code == 302


def test_operation_log_records_state_changes(world):
    client = Client()
    login(client, "officer", DEMO_PASSWORD)
    client.post(
        reverse("core:password_change"),
        {"old_password": DEMO_PASSWORD, "new_password": "Lancang#River9", "new_password2": "x"},
    )
    row = OperationLog.objects.filter(username="officer", path="/password/").get()
    assert row.method == "POST" and row.status == 400 and row.action == "core:password_change"
    before = OperationLog.objects.count()
    client.get("/")
    assert OperationLog.objects.count() == before  # reads are not operations


def test_csrf_enforced_on_login(world):
    client = Client(enforce_csrf_checks=True)
    response = login(client, "officer", DEMO_PASSWORD)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(world, client_for):
    client = client_for("officer")
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_open_redirect_refused(world):
    client = Client()
    response = client.post(
        LOGIN, {"username": "officer", "password": DEMO_PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_security_headers(world, client_for):
    response = client_for("officer").get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_cookie_secure_and_httponly_outside_debug(world):
    response = login(Client(), "officer", DEMO_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True and cookie["httponly"] is True
    assert response.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True


def test_memberships_loaded_with_their_organisations(world, client_for):
    from zhifa.core.permissions import load_memberships

    user = world.users["supervisor"]
    (membership,) = load_memberships(user)
    org = world.orgs["daxing_justice"]
    assert membership.organization.name == org.name and membership.organization.path == org.path
    assert membership.organization.parent.name == world.orgs["daxing"].name
    assert membership.organization.region_id == org.region_id
    assert membership.role == "supervisor"


def test_load_user_matches_the_orm(world):
    from zhifa.core.permissions import load_user

    # Field values and their Python types must equal what the ORM gives (SQLite returns text
    # for datetimes; the converters must run).
    User.objects.filter(username="officer").update(last_login=timezone.now())
    fast = load_user(world.users["officer"].pk)
    orm = User.objects.get(username="officer")
    for field in User._meta.concrete_fields:
        a, b = getattr(fast, field.attname), getattr(orm, field.attname)
        assert a == b and type(a) is type(b), field.attname
    assert [m.role for m in fast._zhifa_memberships] == ["officer"]
    assert fast.organization.name == world.orgs["daxing_team"].name
    assert load_user(10**9) is None


def test_user_without_memberships_loads(world):
    from zhifa.core.permissions import load_user

    user, _ = services.create_user(
        world.users["sysadmin"],
        username="newbie",
        full_name="新人",
        organization=world.orgs["daxing"],
    )
    loaded = load_user(user.pk)
    assert loaded is not None and loaded._zhifa_memberships == []
