"""行政检查: 审批 → 通知 → 实施检查 → 检查记录 → 反馈 → 结案 → 归档, the flow of the 2025
national rules on administrative inspections of enterprises (检查须经批准、出示证件、两名以上
执法人员、形成记录、告知结果). The matter must be on the body's published inspection list
(``Matter.on_inspection_list``, checked at registration); the inspection itself needs two
officers with valid certificates (行政处罚法第五十五条 for 检查 within an investigation; the same
rule of two officers is applied to every inspection here).
"""

from __future__ import annotations

import datetime

from . import common
from .base import APPROVERS, HANDLERS, Context, FieldSpec, Procedure, Stage, Transition, register
from .penalty_ordinary import apply_archive

STAGES = (
    Stage("planned", "检查立项（待批准）"),
    Stage("approved", "已批准"),
    Stage("notified", "已通知"),
    Stage("inspected", "已实施检查"),
    Stage("recorded", "已形成检查记录"),
    Stage("fed_back", "已反馈检查结果"),
    Stage("closed", "结案"),
    Stage("archived", "归档", terminal=True),
)

RESULTS = (
    ("no_issue", "未发现问题"),
    ("rectify", "发现问题，责令整改"),
    ("penalty", "发现违法行为，转立案查处"),
    ("transfer", "移送有关机关"),
)


def certificate_shown(ctx: Context) -> str | None:
    if "showed_certificate" in ctx.data and not ctx.data["showed_certificate"]:
        return (
            "依据《中华人民共和国行政处罚法》第五十五条第一款，执法人员在调查或者进行检查时，"
            "应当主动向当事人或者有关人员出示执法证件。"
        )
    return None


def _save(key: str, *fields: str):
    def apply(ctx: Context) -> None:
        values = {f: ctx.data.get(f) for f in fields}
        common.set_data(
            ctx.case,
            **{
                key: {
                    k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()
                }
            },
        )

    return apply


def _saved_date(key: str, name: str):
    """The date an earlier step saved (the notice, the inspection): a later step may not be
    dated before it (the record must follow the order of the flow)."""

    def earliest(ctx: Context) -> datetime.date | None:
        value = (ctx.case.data.get(key) or {}).get(name)
        return datetime.date.fromisoformat(value) if value else None

    return earliest


def apply_close(ctx: Context) -> None:
    common.close(ctx)


TRANSITIONS = (
    Transition(
        "approve",
        "批准检查",
        ("planned",),
        "approved",
        APPROVERS,
        apply=_save("approval", "plan"),
        form_fields=(FieldSpec("plan", "检查方案（事项、方式、内容、时间）", "textarea"),),
    ),
    Transition(
        "reject",
        "不予批准",
        ("planned",),
        "closed",
        APPROVERS,
        apply=apply_close,
        form_fields=(FieldSpec("reason", "理由", "textarea"),),
    ),
    Transition(
        "notify",
        "送达检查通知",
        ("approved",),
        "notified",
        HANDLERS,
        guards=(common.not_future("notified_on", "通知日期"),),
        apply=_save("notice", "notified_on", "manner"),
        form_fields=(
            FieldSpec("notified_on", "通知日期", "date"),
            FieldSpec(
                "manner",
                "通知方式",
                "choice",
                choices=(("written", "书面通知"), ("on_site", "现场出示检查通知书")),
            ),
        ),
    ),
    Transition(
        "inspect",
        "实施检查",
        ("notified",),
        "inspected",
        HANDLERS,
        guards=(
            common.officers,
            certificate_shown,
            common.not_future("inspected_on", "检查日期"),
            common.after_field("inspected_on", "检查日期", _saved_date("notice", "notified_on")),
        ),
        apply=_save("inspection", "inspected_on", "findings"),
        form_fields=(
            FieldSpec("inspected_on", "检查日期", "date"),
            FieldSpec("showed_certificate", "已出示执法证件", "bool"),
            FieldSpec("findings", "检查情况", "textarea"),
        ),
    ),
    Transition(
        "record_result",
        "形成检查记录",
        ("inspected",),
        "recorded",
        HANDLERS,
        apply=_save("result", "result", "record"),
        form_fields=(
            FieldSpec("result", "检查结论", "choice", choices=RESULTS),
            FieldSpec("record", "检查记录", "textarea"),
        ),
    ),
    Transition(
        "give_feedback",
        "向被检查对象反馈检查结果",
        ("recorded",),
        "fed_back",
        HANDLERS,
        guards=(
            common.not_future("fed_back_on", "反馈日期"),
            common.after_field(
                "fed_back_on", "反馈日期", _saved_date("inspection", "inspected_on")
            ),
        ),
        apply=_save("feedback", "fed_back_on", "content"),
        form_fields=(
            FieldSpec("fed_back_on", "反馈日期", "date"),
            FieldSpec("content", "反馈内容", "textarea"),
        ),
    ),
    Transition("close", "结案", ("fed_back",), "closed", APPROVERS, apply=apply_close),
    Transition("archive", "立卷归档", ("closed",), "archived", HANDLERS, apply=apply_archive),
)

PROCEDURE = register(
    Procedure(
        "inspection",
        "行政检查",
        "inspection",
        STAGES,
        TRANSITIONS,
        matter_categories=("inspection",),
    )
)
