"""Public portal benchmark over 1M published decisions, on SQLite and on PostgreSQL.

    .venv/bin/python bench/portal.py [--rows 1000000] [--sqlite-only | --postgres-only]
                                     [--duration 10] [--connections 16] [--workers 2]

For each database: a fresh data dir (and, for PostgreSQL, a database created and dropped here),
migrate, `zhifa demo`, then the generator writes `--rows` published decisions **with bulk
inserts, not through the services** (executemany on SQLite, COPY on PostgreSQL; the search
index is filled in one statement on SQLite, the GIN index built after the load on PostgreSQL;
no feed or ledger rows): going through `publish()` would append 1M ledger entries, which is
the ledger benchmark's subject, not this one's. The texts are fictional, drawn from templates
and pre-segmented with the same rjieba segmentation the services use.

Then the portal is served as `make demo` serves it (granian, `zhifa serve`) and wrk measures,
in one run: /healthz, the portal home, a search (rotating over several keyword and filter
queries, two of them date-bounded), a publication page (rotating over random ids) and the annual
statistics (rotating over the years), at `--connections`, and the
searches once more over a single connection (service time without queueing). Each page's
requests per second is printed as a ratio to /healthz, with p50/p95/p99 (p95 from a wrk Lua
script). Targets: home >= 0.25 of /healthz, search p95 < 100 ms. The machine is shared: read
the ratios, and /healthz's own p95, before the absolute figures.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

TITLES = [
    "未取得食品经营许可从事食品经营", "未经批准擅自占用林地", "未批先建环境影响评价文件",
    "超标排放大气污染物", "无证经营烟草制品", "道路运输车辆未采取防扬撒措施",
    "违法占用耕地建房", "未取得建设工程规划许可证建设", "接纳未成年人进入互联网上网服务营业场所",
    "销售过期食品", "经营限制使用农药", "擅自砍伐林木", "未按规定处置建筑垃圾",
    "噪声污染扰民", "虚假宣传", "价格欺诈", "未按规定公示营业执照", "使用未经检验的特种设备",
    "生产经营不符合安全标准的食品", "非法占用土地", "未办理排污许可证排放污染物",
    "乱倒生活垃圾", "违规焚烧秸秆", "擅自改变林地用途", "消防设施未保持完好有效",
    "无证从事网络预约出租汽车经营", "违法发布广告", "未按规定开展自行监测",
    "公共场所从业人员未取得健康合格证明", "违法搭建临时建筑",
]  # fmt: skip
PLACES = ["示例", "青山", "南岭", "东河", "西坝", "北川", "金沙", "红岩", "白塔", "兴隆"]
CORES = ["建材", "食品", "农资", "商贸", "物流", "环保", "塑业", "矿业", "餐饮", "网咖"]
SUFFIXES = ["有限公司", "经营部", "便利店", "加工厂", "合作社"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
FACTS = [
    "经查，当事人在{place}镇{place}村实施上述行为，经责令改正后逾期未改正。",
    "执法人员现场检查发现当事人存在上述违法行为，有现场检查笔录、询问笔录和照片为证。",
    "当事人于{year}年{month}月起实施上述行为，违法事实清楚，证据确凿。",
]
BASES = [
    "《中华人民共和国行政处罚法》第二十八条",
    "《中华人民共和国食品安全法》第一百二十二条",
    "《中华人民共和国森林法》第七十三条",
    "《中华人民共和国环境影响评价法》第三十一条",
    "《中华人民共和国土地管理法》第七十七条",
]
SEARCHES = [
    "q=砂石", "q=食品", "q=林地", "q=无证经营", "q=环境影响评价", "q=农药&category=penalty",
    "q=网咖", "q=罚款", "q=违法占用耕地建房", "category=licensing", "q=焚烧秸秆&from=2024-01-01",
    "q=示例建材有限公司", "q=噪声", "q=罚款&to=2022-06-30", "q=食品&from=2023-01-01&to=2023-03-31",
]  # fmt: skip

COLUMNS = [
    "organization_id", "source_subject", "category", "status", "title", "document_number",
    "party_kind", "party_display", "party_code", "conclusion", "facts", "legal_basis", "penalty",
    "decided_on", "publish_due_on", "masked_counts", "segmented", "created_at", "published_at",
    "retain_until", "withdrawal_reason", "not_publish_reason", "penalty_kind", "fine_amount",
]  # fmt: skip


# ------------------------------------------------------------------ generator (inside Django)


def generate(rows: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from zhifa.core.models import Organization
    from zhifa.laws.segment import segment

    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    orgs = list(Organization.objects.filter(is_enforcement_body=True).values_list("id", "name"))
    rnd = random.Random(7)
    seg = {}

    def cut(text: str) -> str:
        value = seg.get(text)
        if value is None:
            value = seg[text] = segment(text)
        return value

    start = datetime.datetime(2022, 1, 1, 9, tzinfo=datetime.UTC)
    span = (datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC) - start).total_seconds()
    retain = datetime.date(2099, 12, 31)
    started = time.monotonic()

    def row(i: int) -> tuple:
        org_id, org_name = orgs[i % len(orgs)]
        title = TITLES[rnd.randrange(len(TITLES))]
        if rnd.random() < 0.4:
            kind = "natural"
            party = SURNAMES[rnd.randrange(len(SURNAMES))] + "某"
        else:
            kind = "legal"
            party = rnd.choice(PLACES) + rnd.choice(CORES) + rnd.choice(SUFFIXES)
        category = "licensing" if rnd.random() < 0.1 else "penalty"
        at = start + datetime.timedelta(seconds=span * i / rows)
        decided = at.date() - datetime.timedelta(days=2)
        facts = rnd.choice(FACTS).format(place=rnd.choice(PLACES), year=at.year, month=at.month)
        number = f"示例罚决〔{at.year}〕{i}号"
        fine = rnd.randrange(5, 500) * 100
        conclusion = f"决定给予罚款人民币{fine}元的行政处罚。"
        segmented = " ".join(
            [cut(title), cut(number), cut(party), cut(org_name), cut(conclusion), cut(facts)]
        )
        return (
            org_id, f"bench:{i}", category, "published", title, number, kind, party, "",
            conclusion, facts, rnd.choice(BASES), "", decided, decided, "{}", segmented, at, at,
            retain, "", "", "fine" if category == "penalty" else "",
            fine if category == "penalty" else 0,
        )  # fmt: skip

    table = "publicity_publication"
    cols = ", ".join(COLUMNS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS publicity_publication_search_gin")
        raw = connection.connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for i in range(1, rows + 1):
                copy.write_row(row(i))
        raw.commit()
        loaded = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE INDEX publicity_publication_search_gin ON publicity_publication "
                "USING gin (search_vector)"
            )
            # VACUUM, not only ANALYZE: sets the hint bits and visibility map of the freshly
            # copied rows now, as a table filled over years would have them, instead of the
            # random reads of the publication pages writing them (and autovacuum running over
            # the whole table) during the measurement.
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    else:
        marks = ", ".join(["%s"] * len(COLUMNS))
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 - fixed names
        batch = 20000
        with transaction.atomic(), connection.cursor() as cursor:
            for first in range(1, rows + 1, batch):
                last = min(rows, first + batch - 1)
                cursor.executemany(sql, [row(i) for i in range(first, last + 1)])
        loaded = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO publicity_publication_fts(rowid, segmented) "
                f"SELECT id, segmented FROM {table} WHERE source_subject LIKE 'bench:%%'"  # noqa: S608
            )
            cursor.execute("ANALYZE")
    done = time.monotonic()
    print(
        f"  generated {rows} published decisions: load {loaded - started:.0f} s, "
        f"search index {done - loaded:.0f} s",
        flush=True,
    )


# ------------------------------------------------------------------ load test


LUA = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("P50_US %%d\\nP95_US %%d\\nP99_US %%d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def wrk_run(paths: list[str], base: str, seconds: int, conns: int, tmp: str) -> dict:
    script = Path(tmp) / f"paths{abs(hash(tuple(paths)))}.lua"
    script.write_text(LUA % ", ".join(f'"{p}"' for p in paths))
    cmd = [
        "wrk",
        f"-t{min(2, conns)}",
        f"-c{conns}",
        f"-d{seconds}s",
        "-s",
        str(script),
        base + paths[0],
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def us(label: str) -> float:
        return int(re.search(rf"{label} (\d+)", out).group(1)) / 1000

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": us("P50_US"),
        "p95": us("P95_US"),
        "p99": us("P99_US"),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - local
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"server did not come up at {url}")


def bench(label: str, env: dict, args) -> None:
    print(f"{label}: generating {args.rows} rows ...", flush=True)
    subprocess.run(
        [sys.executable, __file__, "--generate", "--rows", str(args.rows)],
        env=env,
        check=True,
        cwd=ROOT,
    )
    subprocess.run(
        [str(BIN / "zhifa"), "collectstatic", "--noinput"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [str(BIN / "zhifa"), "serve", "--port", str(args.port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    rnd = random.Random(11)
    pages = {
        "/healthz": ["/healthz"],
        "portal home": ["/public/"],
        "search": ["/public/search/?" + urllib.parse.quote(q, safe="=&") for q in SEARCHES],
        "publication page": [f"/public/p/{rnd.randrange(1, args.rows + 1)}/" for _ in range(500)],
        "annual statistics": [f"/public/stats/?year={y}" for y in range(2022, 2027)],
    }
    results = {}
    try:
        wait_up(f"{base}/healthz")
        with tempfile.TemporaryDirectory() as tmp:
            for name, paths in pages.items():
                wrk_run(paths, base, 2, args.connections, tmp)  # warm-up
                results[name] = wrk_run(paths, base, args.duration, args.connections, tmp)
            # The same searches one at a time: the service time without queueing.
            results["search, 1 conn"] = wrk_run(pages["search"], base, args.duration, 1, tmp)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"{label}: {args.rows} published decisions, granian {args.workers} workers, "
        f"wrk -c{args.connections} -d{args.duration}s, {os.cpu_count()} cores (shared)"
    )
    print(
        f"  {'page':<18}{'req/s':>9}{'ratio':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'non-2xx':>9}"
    )
    healthz = results["/healthz"]["rps"]
    for name, r in results.items():
        print(
            f"  {name:<18}{r['rps']:>9.0f}{r['rps'] / healthz:>7.2f}{r['p50']:>9.1f}"
            f"{r['p95']:>9.1f}{r['p99']:>9.1f}{r['errors']:>9}"
        )
    home = results["portal home"]["rps"] / healthz
    p95 = results["search"]["p95"]
    print(
        f"  targets: home >= 0.25 of /healthz -> {home:.2f} {'OK' if home >= 0.25 else 'MISS'}; "
        f"search p95 < 100 ms -> {p95:.1f} ms {'OK' if p95 < 100 else 'MISS'}",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sqlite-only", action="store_true")
    ap.add_argument("--postgres-only", action="store_true")
    ap.add_argument("--pg-admin", default="postgres://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=8771)
    args = ap.parse_args()
    if args.generate:
        generate(args.rows)
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: sudo apt-get install wrk")
    base = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "ZHIFA_HTTPS": "0"}
    base.pop("DATABASE_URL", None)
    if not args.postgres_only:
        with tempfile.TemporaryDirectory(prefix="zhifa-portal-") as tmp:
            bench("SQLite", {**base, "ZHIFA_DATA_DIR": tmp}, args)
    if not args.sqlite_only:
        import psycopg

        name = f"zhifa_bench_portal_{os.getpid()}"
        with psycopg.connect(args.pg_admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = args.pg_admin.rsplit("/", 1)[0] + "/" + name
            with tempfile.TemporaryDirectory(prefix="zhifa-portal-") as tmp:
                bench("PostgreSQL", {**base, "ZHIFA_DATA_DIR": tmp, "DATABASE_URL": url}, args)
        finally:
            with psycopg.connect(args.pg_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
