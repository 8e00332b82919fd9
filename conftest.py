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
