"""Ledger test fixtures: keys in a temporary data dir; dropping the append-only triggers for
the tests that tamper with the ledger on purpose."""

from __future__ import annotations

import contextlib

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _ledger_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@contextlib.contextmanager
def triggers_dropped():
    """Drop the append-only triggers for the block, then put them back."""
    from zhifa.ledger import triggers

    triggers.drop(connection)
    try:
        yield
    finally:
        triggers.install(connection)


@pytest.fixture
def tamper():
    """tamper(sql, params) runs raw SQL with the triggers dropped, then restores them."""

    def run(sql: str, params=()):
        with triggers_dropped(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run
