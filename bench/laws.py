"""Law library benchmark: import the bundled national corpus, then article search latency.

    .venv/bin/python bench/laws.py [--sqlite-only | --postgres-only] [--pg-admin URL]

Runs on SQLite (a temporary data dir) and on PostgreSQL (a dedicated database created and
dropped here). Targets: whole-corpus import < 120 s, search p95 < 30 ms."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [
    "罚款", "无证经营", "行政处罚", "责令改正", "没收违法所得", "食品安全 罚款", "吊销许可证",
    "听证", "林地", "占用耕地", "噪声", "排放污染物", "广告 虚假", "价格欺诈", "消防 安全",
    "行政处罚法第五十一条", "未成年人", "个人信息", "安全生产 事故", "烟草专卖 零售",
    "野生动物", "建设工程 规划许可", "机动车 驾驶", "药品 生产", "行政复议 期限",
]  # fmt: skip


def inner() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zhifa.laws.search import search_articles
    from zhifa.laws.services import import_bundled

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    result = import_bundled()
    took = time.monotonic() - started
    print(f"  import: {result.laws} laws, {result.articles} articles in {took:.1f} s")
    started = time.monotonic()
    again = import_bundled()
    print(f"  re-import (unchanged {again.unchanged}): {time.monotonic() - started:.1f} s")
    for q in QUERIES:  # warm up
        search_articles(q)
    timings = []
    for _ in range(8):
        for q in QUERIES:
            t0 = time.perf_counter()
            search_articles(q, limit=20)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"  search ({connection.vendor}, {len(timings)} queries): "
        f"p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms"
    )


def run(label: str, env: dict) -> None:
    print(label)
    subprocess.run([sys.executable, __file__, "--inner"], env=env, check=True, cwd=ROOT)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--inner", action="store_true")
    ap.add_argument("--sqlite-only", action="store_true")
    ap.add_argument("--postgres-only", action="store_true")
    ap.add_argument("--pg-admin", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()
    if args.inner:
        inner()
        return
    base = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    base.pop("DATABASE_URL", None)
    if not args.postgres_only:
        with tempfile.TemporaryDirectory() as tmp:
            run("SQLite", {**base, "ZHIFA_DATA_DIR": tmp})
    if not args.sqlite_only:
        import psycopg

        name = f"zhifa_bench_laws_{os.getpid()}"
        with psycopg.connect(args.pg_admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = args.pg_admin.rsplit("/", 1)[0] + "/" + name
            with tempfile.TemporaryDirectory() as tmp:
                run("PostgreSQL", {**base, "ZHIFA_DATA_DIR": tmp, "DATABASE_URL": url})
        finally:
            with psycopg.connect(args.pg_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
