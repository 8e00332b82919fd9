"""Shared fixtures: the demo world built through the real services, and logged-in clients."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    # PBKDF2 at production strength costs ~0.3 s per hash; the demo world hashes a dozen.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage needs `collectstatic`; tests read static files from the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def world(db):
    from zhifa.core.demo import build_demo

    return build_demo()


@pytest.fixture
def client_for(world):
    """client_for("officer") -> a test client logged in as that demo user."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(world.users[username])
        return client

    return make


@pytest.fixture(scope="session")
def live_server(django_db_setup, django_db_blocker, live_server):
    """pytest-django's live server, with the connections its request threads left open ended
    before the test database is dropped: on PostgreSQL the drop otherwise failed ("being
    accessed by other users": a teardown warning and a test database left behind)."""
    yield live_server
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
