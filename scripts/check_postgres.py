"""Fail loudly (never skip) when the PostgreSQL that `make test` needs is not reachable.

With `--drop NAME`, drop the test database afterwards even if a stray connection is left."""

import sys

import psycopg

url = sys.argv[1]
try:
    with psycopg.connect(url, connect_timeout=5) as conn:
        conn.execute("select 1")
except psycopg.OperationalError as exc:
    print(
        f"make test: 无法连接 PostgreSQL ({url}): {exc}\n"
        "PostgreSQL 测试不会被跳过。请先启动数据库，例如：\n"
        "  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
        "或设置 PG_ADMIN_URL / PG_TEST_URL 指向可用的服务器。",
        file=sys.stderr,
    )
    sys.exit(1)

if len(sys.argv) == 4 and sys.argv[2] == "--drop":
    name = sys.argv[3]
    if not name.replace("_", "").isalnum():
        sys.exit(f"bad database name: {name}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
