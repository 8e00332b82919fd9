"""Case fixtures, built through the real services: 大兴乡 with its published 2026 power list and
its register (officers with valid 综合行政执法 certificates), and a factory that drives a case to
any stage by calling ``perform``.

    def test_something(make_case, cw):
        case = make_case("penalty_ordinary", "notified")      # drives 案源登记 → … → 已告知
        case = make_case(stage="decided", fine="150")          # penalty_ordinary by default
        cw.users["unithead"], cw.officers["李明"], cw.matter("XZCF-001")

``make_case(procedure="penalty_ordinary", stage=None, *, matter=None, parties=None,
officers=None, actor="officer", fine="500", hearing=False, **register_kwargs)`` registers the
case (stage None = the first stage) and performs the transitions of ``PATHS[procedure]`` until
the case is in ``stage``; an unknown stage or a refusal on the way fails the test with the
refusal. Steps of the path that stay in the stage reached are performed too: a case made
"notified" carries the party's written waiver, so it can be decided at once (build the notice
yourself when testing the statement period).
``cw.perform(case, action, data=None, user="unithead", **kw)`` performs one action as a demo
user. Service of documents goes through the records app's ``delivery.record_service``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone
from stdnum.cn import ric, uscc

from zhifa.cases import services
from zhifa.cases.models import Case
from zhifa.cases.procedures import PROCEDURES

PARTY_ID = "530926199001011234"


def citizen_id(born: str = "19900101", serial: int = 123) -> str:
    """A fictional, structurally valid 公民身份号码 of 耿马县 (530926)."""
    head = f"530926{born}{serial % 1000:03d}"
    return head + ric.calc_check_digit(head + "0")


def uscc_code(org_code: str = "MA6K00001") -> str:
    head = f"92530926{org_code}"
    return head + uscc.calc_check_digit(head)


def person(name: str = "岩罕（虚构）", serial: int = 123, **kw) -> dict:
    return {
        "kind": "natural",
        "name": name,
        "id_number": citizen_id(serial=serial),
        "address": "大兴乡某村（虚构）",
        **kw,
    }


def company(name: str = "耿马示例农资经营部（虚构）", **kw) -> dict:
    return {"kind": "legal", "name": name, "id_number": uscc_code(), **kw}


@dataclass
class CaseWorld:
    world: Any
    body: Any
    power_list: Any
    officers: dict = field(default_factory=dict)

    @property
    def users(self):
        return self.world.users

    @property
    def orgs(self):
        return self.world.orgs

    def matter(self, code: str):
        return self.power_list.matters.get(code=code)

    def perform(self, case: Case, action: str, data: dict | None = None, user="unithead", **kw):
        actor = self.users[user] if isinstance(user, str) else user
        return services.perform(actor, case, action, data or {}, **kw)


@pytest.fixture
def cw(world) -> CaseWorld:
    from zhifa.powers.demo import build_powers_demo
    from zhifa.registry.demo import build_registry_demo
    from zhifa.registry.models import Officer

    body = build_registry_demo(world)
    plist = build_powers_demo(world)
    officers = {o.name: o for o in Officer.objects.filter(body=body)}
    return CaseWorld(world, body, plist, officers)


# Default matters per procedure (codes of the demo list).
MATTERS = {
    "penalty_ordinary": "XZCF-001",
    "penalty_simplified": "XZCF-020",
    "inspection": "XZJC-001",
    "coercion": "XZQZ-003",
    "licensing": "XZXK-002",
}


def _today() -> datetime.date:
    return timezone.localdate()


def _serve_decision(cw: CaseWorld, case: Case, user: str = "officer") -> None:
    try:
        from zhifa.cases.delivery import record_service  # the records app's service
    except ImportError:  # pragma: no cover - until the records app lands
        pytest.skip("送达服务（zhifa.cases.delivery）尚未提交")

    for party in case.parties.all():
        record_service(
            cw.users[user],
            case,
            party=party,
            document="decision",
            mode="direct",
            delivered_on=case.decided_on or _today(),
            recipient=party.name,
        )


def _penalty(opts: dict) -> dict:
    fine = opts.get("fine", "500")
    kinds = ["fine"] if fine else ["warning"]
    return {
        "kinds": kinds,
        "fine": fine or "",
        "facts": "未取得乡村建设规划许可证建房（示例）",
        "basis": "《中华人民共和国城乡规划法》第六十五条",
    }


def _penalty_path(opts: dict) -> list[tuple[str, str, Any]]:
    today = _today()
    steps: list[tuple[str, str, Any]] = [
        ("file", "unithead", {}),
        ("conclude", "officer", {"report": "调查终结报告（示例）", "proposal": "penalize"}),
    ]
    branch = opts.get("branch")
    if branch == "minor":
        return [
            *steps,
            ("decide_minor", "unithead", {"reason": "违法行为轻微并及时改正"}),
            ("close", "unithead", {"summary": "结案"}),
            ("archive", "officer", {}),
        ]
    if branch == "transfer":
        return [
            *steps,
            ("transfer", "unithead", {"receiver": "耿马县公安局", "reason": "涉嫌犯罪"}),
        ]
    steps += [
        (
            "approve_penalty",
            "unithead",
            {**_penalty(opts), "hearing_right": opts.get("hearing", False)},
        ),
        (
            "notify",
            "officer",
            {"served_on": today, "facts": "事实", "reasons": "理由", "basis": "依据"},
        ),
    ]
    if opts.get("hearing"):
        steps += [
            ("request_hearing", "officer", {"requested_on": today}),
            (
                "hold_hearing",
                "officer",
                {
                    "notified_on": today - datetime.timedelta(days=15),
                    "held_on": today,
                    "host": "刘洋",
                    "summary": "听证笔录（示例）",
                },
            ),
        ]
    else:
        steps.append(
            (
                "waive_statement",
                "officer",
                {"waived_on": today, "waiver": "当事人书面声明放弃陈述申辩"},
            )
        )
    steps += [
        ("decide", "unithead", _penalty(opts)),
        ("serve", "officer", _serve_decision),
        ("record_execution", "officer", {"done_on": today, "manner": "performed"}),
        ("close", "unithead", {"summary": "结案"}),
        ("archive", "officer", {}),
    ]
    return steps


PATHS = {"penalty_ordinary": _penalty_path}


@pytest.fixture
def builtin_gates(monkeypatch):
    """Only the cases app's own decision gates: tests of the stage graphs do not depend on the
    review app's catalogue (which tests its own gate)."""
    from zhifa.cases import gates

    monkeypatch.setattr(gates, "decision_gates", [gates.review_gate, gates.deliberation_gate])


@pytest.fixture
def make_case(cw):
    """make_case(procedure="penalty_ordinary", stage=None, **options) -> Case (see module doc)."""

    made = {"n": 0}

    def make(
        procedure: str = "penalty_ordinary",
        stage: str | None = None,
        *,
        matter=None,
        parties: list[dict] | None = None,
        officers: list | None = None,
        actor: str = "officer",
        **options,
    ) -> Case:
        register = {k: options.pop(k) for k in list(options) if k in REGISTER_KEYS}
        today = _today()
        made["n"] += 1
        if officers is None:
            officers = [cw.officers["李明"], cw.officers["王芳"]]
        case = services.register_case(
            cw.users[actor],
            organization=cw.orgs["daxing"],
            unit=cw.orgs["daxing_team"],
            matter=matter or cw.matter(MATTERS[procedure]),
            procedure=procedure,
            title=register.pop("title", "示例案件（虚构）"),
            source=register.pop("source", "inspection"),
            # A new fictional party per case: cases of the factory never share an act (第二十九条).
            parties=parties if parties is not None else [person(serial=made["n"])],
            officer_ids=[o.pk for o in officers],
            occurred_on=register.pop("occurred_on", today - datetime.timedelta(days=10)),
            discovered_on=register.pop("discovered_on", today - datetime.timedelta(days=2)),
            **register,
        )
        if stage is None or case.stage == stage:
            return case
        path = PATHS[procedure](options)
        proc = PROCEDURES[procedure]
        for i, (action, user, data) in enumerate(path):
            if callable(data):
                data(cw, case)
                data = {}
            case = services.perform(cw.users[user], case, action, data)
            if case.stage == stage:
                # Steps that stay in the stage (the waiver after the notice) belong to it.
                following = path[i + 1 :]
                while following and proc.transition(stage, following[0][0]).target is None:
                    action, user, data = following.pop(0)
                    case = services.perform(cw.users[user], case, action, data)
                return case
        raise AssertionError(f"make_case: {procedure} never reaches stage {stage!r}")

    return make


REGISTER_KEYS = {
    "title",
    "source",
    "summary",
    "place",
    "occurred_on",
    "discovered_on",
    "act_continuing_until",
    "data",
}
