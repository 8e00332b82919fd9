"""`zhifa powers import-discretion PATH...`: load discretion benchmark tables and no-penalty
lists (reference data; see zhifa.powers.importer)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhifa.powers.importer import ImportReport, import_discretion


class Command(BaseCommand):
    help = "权责清单与裁量基准：import-discretion PATH... 导入裁量基准表与不予处罚清单"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-discretion", help="导入裁量基准表（jsonl/csv）")
        imp.add_argument("paths", nargs="+")

    def handle(self, *args, **options):
        total = ImportReport()
        for path in options["paths"]:
            try:
                report = import_discretion(path)
            except (OSError, ValueError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            self.stdout.write(
                f"{path}: 新增 {report.created}，更新 {report.updated}，"
                f"未变 {report.unchanged}，裁量档次 {report.grades}，问题 {len(report.problems)}"
            )
            total.merge(report)
        for row, reason in total.problems:
            self.stdout.write(f"  ! {row}: {reason}")
