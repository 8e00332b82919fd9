"""Issue 5: the right to a hearing for a 较大数额 fine or confiscation (行政处罚法第六十三条第一款
第一项、第二项) through the hearing-threshold hook of ``cases.gates`` (the review app answers it
from the body's catalogue: tested there). Here the hook is a stand-in, so the cases side is
tested on its own."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhifa.cases import gates
from zhifa.cases.services import CaseActionRefused, allowed_actions

from .conftest import case_state as snapshot

pytestmark = pytest.mark.usefixtures("builtin_gates")

LABEL = "对自然人处较大数额罚款的（测试标准：1000元以上）"


@pytest.fixture
def threshold(monkeypatch):
    """A stand-in hook: a fine of 1000 yuan or more is a 较大数额罚款."""
    asked = []

    def hook(case, penalty):
        asked.append(penalty)
        if "fine" in penalty["kinds"] and Decimal(penalty["fine"]) >= 1000:
            return [LABEL]
        return []

    monkeypatch.setattr(gates, "hearing_thresholds", [hook])
    return asked


def proposal(fine: str, **extra) -> dict:
    return {
        "kinds": ["fine"],
        "fine": fine,
        "facts": "未取得乡村建设规划许可证建房（示例）",
        "basis": "《中华人民共和国城乡规划法》第六十五条",
        **extra,
    }


def test_a_fine_at_the_threshold_needs_the_hearing_right(cw, make_case, threshold):
    case = make_case(stage="concluded")
    before = snapshot(case)
    with pytest.raises(
        CaseActionRefused, match=f"第六十三条第一款.*较大数额罚款.*{LABEL}.*请勾选告知听证权利"
    ):
        cw.perform(case, "approve_penalty", proposal("1000"))
    assert snapshot(case) == before
    assert (threshold[-1]["kinds"], threshold[-1]["fine"]) == (["fine"], "1000.00")
    case = cw.perform(case, "approve_penalty", proposal("1000", hearing_right=True))
    assert case.stage == "to_notify" and case.data["proposed_penalty"]["hearing_right"] is True


def test_a_fine_below_the_threshold_does_not(cw, make_case, threshold):
    case = make_case(stage="concluded")
    case = cw.perform(case, "approve_penalty", proposal("999.99"))
    assert case.stage == "to_notify"


def test_the_case_page_offers_the_approval_without_data(cw, make_case, threshold):
    case = make_case(stage="concluded")
    states = {a.action: a for a in allowed_actions(cw.users["unithead"], case)}
    assert states["approve_penalty"].allowed
    assert threshold == []  # no proposal, nothing to judge


def test_the_simplified_procedure_is_not_asked(cw, make_case, monkeypatch):
    asked = []
    monkeypatch.setattr(gates, "hearing_thresholds", [lambda c, p: asked.append(p) or ["x"]])
    case = make_case("penalty_simplified", "decided", fine="150")
    assert case.stage == "decided" and asked == []
