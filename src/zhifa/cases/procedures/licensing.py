"""行政许可 (行政许可法; DOMAIN.md R-23): 申请 → 受理 (补正 notified once, within 5 working days,
otherwise the application counts as accepted from the day the materials were received,
第三十二条第一款第四项) → 审查 → 决定 within 20 working days of acceptance, +10 with the head's
approval and the reason told to the applicant (第四十二条); the time of hearings, testing,
inspection, appraisal and expert review is excluded and told to the applicant in writing
(第四十五条) → 颁发证件 within 10 working days of the decision (第四十四条). Periods count
working days (第八十二条).

A late decision or certificate is not refused (the applicant is owed it); the overdue deadline
stays on the overdue lists and the step records that it was late. An extension after the
20 working days have run out is refused.
"""

from __future__ import annotations

import datetime

from .. import deadlines
from ..numbering import DECISION_KINDS, case_number
from . import common
from .base import APPROVERS, HANDLERS, Context, FieldSpec, Procedure, Stage, Transition, register
from .penalty_ordinary import apply_archive

STAGES = (
    Stage("applied", "申请"),
    Stage("correcting", "补正材料中"),
    Stage("accepted", "已受理"),
    Stage("reviewed", "已审查"),
    Stage("granted", "准予许可"),
    Stage("refused", "不予许可"),
    Stage("not_accepted", "不予受理"),
    Stage("certified", "已颁发证件"),
    Stage("closed", "结案"),
    Stage("archived", "归档", terminal=True),
)

CORRECTION_DAYS = 5
DECISION_DAYS = 20
EXTENSION_DAYS = 10
CERTIFICATE_DAYS = 10

CORRECTION_BASIS = (
    "《中华人民共和国行政许可法》第三十二条第一款第四项：申请材料不齐全或者不符合法定形式的，"
    "应当当场或者在五日内一次告知申请人需要补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理"
)


def applied_on(case) -> datetime.date:
    value = case.data.get("applied_on")
    return datetime.date.fromisoformat(value) if value else case.created_at.date()


def on_register(case, today: datetime.date) -> None:
    """The application is received on registration (or on data["applied_on"])."""
    received = applied_on(case) if case.data.get("applied_on") else today
    common.set_data(case, applied_on=received.isoformat())
    deadlines.open_deadline(
        case,
        "correction_notice",
        "一次告知补正期限",
        starts_on=received,
        due_on=deadlines.working_day_after(received, CORRECTION_DAYS),
        working_days=True,
        basis=CORRECTION_BASIS,
    )


def _open_decision_deadline(case, accepted: datetime.date) -> None:
    due = deadlines.working_day_after(accepted, DECISION_DAYS)
    case.decision_due_on = due
    deadlines.open_deadline(
        case,
        "licence_decision",
        "作出许可决定期限",
        starts_on=accepted,
        due_on=due,
        working_days=True,
        basis="《中华人民共和国行政许可法》第四十二条：受理之日起二十日内",
    )


def correction_allowed(ctx: Context) -> str | None:
    if ctx.case.data.get("correction"):
        return "补正内容应当一次告知（行政许可法第三十二条），本申请已告知过补正。"
    d = deadlines.current(ctx.case, "correction_notice")
    notified = ctx.data.get("notified_on") or ctx.today
    if d is not None and notified > d.due_on:
        return (
            f"告知补正的期限已于{d.due_on:%Y年%m月%d日}届满。依据{CORRECTION_BASIS}。"
            "本申请应当视为已受理。"
        )
    return None


def apply_correction(ctx: Context) -> None:
    common.set_data(
        ctx.case,
        correction={
            "items": ctx.data["items"],
            "notified_on": ctx.data["notified_on"].isoformat(),
        },
    )
    deadlines.close_deadlines(ctx.case, "correction_notice")


def apply_accept(ctx: Context) -> None:
    c = ctx.case
    d = deadlines.current(c, "correction_notice")
    accepted = ctx.today
    if d is not None and ctx.today > d.due_on:
        # Not told within 5 working days: accepted from the day the materials arrived.
        accepted = applied_on(c)
        ctx.extra["deemed_accepted"] = True
    common.set_data(c, accepted_on=accepted.isoformat())
    deadlines.close_deadlines(c, "correction_notice")
    _open_decision_deadline(c, accepted)


def apply_receive_correction(ctx: Context) -> None:
    c = ctx.case
    received = ctx.data["received_on"]
    common.set_data(c, accepted_on=received.isoformat())
    _open_decision_deadline(c, received)


def apply_not_accept(ctx: Context) -> None:
    common.set_data(ctx.case, not_accepted={"reason": ctx.data["reason"]})
    deadlines.close_deadlines(ctx.case, "correction_notice")


def not_deemed_accepted(ctx: Context) -> str | None:
    """Not told to correct within 5 working days, the application is accepted by law: it can
    then only be decided (不予许可 with reasons), no longer refused acceptance."""
    d = deadlines.current(ctx.case, "correction_notice")
    if ctx.case.stage == "applied" and d is not None and ctx.today > d.due_on:
        return (
            f"告知补正的期限已于{d.due_on:%Y年%m月%d日}届满，本申请依法视为已受理，不能再不予受理；"
            f"请受理后依法审查并作出决定。依据{CORRECTION_BASIS}。"
        )
    return None


def site_officers(ctx: Context) -> str | None:
    if ctx.data.get("site_visit"):
        return common.officers(ctx)
    return None


def apply_review(ctx: Context) -> None:
    common.set_data(
        ctx.case,
        review={"opinion": ctx.data["opinion"], "site_visit": ctx.data.get("site_visit", False)},
    )


def apply_exclude(ctx: Context) -> None:
    c = ctx.case
    d = deadlines.current(c, "licence_decision")
    days = ctx.data["days"]
    due = deadlines.working_day_after(c.decision_due_on, days)
    c.decision_due_on = due
    deadlines.open_deadline(
        c,
        "licence_decision",
        "作出许可决定期限（已扣除不计算的时间）",
        starts_on=d.starts_on if d else ctx.today,
        due_on=due,
        working_days=True,
        basis="《中华人民共和国行政许可法》第四十五条：所需时间不计算在期限内，并书面告知申请人",
    )
    common.data_list_append(
        c,
        "excluded_periods",
        {
            "reason": ctx.data["reason"],
            "days": days,
            "told_on": ctx.data["told_on"].isoformat(),
        },
    )


def excluded_days_valid(ctx: Context) -> str | None:
    days = ctx.data.get("days")
    if days is not None and not 1 <= days <= 365:
        return "不计算的时间应为1至365个工作日。"
    return None


def extension_allowed(ctx: Context) -> str | None:
    c = ctx.case
    if c.data.get("licence_extended"):
        return (
            "依据《中华人民共和国行政许可法》第四十二条第一款，许可决定期限只能延长一次（十日）。"
        )
    if c.decision_due_on and ctx.today > c.decision_due_on:
        return (
            f"许可决定期限已于{c.decision_due_on:%Y年%m月%d日}届满，不能再延长。依据《中华人民共和国行政许可法》"
            "第四十二条第一款，“二十日内不能作出决定的，经本行政机关负责人批准，可以延长十日”，延长须在期限内批准。"
        )
    return None


def apply_extend(ctx: Context) -> None:
    c = ctx.case
    due = deadlines.working_day_after(c.decision_due_on, EXTENSION_DAYS)
    c.decision_due_on = due
    d = deadlines.current(c, "licence_decision")
    deadlines.open_deadline(
        c,
        "licence_decision",
        "作出许可决定期限（已延长十日）",
        starts_on=d.starts_on if d else ctx.today,
        due_on=due,
        working_days=True,
        basis="《中华人民共和国行政许可法》第四十二条第一款：经负责人批准延长十日，并告知申请人理由",
    )
    common.set_data(c, licence_extended={"reason": ctx.data["reason"], "on": ctx.today.isoformat()})


def _decide(outcome: str):
    def apply(ctx: Context) -> None:
        c = ctx.case
        if c.decision_due_on and ctx.today > c.decision_due_on:
            ctx.extra["late"] = True
        c.decided_on = ctx.today
        c.decision_number = case_number(c.organization, DECISION_KINDS[c.procedure], ctx.today.year)
        common.set_data(c, licence_decision={"outcome": outcome, **_jsonable(ctx.data)})
        deadlines.close_deadlines(c, "licence_decision")
        if outcome == "granted":
            deadlines.open_deadline(
                c,
                "certificate",
                "颁发、送达许可证件期限",
                starts_on=ctx.today,
                due_on=deadlines.working_day_after(ctx.today, CERTIFICATE_DAYS),
                working_days=True,
                basis="《中华人民共和国行政许可法》第四十四条：作出决定之日起十日内",
            )
        ctx.extra["decision_number"] = c.decision_number

    return apply


def _jsonable(data: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def apply_certificate(ctx: Context) -> None:
    d = deadlines.current(ctx.case, "certificate")
    if d is not None and ctx.data["issued_on"] > d.due_on:
        ctx.extra["late"] = True
    common.set_data(
        ctx.case,
        certificate={
            "number": ctx.data["certificate_no"],
            "issued_on": ctx.data["issued_on"].isoformat(),
        },
    )
    deadlines.close_deadlines(ctx.case, "certificate")


def after_decision(ctx: Context) -> datetime.date | None:
    return ctx.case.decided_on


def apply_close(ctx: Context) -> None:
    common.close(ctx)


TRANSITIONS = (
    Transition(
        "request_correction",
        "一次告知补正",
        ("applied",),
        "correcting",
        HANDLERS,
        guards=(common.not_future("notified_on", "告知日期"), correction_allowed),
        apply=apply_correction,
        form_fields=(
            FieldSpec("items", "需要补正的全部内容", "textarea"),
            FieldSpec("notified_on", "告知日期", "date"),
        ),
        help=CORRECTION_BASIS,
    ),
    Transition(
        "accept",
        "受理（出具受理凭证）",
        ("applied",),
        "accepted",
        HANDLERS,
        apply=apply_accept,
        help="行政许可法第三十二条第二款：出具加盖本行政机关专用印章和注明日期的书面凭证。",
    ),
    Transition(
        "receive_correction",
        "收到全部补正材料，受理",
        ("correcting",),
        "accepted",
        HANDLERS,
        guards=(common.not_future("received_on", "收到补正材料日期"),),
        apply=apply_receive_correction,
        form_fields=(FieldSpec("received_on", "收到补正材料日期", "date"),),
    ),
    Transition(
        "not_accept",
        "不予受理",
        ("applied", "correcting"),
        "not_accepted",
        APPROVERS,
        guards=(not_deemed_accepted,),
        apply=apply_not_accept,
        form_fields=(FieldSpec("reason", "不予受理的理由（告知向有关行政机关申请）", "textarea"),),
    ),
    Transition(
        "review",
        "审查",
        ("accepted",),
        "reviewed",
        HANDLERS,
        guards=(site_officers,),
        apply=apply_review,
        form_fields=(
            FieldSpec("opinion", "审查意见", "textarea"),
            FieldSpec("site_visit", "经两名以上工作人员实地核查", "bool", required=False),
        ),
    ),
    Transition(
        "exclude_time",
        "登记不计算在期限内的时间（听证、检验、检测、鉴定、专家评审）",
        ("accepted", "reviewed"),
        None,
        HANDLERS,
        guards=(excluded_days_valid, common.not_future("told_on", "书面告知日期")),
        apply=apply_exclude,
        form_fields=(
            FieldSpec(
                "reason",
                "事由",
                "choice",
                choices=(
                    ("hearing", "听证"),
                    ("tender", "招标、拍卖"),
                    ("testing", "检验、检测、检疫"),
                    ("appraisal", "鉴定"),
                    ("expert", "专家评审"),
                ),
            ),
            FieldSpec("days", "所需时间（工作日）", "int"),
            FieldSpec("told_on", "书面告知申请人日期", "date"),
        ),
    ),
    Transition(
        "extend",
        "负责人批准延长十日",
        ("accepted", "reviewed"),
        None,
        APPROVERS,
        guards=(extension_allowed,),
        apply=apply_extend,
        form_fields=(FieldSpec("reason", "延长理由（告知申请人）", "textarea"),),
    ),
    Transition(
        "grant",
        "作出准予许可决定",
        ("reviewed",),
        "granted",
        APPROVERS,
        apply=_decide("granted"),
        form_fields=(FieldSpec("content", "许可内容", "textarea"),),
        decides=True,
    ),
    Transition(
        "refuse",
        "作出不予许可决定",
        ("reviewed",),
        "refused",
        APPROVERS,
        apply=_decide("refused"),
        form_fields=(
            FieldSpec("reason", "不予许可的理由", "textarea"),
            FieldSpec("rights", "告知申请复议或提起诉讼的权利", "bool"),
        ),
        decides=True,
    ),
    Transition(
        "issue_certificate",
        "颁发、送达许可证件",
        ("granted",),
        "certified",
        HANDLERS,
        guards=(
            common.not_future("issued_on", "发证日期"),
            common.after_field("issued_on", "发证日期", after_decision),
        ),
        apply=apply_certificate,
        form_fields=(
            FieldSpec("certificate_no", "证件编号", "text"),
            FieldSpec("issued_on", "发证日期", "date"),
        ),
    ),
    Transition(
        "close",
        "结案",
        ("certified", "refused", "not_accepted"),
        "closed",
        APPROVERS,
        apply=apply_close,
    ),
    Transition("archive", "立卷归档", ("closed",), "archived", HANDLERS, apply=apply_archive),
)

PROCEDURE = register(
    Procedure(
        "licensing",
        "行政许可",
        "licensing",
        STAGES,
        TRANSITIONS,
        matter_categories=("licensing",),
        on_register=on_register,
    )
)
