"""Case fixtures, built through the real services: 大兴乡 with its published 2026 power list and
its register (officers with valid 综合行政执法 certificates), and a factory that drives a case to
any stage by calling ``perform``.

    def test_something(make_case, cw):
        case = make_case("penalty_ordinary", "notified")      # drives 案源登记 → … → 已告知
        case = make_case(stage="decided", fine="150")          # penalty_ordinary by default
        cw.users["unithead"], cw.officers["李明"], cw.matter("XZCF-001")

``make_case(procedure="penalty_ordinary", stage=None, *, matter=None, parties=None,
officers=None, actor="officer", fine="500", hearing=False, hearing_right=False,
**register_kwargs)`` (``hearing_right`` tells the right to a hearing, which a fine at or above
the body's 较大数额 needs, 行政处罚法第六十三条; ``hearing`` also holds one) registers the
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


def case_state(case: Case) -> tuple:
    """What a refused action must leave as it was: the case row (stage, dates, data...), its
    steps, records, deadlines, measures and services, and the ledger's length. Compare it
    before and after the refusal."""
    from zhifa.cases.models import Deadline, Measure, Record, Service, Step
    from zhifa.ledger.models import LedgerEntry

    pk = case.pk
    return (
        Case.objects.filter(pk=pk).values().get(),
        Step.objects.filter(case_id=pk).count(),
        LedgerEntry.objects.count(),
        Record.objects.filter(case_id=pk).count(),
        list(
            Deadline.objects.filter(case_id=pk)
            .order_by("id")
            .values_list("kind", "status", "due_on")
        ),
        list(
            Measure.objects.filter(case_id=pk)
            .order_by("id")
            .values_list("ends_on", "extended", "released_on")
        ),
        Service.objects.filter(case_id=pk).count(),
    )


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


def pay_fine(cw: CaseWorld, case: Case, user: str = "officer") -> None:
    """The party pays the whole fine today (through ``execution.record_payment``): a fine is
    executed only once paid or enforced (行政处罚法第七十二条)."""
    from zhifa.cases.execution import record_payment

    case.refresh_from_db()
    record_payment(cw.users[user], case, case.fine_amount, _today())


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
            # hearing_right=True: the right told without a hearing held (a fine at or above the
            # body's 较大数额, 第六十三条); hearing=True also holds the hearing.
            {
                **_penalty(opts),
                "hearing_right": opts.get("hearing_right", opts.get("hearing", False)),
            },
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
    ]
    if opts.get("fine", "500"):
        steps.append(("", "officer", pay_fine))
    steps += [
        ("record_execution", "officer", {"done_on": today, "manner": "performed"}),
        ("close", "unithead", {"summary": "结案"}),
        ("archive", "officer", {}),
    ]
    return steps


def wav_bytes(seconds: float = 0.2) -> bytes:
    """A short silent WAV: a valid audio file for the audio-video record rules."""
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


def add_av_record(cw: CaseWorld, case: Case, user: str = "officer") -> None:
    """An audio record of the scene in the case's current stage, through the records app."""
    import io

    try:
        from zhifa.cases.records import attach_media
    except ImportError:  # pragma: no cover - until the records app lands
        pytest.skip("记录服务（zhifa.cases.records）尚未提交")
    attach_media(
        cw.users[user],
        case,
        kind="audio",
        upload=io.BytesIO(wav_bytes()),
        filename="现场录音.wav",
        officer_ids=[o.officer_id for o in case.case_officers.filter(recused=False)],
    )


def _simplified_path(opts: dict) -> list[tuple[str, str, Any]]:
    today = _today()
    fine = opts.get("fine", "100")
    decision = {
        "kinds": ["fine"] if fine else ["warning"],
        "fine": fine or "",
        "facts": "在禁止时段露天烧烤（示例）",
        "basis": "《中华人民共和国大气污染防治法》第一百一十八条第三款",
        "showed_certificate": True,
        "place": "大兴乡集镇（示例）",
    }
    steps = [("decide_on_spot", "officer", decision), ("file_report", "officer", {})]
    if fine:
        steps += [
            ("", "officer", pay_fine),
            ("record_execution", "officer", {"done_on": today, "manner": "performed"}),
            ("close", "unithead", {}),
        ]
    else:
        steps.append(("close_warning", "unithead", {}))
    return [*steps, ("archive", "officer", {})]


def _inspection_path(opts: dict) -> list[tuple[str, str, Any]]:
    today = _today()
    return [
        ("approve", "unithead", {"plan": "检查安全生产状况（示例）"}),
        ("notify", "officer", {"notified_on": today, "manner": "written"}),
        (
            "inspect",
            "officer",
            {"inspected_on": today, "showed_certificate": True, "findings": "未发现问题"},
        ),
        ("record_result", "officer", {"result": "no_issue", "record": "检查记录（示例）"}),
        ("give_feedback", "officer", {"fed_back_on": today, "content": "反馈检查结果"}),
        ("close", "unithead", {}),
        ("archive", "officer", {}),
    ]


def _coercion_path(opts: dict) -> list[tuple[str, str, Any]]:
    """Default: a 扣押 (measure branch) → 解除 → 结案. branch="execution": 催告 → 听取 → 决定 →
    执行 (at 10:00 on the last working day up to today)."""
    today = _today()
    if opts.get("branch") == "execution":
        from zhifa.core.calendar import is_working_day

        day = today - datetime.timedelta(days=1)
        while not is_working_day(day).working:
            day -= datetime.timedelta(days=1)
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
        return [
            (
                "urge",
                "officer",
                {
                    "served_on": today - datetime.timedelta(days=20),
                    "perform_by": today - datetime.timedelta(days=5),
                    "manner": "自行拆除违法建筑（示例）",
                },
            ),
            (
                "hear_party",
                "officer",
                {"heard_on": today - datetime.timedelta(days=4), "statement": "无", "review": "无"},
            ),
            ("decide_execution", "unithead", {"method": "依法强制执行", "reasons": "逾期不履行"}),
            ("execute", "officer", {"executed_at": at, "note": "执行完毕"}),
            ("close", "unithead", {}),
            ("archive", "officer", {}),
        ]
    kind = opts.get("measure_kind", "seize")
    measure = {"kind": kind, "items": "不符合安全标准的液化气瓶2个（示例）", "days": 30}
    steps: list[tuple[str, str, Any]] = [
        ("approve_measure", "unithead", {**measure, "reason": "存在重大事故隐患（示例）"}),
    ]
    if kind in ("seal", "seize"):
        steps.append(("", "officer", add_av_record))
    return [
        *steps,
        ("apply_measure", "officer", {**measure, "told_rights": True}),
        ("dispose_measure", "unithead", {"outcome": "release", "note": "隐患已消除"}),
        ("close", "unithead", {}),
        ("archive", "officer", {}),
    ]


def _licensing_path(opts: dict) -> list[tuple[str, str, Any]]:
    today = _today()
    return [
        ("accept", "officer", {}),
        ("review", "officer", {"opinion": "材料齐全，符合条件（示例）"}),
        ("grant", "unithead", {"content": "准予使用宅基地（示例）"}),
        ("issue_certificate", "officer", {"certificate_no": "示例-001", "issued_on": today}),
        ("close", "unithead", {}),
        ("archive", "officer", {}),
    ]


PATHS = {
    "penalty_ordinary": _penalty_path,
    "penalty_simplified": _simplified_path,
    "inspection": _inspection_path,
    "coercion": _coercion_path,
    "licensing": _licensing_path,
}


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
            unit=register.pop("unit", cw.orgs["daxing_team"]),
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
            if callable(data):  # another service first (service of documents, a record)
                data(cw, case)
                if not action:
                    continue
                data = {}
            case = services.perform(cw.users[user], case, action, data)
            if case.stage == stage:
                # Steps that stay in the stage (the waiver after the notice) belong to it.
                following = path[i + 1 :]
                while following and _stays(proc, stage, following[0][0]):
                    action, user, data = following.pop(0)
                    case = services.perform(cw.users[user], case, action, data)
                return case
        raise AssertionError(f"make_case: {procedure} never reaches stage {stage!r}")

    return make


def _stays(proc, stage: str, action: str) -> bool:
    transition = proc.transition(stage, action) if action else None
    return transition is not None and transition.target is None


REGISTER_KEYS = {
    "unit",
    "title",
    "source",
    "summary",
    "place",
    "occurred_on",
    "discovered_on",
    "act_continuing_until",
    "data",
}
