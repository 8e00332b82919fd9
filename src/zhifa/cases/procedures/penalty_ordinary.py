"""行政处罚 普通程序 (DOMAIN.md R-16; 行政处罚法第五十四条至第六十五条):

案源登记 → 立案 (head approves; limitation checked, 第三十六条) → 调查取证 (先行登记保存 decided
within 7 working days, 第五十六条) → 调查终结 → 负责人审查 (处罚 / 轻微不罚 / 不成立 / 移送司法,
第五十七条) → 事先告知 (第四十四条) → 陈述申辩、复核 (第四十五条) / 听证 when requested within
5 working days (第六十四条) → 集体讨论 when required → 决定 (法制审核 and 集体讨论 gates,
第五十八条, 第五十七条第二款; 90 days from filing, 第六十条; not heavier than notified; not a
second fine, 第二十九条) → 送达 (the decision's Service rows) → 执行 → 结案 → 归档.

The statement period is 3 working days from service of the notice: the law sets no number of
days; 3 is the platform's default, counted in working days. With the right to a hearing
notified, the decision also waits for the 5 working days of 第六十四条第一项 (“当事人要求听证的，
应当在行政机关告知后五日内提出”; 五日 = working days by 第八十五条).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from .. import deadlines, execution, gates, rules
from ..models import DeadlineStatus, Service
from ..numbering import DECISION_KINDS, case_number
from . import common
from .base import APPROVERS, HANDLERS, Context, FieldSpec, Procedure, Stage, Transition, register

STATEMENT_DAYS = 3
HEARING_REQUEST_DAYS = 5
PRESERVATION_DAYS = 7
HEARING_NOTICE_DAYS = 7
PAYMENT_DAYS = 15
DECISION_DOCUMENT = "decision"  # Service.document of the decision (the records app writes it)

STAGES = (
    Stage("registered", "案源登记"),
    Stage("investigating", "调查取证"),
    Stage("concluded", "调查终结（待负责人审查）"),
    Stage("to_notify", "拟处罚（待告知）"),
    Stage("notified", "已告知（陈述申辩期）"),
    Stage("hearing", "听证"),
    Stage("heard", "听证结束"),
    Stage("decided", "已作出处罚决定（待送达）"),
    Stage("served", "已送达（执行期）"),
    Stage("executed", "执行完毕"),
    Stage("no_penalty", "不予行政处罚"),
    Stage("transferred", "移送司法机关"),
    Stage("closed", "结案"),
    Stage("archived", "归档", terminal=True),
)

PENALTY_FIELDS = (
    FieldSpec("kinds", "处罚种类", "multichoice", choices=rules.PENALTY_KINDS),
    FieldSpec("fine", "罚款金额（元）", "decimal", required=False),
    FieldSpec("confiscation", "没收违法所得或非法财物金额（元）", "decimal", required=False),
)


# ---------------------------------------------------------------- 立案


def limitation(ctx: Context) -> str | None:
    c = ctx.case
    serious = ctx.data.get("serious_harm", bool(c.data.get("serious_harm")))
    return rules.check_limitation(
        c.occurred_on, c.act_continuing_until, c.discovered_on or ctx.today, extended=serious
    )


def apply_file(ctx: Context) -> None:
    c = ctx.case
    c.filed_on = ctx.today
    c.decision_due_on = deadlines.open_decision_deadlines(c, ctx.today)
    common.set_data(c, serious_harm=ctx.data.get("serious_harm", False))


# ---------------------------------------------------------------- 先行登记保存


def apply_preserve(ctx: Context) -> None:
    due = deadlines.working_day_after(ctx.today, PRESERVATION_DAYS)
    common.data_list_append(
        ctx.case,
        "preservations",
        {"items": ctx.data["items"], "on": ctx.today.isoformat(), "due": due.isoformat()},
    )
    deadlines.open_deadline(
        ctx.case,
        "preservation",
        "先行登记保存处理期限",
        starts_on=ctx.today,
        due_on=due,
        working_days=True,
        basis="《中华人民共和国行政处罚法》第五十六条：七日内及时作出处理决定",
    )
    ctx.extra["due"] = due


def preservation_open(ctx: Context) -> str | None:
    if deadlines.current(ctx.case, "preservation") is None:
        return "本案没有待处理的先行登记保存证据。"
    return None


def preservation_in_time(ctx: Context) -> str | None:
    d = deadlines.current(ctx.case, "preservation")
    outcome = ctx.data.get("outcome")
    if d is not None and outcome and outcome != "release" and ctx.today > d.due_on:
        return (
            f"先行登记保存的处理期限已于{d.due_on:%Y年%m月%d日}届满（《中华人民共和国行政处罚法》"
            "第五十六条：“应当在七日内及时作出处理决定”），逾期只能解除先行登记保存。"
        )
    return None


def apply_dispose(ctx: Context) -> None:
    deadlines.close_deadlines(ctx.case, "preservation")


def no_open_preservation(ctx: Context) -> str | None:
    if deadlines.current(ctx.case, "preservation") is not None:
        return "尚有先行登记保存的证据未作出处理决定，请先处理（第五十六条）。"
    return None


# ---------------------------------------------------------------- 负责人审查


# 第六十三条第一款第三项、第四项: these kinds always carry the right to a hearing. The amounts of
# 第一项、第二项 (较大数额) are set by each province and field: the registered hearing-threshold
# hooks answer them (gates.hearing_threshold_reasons; the review app, from the body's catalogue).
HEARING_KINDS = (
    "lower_qualification",
    "revoke_licence",
    "stop_business",
    "close",
    "restrict_practice",
)


def hearing_right_told(ctx: Context) -> str | None:
    kinds = ctx.data.get("kinds") or []
    heavy = [k for k in kinds if k in HEARING_KINDS]
    if heavy and not ctx.data.get("hearing_right"):
        names = "、".join(rules.PENALTY_LABELS[k] for k in heavy)
        return (
            "依据《中华人民共和国行政处罚法》第六十三条，“行政机关拟作出下列行政处罚决定，应当告知当事人有"
            f"要求听证的权利”，拟给予的“{names}”属于该条第一款第三项、第四项的情形，请勾选告知听证权利。"
        )
    if ctx.data.get("hearing_right") or not kinds:
        return None
    try:
        penalty = rules.penalty_of(ctx.data)
    except Exception:  # noqa: BLE001 - the apply step reports the form error
        return None
    reasons = gates.hearing_threshold_reasons(ctx.case, penalty)
    if reasons:
        return (
            "依据《中华人民共和国行政处罚法》第六十三条第一款，“行政机关拟作出下列行政处罚决定，应当告知"
            "当事人有要求听证的权利……（一）较大数额罚款；……（二）没收较大数额违法所得、没收较大价值"
            f"非法财物”，拟给予的处罚达到本机关确定的较大数额标准：{'；'.join(reasons)}。请勾选告知听证权利。"
        )
    return None


def apply_approve_penalty(ctx: Context) -> None:
    c = ctx.case
    penalty = rules.penalty_of(ctx.data)
    penalty["hearing_right"] = bool(ctx.data.get("hearing_right"))
    common.set_data(c, proposed_penalty=penalty, facts=ctx.data["facts"], basis=ctx.data["basis"])
    if ctx.data.get("requires_review"):
        c.requires_review = True
    if ctx.data.get("requires_deliberation"):
        c.requires_deliberation = True


def apply_outcome(outcome: str):
    def apply(ctx: Context) -> None:
        common.set_data(ctx.case, outcome=outcome, outcome_reason=ctx.data.get("reason", ""))
        ctx.case.decided_on = ctx.today
        deadlines.close_deadlines(ctx.case, "decision", "decision_warning")

    return apply


# ---------------------------------------------------------------- 告知


def apply_notify(ctx: Context) -> None:
    c = ctx.case
    proposed = dict(c.data.get("proposed_penalty") or {})
    c.notified_penalty = proposed
    served = ctx.data["served_on"]
    statement_due = deadlines.working_day_after(served, STATEMENT_DAYS)
    deadlines.open_deadline(
        c,
        "statement",
        "陈述申辩期限",
        starts_on=served,
        due_on=statement_due,
        working_days=True,
        basis="《中华人民共和国行政处罚法》第四十四条、第四十五条（本平台默认三个工作日）",
    )
    notice = {
        "served_on": served.isoformat(),
        "facts": ctx.data["facts"],
        "reasons": ctx.data["reasons"],
        "basis": ctx.data["basis"],
        "statement_due": statement_due.isoformat(),
    }
    if proposed.get("hearing_right"):
        hearing_due = deadlines.working_day_after(served, HEARING_REQUEST_DAYS)
        deadlines.open_deadline(
            c,
            "hearing_request",
            "申请听证期限",
            starts_on=served,
            due_on=hearing_due,
            working_days=True,
            basis="《中华人民共和国行政处罚法》第六十四条第一项：告知后五日内提出",
        )
        notice["hearing_due"] = hearing_due.isoformat()
    common.set_data(c, notice=notice, waived=False)


def notified_before(ctx: Context) -> datetime.date | None:
    notice = ctx.case.data.get("notice") or {}
    return datetime.date.fromisoformat(notice["served_on"]) if notice.get("served_on") else None


def filed_on(ctx: Context) -> datetime.date | None:
    return ctx.case.filed_on


def apply_statement(ctx: Context) -> None:
    common.data_list_append(
        ctx.case,
        "statements",
        {
            "on": ctx.data["received_on"].isoformat(),
            "statement": ctx.data["statement"],
            "review": ctx.data["review"],
            "adopted": ctx.data.get("adopted", False),
        },
    )


def apply_reinvestigate(ctx: Context) -> None:
    # The notice's periods end with it: a new notice after the investigation opens new ones
    # (otherwise the old periods would linger as overdue).
    deadlines.close_deadlines(ctx.case, "statement", "hearing_request", status="cancelled")


def apply_waive(ctx: Context) -> None:
    common.set_data(
        ctx.case,
        waived=True,
        waiver={"on": ctx.data["waived_on"].isoformat(), "text": ctx.data["waiver"]},
    )
    deadlines.close_deadlines(ctx.case, "statement", "hearing_request")


def hearing_right(ctx: Context) -> str | None:
    if not (ctx.case.notified_penalty or {}).get("hearing_right"):
        return "本案告知时未告知听证权利，拟作出的处罚不属于第六十三条规定的应当听证的情形。"
    return None


def hearing_in_time(ctx: Context) -> str | None:
    requested = ctx.data.get("requested_on")
    d = deadlines.current(ctx.case, "hearing_request")
    if requested is None or d is None:
        return None
    if requested > d.due_on:
        return (
            f"听证申请期限已于{d.due_on:%Y年%m月%d日}届满。依据《中华人民共和国行政处罚法》第六十四条"
            "第一项，“当事人要求听证的，应当在行政机关告知后五日内提出”（五日指工作日，第八十五条）。"
        )
    return None


def apply_request_hearing(ctx: Context) -> None:
    deadlines.close_deadlines(ctx.case, "hearing_request", "statement")
    common.set_data(ctx.case, hearing={"requested_on": ctx.data["requested_on"].isoformat()})


def hearing_notice(ctx: Context) -> str | None:
    notified, held = ctx.data.get("notified_on"), ctx.data.get("held_on")
    if notified is None or held is None:
        return None
    if deadlines.working_day_after(notified, HEARING_NOTICE_DAYS) > held:
        return (
            "依据《中华人民共和国行政处罚法》第六十四条第二项，“行政机关应当在举行听证的七日前，"
            "通知当事人及有关人员听证的时间、地点”（七日指工作日，第八十五条）。"
        )
    return None


def host_not_investigator(ctx: Context) -> str | None:
    host = (ctx.data.get("host") or "").strip()
    names = set(ctx.case.case_officers.values_list("officer__name", flat=True))
    if host and host in names:
        return (
            "依据《中华人民共和国行政处罚法》第六十四条第四项，听证由行政机关指定的非本案调查人员主持，"
            f"{host}是本案承办人员。"
        )
    return None


def apply_hearing(ctx: Context) -> None:
    hearing = dict(ctx.case.data.get("hearing") or {})
    hearing.update(
        held=ctx.data.get("held_on") is not None,
        held_on=ctx.data["held_on"].isoformat() if ctx.data.get("held_on") else "",
        host=ctx.data.get("host", ""),
        summary=ctx.data.get("summary", ""),
    )
    common.set_data(ctx.case, hearing=hearing)


def apply_deliberation(ctx: Context) -> None:
    common.set_data(
        ctx.case,
        deliberated=True,
        deliberation={
            "held_on": ctx.data["held_on"].isoformat(),
            "participants": ctx.data["participants"],
            "conclusion": ctx.data["conclusion"],
        },
    )


# ---------------------------------------------------------------- 决定


def statement_period_over(ctx: Context) -> str | None:
    c = ctx.case
    if c.data.get("waived") or c.stage == "heard":
        return None
    for kind in ("statement", "hearing_request"):
        d = deadlines.current(c, kind)
        if d is not None and ctx.today <= d.due_on:
            what = "陈述申辩期限" if kind == "statement" else "申请听证期限"
            return (
                f"{what}至{d.due_on:%Y年%m月%d日}届满，届满前不得作出处罚决定，除非当事人书面放弃"
                "陈述、申辩权利。依据《中华人民共和国行政处罚法》第六十二条，未听取当事人的陈述、申辩的，"
                "不得作出行政处罚决定；当事人明确放弃陈述或者申辩权利的除外。"
            )
    return None


def within_decision_limit(ctx: Context) -> str | None:
    due = ctx.case.decision_due_on
    if due is not None and ctx.today > due:
        return (
            f"办案期限已于{due:%Y年%m月%d日}届满。依据《中华人民共和国行政处罚法》第六十条，"
            "“行政机关应当自行政处罚案件立案之日起九十日内作出行政处罚决定”；"
            "有法律、法规、规章规定可以延长的，请先经负责人批准延长办案期限。"
        )
    return None


def not_heavier(ctx: Context) -> str | None:
    if not ctx.data.get("kinds"):
        return None
    try:
        decided = rules.penalty_of(ctx.data)
    except Exception:  # noqa: BLE001 - the apply step reports the form error
        return None
    return rules.check_heavier(ctx.case.notified_penalty, decided)


def not_a_child(ctx: Context) -> str | None:
    return rules.check_minor(ctx.case, ctx.today)


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
    c.decision_number = case_number(c.organization, DECISION_KINDS[c.procedure], ctx.today.year)
    common.set_data(c, decision={"basis": ctx.data["basis"], "facts": ctx.data["facts"]})
    deadlines.close_deadlines(c, "decision", "decision_warning", "statement", "hearing_request")
    ctx.extra["decision_number"] = c.decision_number


# ---------------------------------------------------------------- 送达与执行


def decision_served(ctx: Context) -> str | None:
    parties = list(ctx.case.parties.all())
    served = set(
        Service.objects.filter(case=ctx.case, document=DECISION_DOCUMENT).values_list(
            "party_id", flat=True
        )
    )
    missing = [p.name for p in parties if p.pk not in served]
    if missing:
        return (
            f"尚未登记处罚决定书对{'、'.join(missing)}的送达，请先登记送达（送达回证、邮寄回执、"
            "公告等），送达日期决定后续期限。"
        )
    # An announcement counts as service only 30 days after publication: until then the
    # decision is not served and the payment period has not begun.
    pending = (
        Service.objects.filter(case=ctx.case, document=DECISION_DOCUMENT, served_on__gt=ctx.today)
        .order_by("-served_on")
        .first()
    )
    if pending is not None:
        return (
            f"处罚决定书对{pending.party.name}采用公告送达，自发出公告之日起经过三十日即视为送达"
            f"（{pending.served_on:%Y年%m月%d日}），届时才能确认送达（民事诉讼法第九十五条）。"
        )
    return None


def apply_serve(ctx: Context) -> None:
    c = ctx.case
    served_on = max(
        Service.objects.filter(case=c, document=DECISION_DOCUMENT).values_list(
            "served_on", flat=True
        )
    )
    c.served_on = served_on
    if c.fine_amount:
        deadlines.open_deadline(
            c,
            "payment",
            "缴纳罚款期限",
            starts_on=served_on,
            due_on=served_on + datetime.timedelta(days=PAYMENT_DAYS),
            basis="《中华人民共和国行政处罚法》第六十七条第三款：收到决定书之日起十五日内缴纳罚款",
        )


LAW_DEFAULT = (
    "《中华人民共和国行政处罚法》第七十二条第一款：“当事人逾期不履行行政处罚决定的，"
    "作出行政处罚决定的行政机关可以采取下列措施”"
)
LAW_DEFAULT_ARTICLE = "《中华人民共和国行政处罚法》第七十二条第一款"
LAW_PAY = (
    "《中华人民共和国行政处罚法》第六十七条第三款：“当事人应当自收到行政处罚决定书之日起十五日内，"
    "到指定的银行或者通过电子支付系统缴纳罚款。”"
)
LAW_ON_SPOT = {
    "small": "《中华人民共和国行政处罚法》第六十八条第一项：“依法给予一百元以下罚款的”",
    "hard_later": "《中华人民共和国行政处罚法》第六十八条第二项：“不当场收缴事后难以执行的”",
    "remote": (
        "《中华人民共和国行政处罚法》第六十九条：“在边远、水上、交通不便地区……当事人到指定的银行"
        "或者通过电子支付系统缴纳罚款确有困难，经当事人提出，行政机关及其执法人员可以当场收缴罚款。”"
    ),
}
LAW_RECEIPT = (
    "《中华人民共和国行政处罚法》第七十条：“行政机关及其执法人员当场收缴罚款的，必须向当事人出具"
    "国务院财政部门或者省、自治区、直辖市人民政府财政部门统一制发的专用票据”"
)
ON_SPOT_SMALL_FINE = Decimal("100")
PAID_MANNERS = ("performed", "collected")
ENFORCED_MANNERS = ("enforced", "court")


def execution_record(ctx: Context) -> dict:
    """What the execution step keeps in ``case.data["execution"]``."""
    record = {
        "done_on": ctx.data["done_on"].isoformat(),
        "manner": ctx.data["manner"],
        "note": ctx.data.get("note", ""),
    }
    for key in ("enforcement_ref", "receipt_no", "on_spot_ground"):
        if ctx.data.get(key):
            record[key] = ctx.data[key]
    if ctx.data.get("surcharge_waived"):
        record["surcharge_waived"] = True
    if ctx.case.fine_amount:
        status = execution.payment_status(ctx.case, ctx.data["done_on"])
        record["paid"] = str(status.paid)
        record["surcharge"] = str(status.surcharge)
    return record


def apply_execution(ctx: Context) -> None:
    common.set_data(ctx.case, execution=execution_record(ctx))
    deadlines.close_deadlines(ctx.case, "payment")
    open_handover(ctx)


def manner_fits(ctx: Context) -> str | None:
    """A fine is never "nothing to execute": it is paid or enforced."""
    if ctx.data.get("manner") == "nothing" and ctx.case.fine_amount:
        return (
            f"本案处以罚款{ctx.case.fine_amount}元，不能登记为“无需执行”；请登记当事人自觉履行"
            "（先登记缴款）或者强制执行的情况。"
        )
    return None


def _on_spot_allowed(ctx: Context, fine: Decimal) -> str | None:
    """当场收缴 (第六十八条 for decisions made on the spot under 第五十一条, 第六十九条 in remote
    places), with the finance department's receipt (第七十条)."""
    ground = ctx.data.get("on_spot_ground")
    simplified = ctx.case.procedure == "penalty_simplified"
    allowed = ("small", "hard_later", "remote") if simplified else ("remote",)
    if ground not in allowed:
        if simplified:
            return "当场收缴罚款须有法定情形，请选择当场收缴的依据：" + "；".join(
                LAW_ON_SPOT.values()
            )
        return (
            "普通程序作出的罚款决定，只有在边远、水上、交通不便地区，当事人缴纳确有困难并提出的，"
            f"才能当场收缴。依据{LAW_ON_SPOT['remote']}其余情形应当由当事人到指定的银行或者通过"
            f"电子支付系统缴纳（{LAW_PAY}）。"
        )
    if ground == "small" and fine > ON_SPOT_SMALL_FINE:
        return (
            f"本案罚款{fine}元，超过一百元，不能依照{LAW_ON_SPOT['small']}当场收缴；"
            "如属不当场收缴事后难以执行的，请选择该项依据。"
        )
    if not (ctx.data.get("receipt_no") or "").strip():
        return f"当场收缴罚款须登记出具给当事人的专用票据号码。依据{LAW_RECEIPT}。"
    return None


def fine_executed(ctx: Context) -> str | None:
    """A fine is executed when paid (by the party, or collected on the spot where the law
    allows), or enforced once the party is in default (第七十二条第一款第二项至第四项) with the
    enforcement decision's or the court's document recorded.

    The 加处罚款 of 第七十二条第一款第一项 is computed by the platform (``execution.surcharge``)
    and shown on the payments page. The law says the body "可以" add it, so the party's own
    performance is complete when the fine and the surcharge computed up to the day the fine was
    paid in full are both paid, unless a head records that the body adds no surcharge."""
    fine = ctx.case.fine_amount
    manner = ctx.data.get("manner")
    if not fine or manner not in (*PAID_MANNERS, *ENFORCED_MANNERS):
        return None
    on = ctx.data.get("done_on") or ctx.today
    status = execution.payment_status(ctx.case, on)
    if manner in ENFORCED_MANNERS:
        if status.due_on is not None and on <= status.due_on:
            return (
                f"缴纳罚款期限至{status.due_on:%Y年%m月%d日}届满，当事人尚未逾期，不能登记强制执行。"
                f"依据{LAW_DEFAULT}。"
            )
        if not (ctx.data.get("enforcement_ref") or "").strip():
            if manner == "court":
                return (
                    "申请人民法院强制执行的，请登记人民法院的执行文书文号（受理通知书、执行裁定书等）。"
                    f"依据{LAW_DEFAULT_ARTICLE}第四项：“依照《中华人民共和国行政强制法》的规定申请人民法院"
                    "强制执行”。"
                )
            return (
                "行政机关依法强制执行的，请登记强制执行决定书文号。依据"
                f"{LAW_DEFAULT_ARTICLE}第二项、第三项，“根据法律规定”将查封、扣押的财物拍卖、依法处理或者将冻结的"
                "存款、汇款划拨抵缴罚款，或者采取其他行政强制执行方式（法律没有规定行政机关强制执行的，"
                "应当申请人民法院强制执行，《中华人民共和国行政强制法》第十三条第二款）。"
            )
        return None
    owed_fine = max(Decimal("0.00"), fine - status.paid)
    if owed_fine > 0:
        if status.paid > 0:
            what = f"已缴{status.paid}元，尚欠罚款{owed_fine}元"
        else:
            what = "尚未登记缴款"
        return (
            f"本案罚款{fine}元，{what}，不能登记为{dict(EXECUTION_MANNERS)[manner]}。"
            f"请先登记缴款（缴款凭证）；依据{LAW_PAY}当事人逾期不缴纳的，依照第七十二条加处罚款或者"
            "强制执行。"
        )
    if manner == "collected":
        refused = _on_spot_allowed(ctx, fine)
        if refused:
            return refused
    if status.outstanding > 0:
        if not ctx.data.get("surcharge_waived"):
            return (
                f"罚款已缴清，但逾期{status.days_late}日，按{execution.LAW_SURCHARGE}计算的加处罚款"
                f"尚欠{status.outstanding}元。请登记加处罚款的缴纳；本机关决定不加处罚款的，"
                "由负责人登记执行并勾选“不加处罚款”。"
            )
        if ctx.role not in APPROVERS:
            return (
                "不加处罚款是行政机关的决定（第七十二条第一款：行政机关“可以”加处罚款），"
                "须由执法机构负责人或者主要负责人登记。"
            )
    return None


# ---------------------------------------------------------------- 当场收缴的罚款 (第七十一条)

HANDOVER_DAYS = 2  # 第七十一条; working days (第八十五条)
DEPOSIT_DAYS = 2
LAW_HANDOVER = (
    "《中华人民共和国行政处罚法》第七十一条：“执法人员当场收缴的罚款，应当自收缴罚款之日起二日内，"
    "交至行政机关；在水上当场收缴的罚款，应当自抵岸之日起二日内交至行政机关；行政机关应当在二日内"
    "将罚款缴付指定的银行。”"
)
HANDOVER_BASIS = (
    "《中华人民共和国行政处罚法》第七十一条：执法人员当场收缴的罚款，自收缴之日（水上收缴的，抵岸之日）"
    "起二日内交至行政机关（第八十五条：工作日）"
)
DEPOSIT_BASIS = (
    "《中华人民共和国行政处罚法》第七十一条：行政机关应当在二日内将罚款缴付指定的银行"
    "（第八十五条：工作日）"
)


def collection(case) -> tuple[datetime.date | None, Decimal]:
    """What the officers collected on the spot: the day of the last payment recorded (the
    fine was paid in full on it, ``fine_executed``) and the total of the payments."""
    paid = execution.payments(case)
    if not paid:
        return None, Decimal("0.00")
    return paid[-1].paid_on, sum((p.amount for p in paid), Decimal("0.00"))


def landed_after_collection(ctx: Context) -> str | None:
    """On water the two days run from landing (第七十一条): not before the collection."""
    landed = ctx.data.get("landed_on")
    if landed is None or ctx.data.get("manner") != "collected":
        return None
    collected_on, _ = collection(ctx.case)
    if collected_on is not None and landed < collected_on:
        return f"“抵岸日期”不能早于收缴罚款的日期（{collected_on:%Y年%m月%d日}）。"
    return None


def open_handover(ctx: Context) -> None:
    """A fine collected on the spot: the officers hand it to the body within 2 working days of
    the collection (of landing, on water): deadline ``handover`` (第七十一条, 第八十五条)."""
    if ctx.data.get("manner") != "collected":
        return
    collected_on, amount = collection(ctx.case)
    if collected_on is None:  # fine_executed refuses a collection without payments
        return
    start = ctx.data.get("landed_on") or collected_on
    record = dict(ctx.case.data.get("execution") or {})
    record.update(collected_on=collected_on.isoformat(), collected_amount=str(amount))
    if ctx.data.get("landed_on"):
        record["landed_on"] = ctx.data["landed_on"].isoformat()
    common.set_data(ctx.case, execution=record)
    deadlines.open_deadline(
        ctx.case,
        "handover",
        "当场收缴的罚款交至行政机关",
        starts_on=start,
        due_on=deadlines.working_day_after(start, HANDOVER_DAYS),
        working_days=True,
        basis=HANDOVER_BASIS,
    )


def _executed(ctx: Context) -> dict:
    return ctx.case.data.get("execution") or {}


def handover_open(ctx: Context) -> str | None:
    record = _executed(ctx)
    if record.get("manner") != "collected":
        return "本案罚款不是执法人员当场收缴的，无需登记交至行政机关。"
    if record.get("handover"):
        return f"当场收缴的罚款已于{record['handover']['on']}登记交至行政机关。"
    return None


def _collected(ctx: Context) -> tuple[datetime.date | None, Decimal]:
    """When the two days of the hand-over started and what was collected, as recorded at
    execution; from the payments for an execution recorded before they were kept."""
    record = _executed(ctx)
    start = record.get("landed_on") or record.get("collected_on")
    if start and record.get("collected_amount"):
        return datetime.date.fromisoformat(start), Decimal(record["collected_amount"])
    return collection(ctx.case)


def _same_amount(ctx: Context, what: str) -> str | None:
    amount = ctx.data.get("amount")
    _, collected = _collected(ctx)
    if amount is not None and amount != collected:
        return (
            f"{what}的金额{amount}元与执法人员当场收缴的{collected}元不一致：当场收缴的罚款应当全额"
            f"交至行政机关并缴付指定的银行。依据{LAW_HANDOVER}"
        )
    return None


def handover_valid(ctx: Context) -> str | None:
    """Not before the collection (or the landing), the whole amount collected."""
    on = ctx.data.get("handed_over_on")
    start, _ = _collected(ctx)
    if on is not None and start is not None and on < start:
        return f"“交至行政机关日期”不能早于收缴罚款（或者抵岸）的日期（{start:%Y年%m月%d日}）。"
    return _same_amount(ctx, "交至行政机关")


def apply_handover(ctx: Context) -> None:
    """Records the hand-over, on time or late (第七十一条 sets a duty, not a condition of
    validity: a late date is kept with ``late`` and shown on the case page), and opens the
    body's own 2 working days to pay the fine into the designated bank."""
    on = ctx.data["handed_over_on"]
    _record_duty(
        ctx,
        "handover",
        "handover",
        on,
        {"received_by": ctx.data["received_by"], "amount": str(ctx.data["amount"])},
    )
    deadlines.open_deadline(
        ctx.case,
        "bank_deposit",
        "当场收缴的罚款缴付指定的银行",
        starts_on=on,
        due_on=deadlines.working_day_after(on, DEPOSIT_DAYS),
        working_days=True,
        basis=DEPOSIT_BASIS,
    )


def _record_duty(ctx: Context, key: str, kind: str, on: datetime.date, details: dict) -> None:
    """Keeps a duty of 第七十一条 done on ``on`` under ``execution[key]``, on time or late
    against its open deadline ``kind``, and closes that deadline."""
    due = deadlines.current(ctx.case, kind)
    late = due is not None and on > due.due_on
    record = dict(_executed(ctx))
    record[key] = {
        "on": on.isoformat(),
        **details,
        "due_on": due.due_on.isoformat() if due else "",
        "late": late,
    }
    common.set_data(ctx.case, execution=record)
    deadlines.close_deadlines(ctx.case, kind)
    ctx.extra["late"] = late


def deposit_open(ctx: Context) -> str | None:
    record = _executed(ctx)
    if record.get("manner") != "collected":
        return "本案罚款不是执法人员当场收缴的，无需登记缴付银行。"
    if not record.get("handover"):
        return "请先登记执法人员将当场收缴的罚款交至行政机关。"
    if record.get("deposit"):
        return f"罚款已于{record['deposit']['on']}登记缴付指定的银行。"
    return None


def deposit_valid(ctx: Context) -> str | None:
    on = ctx.data.get("deposited_on")
    handed = (_executed(ctx).get("handover") or {}).get("on")
    if on is not None and handed and on < datetime.date.fromisoformat(handed):
        return f"“缴付银行日期”不能早于罚款交至行政机关的日期（{handed}）。"
    return _same_amount(ctx, "缴付指定的银行")


def apply_deposit(ctx: Context) -> None:
    _record_duty(
        ctx,
        "deposit",
        "bank_deposit",
        ctx.data["deposited_on"],
        {
            "bank": ctx.data["bank"],
            "amount": str(ctx.data["amount"]),
            "voucher_no": ctx.data.get("voucher_no", ""),
        },
    )


COLLECTED_TRANSITIONS = (
    Transition(
        "hand_over_fine",
        "登记当场收缴的罚款交至行政机关",
        ("executed",),
        None,
        HANDLERS,
        guards=(
            handover_open,
            common.not_future("handed_over_on", "交至行政机关日期"),
            handover_valid,
        ),
        apply=apply_handover,
        form_fields=(
            FieldSpec("handed_over_on", "交至行政机关日期", "date"),
            FieldSpec("received_by", "接收的部门和人员", "text"),
            FieldSpec("amount", "交付金额（元，与当场收缴的金额一致）", "decimal"),
        ),
        help="行政处罚法第七十一条：执法人员当场收缴的罚款，应当自收缴罚款之日起二日内（工作日），"
        "交至行政机关；在水上当场收缴的，自抵岸之日起二日内。",
    ),
    Transition(
        "deposit_fine",
        "登记罚款缴付指定的银行",
        ("executed",),
        None,
        HANDLERS,
        guards=(
            deposit_open,
            common.not_future("deposited_on", "缴付银行日期"),
            deposit_valid,
        ),
        apply=apply_deposit,
        form_fields=(
            FieldSpec("deposited_on", "缴付银行日期", "date"),
            FieldSpec("bank", "指定的银行", "text"),
            FieldSpec("amount", "缴付金额（元）", "decimal"),
            FieldSpec("voucher_no", "缴款凭证号码", "text", required=False),
        ),
        help="行政处罚法第七十一条：行政机关应当在二日内（工作日）将罚款缴付指定的银行。",
    ),
)


def nothing_open(ctx: Context) -> str | None:
    open_kinds = list(
        ctx.case.deadlines.filter(status=DeadlineStatus.OPEN)
        .exclude(kind__in=["decision", "decision_warning"])
        .values_list("label", flat=True)
    )
    if open_kinds:
        return f"尚有未完成的期限事项（{'、'.join(open_kinds)}），不能结案。"
    return None


def apply_close(ctx: Context) -> None:
    common.close(ctx)
    deadlines.close_deadlines(ctx.case, "decision", "decision_warning", status="cancelled")


def apply_archive(ctx: Context) -> None:
    ctx.case.archived_at = ctx.now


EXECUTION_MANNERS = (
    ("performed", "当事人自觉履行"),
    ("collected", "执法人员当场收缴罚款"),
    ("enforced", "行政机关依法强制执行"),
    ("court", "申请人民法院强制执行"),
    ("nothing", "无需执行（警告等）"),
)
ON_SPOT_GROUNDS = (
    ("small", "依法给予一百元以下罚款（第六十八条第一项）"),
    ("hard_later", "不当场收缴事后难以执行（第六十八条第二项）"),
    ("remote", "边远、水上、交通不便地区，当事人缴纳确有困难并提出（第六十九条）"),
)
EXECUTION_FIELDS = (
    FieldSpec("done_on", "执行完毕日期", "date"),
    FieldSpec("manner", "执行方式", "choice", choices=EXECUTION_MANNERS),
    FieldSpec(
        "enforcement_ref",
        "强制执行决定书文号或人民法院执行文书文号（强制执行时填写）",
        "text",
        required=False,
    ),
    FieldSpec(
        "on_spot_ground", "当场收缴的依据（当场收缴时选择）", "choice", False, ON_SPOT_GROUNDS
    ),
    FieldSpec("receipt_no", "专用票据号码（当场收缴时填写，第七十条）", "text", required=False),
    FieldSpec("landed_on", "在水上当场收缴的，抵岸日期（第七十一条）", "date", required=False),
    FieldSpec(
        "surcharge_waived",
        "本机关决定不加处罚款（负责人登记，第七十二条第一款第一项）",
        "bool",
        required=False,
    ),
)

TRANSITIONS = (
    Transition(
        "file",
        "批准立案",
        ("registered",),
        "investigating",
        APPROVERS,
        guards=(limitation, common.officers),
        apply=apply_file,
        form_fields=(
            FieldSpec(
                "serious_harm",
                "涉及公民生命健康安全、金融安全且有危害后果（追责时效五年）",
                "bool",
                required=False,
            ),
            FieldSpec("opinion", "立案审批意见", "textarea", required=False),
        ),
        help="行政处罚法第五十四条第二款：符合立案标准的，行政机关应当及时立案。",
    ),
    Transition(
        "dismiss",
        "不予立案",
        ("registered",),
        "closed",
        APPROVERS,
        apply=common.close,
        form_fields=(common.REASON,),
    ),
    Transition(
        "preserve_evidence",
        "批准先行登记保存证据",
        ("investigating",),
        None,
        APPROVERS,
        guards=(common.officers,),
        apply=apply_preserve,
        form_fields=(
            FieldSpec("items", "登记保存的物品清单", "textarea"),
            FieldSpec("reason", "证据可能灭失或以后难以取得的情形", "textarea"),
        ),
        help="行政处罚法第五十六条：经行政机关负责人批准，可以先行登记保存，并应当在七日内及时作出处理决定。",
    ),
    Transition(
        "dispose_preserved",
        "对先行登记保存的证据作出处理决定",
        ("investigating",),
        None,
        HANDLERS,
        guards=(preservation_open, preservation_in_time),
        apply=apply_dispose,
        form_fields=(
            FieldSpec(
                "outcome",
                "处理决定",
                "choice",
                choices=(
                    ("release", "解除先行登记保存"),
                    ("test", "送交检验、检测、鉴定"),
                    ("transfer", "移送有关机关处理"),
                    ("seize", "依法采取查封、扣押"),
                ),
            ),
            common.NOTE,
        ),
    ),
    Transition(
        "conclude",
        "调查终结",
        ("investigating",),
        "concluded",
        HANDLERS,
        guards=(common.officers, no_open_preservation),
        form_fields=(
            FieldSpec("report", "调查终结报告（违法事实、证据、处理建议）", "textarea"),
            FieldSpec(
                "proposal",
                "处理建议",
                "choice",
                choices=(
                    ("penalize", "给予行政处罚"),
                    ("minor", "违法行为轻微，不予行政处罚"),
                    ("not_established", "违法事实不能成立，不予行政处罚"),
                    ("transfer", "涉嫌犯罪，移送司法机关"),
                ),
            ),
        ),
    ),
    Transition(
        "approve_penalty",
        "负责人审查：拟给予行政处罚",
        ("concluded",),
        "to_notify",
        APPROVERS,
        guards=(hearing_right_told,),
        apply=apply_approve_penalty,
        form_fields=(
            *PENALTY_FIELDS,
            FieldSpec("facts", "违法事实", "textarea"),
            FieldSpec("basis", "处罚依据", "textarea"),
            FieldSpec(
                "hearing_right",
                "告知听证权利（较大数额罚款、吊销许可证件、责令停产停业等，第六十三条）",
                "bool",
                required=False,
            ),
            FieldSpec("requires_review", "须经法制审核（第五十八条）", "bool", required=False),
            FieldSpec(
                "requires_deliberation",
                "情节复杂或重大违法行为，须负责人集体讨论（第五十七条第二款）",
                "bool",
                required=False,
            ),
        ),
    ),
    Transition(
        "decide_minor",
        "负责人审查：违法行为轻微，不予行政处罚",
        ("concluded",),
        "no_penalty",
        APPROVERS,
        apply=apply_outcome("minor"),
        form_fields=(common.REASON,),
        help="行政处罚法第五十七条第一款第（二）项、第三十三条。",
    ),
    Transition(
        "decide_not_established",
        "负责人审查：违法事实不能成立，不予行政处罚",
        ("concluded",),
        "no_penalty",
        APPROVERS,
        apply=apply_outcome("not_established"),
        form_fields=(common.REASON,),
    ),
    Transition(
        "transfer",
        "负责人审查：涉嫌犯罪，移送司法机关",
        ("concluded",),
        "transferred",
        APPROVERS,
        apply=apply_outcome("transferred"),
        form_fields=(FieldSpec("receiver", "接收机关", "text"), common.REASON),
    ),
    Transition(
        "reinvestigate",
        "退回补充调查",
        ("concluded", "to_notify", "notified", "heard"),
        "investigating",
        APPROVERS,
        apply=apply_reinvestigate,
        form_fields=(common.REASON,),
    ),
    Transition(
        "notify",
        "送达行政处罚事先告知书",
        ("to_notify",),
        "notified",
        HANDLERS,
        guards=(
            common.not_future("served_on", "告知书送达日期"),
            common.after_field("served_on", "告知书送达日期", filed_on),
        ),
        apply=apply_notify,
        form_fields=(
            FieldSpec("served_on", "告知书送达日期", "date"),
            FieldSpec("facts", "告知的违法事实", "textarea"),
            FieldSpec("reasons", "告知的理由", "textarea"),
            FieldSpec("basis", "告知的依据", "textarea"),
        ),
        help="行政处罚法第四十四条：告知拟作出的行政处罚内容及事实、理由、依据，以及陈述、申辩、要求听证等权利。",
    ),
    Transition(
        "record_statement",
        "记录陈述申辩及复核意见",
        ("notified", "heard"),
        None,
        HANDLERS,
        guards=(
            common.not_future("received_on", "陈述申辩日期"),
            common.after_field("received_on", "陈述申辩日期", notified_before),
        ),
        apply=apply_statement,
        form_fields=(
            FieldSpec("received_on", "陈述申辩日期", "date"),
            FieldSpec("statement", "当事人陈述申辩的事实、理由和证据", "textarea"),
            FieldSpec("review", "复核意见", "textarea"),
            FieldSpec("adopted", "当事人意见成立并予采纳", "bool", required=False),
        ),
        help="行政处罚法第四十五条：必须充分听取当事人的意见，对当事人提出的事实、理由和证据进行复核。",
    ),
    Transition(
        "waive_statement",
        "登记当事人书面放弃陈述申辩权利",
        ("notified",),
        None,
        HANDLERS,
        guards=(
            common.not_future("waived_on", "放弃日期"),
            # Rights are waived once told: a waiver dated before the notice is no waiver.
            common.after_field("waived_on", "放弃日期", notified_before),
        ),
        apply=apply_waive,
        form_fields=(
            FieldSpec("waived_on", "放弃日期", "date"),
            FieldSpec("waiver", "当事人书面放弃声明的内容", "textarea"),
        ),
    ),
    Transition(
        "request_hearing",
        "登记当事人听证申请",
        ("notified",),
        "hearing",
        HANDLERS,
        guards=(
            hearing_right,
            common.not_future("requested_on", "申请日期"),
            common.after_field("requested_on", "申请日期", notified_before),
            hearing_in_time,
        ),
        apply=apply_request_hearing,
        form_fields=(FieldSpec("requested_on", "申请日期", "date"),),
    ),
    Transition(
        "hold_hearing",
        "举行听证",
        ("hearing",),
        "heard",
        HANDLERS,
        guards=(common.not_future("held_on", "听证日期"), hearing_notice, host_not_investigator),
        apply=apply_hearing,
        form_fields=(
            FieldSpec("notified_on", "听证通知日期", "date"),
            FieldSpec("held_on", "听证日期", "date"),
            FieldSpec("host", "听证主持人（非本案调查人员）", "text"),
            FieldSpec("summary", "听证笔录摘要", "textarea"),
        ),
    ),
    Transition(
        "hearing_abandoned",
        "当事人无正当理由拒不出席听证（视为放弃）",
        ("hearing",),
        "heard",
        HANDLERS,
        apply=apply_hearing,
        form_fields=(FieldSpec("summary", "情况说明", "textarea"),),
        help="行政处罚法第六十四条第六项。",
    ),
    Transition(
        "record_deliberation",
        "记录负责人集体讨论",
        ("to_notify", "notified", "heard"),
        None,
        APPROVERS,
        guards=(common.not_future("held_on", "讨论日期"),),
        apply=apply_deliberation,
        form_fields=(
            FieldSpec("held_on", "讨论日期", "date"),
            FieldSpec("participants", "参加人员", "text"),
            FieldSpec("conclusion", "讨论决定", "textarea"),
        ),
    ),
    Transition(
        "decide",
        "作出行政处罚决定",
        ("notified", "heard"),
        "decided",
        APPROVERS,
        guards=(
            statement_period_over,
            within_decision_limit,
            not_a_child,
            not_heavier,
            not_fined_twice,
        ),
        apply=apply_decide,
        form_fields=(
            *PENALTY_FIELDS,
            FieldSpec("facts", "认定的违法事实和证据", "textarea"),
            FieldSpec("basis", "处罚依据", "textarea"),
        ),
        decides=True,
    ),
    Transition(
        "serve",
        "确认处罚决定书已送达",
        ("decided",),
        "served",
        HANDLERS,
        guards=(decision_served,),
        apply=apply_serve,
        help="行政处罚法第六十一条：决定书当场交付；当事人不在场的，七日内依照民事诉讼法送达。",
    ),
    Transition(
        "record_execution",
        "登记执行完毕",
        ("served",),
        "executed",
        HANDLERS,
        guards=(
            common.not_future("done_on", "执行完毕日期"),
            common.after_field("done_on", "执行完毕日期", lambda ctx: ctx.case.decided_on),
            common.not_future("landed_on", "抵岸日期"),
            manner_fits,
            fine_executed,
            landed_after_collection,
        ),
        apply=apply_execution,
        form_fields=(*EXECUTION_FIELDS, common.NOTE),
        help="行政处罚法第六十七条第三款、第七十二条：罚款缴清或者依法强制执行后，才能登记执行完毕。",
    ),
    Transition(
        "close",
        "结案",
        ("executed", "no_penalty", "transferred"),
        "closed",
        APPROVERS,
        guards=(nothing_open,),
        apply=apply_close,
        form_fields=(FieldSpec("summary", "结案报告", "textarea"),),
    ),
    *COLLECTED_TRANSITIONS,
    Transition(
        "archive",
        "立卷归档",
        ("closed",),
        "archived",
        HANDLERS,
        apply=apply_archive,
        help="行政处罚法第四十七条：全过程记录，归档保存。",
    ),
)

PROCEDURE = register(
    Procedure(
        "penalty_ordinary",
        "行政处罚（普通程序）",
        "penalty",
        STAGES,
        TRANSITIONS,
        matter_categories=("penalty",),
    )
)
