"""`zhifa mask`: read a text on standard input, write it masked (the same masking the
publication pipeline applies), so an operator can check a text before it goes out.

    zhifa mask < decision.txt
    zhifa mask --name 张三 --name 李四 < decision.txt     # names known to be personal
    zhifa mask --report < decision.txt                    # also list what was hidden (stderr)
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from zhifa.core.masking import find_personal_items, mask_text


class Command(BaseCommand):
    help = "从标准输入读取文本，输出遮蔽个人信息后的文本（与公示流程同一遮蔽规则）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--name", action="append", default=[], help="需要遮蔽的自然人姓名（可重复）"
        )
        parser.add_argument(
            "--report", action="store_true", help="在标准错误输出列出被遮蔽的项目（类别与位置）"
        )

    def handle(self, *args, **options):
        stdin = getattr(self, "_stdin", None) or sys.stdin
        text = stdin.read()
        names = [n for n in options["name"] if n.strip()]
        self.stdout.write(mask_text(text, names), ending="")
        if options["report"]:
            items = find_personal_items(text, names)
            for item in items:
                self.stderr.write(f"{item.label}\t{item.start}-{item.end}\t{item.masked}")
            self.stderr.write(f"共遮蔽 {len(items)} 项。")
