"""`zhifa laws import PATH | --bundled`: load law texts into the library (idempotent)."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhifa.laws import services


class Command(BaseCommand):
    help = "法律法规库：导入 Markdown 法规文本（文件或目录，可重复运行）或内置的全国法规数据包。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="import|reindex")
        imp = sub.add_parser("import", help="导入法规", description="导入法规（文件或目录，递归）")
        imp.add_argument("path", nargs="?", help="Markdown 文件或目录")
        imp.add_argument("--bundled", action="store_true", help="导入内置的全国法规数据包")
        sub.add_parser("reindex", help="重建 SQLite 全文索引")

    def handle(self, *args, **options):
        if options["action"] == "reindex":
            count = services.rebuild_search_index()
            self.stdout.write(f"全文索引已重建：{count} 条")
            return
        path, bundled = options.get("path"), options.get("bundled")
        if bool(path) == bool(bundled):
            raise CommandError("请给出一个路径，或使用 --bundled（二者选一）。")
        started = time.monotonic()
        progress = self._progress(options.get("verbosity", 1))
        if bundled:
            if not services.BUNDLE_PATH.exists():
                raise CommandError(f"找不到内置数据包 {services.BUNDLE_PATH}")
            result = services.import_bundled(progress=progress)
        else:
            target = Path(path)
            if not target.exists():
                raise CommandError(f"路径不存在：{target}")
            result = services.import_path(target, progress=progress)
        if self._progress_shown:
            self.stdout.write("")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：法规 {result.laws} 部（新增 {result.created}，更新 {result.updated}，"
                f"未变 {result.unchanged}），写入条文 {result.articles} 条，"
                f"跳过文件 {len(result.skipped)} 个，用时 {elapsed:.1f} 秒"
            )
        )
        for file, reason in result.skipped:
            self.stdout.write(f"  跳过 {file}：{reason}")

    _progress_shown = False

    def _progress(self, verbosity: int):
        if verbosity < 1:
            return None

        tty = self.stdout.isatty()

        def show(i, parsed, outcome):
            if tty and i % 20 == 0:
                self._progress_shown = True
                self.stdout.write(f"\r已处理 {i} 部法规……", ending="")
                self.stdout.flush()
            elif not tty and i % 200 == 0:
                self.stdout.write(f"已处理 {i} 部法规……")

        return show
