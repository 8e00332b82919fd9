"""Periodic checkpoint: every ZHIFA_CHECKPOINT_MINUTES (default 10) minutes."""

from __future__ import annotations

import os

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

_MINUTES = max(1, min(59, int(os.environ.get("ZHIFA_CHECKPOINT_MINUTES", "10") or 10)))


@db_periodic_task(crontab(minute=f"*/{_MINUTES}"))
def ledger_checkpoint():
    from .services import make_checkpoint

    cp = make_checkpoint()
    return None if cp is None else cp.size
