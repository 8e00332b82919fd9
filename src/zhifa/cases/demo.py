"""Demo cases of 大兴乡 (issue 5, item 11): a case of every procedure in every stage, built by
calling the same services an officer's phone calls — ``services.register_case`` and
``services.perform`` for the stage graph, ``records`` for transcripts, photos and recordings,
``delivery.record_service`` for service, ``execution.record_payment`` for the fine — so every
demo case carries its real ledger trail. Among them, a finished penalty case with the whole
trail: filing, interview and on-site transcripts, a photo and a recording of the scene, the
notice and its service, the party's written waiver, the decision and its service, the payment,
closing and archiving.

Everyone here is fictional: parties get structurally valid but invented 公民身份号码 (耿马县
530926, check digit computed) and 统一社会信用代码. Every demo case is done "today" (the date
``zhifa demo`` runs), except that hearings and coercive execution are told a few days back as
their periods require.

Idempotent: a demo case is found by its title; one already made is left as it is, so running
``zhifa demo`` twice changes nothing. Needs the register and power-list demos (officers with
certificates, a published list); without them it does nothing."""

from __future__ import annotations

import datetime
import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from zhifa.core.calendar import is_working_day
from zhifa.core.demo import DemoWorld
from zhifa.registry.models import Officer

from . import services
from .models import Case

__all__ = ["FINISHED_TITLE", "build_demo", "demo_cases"]

OFFICERS = ("李明", "王芳")  # the two certified officers of 大兴乡综合行政执法队
FINISHED_TITLE = "岩温未取得乡村建设规划许可证建设住房案（演示·全流程）"

# Matters of 大兴乡's 2026 list, per procedure.
MATTERS = {
    "penalty_ordinary": "XZCF-001",
    "penalty_simplified": "XZCF-020",
    "inspection": "XZJC-001",
    "coercion": "XZQZ-003",
    "licensing": "XZXK-002",
}

Step = tuple[str, str, Any]  # (action, demo user, form data or a callable(world, case))


def citizen_id(born: str, serial: int) -> str:
    """A fictional, structurally valid 公民身份号码 of 耿马县 (530926)."""
    head = f"530926{born}{serial % 1000:03d}"
    return head + ric.calc_check_digit(head + "0")


def uscc_code(serial: int) -> str:
    """A fictional, structurally valid 统一社会信用代码 of an individual business in 耿马县."""
    head = f"92530926MA6D{serial % 100000:05d}"
    return head + uscc.calc_check_digit(head)


def person(name: str, born: str, serial: int) -> dict:
    return {
        "kind": "natural",
        "name": name,
        "id_number": citizen_id(born, serial),
        "address": "耿马傣族佤族自治县大兴乡（演示地址）",
        "phone": "13800000000",
    }


def business(name: str, serial: int, representative: str) -> dict:
    return {
        "kind": "legal",
        "name": name,
        "id_number": uscc_code(serial),
        "legal_representative": representative,
        "address": "耿马傣族佤族自治县大兴乡集镇（演示地址）",
    }


# ---------------------------------------------------------------- media made here


def png_bytes() -> bytes:
    """A valid 1x1 PNG (a stand-in for a photo of the scene)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(bytes([0, 120, 160, 90]))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def wav_bytes(seconds: float = 0.5) -> bytes:
    """A short silent WAV (a stand-in for the recording of the scene)."""
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


# ---------------------------------------------------------------- record helpers (callables)


def _present(case: Case) -> list[int]:
    return [o.officer_id for o in case.case_officers.filter(recused=False)]


def _interview(world: DemoWorld, case: Case) -> None:
    from .records import add_transcript

    party = case.parties.order_by("seq").first()
    add_transcript(
        world.users["officer"],
        case,
        kind="interview",
        title=f"询问笔录（{party.name}）",
        place="大兴乡综合行政执法队询问室",
        officer_ids=_present(case),
        content={
            "interviewee": {
                "name": party.name,
                "id_number": party.id_number,
                "relation": "当事人",
                "address": party.address,
            },
            "qa": [
                {
                    "q": "我们是大兴乡综合行政执法队的执法人员，这是我们的执法证件。你是否看清？",
                    "a": "看清了。",
                },
                {
                    "q": "你有陈述、申辩和申请回避的权利，是否申请执法人员回避？",
                    "a": "不申请。",
                },
                {"q": "你在村口建设的两层住房是否办理了乡村建设规划许可证？", "a": "没有办理。"},
                {"q": "房屋何时开工，建筑面积多少？", "a": "今年三月开工，大约一百二十平方米。"},
            ],
            "certificates_shown": True,
            "rights_notified": True,
        },
    )


def _on_site(world: DemoWorld, case: Case) -> None:
    from .records import add_transcript

    party = case.parties.order_by("seq").first()
    add_transcript(
        world.users["officer"],
        case,
        kind="on_site",
        title="现场检查（勘验）笔录",
        place=case.place or "大兴乡（演示地点）",
        latitude="23.512345",
        longitude="99.301234",
        officer_ids=_present(case),
        content={
            "present": [party.name, "村民小组长（见证人，演示）"],
            "findings": "现场有一栋在建两层砖混结构住房，未见乡村建设规划许可证公示牌；"
            "经测量，建筑占地约六十平方米。",
        },
    )


def _sampling(world: DemoWorld, case: Case) -> None:
    """抽样取证 (行政处罚法第五十六条): tea leaves sampled at the party's premises and sent for a
    pesticide-residue test."""
    from .records import add_transcript

    party = case.parties.order_by("seq").first()
    add_transcript(
        world.users["officer"],
        case,
        kind="sampling",
        title="抽样取证凭证（茶叶鲜叶）",
        place=case.place,
        latitude="23.512345",
        longitude="99.301234",
        officer_ids=_present(case),
        content={
            "goods_name": "茶叶鲜叶（演示）",
            "batch": "当日采摘",
            "base_quantity": "200",
            "base_unit": "千克",
            "sample_quantity": "2",
            "sample_unit": "千克",
            "holder": party.name,
            "holder_relation": "当事人",
            "present": [party.name, "村民小组长（见证人，演示）"],
            "sealed": True,
            "seal": "样品分为两份，现场封样，封条由当事人和执法人员签名",
            "disposal": "test",
            "testing_body": "农产品质量安全检验检测机构（演示）",
            "test_purpose": "农药残留检测",
            "return_note": "检测后剩余样品按规定处理，不予退还（演示）",
            "certificates_shown": True,
        },
    )


def _media(kind: str, filename: str, data: Callable[[], bytes], title: str):
    def attach(world: DemoWorld, case: Case) -> None:
        from .records import attach_media

        attach_media(
            world.users["officer"],
            case,
            kind=kind,
            upload=io.BytesIO(data()),
            filename=filename,
            title=title,
            place=case.place or "大兴乡（演示地点）",
            latitude="23.512345",
            longitude="99.301234",
            officer_ids=_present(case),
        )

    return attach


_photo = _media("photo", "现场照片.png", png_bytes, "现场照片：在建住房全貌")
_recording = _media("audio", "现场录音.wav", wav_bytes, "现场执法录音")


def _serve(document: str, mode: str = "direct") -> Callable[[DemoWorld, Case], None]:
    def serve(world: DemoWorld, case: Case) -> None:
        from .delivery import record_service

        for party in case.parties.all():
            record_service(
                world.users["officer"],
                case,
                party=party,
                document=document,
                mode=mode,
                delivered_on=case.decided_on or timezone.localdate(),
                recipient=party.name,
                address=party.address,
            )

    return serve


def _pay(world: DemoWorld, case: Case) -> None:
    from .execution import record_payment

    record_payment(world.users["officer"], case, case.fine_amount, timezone.localdate())


# ---------------------------------------------------------------- paths through the graphs


def _penalty_path(fine: str, *, hearing: bool = False, trail: bool = False) -> list[Step]:
    today = timezone.localdate()
    penalty = {
        "kinds": ["fine"],
        "fine": fine,
        "facts": "未取得乡村建设规划许可证，在村庄规划区内建设住房（演示）",
        "basis": "《中华人民共和国城乡规划法》第六十五条",
    }
    steps: list[Step] = [("file", "unithead", {"opinion": "同意立案调查。"})]
    if trail:
        steps += [("", "", _interview), ("", "", _on_site), ("", "", _photo), ("", "", _recording)]
    steps += [
        (
            "conclude",
            "officer",
            {"report": "经调查，违法事实清楚，证据确实充分（演示）。", "proposal": "penalize"},
        ),
        ("approve_penalty", "unithead", {**penalty, "hearing_right": hearing}),
        (
            "notify",
            "officer",
            {
                "served_on": today,
                "facts": penalty["facts"],
                "reasons": "违反乡村建设规划管理规定（演示）",
                "basis": penalty["basis"],
            },
        ),
    ]
    if hearing:
        steps += [
            ("request_hearing", "officer", {"requested_on": today}),
            (
                "hold_hearing",
                "officer",
                {
                    "notified_on": today - datetime.timedelta(days=15),
                    "held_on": today,
                    "host": "刘洋",
                    "summary": "当事人对事实无异议，请求从轻处罚（演示）。",
                },
            ),
        ]
    else:
        steps.append(
            (
                "waive_statement",
                "officer",
                {"waived_on": today, "waiver": "当事人书面声明放弃陈述、申辩的权利（演示）。"},
            )
        )
    steps += [
        ("decide", "unithead", penalty),
        ("", "", _serve("decision")),
        ("serve", "officer", {}),
        ("", "", _pay),  # the fine is paid before its execution is recorded (第七十二条)
        ("record_execution", "officer", {"done_on": today, "manner": "performed"}),
        ("close", "unithead", {"summary": "当事人已缴纳罚款，执行完毕，结案（演示）。"}),
        ("archive", "officer", {}),
    ]
    return steps


def _penalty_branch(branch: str) -> list[Step]:
    conclude = (
        "conclude",
        "officer",
        {"report": "调查终结报告（演示）。", "proposal": "penalize"},
    )
    if branch == "minor":
        return [
            ("file", "unithead", {}),
            conclude,
            ("decide_minor", "unithead", {"reason": "违法行为轻微并及时改正，没有造成危害后果。"}),
        ]
    if branch == "transfer":
        return [
            ("file", "unithead", {}),
            conclude,
            ("transfer", "unithead", {"receiver": "耿马县公安局", "reason": "涉嫌犯罪（演示）。"}),
        ]
    # dismissed at the start: 不予立案, then closed
    return [("dismiss", "unithead", {"reason": "经核查，举报事项不属实（演示）。"})]


def _simplified_path(fine: str, *, collected: bool = False) -> list[Step]:
    """Paid at the bank; or, ``collected``, collected on the spot (第六十八条第一项) and handed
    to the body, then paid into the bank (第七十一条) before the case is closed."""
    today = timezone.localdate()
    decision = {
        "kinds": ["fine"] if fine else ["warning"],
        "fine": fine,
        "facts": "在政府禁止的时段和区域内露天烧烤食品（演示）",
        "basis": "《中华人民共和国大气污染防治法》第一百一十八条第三款",
        "showed_certificate": True,
        "place": "大兴乡集镇农贸市场旁",
    }
    steps: list[Step] = [("decide_on_spot", "officer", decision), ("file_report", "officer", {})]
    steps.append(("", "", _pay))
    if collected:
        on_spot = {"on_spot_ground": "small", "receipt_no": "云财（演示）0001"}
        steps += [
            ("record_execution", "officer", {"done_on": today, "manner": "collected", **on_spot}),
            (
                "hand_over_fine",
                "officer",
                {"handed_over_on": today, "received_by": "大兴乡财政所（演示）", "amount": fine},
            ),
            (
                "deposit_fine",
                "unithead",
                {"deposited_on": today, "bank": "指定的代收银行（演示）", "amount": fine},
            ),
        ]
    else:
        steps.append(("record_execution", "officer", {"done_on": today, "manner": "performed"}))
    steps += [("close", "unithead", {}), ("archive", "officer", {})]
    return steps


def _inspection_path() -> list[Step]:
    today = timezone.localdate()
    return [
        ("approve", "unithead", {"plan": "检查液化气使用和消防通道等安全生产状况（演示）。"}),
        ("notify", "officer", {"notified_on": today, "manner": "written"}),
        (
            "inspect",
            "officer",
            {"inspected_on": today, "showed_certificate": True, "findings": "消防通道畅通。"},
        ),
        ("record_result", "officer", {"result": "no_issue", "record": "检查记录（演示）。"}),
        ("give_feedback", "officer", {"fed_back_on": today, "content": "未发现安全隐患。"}),
        ("close", "unithead", {}),
        ("archive", "officer", {}),
    ]


def _measure_path() -> list[Step]:
    measure = {"kind": "seize", "items": "不符合安全标准的液化气瓶2个（演示）", "days": 30}
    return [
        ("approve_measure", "unithead", {**measure, "reason": "存在重大事故隐患（演示）。"}),
        ("", "", _recording),  # 扣押 needs an audio-video record of the act
        ("apply_measure", "officer", {**measure, "told_rights": True}),
        ("dispose_measure", "unithead", {"outcome": "release", "note": "隐患已消除，解除扣押。"}),
        ("close", "unithead", {}),
        ("archive", "officer", {}),
    ]


def _last_working_day_before(day: datetime.date) -> datetime.date:
    day -= datetime.timedelta(days=1)
    while not is_working_day(day).working:
        day -= datetime.timedelta(days=1)
    return day


def _execution_path() -> list[Step]:
    today = timezone.localdate()
    # Execution in working hours of a working day (行政强制法第四十三条).
    at = datetime.datetime.combine(_last_working_day_before(today), datetime.time(10, 0))
    return [
        (
            "urge",
            "officer",
            {
                "served_on": today - datetime.timedelta(days=20),
                "perform_by": today - datetime.timedelta(days=5),
                "manner": "自行清除占用消防通道的堆放物（演示）",
            },
        ),
        (
            "hear_party",
            "officer",
            {
                "heard_on": today - datetime.timedelta(days=4),
                "statement": "当事人称无处堆放。",
                "review": "理由不成立，不予采纳。",
            },
        ),
        ("decide_execution", "unithead", {"method": "代为清除", "reasons": "逾期不履行"}),
        ("execute", "officer", {"executed_at": timezone.make_aware(at), "note": "执行完毕"}),
        ("close", "unithead", {}),
        ("archive", "officer", {}),
    ]


def _licensing_path(outcome: str = "grant") -> list[Step]:
    today = timezone.localdate()
    if outcome == "not_accepted":
        return [("not_accept", "unithead", {"reason": "申请事项不属于本机关职权范围（演示）。"})]
    if outcome == "correcting":
        return [
            ("request_correction", "officer", {"items": "缺少户口簿复印件", "notified_on": today})
        ]
    steps: list[Step] = [
        ("accept", "officer", {}),
        ("review", "officer", {"opinion": "材料齐全，符合宅基地申请条件（演示）。"}),
    ]
    if outcome == "refuse":
        return [
            *steps,
            ("refuse", "unithead", {"reason": "申请人已有宅基地（演示）。", "rights": True}),
        ]
    return [
        *steps,
        ("grant", "unithead", {"content": "准予使用宅基地一百二十平方米（演示）。"}),
        (
            "issue_certificate",
            "officer",
            {"certificate_no": "大兴宅〔2026〕演示1号", "issued_on": today},
        ),
        ("close", "unithead", {}),
        ("archive", "officer", {}),
    ]


# ---------------------------------------------------------------- the demo cases


@dataclass(frozen=True)
class DemoCase:
    procedure: str
    stage: str  # where the demo leaves it
    title: str
    party: dict
    path: list[Step] = field(default_factory=list)
    source: str = "inspection"
    place: str = "大兴乡（演示地点）"
    matter: str = ""  # a matter code of the list, when not the procedure's usual one
    # Records made once the case stands in its stage (a path stops as soon as it gets there).
    then: tuple[Callable[[DemoWorld, Case], None], ...] = ()


def _p(name: str, serial: int, born: str = "19800101") -> dict:
    return person(f"{name}（虚构）", born, serial)


def _ordinary(stage: str, title: str, party: dict, **kw) -> DemoCase:
    return DemoCase("penalty_ordinary", stage, title, party, _penalty_path("800", **kw))


def demo_cases() -> list[DemoCase]:
    """The demo cases, their paths dated from today."""
    return [
        # 行政处罚 普通程序: every stage, the archived one with its whole trail.
        _ordinary("registered", "岩罕村口搭建彩钢棚案（演示）", _p("岩罕", 401)),
        _ordinary("investigating", "玉香未批先建厨房案（演示）", _p("玉香", 402, "19850312")),
        _ordinary("concluded", "岩保违法建设围墙案（演示）", _p("岩保", 403)),
        # 调查取证 with a 抽样取证凭证: the sample waits for its test report.
        DemoCase(
            "penalty_ordinary",
            "investigating",
            "大兴乡示例茶叶初制所未按规定开具承诺达标合格证案（演示·抽样取证）",
            business("大兴乡示例茶叶初制所（虚构）", 440, "杨某（虚构）"),
            [("file", "unithead", {"opinion": "同意立案调查。"})],
            place="大兴乡某村茶叶初制所（演示）",
            matter="XZCF-028",
            then=(_sampling,),
        ),
        _ordinary("to_notify", "李国华擅自加盖三层案（演示）", _p("李国华", 404, "19720601")),
        _ordinary("notified", "陈小梅违法搭建养殖棚案（演示）", _p("陈小梅", 405, "19900208")),
        _ordinary("hearing", "岩帕违法建设仓库案（演示）", _p("岩帕", 406), hearing=True),
        _ordinary("heard", "玉坎违法建设商铺案（演示）", _p("玉坎", 407, "19881111"), hearing=True),
        _ordinary("decided", "张德明未按许可建设案（演示）", _p("张德明", 408, "19650920")),
        _ordinary("served", "赵春林违法建设车库案（演示）", _p("赵春林", 409)),
        _ordinary("executed", "岩香违法建设晒场棚案（演示）", _p("岩香", 410, "19790505")),
        DemoCase(
            "penalty_ordinary",
            "no_penalty",
            "玉叫违法搭建雨棚案（演示·不予处罚）",
            _p("玉叫", 411),
            _penalty_branch("minor"),
        ),
        DemoCase(
            "penalty_ordinary",
            "transferred",
            "岩庄违法建设并暴力抗法案（演示·移送）",
            _p("岩庄", 412),
            _penalty_branch("transfer"),
        ),
        DemoCase(
            "penalty_ordinary",
            "closed",
            "匿名举报某户违法建房案（演示·不予立案）",
            _p("王某", 413),
            _penalty_branch("dismiss"),
            source="complaint",
        ),
        DemoCase(
            "penalty_ordinary",
            "archived",
            FINISHED_TITLE,
            _p("岩温", 414, "19830716"),
            _penalty_path("1500", trail=True),
            place="大兴乡某村村口（演示）",
        ),
        # 行政处罚 简易程序
        *[
            DemoCase(
                "penalty_simplified",
                stage,
                f"{name}露天烧烤案（演示·简易程序）",
                _p(name, n),
                _simplified_path("100", collected=collected),
            )
            for stage, name, n, collected in [
                ("on_spot", "刘小军", 421, False),
                ("decided", "岩依", 422, False),
                ("filed", "玉罕", 423, False),
                # 当场收缴: the hand-over to the body is pending (deadline on the case page).
                ("executed", "周强", 424, True),
                # 当场收缴, handed over and paid into the bank (第七十一条).
                ("closed", "岩所", 425, True),
                ("archived", "玉南", 426, False),
            ]
        ],
        # 行政检查
        *[
            DemoCase(
                "inspection",
                stage,
                f"{name}安全生产检查（演示）",
                business(name, 430 + n, "杨某（虚构）"),
                _inspection_path(),
            )
            for n, (stage, name) in enumerate(
                [
                    ("planned", "大兴乡示例农资店（虚构）"),
                    ("approved", "大兴乡示例小卖部（虚构）"),
                    ("notified", "大兴乡示例茶叶初制所（虚构）"),
                    ("inspected", "大兴乡示例农家乐（虚构）"),
                    ("recorded", "大兴乡示例加油点（虚构）"),
                    ("fed_back", "大兴乡示例砖厂（虚构）"),
                    ("closed", "大兴乡示例汽修店（虚构）"),
                    ("archived", "大兴乡示例粮油店（虚构）"),
                ]
            )
        ],
        # 行政强制: the measure branch and the execution branch
        *[
            DemoCase("coercion", stage, f"{title}（演示）", _p(name, n), path)
            for stage, title, name, n, path in [
                ("registered", "扣押岩龙不合格液化气瓶", "岩龙", 441, _measure_path()),
                ("measure_in_force", "扣押玉应不合格液化气瓶", "玉应", 442, _measure_path()),
                ("measure_ended", "扣押岩尖不合格液化气瓶", "岩尖", 443, _measure_path()),
                ("urged", "强制清除何平占用消防通道堆放物", "何平", 444, _execution_path()),
                ("heard", "强制清除岩丙占用消防通道堆放物", "岩丙", 445, _execution_path()),
                (
                    "execution_decided",
                    "强制清除玉波占用消防通道堆放物",
                    "玉波",
                    446,
                    _execution_path(),
                ),
                ("executed", "强制清除杨林占用消防通道堆放物", "杨林", 447, _execution_path()),
                ("closed", "扣押岩三不合格液化气瓶", "岩三", 448, _measure_path()),
                ("archived", "强制清除玉叶占用消防通道堆放物", "玉叶", 449, _execution_path()),
            ]
        ],
        # 行政许可
        *[
            DemoCase(
                "licensing",
                stage,
                f"{name}宅基地申请（演示）",
                _p(name, n),
                _licensing_path(outcome),
                source="application",
            )
            for stage, name, n, outcome in [
                ("applied", "岩坎", 451, "grant"),
                ("correcting", "玉光", 452, "correcting"),
                ("accepted", "李红", 453, "grant"),
                ("reviewed", "岩红", 454, "grant"),
                ("granted", "玉兰", 455, "grant"),
                ("refused", "岩贵", 456, "refuse"),
                ("not_accepted", "何云", 457, "not_accepted"),
                ("certified", "岩东", 458, "grant"),
                ("closed", "玉丽", 459, "grant"),
                ("archived", "岩西", 460, "grant"),
            ]
        ],
    ]


def _drive(world: DemoWorld, case: Case, spec: DemoCase) -> Case:
    """Perform the path's steps until the case stands in the spec's stage."""
    for action, user, data in spec.path:
        if case.stage == spec.stage:
            break
        if callable(data):  # another service first: a record, a service of documents, a payment
            data(world, case)
            case.refresh_from_db()
            continue
        case = services.perform(world.users[user], case, action, data)
    if case.stage != spec.stage:
        raise RuntimeError(
            f"演示案件“{spec.title}”未能到达环节 {spec.stage}（停在 {case.stage}）。"
        )
    return case


def build_demo(world: DemoWorld) -> list[Case]:
    """Make the demo cases not made yet; returns every demo case, made now or before."""
    body = world.orgs["daxing"]
    today = timezone.localdate()
    plist = services.matter_in_force(body, today)
    officers = list(Officer.objects.filter(body__organization=body, name__in=OFFICERS))
    if plist is None or len(officers) < 2:
        return []  # the register and power-list demos did not run
    officers.sort(key=lambda o: OFFICERS.index(o.name))
    specs = demo_cases()
    codes = {spec.matter or MATTERS[spec.procedure] for spec in specs}
    matters = {m.code: m for m in plist.matters.filter(code__in=codes)}
    made = []
    for spec in specs:
        existing = Case.objects.filter(organization=body, title=spec.title).first()
        if existing is not None:
            made.append(existing)
            continue
        with transaction.atomic():
            case = services.register_case(
                world.users["officer"],
                organization=body,
                unit=world.orgs["daxing_team"],
                matter=matters[spec.matter or MATTERS[spec.procedure]],
                procedure=spec.procedure,
                title=spec.title,
                source=spec.source,
                parties=[spec.party],
                officer_ids=[o.pk for o in officers],
                place=spec.place,
                summary="演示案件，当事人及情节均为虚构。",
                occurred_on=today - datetime.timedelta(days=10),
                discovered_on=today - datetime.timedelta(days=3),
            )
            case = _drive(world, case, spec)
            for add in spec.then:
                add(world, case)
            made.append(case)
    return made
