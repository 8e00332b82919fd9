"""The workspace home's fast paths keep every property of the normal ones: the memoised page
shows each user their own data and a fresh CSRF token, the session decode cache never outlives
a logout or accepts a tampered file."""

from __future__ import annotations

import os
import re
import time
from importlib import import_module

import pytest
from django.conf import settings
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory

from zhifa.core import services
from zhifa.core.demo import DEMO_PASSWORD
from zhifa.core.models import Membership, Role
from zhifa.core.pagecache import masked_csrf_token, render_memoized

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def csrf_client(username: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/").content.decode()
    token = TOKEN.search(page).group(1)
    response = client.post(
        "/login/",
        {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    return client


def test_home_memoised_per_user(client_for):
    a = client_for("officer").get("/").content.decode()
    b = client_for("officer2").get("/").content.decode()
    # Same organisation and role, so only the names tell them apart: each sees their own.
    assert "李明" in a and "王芳" not in a
    assert "王芳" in b and "李明" not in b
    assert "执法人员" in a and "执法人员" in b


def test_home_shows_a_role_change_at_once(world, client_for):
    client = client_for("officer2")
    assert Role.UNIT_HEAD.label not in client.get("/").content.decode()  # warm the memo
    services.grant_role(
        world.users["secadmin"], world.users["officer2"], world.orgs["daxing_team"], Role.UNIT_HEAD
    )
    assert Role.UNIT_HEAD.label in client.get("/").content.decode()
    membership = Membership.objects.get(user=world.users["officer2"], role=Role.UNIT_HEAD)
    services.revoke_role(world.users["secadmin"], membership)
    assert Role.UNIT_HEAD.label not in client.get("/").content.decode()


def test_home_token_is_fresh_and_accepted(world):
    client = csrf_client("officer")
    first = TOKEN.findall(client.get("/").content.decode())
    second = TOKEN.findall(client.get("/").content.decode())
    assert len(first) == 1 and len(second) == 1 and first != second
    secret = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert _unmask_cipher_token(first[0]) == secret == _unmask_cipher_token(second[0])
    # The page's token passes Django's CSRF check (the logout form posts it).
    assert client.post("/logout/", {"csrfmiddlewaretoken": second[0]}).status_code == 302
    assert client.get("/").status_code == 302  # logged out


def test_home_without_token_refused(world):
    client = csrf_client("officer")
    client.get("/")
    assert client.post("/logout/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert client.get("/").status_code == 200  # still logged in


def test_masked_token_matches_django_format():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "a" * 32
    tokens = {masked_csrf_token(request) for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert len(token) == 64 and token.isalnum() and _unmask_cipher_token(token) == "a" * 32
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    # No cookie yet: Django's own get_token makes one.
    fresh = RequestFactory().get("/")
    token = masked_csrf_token(fresh)
    assert _unmask_cipher_token(token) == fresh.META["CSRF_COOKIE"]


def test_home_shows_pending_message_once(world):
    client = csrf_client("officer")
    page = client.get("/password/").content.decode()
    token = TOKEN.search(page).group(1)
    response = client.post(
        "/password/",
        {
            "csrfmiddlewaretoken": token,
            "old_password": DEMO_PASSWORD,
            "new_password": "Another#2026x",
            "new_password2": "Another#2026x",
        },
        follow=True,
    )
    assert "密码已修改" in response.content.decode()
    assert "密码已修改" not in client.get("/").content.decode()


def test_memoised_values_must_be_plain(world, client_for):
    request = RequestFactory().get("/")
    request.user = world.users["officer"]
    request.session = {}
    request._messages = []
    with pytest.raises(TypeError):
        render_memoized(request, "core/home.html", {"org": world.orgs["daxing_team"]})


def test_session_cache_ends_with_logout(world):
    client = csrf_client("officer")
    assert client.get("/").status_code == 200  # decoded once, now cached
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert store(key).load()  # another worker reads the same file
    token = TOKEN.search(client.get("/").content.decode()).group(1)
    client.post("/logout/", {"csrfmiddlewaretoken": token})
    assert store(key).load() == {}
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/").status_code == 302


def test_session_cache_refuses_tampered_file(world):
    client = csrf_client("officer")
    client.get("/")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    path = store._key_to_file()
    with open(path) as f:
        text = f.read()
    payload, _, signature = text.rpartition(":")
    with open(path, "w") as f:
        f.write(payload + ":" + ("A" if signature[0] != "A" else "B") + signature[1:])
    assert client.get("/").status_code == 302  # the session is gone, not served from memory


def test_session_loads_are_independent(world):
    client = csrf_client("officer")
    client.get("/")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = import_module(settings.SESSION_ENGINE).SessionStore
    first = store(key).load()
    first["_auth_user_id"] = "0"
    assert store(key).load()["_auth_user_id"] == str(world.users["officer"].pk)


def test_session_file_expiry_still_applies(world):
    client = csrf_client("officer")
    client.get("/")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    path = store._key_to_file()
    old = time.time() - settings.SESSION_COOKIE_AGE - 5
    os.utime(path, (old, old))
    assert store.load() == {}
    assert not os.path.exists(path)
    assert client.get("/").status_code == 302
