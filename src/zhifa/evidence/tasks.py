"""Hourly purge of expired resumable-upload sessions and their part files."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="17"))
def purge_stale_uploads():
    from .uploads import purge_stale

    return purge_stale()
