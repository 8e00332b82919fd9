"""`zhifa mask`: standard input to standard output with the pipeline's masking."""

from __future__ import annotations

import io

from django.core.management import call_command

from zhifa.publicity.management.commands.mask import Command


def run(text: str, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    command = Command(stdout=out, stderr=err)
    command._stdin = io.StringIO(text)
    call_command(command, *args)
    return out.getvalue(), err.getvalue()


def test_mask_reads_stdin_and_writes_masked_text():
    out, _ = run("当事人张三，身份证号码110105194912310021，电话13800138000。\n")
    assert out == "当事人张某，身份证号码110***********0021，电话138****8000。\n"


def test_mask_with_given_names_and_report():
    out, err = run("王五到场。", "--name", "王五", "--report")
    assert out == "王某到场。"
    assert "姓名" in err and "共遮蔽 1 项" in err


def test_mask_leaves_text_without_personal_data_alone():
    text = "依据《中华人民共和国行政处罚法》第四十八条，文号耿大兴罚决〔2026〕1号。"
    assert run(text)[0] == text
