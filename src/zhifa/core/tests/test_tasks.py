"""The nightly statistics refresh (core/tasks.py)."""

from __future__ import annotations

import datetime

from django.db import connection

from zhifa.core.tasks import refresh_statistics, sqlite_statistics


def _stat_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return 0
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchone()[0]


def test_statistics_refreshed_on_sqlite_only(world):
    if connection.vendor != "sqlite":
        assert refresh_statistics() is False
        return
    if _stat_rows("core_organization"):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")
    assert _stat_rows("core_organization") == 0
    assert refresh_statistics() is True
    assert _stat_rows("core_organization") > 0


def test_runs_nightly():
    task = sqlite_statistics.task_class()
    # huey matches crontabs against naive local times.
    at = datetime.datetime(2026, 11, 27, 3, 41)  # noqa: DTZ001
    assert task.validate_datetime(at)
    assert not task.validate_datetime(at.replace(minute=42))
