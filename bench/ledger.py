"""Ledger benchmark. Prints figures; runs in a throwaway database.

    .venv/bin/python bench/ledger.py                         # SQLite in a temp data dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhifa .venv/bin/python bench/ledger.py
        # PostgreSQL: creates database zhifa_bench_ledger_<pid> on that server, drops it after

Options: --appends N (default 2000), --entries N (default 1000000), --proofs N (default 1000),
--verify-only (only part 2: load N entries and time their verification).

Figures on a shared machine are noisy (commit latency dominates appends); run it twice.

1. appends/s through ``ledger.services.record`` (one transaction each, as callers do) vs plain
   inserts of the same rows (the entry + its Merkle nodes, one transaction each);
2. full verification (``verify_ledger``) of N entries vs raw ``hashlib`` SM3 over the same
   bytes (every leaf and every interior node input). The N entries are bulk-inserted from
   precomputed rows, not made by N record() calls;
3. inclusion and consistency proof generation (nodes fetched from the database) p50/p95.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def setup_database() -> tuple[str | None, str | None]:
    """Point the settings at a throwaway database; returns (admin url, db name) for PG."""
    os.environ["ZHIFA_DATA_DIR"] = tempfile.mkdtemp(prefix="zhifa-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return None, None
    import psycopg

    name = f"zhifa_bench_ledger_{os.getpid()}"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))  # the maintenance database
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return admin, name


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def wipe() -> None:
    from django.db import connection, transaction

    from zhifa.ledger import triggers

    with transaction.atomic():
        triggers.drop(connection)
        with connection.cursor() as cursor:
            for table in triggers.TABLES:
                cursor.execute(f"DELETE FROM {table}")
        triggers.install(connection)


def bench_appends(n: int) -> None:
    from django.db import transaction

    from zhifa.ledger import events, merkle
    from zhifa.ledger.canonical import canonical_json
    from zhifa.ledger.leaf import format_at, leaf_bytes, leaf_hash
    from zhifa.ledger.models import LedgerEntry, LedgerNode
    from zhifa.ledger.services import record

    events.register("bench.event", "基准测试")
    payloads = [
        {"case": f"case:{i % 97}", "step": "inspect", "note": "现场检查，当事人在场", "i": i}
        for i in range(n)
    ]

    # Plain inserts of the same rows: the entry and its Merkle nodes, one transaction each.
    mem = merkle.MemoryNodeStore()
    rows = []
    for i, payload in enumerate(payloads):
        at = dt.datetime.now(dt.UTC)
        text = canonical_json(payload).decode()
        data = leaf_bytes(i, format_at(at), "system", "", None, "case:1", "bench.event", 1, text)
        h = leaf_hash(data)
        nodes = merkle.append_nodes(i, h, mem)
        mem.append_leaf(h)
        rows.append((i, at, text, h, nodes))
    start = time.perf_counter()
    for i, at, text, h, nodes in rows:
        with transaction.atomic():
            LedgerEntry(
                seq=i,
                at=at,
                actor=None,
                actor_label="system",
                role="",
                organization_id=None,
                subject="case:1",
                event_type="bench.event",
                schema_version=1,
                payload=text,
                leaf_hash=h,
            ).save(force_insert=True)
            LedgerNode.objects.bulk_create(
                [LedgerNode(level=lv, index=ix, hash=hh) for lv, ix, hh in nodes]
            )
    plain = n / (time.perf_counter() - start)
    wipe()

    start = time.perf_counter()
    for payload in payloads:
        with transaction.atomic():
            record(
                actor=None,
                role="",
                organization=None,
                subject="case:1",
                event_type="bench.event",
                payload=payload,
            )
    recorded = n / (time.perf_counter() - start)
    print(
        f"appends: record() {recorded:,.0f}/s, plain inserts {plain:,.0f}/s, "
        f"ratio {recorded / plain:.2f} (target >= 0.5)  [{n} appends]"
    )
    wipe()


def bulk_load(n: int) -> tuple[list[bytes], list[bytes]]:
    """Insert n precomputed entries and their nodes; returns (leaf inputs, node inputs)."""
    from django.db import connection

    from zhifa.ledger.leaf import LEAF_PREFIX, NODE_PREFIX, format_at, leaf_bytes

    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    sm3 = hashlib.new("sm3")
    leaf_inputs: list[bytes] = []
    node_inputs: list[bytes] = []
    entries = []
    nodes = []
    stack: list[bytes] = []
    for i in range(n):
        at = base + dt.timedelta(microseconds=i * 1237)
        payload = f'{{"i":{i},"note":"现场检查，当事人在场","step":"inspect"}}'
        subject = f"case:{i % 50_000}"
        data = leaf_bytes(
            i, format_at(at), "system", "officer", None, subject, "bench.event", 1, payload
        )
        leaf_input = LEAF_PREFIX + data
        leaf_inputs.append(leaf_input)
        h = sm3.copy()
        h.update(leaf_input)
        node = h.digest()
        entries.append((i, at, "system", "officer", subject, "bench.event", 1, payload, node))
        nodes.append((0, i, node))
        level, index = 0, i
        while index & 1:
            node_input = NODE_PREFIX + stack.pop() + node
            node_inputs.append(node_input)
            h = sm3.copy()
            h.update(node_input)
            node = h.digest()
            level, index = level + 1, index >> 1
            nodes.append((level, index, node))
        stack.append(node)

    cols = "seq, at, actor_label, role, subject, event_type, schema_version, payload, leaf_hash"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY ledger_ledgerentry ({cols}) FROM STDIN") as copy:
                for row in entries:
                    copy.write_row(row)
            with raw.copy('COPY ledger_ledgernode (level, "index", hash) FROM STDIN') as copy:
                for row in nodes:
                    copy.write_row(row)
            cursor.execute("ANALYZE ledger_ledgerentry")
            cursor.execute("ANALYZE ledger_ledgernode")
        else:
            # Django stores SQLite datetimes as naive UTC text; do the same.
            entries = [(r[0], r[1].replace(tzinfo=None), *r[2:]) for r in entries]
            cursor.executemany(
                f"INSERT INTO ledger_ledgerentry ({cols}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                entries,
            )
            cursor.executemany(
                'INSERT INTO ledger_ledgernode (level, "index", hash) VALUES (%s,%s,%s)', nodes
            )
    return leaf_inputs, node_inputs


def bench_verify(n: int) -> None:
    from django.db import transaction

    from zhifa.ledger.services import make_checkpoint
    from zhifa.ledger.verify import verify_ledger

    start = time.perf_counter()
    with transaction.atomic():
        leaf_inputs, node_inputs = bulk_load(n)
    make_checkpoint()
    print(
        f"load: {n:,} entries and {2 * n - bin(n).count('1'):,} nodes bulk-inserted in "
        f"{time.perf_counter() - start:.1f}s"
    )

    start = time.perf_counter()
    for data in leaf_inputs:
        hashlib.new("sm3", data).digest()
    for data in node_inputs:
        hashlib.new("sm3", data).digest()
    raw = time.perf_counter() - start
    del leaf_inputs, node_inputs

    start = time.perf_counter()
    result = verify_ledger(save_run=False)
    full = time.perf_counter() - start
    assert result.ok, result.failure
    assert result.entries_checked == n
    print(
        f"verify: full verification of {n:,} entries {full:.1f}s "
        f"({n / full:,.0f} entries/s); raw hashlib SM3 over the same bytes {raw:.1f}s; "
        f"ratio {raw / full:.2f} (target >= 0.5)"
    )


def bench_proofs(n: int, count: int) -> None:
    from zhifa.ledger import merkle as mk
    from zhifa.ledger.services import DbNodeStore

    rng = random.Random(6962)
    inclusion, consistency = [], []
    root = DbNodeStore(n).run(lambda s: mk.store_root(n, s))
    for _ in range(count):
        index = rng.randrange(n)
        start = time.perf_counter()
        proof = DbNodeStore(n).run(lambda s, i=index: mk.inclusion_proof(i, n, s))
        inclusion.append(time.perf_counter() - start)
        if len(inclusion) <= 20:
            leaf = DbNodeStore(n).get(0, index)
            mk.verify_inclusion(leaf, index, n, proof, root)
        size1 = rng.randrange(1, n)
        start = time.perf_counter()
        DbNodeStore(n).run(lambda s, m=size1: mk.consistency_proof(m, n, s))
        consistency.append(time.perf_counter() - start)
    ms = 1000
    print(
        f"proofs at {n:,} entries ({count} each, nodes read from the database): inclusion "
        f"p50 {statistics.median(inclusion) * ms:.2f} ms p95 {p(inclusion, 0.95) * ms:.2f} ms; "
        f"consistency p50 {statistics.median(consistency) * ms:.2f} ms "
        f"p95 {p(consistency, 0.95) * ms:.2f} ms (target p95 < 10 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument(
        "--verify-only", action="store_true", help="only load and verify --entries entries"
    )
    args = parser.parse_args()
    admin_url, name = setup_database()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        if not args.verify_only:
            bench_appends(args.appends)
        bench_verify(args.entries)
        if not args.verify_only:
            bench_proofs(args.entries, args.proofs)
        connection.close()
    finally:
        if admin_url:
            drop_database(admin_url, name)


if __name__ == "__main__":
    main()
