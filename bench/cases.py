"""Cases benchmark (issue 5, Performance). Prints figures; runs in a throwaway database.

    .venv/bin/python bench/cases.py                          # SQLite in a temp data dir
    .venv/bin/python bench/cases.py --database-url postgres://postgres@127.0.0.1:5432/zhifa
        # PostgreSQL: creates database zhifa_bench_cases_<pid> on that server, drops it after

Options: --cases N (default 1000000), --bodies N (default 100), --lists N (default 300),
--transitions N (default 300), --seed N.

1. Generator. The demo world (大兴乡 with its register and published power list) is built
   through the services; 99 more enforcement bodies, each with one enforcement unit, through
   ``core.services.create_organization``. Then N cases are BULK-INSERTED (raw multi-row
   inserts / COPY, not the services: a million ``register_case`` calls would take hours and
   would measure the ledger, not the list), spread evenly over the bodies, each with one
   party; the open time limits of the cases still in progress (``Deadline``) and, for
   大兴乡's cases, the two assigned officers (``CaseOfficer``). Distributions: procedures
   35 % simplified penalty, 25 % ordinary penalty, 25 % inspection, 10 % licensing, 5 %
   coercion; registered uniformly over the last three years; a case registered more than
   120 days ago is archived (90 %) or closed, a newer one stands in any stage of its
   procedure; an ordinary penalty case in progress has its 90-day decision limit open (so
   some are overdue). The tables keep the indexes of their migrations (the ones the
   selectors use); ANALYZE runs after the load.
2. A unit's case list: ``zhifa.cases.selectors.cases_for`` as 大兴乡's unit head (then, half as
   many requests, as its body head, whose list reads the body's index), with random
   filters (scope all/unit/mine, category, stage, overdue; one page in five is a later page),
   then what the API's paginator does: COUNT, one page of 20 rows, each row read. p50/p95/max
   per kind of filter and overall (target p95 < 100 ms). Text search (``q``: number, title or
   party name, a substring scan) is reported on its own.
3. One transition with its ledger entry: ``services.perform(unithead, case, "file")`` on
   penalty cases registered through ``services.register_case`` beforehand (not timed); p50/p95
   (target < 50 ms on SQLite).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PROCEDURE_WEIGHTS = {
    "penalty_simplified": 35,
    "penalty_ordinary": 25,
    "inspection": 25,
    "licensing": 10,
    "coercion": 5,
}
CATEGORY = {
    "penalty_simplified": "penalty",
    "penalty_ordinary": "penalty",
    "inspection": "inspection",
    "licensing": "licensing",
    "coercion": "coercion",
}
MATTER_CODE = {
    "penalty_simplified": "XZCF-020",
    "penalty_ordinary": "XZCF-001",
    "inspection": "XZJC-001",
    "licensing": "XZXK-002",
    "coercion": "XZQZ-003",
}
SOURCES = ["inspection", "complaint", "transfer", "other"]
SURNAMES = "岩玉李王张刘陈杨赵黄周吴"
BATCH = 5000


def setup_database(url: str, data_dir: str = "", keep: str = "") -> tuple[str | None, str | None]:
    """Point the settings at a throwaway database; returns (admin url, db name) for PG, whose
    database is dropped at the end (None, None when it is kept: ``keep`` names it)."""
    os.environ["ZHIFA_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="zhifa-bench-")
    os.environ["ZHIFA_HTTPS"] = "0"  # the page section calls the views over plain HTTP
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    if not url:
        os.environ.pop("DATABASE_URL", None)
        return None, None
    import psycopg

    name = keep or f"zhifa_bench_cases_{os.getpid()}"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))  # the maintenance database
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return (None, None) if keep else (admin, name)


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def figures(label: str, ms: list[float], cpu: list[float] | None = None) -> str:
    line = (
        f"  {label:<40} n={len(ms):<4} p50 {statistics.median(ms):7.1f} ms"
        f"  p95 {pct(ms, 0.95):7.1f} ms  max {max(ms):7.1f} ms"
    )
    if cpu:
        line += f"  | cpu p50 {statistics.median(cpu):6.1f} p95 {pct(cpu, 0.95):6.1f} ms"
    return line


class Timer:
    """Wall time and this process's CPU time (on a shared machine the wall time includes
    waiting for a core; with SQLite the query work is in-process, so CPU time is the steadier
    figure)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall_ms = (time.perf_counter() - self.wall) * 1000
        self.cpu_ms = (time.process_time() - self.cpu) * 1000


# ---------------------------------------------------------------- generator


def insert_rows(model, columns: list[str], rows) -> int:
    """Bulk insert plain tuples: COPY on PostgreSQL, multi-row executemany on SQLite."""
    from django.db import connection

    table = model._meta.db_table
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            cols = ", ".join(f'"{c}"' for c in columns)
            with raw.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    ops = connection.ops

    def adapt(value):
        # Stored as Django stores them (SQLite keeps dates and datetimes as text).
        if isinstance(value, dt.datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    rows = (tuple(adapt(v) for v in row) for row in rows)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({placeholders})'  # noqa: S608
    batch = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def make_bodies(world, n: int):
    """大兴乡 and n-1 more bodies (through the services), each with one enforcement unit."""
    from zhifa.core import services as core_services
    from zhifa.core.models import Organization, OrgKind

    bodies = [(world.orgs["daxing"], world.orgs["daxing_team"])]
    county = world.orgs["county_gov"]
    for i in range(1, n):
        name = f"基准测试乡{i:03d}人民政府"
        body = Organization.objects.filter(parent=county, name=name).first()
        if body is None:
            body = core_services.create_organization(
                None,
                name=name,
                kind=OrgKind.GOVERNMENT,
                region=county.region,
                parent=county,
                is_enforcement_body=True,
            )
            unit = core_services.create_organization(
                None,
                name=f"基准测试乡{i:03d}综合行政执法队",
                kind=OrgKind.ENFORCEMENT_UNIT,
                region=county.region,
                parent=body,
            )
        else:
            unit = body.children.get()
        bodies.append((body, unit))
    return bodies


def generate(world, n_cases: int, n_bodies: int, rng: random.Random) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from zhifa.cases.models import Case, CaseOfficer, Deadline, Party
    from zhifa.cases.procedures import PROCEDURES
    from zhifa.powers.models import Matter
    from zhifa.registry.models import Officer

    bodies = make_bodies(world, n_bodies)
    daxing = world.orgs["daxing"]
    matters = {
        proc: Matter.objects.filter(power_list__organization=daxing, code=code).first().pk
        for proc, code in MATTER_CODE.items()
    }
    officers = list(
        Officer.objects.filter(body__organization=daxing, name__in=["李明", "王芳"]).values_list(
            "pk", flat=True
        )
    )
    procs = list(PROCEDURE_WEIGHTS)
    weights = [PROCEDURE_WEIGHTS[p] for p in procs]
    stages = {
        p: [s.code for s in PROCEDURES[p].stages if s.code not in ("closed", "archived")]
        for p in procs
    }
    now = timezone.now()
    today = timezone.localdate()
    span = 3 * 365 * 86400
    first_id = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    case_cols = [
        "id", "organization_id", "unit_id", "matter_id", "category", "procedure", "stage",
        "number", "title", "source", "summary", "place", "occurred_on", "discovered_on",
        "filed_on", "decision_due_on", "decided_on", "closed_on", "archived_at",
        "requires_review", "requires_deliberation", "notified_penalty", "decided_penalty",
        "decision_number", "data", "search_text", "created_at", "updated_at",
    ]  # fmt: skip
    names: list[str] = []
    deadlines: list[tuple] = []
    assignments: list[tuple] = []
    stage_count: dict[str, int] = defaultdict(int)

    def case_rows():
        for k in range(n_cases):
            pk = first_id + k
            body, unit = bodies[k % len(bodies)]
            proc = rng.choices(procs, weights)[0]
            created = now - dt.timedelta(seconds=rng.randrange(span))
            day = timezone.localdate(created)
            age = (today - day).days
            if age > 120:
                stage = "archived" if rng.random() < 0.9 else "closed"
            else:
                stage = rng.choice(stages[proc])
            stage_count[stage] += 1
            done = stage in ("closed", "archived")
            filed = day if proc == "penalty_ordinary" and stage != "registered" else None
            due = filed + dt.timedelta(days=90) if filed else None
            if filed and not done:
                # The open 90-day limit (行政处罚法第六十条): overdue when the case is old.
                deadlines.append(
                    (pk, "decision", "作出处罚决定期限", "", filed, due, False, "open")
                )
            if body.pk == daxing.pk:
                assignments.extend([(pk, officers[0], True, created, False, ""),
                                    (pk, officers[1], False, created, False, "")])  # fmt: skip
            number, title = f"BENCH{body.pk}-{pk}", f"基准测试案件{pk}（虚构）"
            names.append(f"{rng.choice(SURNAMES)}某{k}（虚构）")
            yield (
                pk, body.pk, unit.pk, matters[proc], CATEGORY[proc], proc, stage,
                number, title, rng.choice(SOURCES), "", "",
                day - dt.timedelta(days=3), day - dt.timedelta(days=1), filed, due,
                None, day + dt.timedelta(days=30) if done else None,
                created + dt.timedelta(days=40) if stage == "archived" else None,
                False, False, "{}", "{}", "", "{}",
                Case.search_text_of(number, title, [names[-1]]), created, created,
            )  # fmt: skip

    def party_rows():
        for k in range(n_cases):
            yield (first_id + k, 1, "natural", names[k], "", False, "", "", "", "")

    t0 = time.perf_counter()
    with transaction.atomic():
        n = insert_rows(Case, case_cols, case_rows())
        t1 = time.perf_counter()
        insert_rows(
            Party,
            ["case_id", "seq", "kind", "name", "id_number", "is_minor",
             "legal_representative", "address", "phone", "e_service_address"],
            party_rows(),
        )  # fmt: skip
        insert_rows(
            Deadline,
            ["case_id", "kind", "label", "basis", "starts_on", "due_on", "working_days", "status"],
            deadlines,
        )
        insert_rows(
            CaseOfficer,
            ["case_id", "officer_id", "lead", "assigned_at", "recused", "recusal_reason"],
            assignments,
        )
    if connection.vendor == "postgresql":
        # Keep the identity sequence past the explicit ids.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM "
                f'"{Case._meta.db_table}"))',
                [Case._meta.db_table],
            )
    t2 = time.perf_counter()
    with connection.cursor() as cursor:
        # What autovacuum does to a freshly loaded table (the visibility map lets COUNT read
        # the index alone); SQLite has no such map.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    t3 = time.perf_counter()
    return {
        "cases": n,
        "bodies": len(bodies),
        "deadlines": len(deadlines),
        "assignments": len(assignments),
        "case_insert_s": t1 - t0,
        "all_insert_s": t2 - t0,
        "analyze_s": t3 - t2,
        "stages": dict(stage_count),
    }


# ---------------------------------------------------------------- measurements


def read_page(qs, page: int, per_page: int = 20) -> tuple[int, int]:
    """What the API's LimitOffsetPagination does: COUNT, then one page, each row read."""
    total = qs.count()
    rows = list(qs[(page - 1) * per_page : page * per_page])
    for case in rows:  # the fields a list row shows
        _ = (case.number, case.title, case.stage, case.matter.name, case.unit.name)
    return total, len(rows)


def bench_list(user, n: int, rng: random.Random, who: str = "大兴乡's unit head") -> None:
    from zhifa.cases import selectors
    from zhifa.cases.procedures import PROCEDURES

    query = selectors.cases_for
    kinds: dict[str, list[float]] = defaultdict(list)
    kinds_cpu: dict[str, list[float]] = defaultdict(list)
    all_ms: list[float] = []
    all_cpu: list[float] = []
    categories = ["penalty", "inspection", "licensing", "coercion"]
    sample_total = {}
    for i in range(n):
        scope = rng.choice(["unit", "unit", "all", "mine"])
        filters: dict = {}
        roll = rng.random()
        if roll < 0.25:
            pass
        elif roll < 0.5:
            filters["category"] = rng.choice(categories)
        elif roll < 0.8:
            proc = rng.choice(list(PROCEDURES))
            filters["procedure"] = proc
            filters["stage"] = rng.choice([s.code for s in PROCEDURES[proc].stages])
        else:
            filters["overdue"] = True
        page = rng.choice([2, 3, 5]) if i % 5 == 4 else 1
        kind = f"scope={scope} " + ("+".join(sorted(filters)) or "no filter")
        with Timer() as t:
            total, _ = read_page(query(user, scope=scope, **filters), page)
        kinds[kind].append(t.wall_ms)
        kinds_cpu[kind].append(t.cpu_ms)
        all_ms.append(t.wall_ms)
        all_cpu.append(t.cpu_ms)
        sample_total.setdefault(kind, total)
    print(f"2. a unit's case list (as {who}, selectors.cases_for), {n} requests:")
    for kind in sorted(kinds):
        print(figures(f"{kind} ({sample_total[kind]} rows)", kinds[kind], kinds_cpu[kind]))
    verdict = "  OK < 100 ms" if pct(all_ms, 0.95) < 100 else "  MISSED 100 ms"
    print(figures("ALL", all_ms, all_cpu) + verdict)
    q_ms, q_cpu = [], []
    for _ in range(max(5, n // 20)):
        with Timer() as t:
            read_page(selectors.cases_for(user, scope="unit", q=f"某{rng.randrange(10**5)}"), 1)
        q_ms.append(t.wall_ms)
        q_cpu.append(t.cpu_ms)
    print(figures("text search q= (one LIKE per listed case)", q_ms, q_cpu))


def bench_pages(user, n: int, rng: random.Random) -> None:
    """The list pages themselves (/cases/unit/, /cases/overdue/, /cases/all/): URL routing,
    middleware, session, the selector, the page's overdue/warning tags, the template."""
    from django.core.management import call_command
    from django.test import Client

    from zhifa.cases.procedures import PROCEDURES

    call_command("collectstatic", interactive=False, verbosity=0)  # the pages' asset manifest
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for path in ("/cases/unit/", "/cases/all/", "/cases/overdue/"):
        client.get(path)  # warm-up, not timed: the first call compiles the templates
    kinds: dict[str, list[float]] = defaultdict(list)
    kinds_cpu: dict[str, list[float]] = defaultdict(list)
    all_ms: list[float] = []
    for _ in range(n):
        path = rng.choice(["/cases/unit/", "/cases/unit/", "/cases/all/", "/cases/overdue/"])
        query: dict = {}
        roll = rng.random()
        if roll < 0.3:
            proc = rng.choice(list(PROCEDURES))
            query = {"procedure": proc, "stage": rng.choice(PROCEDURES[proc].stages).code}
        elif roll < 0.45:
            query = {"q": f"某{rng.randrange(10**5)}"}
        elif roll < 0.55:
            query = {"page": rng.choice([2, 3, 5])}
        kind = path + (" " + "+".join(sorted(query)) if query else "")
        with Timer() as t:
            response = client.get(path, query)
        assert response.status_code == 200, (path, query, response.status_code)
        kinds[kind].append(t.wall_ms)
        kinds_cpu[kind].append(t.cpu_ms)
        all_ms.append(t.wall_ms)
    print(f"2b. the list pages (HTML through Django's handler, as the unit head), {n} requests:")
    for kind in sorted(kinds):
        print(figures(kind, kinds[kind], kinds_cpu[kind]))
    verdict = "  OK < 100 ms" if pct(all_ms, 0.95) < 100 else "  MISSED 100 ms"
    print(figures("ALL pages", all_ms) + verdict)


def _cid(serial: int) -> str:
    """A fictional, structurally valid 公民身份号码 of 耿马县."""
    from stdnum.cn import ric

    head = f"53092619900101{serial % 1000:03d}"
    return head + ric.calc_check_digit(head + "0")


def bench_transitions(world, n: int) -> None:
    from django.utils import timezone

    from zhifa.cases import services
    from zhifa.ledger.models import LedgerEntry
    from zhifa.registry.models import Officer

    daxing = world.orgs["daxing"]
    plist = services.matter_in_force(daxing, timezone.localdate())
    matter = plist.matters.get(code="XZCF-001")
    officers = list(
        Officer.objects.filter(body__organization=daxing, name__in=["李明", "王芳"]).values_list(
            "pk", flat=True
        )
    )
    today = timezone.localdate()
    cases = []
    start = time.perf_counter()
    for i in range(n):
        cases.append(
            services.register_case(
                world.users["officer"],
                organization=daxing,
                unit=world.orgs["daxing_team"],
                matter=matter,
                procedure="penalty_ordinary",
                title=f"基准测试登记案件{i}（虚构）",
                source="inspection",
                parties=[{"kind": "natural", "name": f"岩某{i}（虚构）", "id_number": _cid(i)}],
                officer_ids=officers,
                occurred_on=today - dt.timedelta(days=10),
            )
        )
    register_ms = (time.perf_counter() - start) * 1000 / n
    before = LedgerEntry.objects.count()
    head = world.users["unithead"]
    ms, cpu = [], []
    for case in cases:
        with Timer() as t:
            services.perform(head, case, "file", {"opinion": "同意立案"})
        ms.append(t.wall_ms)
        cpu.append(t.cpu_ms)
    assert LedgerEntry.objects.count() == before + n
    print(f"3. one transition with its ledger entry (services.perform 'file'), {n} cases:")
    verdict = "  OK < 50 ms" if pct(ms, 0.95) < 50 else "  MISSED 50 ms"
    print(figures("perform(file)", ms, cpu) + verdict)
    print(f"  (register_case through the services: mean {register_ms:.1f} ms, not the target)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--bodies", type=int, default=100)
    parser.add_argument("--lists", type=int, default=300)
    parser.add_argument("--transitions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--data-dir",
        default="",
        help="SQLite: keep the database in this directory; a later run with the same directory "
        "reuses the generated cases (generation takes minutes)",
    )
    parser.add_argument(
        "--keep-pg",
        default="",
        metavar="NAME",
        help="PostgreSQL: use (and keep) the database NAME, reusing its generated cases; "
        "drop it yourself afterwards",
    )
    args = parser.parse_args()
    admin_url, name = setup_database(args.database_url.strip(), args.data_dir, args.keep_pg)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from zhifa.core.calendar import seed_calendar_if_empty
        from zhifa.core.demo import build_demo
        from zhifa.core.permissions import load_user
        from zhifa.powers.demo import build_powers_demo
        from zhifa.registry.demo import build_registry_demo

        call_command("migrate", verbosity=0)
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        seed_calendar_if_empty()
        world = build_demo()
        build_registry_demo(world)
        build_powers_demo(world)
        from zhifa.cases.models import Case

        rng = random.Random(args.seed)
        existing = Case.objects.count()
        if existing >= args.cases:
            print(f"1. reusing the {existing} cases already generated")
        else:
            report_generation(generate(world, args.cases, args.bodies, rng))
        # The user as a request sees them: loaded with memberships in one query.
        head = load_user(world.users["unithead"].pk)
        bench_list(head, args.lists, random.Random(args.seed))
        bench_pages(head, max(20, args.lists // 3), random.Random(args.seed + 2))
        # The body's head reads the body's cases through the organization index instead.
        bodyhead = load_user(world.users["bodyhead"].pk)
        bench_list(bodyhead, args.lists // 2, random.Random(args.seed + 1), "大兴乡's body head")
        bench_transitions(world, args.transitions)
        connection.close()
    finally:
        if admin_url:
            drop_database(admin_url, name)


def report_generation(info: dict) -> None:
    print(
        f"1. generated {info['cases']} cases over {info['bodies']} bodies (bulk inserts, not "
        f"the services): cases {info['case_insert_s']:.0f} s, with parties, "
        f"{info['deadlines']} deadlines and {info['assignments']} assignments "
        f"{info['all_insert_s']:.0f} s, ANALYZE {info['analyze_s']:.0f} s"
    )
    stages = sorted(info["stages"].items(), key=lambda kv: -kv[1])
    print("  stages: " + ", ".join(f"{k} {v}" for k, v in stages[:8]) + ", …")


if __name__ == "__main__":
    main()
