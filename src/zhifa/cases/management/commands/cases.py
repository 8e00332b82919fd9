"""`zhifa cases archive CASE --out FILE.zip`: write the case file (案卷) of a case, given by its
案号 or id, as the operator (the ledger entry of the export names the system).
`zhifa cases verify FILE.zip`: check a case file offline (same as ``python -m
zhifa.cases.archive verify``)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhifa.cases import archive
from zhifa.cases.models import Case
from zhifa.evidence.services import EvidenceCorrupted


class Command(BaseCommand):
    help = "执法办案：archive CASE --out FILE.zip 导出案卷；verify FILE.zip 验证案卷"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        arc = sub.add_parser("archive", help="导出案卷（ZIP，含封面目录、文书、证据和账本证明包）")
        arc.add_argument("case", help="案号或案件 id")
        arc.add_argument("--out", required=True, help="输出的 ZIP 文件")
        ver = sub.add_parser("verify", help="验证案卷 ZIP")
        ver.add_argument("file")
        ver.add_argument("--ed25519-key")
        ver.add_argument("--sm2-key", help="NAME:PUBLIC_HEX")

    def handle(self, *args, **options):
        if options["action"] == "verify":
            return self._verify(options)
        case = Case.objects.filter(number=options["case"]).first()
        if case is None and options["case"].isdigit():
            case = Case.objects.filter(pk=int(options["case"])).first()
        if case is None:
            raise CommandError(f"未找到案件：{options['case']}")
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"目录不存在：{out.parent}")
        partial = out.with_name(out.name + ".part")
        try:
            with partial.open("wb") as fh:
                made = archive.write_case_file(None, case, fh)
        except (ValidationError, EvidenceCorrupted, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"导出失败：{exc}") from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(out)  # never leave a half-written case file under the final name
        self.stdout.write(
            f"{case.number}：案卷已写入 {out}（{len(made.manifest['files'])} 个文件，"
            f"账本序号 {made.ledger_seq}）"
        )

    def _verify(self, options):
        sm2 = tuple(options["sm2_key"].rsplit(":", 1)) if options["sm2_key"] else None
        problems = archive.verify_case_file(options["file"], options["ed25519_key"], sm2)
        for line in problems:
            self.stdout.write(f"FAIL: {line}")
        if problems:
            raise CommandError("案卷未通过验证。")
        self.stdout.write("OK: 案卷完整，与账本记录一致。")
