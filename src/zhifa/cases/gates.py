"""Extension points of the decide transitions (explicit registries, not signals).

* ``decision_gates``: ``gate(case) -> str | None``, evaluated by the decide transitions of the
  penalty, coercion and licensing procedures; a string refuses the decision. Built in: 法制审核
  (行政处罚法第五十八条) and 集体讨论 (第五十七条第二款), read from the case's flags until the
  legal-review app registers its own gate (and sets ``requires_review`` from its catalogue).
* ``after_decision``: ``hook(case, actor) -> None``, called inside the decide transaction after
  the decision is written (the publicity app drafts the publication here). An exception rolls
  the whole decision back.

* ``hearing_thresholds``: ``fn(case, penalty) -> list[str]``, asked by the penalty
  procedure's ``approve_penalty`` with the proposed penalty (``rules.penalty_of``): each string
  is a reason why the right to a hearing of 行政处罚法第六十三条第一款第一项、第二项 applies
  (较大数额罚款, 没收较大数额违法所得、较大价值非法财物). The amounts are set per province and
  field, so the cases app holds none: the review app answers from the body's catalogue.

Register from your AppConfig.ready() with ``register_decision_gate(fn)`` /
``register_after_decision(fn)`` / ``register_hearing_threshold(fn)`` (registering the same
function twice has no effect).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "after_decision",
    "decision_gates",
    "deliberation_gate",
    "hearing_threshold_reasons",
    "hearing_thresholds",
    "register_after_decision",
    "register_decision_gate",
    "register_hearing_threshold",
    "review_gate",
    "run_after_decision",
    "run_decision_gates",
]

REVIEW_BASIS = (
    "依据《中华人民共和国行政处罚法》第五十八条，本案应当在作出决定前进行法制审核，"
    "“未经法制审核或者审核未通过的，不得作出决定”。"
)
DELIBERATION_BASIS = (
    "依据《中华人民共和国行政处罚法》第五十七条第二款，“对情节复杂或者重大违法行为给予行政处罚，"
    "行政机关负责人应当集体讨论决定”，本案尚未记录集体讨论。"
)


def review_gate(case: Any) -> str | None:
    if case.requires_review and case.data.get("review_passed") is not True:
        return REVIEW_BASIS
    return None


def deliberation_gate(case: Any) -> str | None:
    if case.requires_deliberation and case.data.get("deliberated") is not True:
        return DELIBERATION_BASIS
    return None


decision_gates: list[Callable[[Any], str | None]] = [review_gate, deliberation_gate]
after_decision: list[Callable[[Any, Any], None]] = []
hearing_thresholds: list[Callable[[Any, dict], list[str]]] = []


def register_decision_gate(fn: Callable[[Any], str | None]) -> None:
    if fn not in decision_gates:
        decision_gates.append(fn)


def register_after_decision(fn: Callable[[Any, Any], None]) -> None:
    if fn not in after_decision:
        after_decision.append(fn)


def run_decision_gates(case: Any) -> str | None:
    for gate in decision_gates:
        reason = gate(case)
        if reason:
            return reason
    return None


def run_after_decision(case: Any, actor: Any) -> None:
    for hook in after_decision:
        hook(case, actor)


def register_hearing_threshold(fn: Callable[[Any, dict], list[str]]) -> None:
    if fn not in hearing_thresholds:
        hearing_thresholds.append(fn)


def hearing_threshold_reasons(case: Any, penalty: dict) -> list[str]:
    """Why the proposed ``penalty`` carries the right to a hearing by its amount (第六十三条第一款
    第一项、第二项), from every registered threshold hook."""
    reasons: list[str] = []
    for fn in hearing_thresholds:
        reasons.extend(fn(case, penalty))
    return reasons
