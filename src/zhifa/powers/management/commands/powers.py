"""`zhifa powers import-discretion PATH...`: load discretion benchmark tables and no-penalty
lists (reference data; see zhifa.powers.importer). `zhifa powers import-matters --list ID --as
USERNAME FILE` / `export-matters --list ID --out FILE`: a power list's matters from/to Excel
(see zhifa.powers.excel). `zhifa powers import-benchmarks --body ORG_ID --as USERNAME FILE` /
`export-benchmarks --body ORG_ID --out FILE`: a body's discretion benchmarks from/to Excel."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhifa.powers.importer import ImportReport, import_discretion


class Command(BaseCommand):
    help = "权责清单与裁量基准：import-discretion PATH... 导入裁量基准表与不予处罚清单"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-discretion", help="导入裁量基准表（jsonl/csv）")
        imp.add_argument("paths", nargs="+")
        mim = sub.add_parser("import-matters", help="从 Excel 导入权力事项到草稿清单")
        mim.add_argument("--list", dest="list_id", type=int, required=True)
        mim.add_argument("--as", dest="username", required=True)
        mim.add_argument("file")
        mex = sub.add_parser("export-matters", help="导出清单的权力事项到 Excel")
        mex.add_argument("--list", dest="list_id", type=int, required=True)
        mex.add_argument("--out", required=True)
        bim = sub.add_parser("import-benchmarks", help="从 Excel 导入执法主体的裁量基准")
        bim.add_argument("--body", dest="org_id", type=int, required=True)
        bim.add_argument("--as", dest="username", required=True)
        bim.add_argument("file")
        bex = sub.add_parser("export-benchmarks", help="导出执法主体的裁量基准到 Excel")
        bex.add_argument("--body", dest="org_id", type=int, required=True)
        bex.add_argument("--out", required=True)

    def handle(self, *args, **options):
        if options["action"] in ("import-matters", "export-matters"):
            return self._matters(options)
        if options["action"] in ("import-benchmarks", "export-benchmarks"):
            return self._benchmarks(options)
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

    def _matters(self, options):
        from pathlib import Path

        from django.core.exceptions import PermissionDenied

        from zhifa.core.models import User
        from zhifa.powers import excel
        from zhifa.powers.models import PowerList

        plist = PowerList.objects.filter(pk=options["list_id"]).first()
        if plist is None:
            raise CommandError(f"权责清单 {options['list_id']} 不存在。")
        if options["action"] == "export-matters":
            Path(options["out"]).write_bytes(excel.export_matters(plist))
            self.stdout.write(f"已导出 {plist.matters.count()} 项到 {options['out']}")
            return
        actor = User.objects.filter(username=options["username"]).first()
        if actor is None:
            raise CommandError(f"用户 {options['username']} 不存在。")
        try:
            data = Path(options["file"]).read_bytes()
            report = excel.import_matters(actor, plist, data, progress=self._progress)
        except (OSError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        self._report(report, "事项")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        end = "\n" if done >= total else ""
        self.stderr.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {done}/{total}", ending=end)
        self.stderr.flush()

    def _report(self, report, what: str) -> None:
        if not report.ok:
            for error in report.errors:
                where = f"第{error.row}行" if error.row else "文件"
                column = f"【{error.column_header}】" if error.column_header else ""
                self.stderr.write(f"  ! {where}{column}{error.message_zh}")
            raise CommandError(f"导入失败：{len(report.errors)} 个问题，未导入任何{what}。")
        self.stdout.write(f"新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}")

    def _benchmarks(self, options):
        from pathlib import Path

        from django.core.exceptions import PermissionDenied

        from zhifa.core.models import Organization, User
        from zhifa.powers import excel
        from zhifa.powers.models import DiscretionBenchmark

        org = Organization.objects.filter(pk=options["org_id"], is_enforcement_body=True).first()
        if org is None:
            raise CommandError(f"执法主体 {options['org_id']} 不存在。")
        if options["action"] == "export-benchmarks":
            qs = DiscretionBenchmark.objects.filter(organization=org)
            Path(options["out"]).write_bytes(excel.export_benchmarks(qs))
            self.stdout.write(f"已导出 {qs.count()} 项裁量基准到 {options['out']}")
            return
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"用户 {options['username']} 不存在或已停用。")
        try:
            data = Path(options["file"]).read_bytes()
            report = excel.import_benchmarks(actor, org, data, progress=self._progress)
        except (OSError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        self._report(report, "裁量基准")
