"""行政处罚 简易程序 (当场处罚, 行政处罚法第五十一条至第五十三条; DOMAIN.md R-19):

当场调查 → 当场决定 (a warning, or a fine of at most 200 yuan for a citizen / 3,000 yuan for a
legal person or other organisation, 第五十一条; certificate shown and a numbered decision form
handed over on the spot, 第五十二条第一款) → 报所属行政机关备案 (第五十二条第三款) → 执行 →
结案 → 归档. Anything beyond is refused with 第五十一条 cited: the officer registers an ordinary
procedure case instead.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from .. import deadlines, rules
from ..numbering import DECISION_KINDS, case_number
from . import common
from .base import APPROVERS, HANDLERS, Context, FieldSpec, Procedure, Stage, Transition, register
from .penalty_ordinary import (
    COLLECTED_TRANSITIONS,
    EXECUTION_FIELDS,
    PAYMENT_DAYS,
    apply_archive,
    execution_record,
    fine_executed,
    landed_after_collection,
    limitation,
    manner_fits,
    not_a_child,
    nothing_open,
    open_handover,
)

STAGES = (
    Stage("on_spot", "当场调查"),
    Stage("decided", "已当场作出处罚决定（待备案）"),
    Stage("filed", "已报备案"),
    Stage("executed", "执行完毕"),
    Stage("closed", "结案"),
    Stage("archived", "归档", terminal=True),
)

SIMPLIFIED_KINDS = tuple((k, v) for k, v in rules.PENALTY_KINDS if k in rules.SIMPLIFIED_KINDS)


def amount_allowed(ctx: Context) -> str | None:
    if not ctx.data.get("kinds"):
        return None
    try:
        penalty = rules.penalty_of(ctx.data)
    except Exception:  # noqa: BLE001 - the apply step reports the form error
        return None
    kinds = list(ctx.case.parties.values_list("kind", flat=True))
    return rules.check_simplified_amount(penalty, kinds)


def certificate_shown(ctx: Context) -> str | None:
    if "showed_certificate" in ctx.data and not ctx.data["showed_certificate"]:
        return (
            "依据《中华人民共和国行政处罚法》第五十二条第一款，执法人员当场作出行政处罚决定的，"
            "应当向当事人出示执法证件。请出示执法证件后再作出决定。"
        )
    return None


def not_fined_twice(ctx: Context) -> str | None:
    if "fine" not in (ctx.data.get("kinds") or []):
        return None
    return rules.double_fine(ctx.case)


def apply_decide(ctx: Context) -> None:
    c = ctx.case
    penalty = rules.penalty_of(ctx.data)
    c.decided_penalty = penalty
    c.fine_amount = Decimal(penalty["fine"]) if "fine" in penalty["kinds"] else None
    c.decided_on = ctx.today
    c.served_on = ctx.today  # handed over on the spot (第五十二条第一款)
    c.decision_number = case_number(c.organization, DECISION_KINDS[c.procedure], ctx.today.year)
    common.set_data(
        c,
        decision={
            "facts": ctx.data["facts"],
            "basis": ctx.data["basis"],
            "place": ctx.data.get("place", ""),
            "statement": ctx.data.get("statement", ""),
            "refused_to_sign": ctx.data.get("refused_to_sign", False),
            "at": ctx.now.isoformat(),
        },
    )
    if c.fine_amount:
        deadlines.open_deadline(
            c,
            "payment",
            "缴纳罚款期限",
            starts_on=ctx.today,
            due_on=ctx.today + datetime.timedelta(days=PAYMENT_DAYS),
            basis="《中华人民共和国行政处罚法》第六十七条第三款",
        )
    ctx.extra["decision_number"] = c.decision_number


def apply_file(ctx: Context) -> None:
    common.set_data(ctx.case, filed_with_body={"on": ctx.today.isoformat()})


def apply_execution(ctx: Context) -> None:
    common.set_data(ctx.case, execution=execution_record(ctx))
    deadlines.close_deadlines(ctx.case, "payment")
    open_handover(ctx)


def warning_only(ctx: Context) -> str | None:
    if ctx.case.fine_amount:
        return "本案处以罚款，须登记执行完毕后才能结案。"
    return None


def apply_close(ctx: Context) -> None:
    common.close(ctx)


TRANSITIONS = (
    Transition(
        "decide_on_spot",
        "当场作出行政处罚决定",
        ("on_spot",),
        "decided",
        HANDLERS,
        guards=(
            common.officers,
            limitation,
            not_a_child,
            certificate_shown,
            amount_allowed,
            not_fined_twice,
        ),
        apply=apply_decide,
        form_fields=(
            FieldSpec("kinds", "处罚种类", "multichoice", choices=SIMPLIFIED_KINDS),
            FieldSpec("fine", "罚款金额（元）", "decimal", required=False),
            FieldSpec("facts", "违法行为", "textarea"),
            FieldSpec("basis", "处罚依据", "text"),
            FieldSpec("place", "地点", "text", required=False),
            FieldSpec("showed_certificate", "已向当事人出示执法证件", "bool"),
            FieldSpec("statement", "当事人陈述申辩及采纳情况", "textarea", required=False),
            FieldSpec("refused_to_sign", "当事人拒绝签收（已在决定书上注明）", "bool", False),
        ),
        decides=True,
        help="行政处罚法第五十一条：对公民处二百元以下、对法人或者其他组织处三千元以下罚款或者警告。",
    ),
    Transition(
        "file_report",
        "报所属行政机关备案",
        ("decided",),
        "filed",
        HANDLERS,
        apply=apply_file,
        help="行政处罚法第五十二条第三款：执法人员当场作出的行政处罚决定，应当报所属行政机关备案。",
    ),
    Transition(
        "record_execution",
        "登记执行完毕",
        ("filed",),
        "executed",
        HANDLERS,
        guards=(
            common.not_future("done_on", "执行完毕日期"),
            common.not_future("landed_on", "抵岸日期"),
            manner_fits,
            fine_executed,
            landed_after_collection,
        ),
        apply=apply_execution,
        form_fields=EXECUTION_FIELDS,
        help="行政处罚法第六十八条至第七十条：当场收缴须有法定情形并出具专用票据；罚款缴清或者依法强制执行后，才能登记执行完毕。",
    ),
    *COLLECTED_TRANSITIONS,
    Transition(
        "close",
        "结案",
        ("executed",),
        "closed",
        APPROVERS,
        guards=(nothing_open,),
        apply=apply_close,
    ),
    Transition(
        "close_warning",
        "结案（警告）",
        ("filed",),
        "closed",
        APPROVERS,
        guards=(warning_only,),
        apply=apply_close,
    ),
    Transition("archive", "立卷归档", ("closed",), "archived", HANDLERS, apply=apply_archive),
)

PROCEDURE = register(
    Procedure(
        "penalty_simplified",
        "行政处罚（简易程序）",
        "penalty",
        STAGES,
        TRANSITIONS,
        matter_categories=("penalty",),
    )
)
