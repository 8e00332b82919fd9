"""Where the shared data sets are (../shared/data next to the repository). Tests that need them
fail, never skip, when they are missing: CI has them, and a silent skip would hide a break."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]


def shared_data(*parts: str) -> Path:
    base = Path(os.environ.get("ZHIFA_SHARED_DATA", REPO.parent / "shared" / "data"))
    path = base.joinpath(*parts).resolve()
    if not path.exists():
        pytest.fail(
            f"共享数据缺失：{path}。"
            "这些测试需要仓库旁的 ../shared/data（或设置 ZHIFA_SHARED_DATA）。",
            pytrace=False,
        )
    return path
