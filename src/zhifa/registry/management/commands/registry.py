"""``zhifa registry import-officers|export-officers``: officers of a body to and from Excel.

    zhifa registry import-officers --body ORG_ID [--as USERNAME] FILE.xlsx
    zhifa registry export-officers --body ORG_ID [--as USERNAME] --out FILE.xlsx

``--as`` acts as that user (their permissions and scope, recorded in the ledger); without it
the operator acts as ``system``. An import with any problem imports nothing, prints every
problem by row and column and exits 1."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "执法主体与人员：Excel 导入导出 / registry import-officers, export-officers"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-officers", help="从 .xlsx 导入执法人员 / import officers")
        imp.add_argument("--body", type=int, required=True, help="执法主体的组织 ID / org id")
        imp.add_argument("--as", dest="as_user", help="以该用户身份导入 / act as this user")
        imp.add_argument("file", help="FILE.xlsx")
        exp = sub.add_parser("export-officers", help="导出执法人员为 .xlsx / export officers")
        exp.add_argument("--body", type=int, required=True, help="执法主体的组织 ID / org id")
        exp.add_argument("--as", dest="as_user", help="以该用户身份导出 / act as this user")
        exp.add_argument("--out", required=True, help="FILE.xlsx ('-' = stdout)")

    def handle(self, *args, **options):
        return getattr(self, "do_" + options["action"].replace("-", "_"))(options)

    def _context(self, options):
        from zhifa.core.models import User
        from zhifa.registry.models import EnforcementBody

        body = (
            EnforcementBody.objects.select_related("organization")
            .filter(organization_id=options["body"])
            .first()
        )
        if body is None:
            raise CommandError(f"组织 {options['body']} 没有已登记的执法主体信息。")
        actor = None
        if options.get("as_user"):
            actor = User.objects.filter(username=options["as_user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"用户 {options['as_user']} 不存在或已停用。")
        return body, actor

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r[{bar}] {done}/{total}{end}")
        sys.stderr.flush()

    def do_import_officers(self, options):
        from zhifa.registry.excel import import_officers

        body, actor = self._context(options)
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from None
        try:
            report = import_officers(actor, body, data, progress=self._progress)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        if report.errors:
            self.stdout.write(f"文件有 {len(report.errors)} 处问题，未导入任何数据：")
            for e in report.errors:
                row = f"第{e.row}行" if e.row else "文件"
                column = f"［{e.column_header}］" if e.column_header else ""
                self.stdout.write(f"  {row}{column} {e.message_zh}")
            raise CommandError("导入失败 / import failed", returncode=1)
        self.stdout.write(
            f"导入完成：新增 {report.created}，更新 {report.updated}，未变化 {report.unchanged}。"
        )

    def do_export_officers(self, options):
        from zhifa.registry.excel import export_officers

        body, actor = self._context(options)
        data = export_officers(actor, body)
        if options["out"] == "-":
            sys.stdout.buffer.write(data)
            return
        Path(options["out"]).write_bytes(data)
        self.stdout.write(f"已导出到 {options['out']}。")
