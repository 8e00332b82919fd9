"""`zhifa seed_calendar [--from 2020] [--to 2026]`: load the State Council holiday arrangements
known to the installed chinesecalendar package into the holiday table."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhifa.core.calendar import package_years, seed_calendar_from_package


class Command(BaseCommand):
    help = "从 chinesecalendar 软件包导入国务院公布的节假日与调休安排（可重复运行）。"

    def add_arguments(self, parser):
        last = package_years()[1]
        parser.add_argument(
            "--from", dest="first", type=int, default=2020, help="起始年份（默认 2020）"
        )
        parser.add_argument(
            "--to", dest="last", type=int, default=last, help=f"截止年份（默认 {last}）"
        )

    def handle(self, *args, first: int, last: int, **options):
        if first > last:
            raise CommandError(f"起始年份 {first} 晚于截止年份 {last}。")
        known_first, known_last = package_years()
        seeded = seed_calendar_from_package(first, last)
        skipped = [y for y in range(first, last + 1) if not known_first <= y <= known_last]
        self.stdout.write(
            self.style.SUCCESS(f"已导入 {seeded} 个年度的节假日安排（{first}—{last}）。")
        )
        if skipped:
            self.stdout.write(
                self.style.WARNING(
                    "以下年度不在 chinesecalendar 数据范围"
                    f"（{known_first}—{known_last}）内，已跳过："
                    + "、".join(str(y) for y in skipped)
                    + "。请在“节假日管理”中手工录入并确认。"
                )
            )
