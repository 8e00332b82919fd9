"""Operator mistakes get one clear message and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[3])


def run_zhifa(tmp_path, *args, **env):
    full_env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    full_env.update({"PYTHONPATH": SRC, "ZHIFA_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(
        [sys.executable, "-m", "zhifa", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("foo://bar/zhifa", "DATABASE_URL 格式错误"),
        ("not a url", "DATABASE_URL 格式错误"),
        ("postgres://", "缺少数据库名"),
    ],
)
def test_malformed_database_url(tmp_path, url, message):
    result = run_zhifa(tmp_path, "check", DATABASE_URL=url)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database(tmp_path):
    result = run_zhifa(tmp_path, "migrate", DATABASE_URL="postgres://postgres@127.0.0.1:1/zhifa")
    assert result.returncode == 2
    assert "无法连接数据库" in result.stderr and "Traceback" not in result.stderr


def test_unwritable_data_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run_zhifa(tmp_path, "check", ZHIFA_DATA_DIR=str(blocker / "data"))
    assert result.returncode == 2
    assert "不可写" in result.stderr and "Traceback" not in result.stderr


def test_secret_key_generated_once_in_data_dir(tmp_path):
    assert run_zhifa(tmp_path, "check").returncode == 0
    key_file = tmp_path / "data" / "secret_key"
    first = key_file.read_text()
    assert len(first) > 40 and oct(key_file.stat().st_mode)[-3:] == "600"
    assert run_zhifa(tmp_path, "check").returncode == 0
    assert key_file.read_text() == first


def test_serve_kills_a_child_that_does_not_stop_in_time():
    """A web server that ignores the stop request is killed after the grace period, so `zhifa
    serve` never leaves it running orphaned on the port."""
    import signal
    import subprocess
    import sys

    from zhifa.core.management.commands.serve import _stop

    child = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    assert child.stdout.readline().strip() == b"ready"
    child.send_signal(signal.SIGINT)
    _stop(child, grace=0.5)
    assert child.returncode == -signal.SIGKILL
