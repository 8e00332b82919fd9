"""The `zhifa` command: manage.py with clear messages instead of tracebacks for the mistakes an
operator makes (bad DATABASE_URL, unwritable data dir, database down)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "zhifa"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        print(f"zhifa: 配置错误 / configuration error: {exc}", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:
        from django.db import OperationalError

        if isinstance(exc, OperationalError):
            print(
                f"zhifa: 无法连接数据库 / cannot reach the database: {exc}".strip(),
                file=sys.stderr,
            )
            sys.exit(2)
        raise


if __name__ == "__main__":
    main()
