"""Concurrent appenders for the gap-free test. On SQLite it runs as a script against a
database file in ZHIFA_DATA_DIR: ``python -m zhifa.ledger.tests.concurrent_appends 8 25``."""

from __future__ import annotations

import os
import sys
import threading


def hammer(threads: int, per_thread: int) -> list[BaseException]:
    from django.db import connection, transaction

    from zhifa.ledger import events
    from zhifa.ledger.services import record

    events.register("test.concurrent", "并发测试")
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    record(
                        actor=None,
                        role="",
                        organization=None,
                        subject=f"thread:{n}",
                        event_type="test.concurrent",
                        payload={"thread": n, "i": i},
                    )
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    return errors


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from zhifa.ledger.models import LedgerEntry
    from zhifa.ledger.verify import verify_ledger

    threads, per_thread = int(sys.argv[1]), int(sys.argv[2])
    call_command("migrate", verbosity=0)
    hammer(threads, per_thread)
    seqs = list(LedgerEntry.objects.values_list("seq", flat=True))
    total = threads * per_thread
    if seqs != list(range(total)):
        print(f"FAIL: sequence is not 0..{total - 1}: {seqs}")
        sys.exit(1)
    result = verify_ledger(save_run=False)
    if not result.ok:
        print(f"FAIL: {result.failure}")
        sys.exit(1)
    print(f"OK {total}")


if __name__ == "__main__":
    main()
