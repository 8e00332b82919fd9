"""Database upkeep: the nightly statistics refresh of the embedded SQLite database."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


def refresh_statistics() -> bool:
    """SQLite's planner reads the statistics of the last ANALYZE (sqlite_stat1) and never
    refreshes them itself: as a township's tables grow from hundreds of rows to a million, a
    plan chosen on old figures can turn a 3 ms case list into a scan. ``analysis_limit`` keeps
    each index's sample small, so this takes well under a second on a million cases.
    PostgreSQL's autovacuum already does this: nothing to do there."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    return True


@db_periodic_task(crontab(hour="3", minute="41"))
def sqlite_statistics():
    return refresh_statistics()
