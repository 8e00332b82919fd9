"""行政强制 (行政强制法; DOMAIN.md R-22). Two branches from 登记:

* 行政强制措施: prior approval by the head (第十八条第一项) — or, in an emergency, the measure
  first and a report to the head within 24 hours (第十九条); two officers (第十八条第二项); an
  audio-video record of 查封、扣押 at the scene; 查封、扣押 for at most 30 days, one extension of
  at most 30 days approved by the head (第二十五条); then a 处理决定 (没收、销毁 or 解除,
  第二十七条).
* 冻结存款、汇款 (第二十九条至第三十三条): only by a body a law empowers (第二十九条第一款; only a
  law sets it, 第十条), so the law's article is recorded; the amount is recorded and may not
  exceed the amount the act involves, nor freeze what another state organ froze (第二十九条
  第二款); the notice to the bank (第三十条第一款); the party is not called to the scene nor
  heard first (第三十条 keeps only 第十八条第一、二、三、七项) and no audio-video record of a
  scene is asked; the 冻结决定书 delivered to the party within 3 working days (第三十一条,
  第六十九条); a decision within 30 days of the freeze, one extension of at most 30 approved by
  the head, told to the party in writing (第三十二条) and to the bank (which otherwise releases
  at the end of the term, 第三十三条第三款); after the term only 解除 (第三十三条第一款第四项),
  told to the bank and the party (第三十三条第二款); 划拨 as its 处理决定 (第四十七条).
* 行政强制执行: a written 催告 (第三十五条) → hearing the party (第三十六条) → the 强制执行决定
  after the period of the 催告 (第三十七条; at once on evidence of transfer or concealment) →
  execution, never at night (22:00–06:00) or on a day that is not a working day unless an
  emergency reason is recorded (第四十三条); 强制拆除 needs a public announcement first
  (第四十四条) and an audio-video record.

"法定节假日" of 第四十三条 is applied as every day that is not a working day in the calendar
(weekends included): the stricter reading, which protects the party.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.utils import timezone

from zhifa.core.calendar import is_working_day

from .. import deadlines, records, rules
from ..models import Measure, MeasureKind
from ..numbering import DECISION_KINDS, case_number
from . import common
from .base import APPROVERS, HANDLERS, Context, FieldSpec, Procedure, Stage, Transition, register
from .penalty_ordinary import apply_archive

STAGES = (
    Stage("registered", "登记"),
    Stage("measure_in_force", "强制措施实施中"),
    Stage("measure_ended", "强制措施已处理"),
    Stage("urged", "已催告"),
    Stage("heard", "已听取陈述申辩"),
    Stage("execution_decided", "已作出强制执行决定"),
    Stage("executed", "已强制执行"),
    Stage("closed", "结案"),
    Stage("archived", "归档", terminal=True),
)

MEASURE_DAYS = 30
EXTENSION_DAYS = 30
EMERGENCY_HOURS = 24
NIGHT_START, NIGHT_END = 22, 6
SEAL_SEIZE = (MeasureKind.SEAL, MeasureKind.SEIZE, MeasureKind.FREEZE)
AV_KINDS = (MeasureKind.SEAL, MeasureKind.SEIZE)

BASIS_APPROVAL = (
    "依据《中华人民共和国行政强制法》第十八条第一项，实施行政强制措施“实施前须向行政机关负责人报告并经批准”；"
    "情况紧急需要当场实施的，应当在二十四小时内向行政机关负责人报告，并补办批准手续（第十九条）。"
)


FREEZE_DECISION_DAYS = 3  # 第三十一条; working days (第六十九条)
LAW_FREEZE_BODY = (
    "《中华人民共和国行政强制法》第二十九条第一款：“冻结存款、汇款应当由法律规定的行政机关实施，"
    "不得委托给其他行政机关或者组织；其他任何行政机关或者组织不得冻结存款、汇款。”"
)
LAW_FREEZE_AMOUNT = (
    "《中华人民共和国行政强制法》第二十九条第二款：“冻结存款、汇款的数额应当与违法行为涉及的金额"
    "相当；已被其他国家机关依法冻结的，不得重复冻结。”"
)
LAW_FREEZE_NOTICE = (
    "《中华人民共和国行政强制法》第三十条第一款：“行政机关依照法律规定决定实施冻结存款、汇款的，"
    "应当履行本法第十八条第一项、第二项、第三项、第七项规定的程序，并向金融机构交付冻结通知书。”"
)
LAW_FREEZE_DECISION = (
    "《中华人民共和国行政强制法》第三十一条：“依照法律规定冻结存款、汇款的，作出决定的行政机关应当"
    "在三日内向当事人交付冻结决定书。”（三日指工作日，第六十九条）"
)
LAW_FREEZE_TERM = (
    "《中华人民共和国行政强制法》第三十二条：“自冻结存款、汇款之日起三十日内，行政机关应当作出处理"
    "决定或者作出解除冻结决定；情况复杂的，经行政机关负责人批准，可以延长，但是延长期限不得超过三十日。"
    "法律另有规定的除外。……延长冻结的决定应当及时书面告知当事人，并说明理由。”"
)
LAW_FREEZE_RELEASE = (
    "《中华人民共和国行政强制法》第三十三条第二款：“行政机关作出解除冻结决定的，应当及时通知金融机构"
    "和当事人。”"
)
LAW_FREEZE_EXPIRY = (
    "《中华人民共和国行政强制法》第三十三条第三款：“行政机关逾期未作出处理决定或者解除冻结决定的，"
    "金融机构应当自冻结期满之日起解除冻结。”"
)
# A law's article: 《…法》第…条 (a 法律, not a 条例/办法/规定: only a law sets a freeze, 第十条).
_LAW_ARTICLE = re.compile(r"《([^》]+)》\s*第[一二三四五六七八九十百零〇两\d]+条")


def _measure(case) -> Measure | None:
    return case.measures.filter(released_on__isnull=True).order_by("-id").first()


def _is_freeze(ctx: Context) -> bool:
    return ctx.data.get("kind") == MeasureKind.FREEZE


def _freeze_in_force(ctx: Context) -> Measure | None:
    m = _measure(ctx.case)
    return m if m is not None and m.kind == MeasureKind.FREEZE else None


# ---------------------------------------------------------------- 强制措施


def measure_officers(ctx: Context) -> str | None:
    """Two officers, citing the coercion law's own rule beside the penalty law's."""
    return rules.check_officers(ctx.case, ctx.today, basis=rules.MEASURE_OFFICERS_BASIS)


def _freeze_data(ctx: Context) -> dict:
    d = ctx.data
    return {
        "freeze_amount": str(d["freeze_amount"]),
        "involved_amount": str(d["involved_amount"]),
        "account": d["account"],
        "legal_basis": d["legal_basis"],
    }


def apply_approve(ctx: Context) -> None:
    approval = {
        "kind": ctx.data["kind"],
        "items": ctx.data["items"],
        "reason": ctx.data["reason"],
        "days": ctx.data["days"],
        "on": ctx.today.isoformat(),
    }
    if _is_freeze(ctx):
        approval.update(_freeze_data(ctx))
    common.set_data(ctx.case, measure_approval=approval)


def days_allowed(ctx: Context) -> str | None:
    days = ctx.data.get("days")
    if days is None:
        return None
    if days < 1:
        return "期限至少为1日。"
    if ctx.data.get("kind") in SEAL_SEIZE and days > MEASURE_DAYS:
        return (
            "依据《中华人民共和国行政强制法》第二十五条第一款，“查封、扣押的期限不得超过三十日”"
            "（冻结的期限同，第三十二条）。"
        )
    return None


def freeze_lawful(ctx: Context) -> str | None:
    """冻结: a law's article as the basis, the account, the amount recorded and not above the
    amount the act involves, not frozen already by another state organ (第二十九条)."""
    if not _is_freeze(ctx):
        return None
    basis = (ctx.data.get("legal_basis") or "").strip()
    match = _LAW_ARTICLE.search(basis)
    if match is None or not match.group(1).endswith("法"):
        return (
            "冻结存款、汇款须登记授权本机关冻结的法律条文（如“《中华人民共和国××法》第×条”）；"
            "行政法规、地方性法规和其他规范性文件不能设定冻结（《中华人民共和国行政强制法》第十条）。"
            f"依据{LAW_FREEZE_BODY}"
        )
    if not (ctx.data.get("account") or "").strip():
        return "请登记冻结的金融机构名称和账号（冻结决定书应当载明冻结的账号和数额，第三十一条）。"
    amount, involved = ctx.data.get("freeze_amount"), ctx.data.get("involved_amount")
    if amount is None or amount <= 0:
        return f"请登记冻结的数额（元）：冻结必须有明确的数额。依据{LAW_FREEZE_AMOUNT}"
    if involved is None or involved <= 0:
        return f"请登记违法行为涉及的金额（元），冻结数额应当与之相当。依据{LAW_FREEZE_AMOUNT}"
    if amount > involved:
        return f"冻结数额{amount}元超过违法行为涉及的金额{involved}元。依据{LAW_FREEZE_AMOUNT}"
    if "not_frozen_elsewhere" in ctx.data and not ctx.data["not_frozen_elsewhere"]:
        return f"请先核实该存款、汇款未被其他国家机关依法冻结并勾选确认。依据{LAW_FREEZE_AMOUNT}"
    return None


def freeze_as_approved(ctx: Context) -> str | None:
    """The freeze carried out is the one the head approved: not more money."""
    approval = ctx.case.data.get("measure_approval") or {}
    if not _is_freeze(ctx) or ctx.data.get("emergency") or approval.get("kind") != "freeze":
        return None
    approved = Decimal(approval.get("freeze_amount") or "0")
    amount = ctx.data.get("freeze_amount")
    if amount is not None and amount > approved:
        return f"冻结数额{amount}元超过负责人批准的{approved}元，请重新报批。"
    return None


def bank_notice_given(ctx: Context) -> str | None:
    if _is_freeze(ctx) and "bank_notice" in ctx.data and not ctx.data["bank_notice"]:
        return f"冻结须向金融机构交付冻结通知书，请交付后再登记实施。依据{LAW_FREEZE_NOTICE}"
    return None


def approved_or_emergency(ctx: Context) -> str | None:
    approval = ctx.case.data.get("measure_approval")
    if "emergency" not in ctx.data:
        return None
    if ctx.data["emergency"]:
        if not ctx.data.get("emergency_reason"):
            return "情况紧急当场实施的，请填写紧急情况说明（行政强制法第十九条）。"
        return None
    if not approval:
        return BASIS_APPROVAL
    if ctx.data.get("kind") and approval.get("kind") != ctx.data["kind"]:
        return "实施的措施种类与负责人批准的不一致，请重新报批。"
    return None


def rights_told(ctx: Context) -> str | None:
    # A freeze is done without the party (第三十条第一款 keeps 第十八条第一、二、三、七项 only;
    # 第三十条第二款: no word to the party before the bank freezes).
    if _is_freeze(ctx):
        return None
    if "told_rights" in ctx.data and not ctx.data["told_rights"]:
        return (
            "依据《中华人民共和国行政强制法》第十八条第五项、第六项，应当当场告知当事人采取行政强制措施的理由、"
            "依据以及当事人依法享有的权利、救济途径，并听取当事人的陈述和申辩。"
        )
    return None


def av_recorded(ctx: Context) -> str | None:
    kind = ctx.data.get("kind")
    if kind in AV_KINDS and not records.has_av_record(ctx.case, ctx.case.stage):
        return (
            "查封、扣押须全程音像记录：请先在本环节上传现场录像或录音，再登记实施"
            "（《中华人民共和国行政处罚法》第四十七条，全过程记录）。"
        )
    return None


def apply_measure(ctx: Context) -> None:
    d = ctx.data
    starts = ctx.today
    ends = starts + datetime.timedelta(days=d["days"])
    measure = Measure.objects.create(
        case=ctx.case,
        kind=d["kind"],
        items=d["items"],
        starts_on=starts,
        ends_on=ends,
        emergency=d.get("emergency", False),
        reported_at=None if d.get("emergency") else ctx.now,
    )
    freeze = measure.kind == MeasureKind.FREEZE
    deadlines.open_deadline(
        ctx.case,
        "measure",
        f"{measure.get_kind_display()}期限",
        starts_on=starts,
        due_on=ends,
        basis="《中华人民共和国行政强制法》第三十二条：自冻结之日起三十日内作出处理决定或者解除冻结"
        if freeze
        else "《中华人民共和国行政强制法》第二十五条",
    )
    if freeze:
        due = deadlines.working_day_after(starts, FREEZE_DECISION_DAYS)
        common.set_data(
            ctx.case,
            freeze={**_freeze_data(ctx), "frozen_on": starts.isoformat(), "decision_due": str(due)},
        )
        deadlines.open_deadline(
            ctx.case,
            "freeze_decision",
            "向当事人交付冻结决定书",
            starts_on=starts,
            due_on=due,
            working_days=True,
            basis="《中华人民共和国行政强制法》第三十一条：三日内向当事人交付冻结决定书（第六十九条：工作日）",
        )
    if d.get("emergency"):
        common.set_data(ctx.case, emergency_at=ctx.now.isoformat())
        deadlines.open_deadline(
            ctx.case,
            "emergency_report",
            "紧急实施后向负责人报告并补办批准",
            starts_on=starts,
            due_on=timezone.localtime(ctx.now + datetime.timedelta(hours=EMERGENCY_HOURS)).date(),
            basis="《中华人民共和国行政强制法》第十九条：二十四小时内",
        )
    ctx.extra["measure"] = measure.pk


def emergency_pending(ctx: Context) -> str | None:
    m = _measure(ctx.case)
    if m is None or not m.emergency or m.reported_at is not None:
        return "没有待补办批准的紧急强制措施。"
    return None


def report_in_time(ctx: Context) -> str | None:
    at = ctx.case.data.get("emergency_at")
    if at and ctx.now > datetime.datetime.fromisoformat(at) + datetime.timedelta(
        hours=EMERGENCY_HOURS
    ):
        return (
            "已超过二十四小时报告期限。依据《中华人民共和国行政强制法》第十九条，情况紧急当场实施的，"
            "应当在二十四小时内向行政机关负责人报告，并补办批准手续；逾期不能补办，应当解除强制措施。"
        )
    return None


def apply_report(ctx: Context) -> None:
    m = _measure(ctx.case)
    m.reported_at = ctx.now
    m.save(update_fields=["reported_at"])
    deadlines.close_deadlines(ctx.case, "emergency_report")


def extendable(ctx: Context) -> str | None:
    m = _measure(ctx.case)
    if m is None or m.kind not in SEAL_SEIZE:
        return "只有查封、扣押、冻结可以延长期限。"
    article = "第三十二条" if m.kind == MeasureKind.FREEZE else "第二十五条第一款"
    what = "冻结" if m.kind == MeasureKind.FREEZE else "查封、扣押"
    if m.extended:
        return f"依据《中华人民共和国行政强制法》{article}，{what}只能延长一次，且不超过三十日。"
    if ctx.today > m.ends_on:
        return f"期限已于{m.ends_on:%Y年%m月%d日}届满，不能再延长，应当作出处理决定或者解除。"
    days = ctx.data.get("days")
    if days is not None and not 1 <= days <= EXTENSION_DAYS:
        return f"依据《中华人民共和国行政强制法》{article}，延长期限不得超过三十日。"
    return None


LAW_SEIZE_EXTENSION = (
    "《中华人民共和国行政强制法》第二十五条第一款、第二款：“查封、扣押的期限不得超过三十日；情况复杂的，"
    "经行政机关负责人批准，可以延长，但是延长期限不得超过三十日。法律、行政法规另有规定的除外。"
    "……延长查封、扣押的决定应当及时书面告知当事人，并说明理由。”"
)


def _extension_approved_on(ctx: Context) -> datetime.date:
    """The day the head approved the extension: the date given, or the day it is registered."""
    return ctx.data.get("approved_on") or ctx.today


def extension_told(ctx: Context) -> str | None:
    """An extension of 查封、扣押 (第二十五条第二款) or of a 冻结 (第三十二条) is told to the party
    in writing with its reason: the date it was told, not in the future and not before the
    head approved the extension; a freeze's extension is also told to the bank, which otherwise
    releases the money at the end of the term (第三十三条第三款)."""
    m = _measure(ctx.case)
    if m is None or m.kind not in SEAL_SEIZE or not ctx.data:
        return None
    freeze = m.kind == MeasureKind.FREEZE
    law = LAW_FREEZE_TERM if freeze else LAW_SEIZE_EXTENSION
    what = "冻结" if freeze else "查封、扣押"
    approved = _extension_approved_on(ctx)
    if approved > ctx.today:
        return "“批准延长日期”不能晚于今天。"
    if approved < m.starts_on:
        return f"“批准延长日期”不能早于{what}之日（{m.starts_on:%Y年%m月%d日}）。"
    told = ctx.data.get("told_party_on")
    if told is None:
        return f"请登记书面告知当事人延长{what}决定及理由的日期。依据{law}"
    if told > ctx.today:
        return "“书面告知当事人日期”不能晚于今天。"
    if told < approved:
        return (
            f"“书面告知当事人日期”（{told:%Y年%m月%d日}）早于负责人批准延长的日期"
            f"（{approved:%Y年%m月%d日}）：告知的是已经批准的延长决定。依据{law}"
        )
    if freeze and not ctx.data.get("bank_notified"):
        return f"请将延长冻结的决定通知金融机构并勾选确认。依据{LAW_FREEZE_EXPIRY}"
    return None


def apply_extend(ctx: Context) -> None:
    m = _measure(ctx.case)
    m.ends_on = m.ends_on + datetime.timedelta(days=ctx.data["days"])
    m.extended = True
    m.save(update_fields=["ends_on", "extended"])
    freeze = m.kind == MeasureKind.FREEZE
    deadlines.open_deadline(
        ctx.case,
        "measure",
        f"{m.get_kind_display()}期限（已延长）",
        starts_on=m.starts_on,
        due_on=m.ends_on,
        basis="《中华人民共和国行政强制法》第三十二条；延长冻结的决定应当及时书面告知当事人"
        if freeze
        else "《中华人民共和国行政强制法》第二十五条；延长查封、扣押的决定应当及时书面告知当事人，"
        "并说明理由",
    )
    extension = {
        "days": ctx.data["days"],
        "reason": ctx.data["reason"],
        "approved_on": _extension_approved_on(ctx).isoformat(),
        "told_party_on": ctx.data["told_party_on"].isoformat(),
    }
    if freeze:
        extension["bank_notified"] = bool(ctx.data.get("bank_notified"))
    common.data_list_append(ctx.case, "measure_extensions", extension)


def deliver_freeze_open(ctx: Context) -> str | None:
    m = _freeze_in_force(ctx)
    if m is None:
        return "本案没有实施中的冻结措施。"
    if (ctx.case.data.get("freeze") or {}).get("decision_delivered_on"):
        return "冻结决定书已登记交付。"
    return None


def freeze_delivered_after_freeze(ctx: Context) -> str | None:
    m = _freeze_in_force(ctx)
    on = ctx.data.get("delivered_on")
    if m is not None and on is not None and on < m.starts_on:
        return f"“交付日期”不能早于冻结之日（{m.starts_on:%Y年%m月%d日}）。"
    return None


def apply_deliver_freeze(ctx: Context) -> None:
    freeze = dict(ctx.case.data.get("freeze") or {})
    on = ctx.data["delivered_on"]
    late = bool(freeze.get("decision_due")) and on > datetime.date.fromisoformat(
        freeze["decision_due"]
    )
    freeze.update(
        decision_delivered_on=on.isoformat(),
        decision_number=ctx.data["document_number"],
        delivered_late=late,
    )
    common.set_data(ctx.case, freeze=freeze)
    deadlines.close_deadlines(ctx.case, "freeze_decision")
    ctx.extra["late"] = late


def freeze_decision_delivered(ctx: Context) -> str | None:
    """No 处理决定 on a freeze whose 冻结决定书 the party has not received (第三十一条)."""
    if _freeze_in_force(ctx) is None:
        return None
    if not (ctx.case.data.get("freeze") or {}).get("decision_delivered_on"):
        return f"冻结决定书尚未登记交付当事人，请先登记交付。依据{LAW_FREEZE_DECISION}"
    return None


def outcome_fits_measure(ctx: Context) -> str | None:
    outcome = ctx.data.get("outcome")
    if not outcome:
        return None
    freeze = _freeze_in_force(ctx) is not None
    if freeze and outcome in ("confiscate", "destroy"):
        return (
            "冻结的存款、汇款只能依法划拨或者解除冻结"
            "（《中华人民共和国行政强制法》第三十二条、第四十七条）。"
        )
    if not freeze and outcome == "transfer_funds":
        return "划拨存款、汇款只适用于冻结措施（《中华人民共和国行政强制法》第四十七条）。"
    if freeze and outcome == "release" and "told_bank_and_party" in ctx.data:
        if not ctx.data["told_bank_and_party"]:
            return f"请将解除冻结的决定通知金融机构和当事人并勾选确认。依据{LAW_FREEZE_RELEASE}"
    return None


def emergency_reported_unless_release(ctx: Context) -> str | None:
    m = _measure(ctx.case)
    outcome = ctx.data.get("outcome")
    if m and m.emergency and m.reported_at is None and outcome and outcome != "release":
        return "紧急实施的强制措施尚未补办批准手续，只能解除（行政强制法第十九条）。"
    return None


def decided_within_term(ctx: Context) -> str | None:
    """Confiscation or destruction only within the term (第二十七条); once it has passed the
    seized things must be released (第二十八条第一款第四项)."""
    m = _measure(ctx.case)
    outcome = ctx.data.get("outcome")
    if m is None or m.kind not in SEAL_SEIZE:
        return None
    if not outcome or outcome == "release":
        return None
    if m.ends_on and ctx.today > m.ends_on and m.kind == MeasureKind.FREEZE:
        return (
            f"冻结期限已于{m.ends_on:%Y年%m月%d日}届满，只能作出解除冻结决定（《中华人民共和国行政强制法》"
            f"第三十三条第一款第四项）。依据{LAW_FREEZE_TERM}"
        )
    if m.ends_on and ctx.today > m.ends_on:
        return (
            f"{m.get_kind_display()}期限已于{m.ends_on:%Y年%m月%d日}届满，只能作出解除决定。"
            "依据《中华人民共和国行政强制法》第二十七条，“行政机关采取查封、扣押措施后，应当及时查清事实，"
            "在本法第二十五条规定的期限内作出处理决定”；期限届满的，依第二十八条应当及时解除。"
        )
    return None


def apply_dispose(ctx: Context) -> None:
    m = _measure(ctx.case)
    if m is not None:
        m.released_on = ctx.today
        m.save(update_fields=["released_on"])
    common.set_data(
        ctx.case, measure_outcome={"outcome": ctx.data["outcome"], "note": ctx.data.get("note")}
    )
    deadlines.close_deadlines(ctx.case, "measure", "emergency_report")
    if m is not None and m.kind == MeasureKind.FREEZE:
        freeze = dict(ctx.case.data.get("freeze") or {})
        freeze.update(outcome=ctx.data["outcome"], decided_on=ctx.today.isoformat())
        if ctx.data.get("told_bank_and_party"):
            freeze["release_told"] = True
        common.set_data(ctx.case, freeze=freeze)


# ---------------------------------------------------------------- 强制执行


def perform_after_served(ctx: Context) -> str | None:
    served, by = ctx.data.get("served_on"), ctx.data.get("perform_by")
    if served and by and by <= served:
        return "催告书载明的履行期限应当晚于催告书送达日期（行政强制法第三十五条）。"
    return None


def apply_urge(ctx: Context) -> None:
    d = ctx.data
    common.set_data(
        ctx.case,
        urge={
            "served_on": d["served_on"].isoformat(),
            "perform_by": d["perform_by"].isoformat(),
            "manner": d["manner"],
            "amount": str(d["amount"]) if d.get("amount") is not None else "",
        },
    )
    deadlines.open_deadline(
        ctx.case,
        "performance",
        "催告履行期限",
        starts_on=d["served_on"],
        due_on=d["perform_by"],
        basis="《中华人民共和国行政强制法》第三十五条",
    )


def apply_hear(ctx: Context) -> None:
    common.set_data(
        ctx.case,
        party_heard={
            "heard_on": ctx.data["heard_on"].isoformat(),
            "statement": ctx.data["statement"],
            "review": ctx.data["review"],
        },
    )


def urge_period_over(ctx: Context) -> str | None:
    if ctx.data.get("immediate"):
        if not ctx.data.get("immediate_reason"):
            return "立即强制执行须写明有证据证明有转移或者隐匿财物迹象的情况（第三十七条第三款）。"
        return None
    urge = ctx.case.data.get("urge") or {}
    if urge and ctx.today <= datetime.date.fromisoformat(urge["perform_by"]):
        return (
            f"催告的履行期限至{urge['perform_by']}届满。依据《中华人民共和国行政强制法》第三十七条第一款，"
            "“经催告，当事人逾期仍不履行行政决定，且无正当理由的，行政机关可以作出强制执行决定”。"
        )
    return None


def announced_before_demolition(ctx: Context) -> str | None:
    if ctx.data.get("demolition") and not ctx.data.get("announced_on"):
        return (
            "依据《中华人民共和国行政强制法》第四十四条，对违法的建筑物、构筑物、设施等需要强制拆除的，"
            "应当由行政机关予以公告，限期当事人自行拆除。请先登记公告日期。"
        )
    if (
        ctx.data.get("demolition")
        and "remedy_expired" in ctx.data
        and not ctx.data["remedy_expired"]
    ):
        return (
            "依据《中华人民共和国行政强制法》第四十四条，当事人在法定期限内不申请行政复议或者提起行政诉讼，"
            "又不拆除的，行政机关才可以依法强制拆除。"
        )
    return None


def apply_decide_execution(ctx: Context) -> None:
    c = ctx.case
    c.decided_on = ctx.today
    c.decision_number = case_number(c.organization, DECISION_KINDS[c.procedure], ctx.today.year)
    common.set_data(
        c,
        demolition=ctx.data.get("demolition", False),
        execution_decision={
            "method": ctx.data["method"],
            "reasons": ctx.data["reasons"],
            "announced_on": ctx.data["announced_on"].isoformat()
            if ctx.data.get("announced_on")
            else "",
            "immediate": ctx.data.get("immediate", False),
        },
    )
    deadlines.close_deadlines(c, "performance")
    ctx.extra["decision_number"] = c.decision_number


def not_at_night_or_holiday(ctx: Context) -> str | None:
    at = ctx.data.get("executed_at")
    if at is None or ctx.data.get("emergency_reason"):
        return None
    local = timezone.localtime(at)
    if local.hour >= NIGHT_START or local.hour < NIGHT_END:
        when = "夜间（22时至次日6时）"
    else:
        day = is_working_day(local.date())
        if day.working:
            return None
        when = f"非工作日（{day.reason}）"
    return (
        "依据《中华人民共和国行政强制法》第四十三条第一款，"
        "“行政机关不得在夜间或者法定节假日实施行政强制执行。"
        f"但是，情况紧急的除外”。{local:%Y年%m月%d日 %H:%M}属于{when}；"
        "确属情况紧急的，请记录紧急事由。"
    )


def executed_not_future(ctx: Context) -> str | None:
    at = ctx.data.get("executed_at")
    if at is not None and at > ctx.now + datetime.timedelta(minutes=5):
        return "“实施时间”不能晚于现在。"
    return None


def av_for_demolition(ctx: Context) -> str | None:
    if ctx.case.data.get("demolition") and not records.has_av_record(ctx.case, ctx.case.stage):
        return "强制拆除须全程音像记录：请先在本环节上传现场录像或录音，再登记实施。"
    return None


def apply_execute(ctx: Context) -> None:
    common.set_data(
        ctx.case,
        execution={
            "executed_at": ctx.data["executed_at"].isoformat(),
            "emergency_reason": ctx.data.get("emergency_reason", ""),
            "note": ctx.data.get("note", ""),
        },
    )


def apply_close(ctx: Context) -> None:
    common.close(ctx)


MEASURE_FIELDS = (
    FieldSpec("kind", "措施种类", "choice", choices=tuple(MeasureKind.choices)),
    FieldSpec("items", "场所、设施或者财物清单", "textarea"),
    FieldSpec("days", "期限（日）", "int"),
    FieldSpec(
        "legal_basis",
        "冻结的法律依据（法律条文，如《中华人民共和国××法》第×条；冻结时必填，第二十九条）",
        "text",
        required=False,
    ),
    FieldSpec("account", "金融机构名称和账号（冻结时必填）", "text", required=False),
    FieldSpec("freeze_amount", "冻结数额（元）（冻结时必填）", "decimal", required=False),
    FieldSpec(
        "involved_amount", "违法行为涉及的金额（元）（冻结时必填）", "decimal", required=False
    ),
    FieldSpec(
        "not_frozen_elsewhere",
        "已核实未被其他国家机关依法冻结（冻结时勾选，第二十九条第二款）",
        "bool",
        required=False,
    ),
)

TRANSITIONS = (
    Transition(
        "approve_measure",
        "负责人批准实施强制措施",
        ("registered",),
        None,
        APPROVERS,
        guards=(days_allowed, freeze_lawful),
        apply=apply_approve,
        form_fields=(*MEASURE_FIELDS, FieldSpec("reason", "理由和依据", "textarea")),
    ),
    Transition(
        "apply_measure",
        "实施强制措施",
        ("registered",),
        "measure_in_force",
        HANDLERS,
        guards=(
            measure_officers,
            approved_or_emergency,
            days_allowed,
            freeze_lawful,
            freeze_as_approved,
            bank_notice_given,
            rights_told,
            av_recorded,
        ),
        apply=apply_measure,
        form_fields=(
            *MEASURE_FIELDS,
            FieldSpec("emergency", "情况紧急，当场实施（二十四小时内报告）", "bool", False),
            FieldSpec("emergency_reason", "紧急情况说明", "textarea", required=False),
            FieldSpec(
                "told_rights",
                "已告知理由、依据、权利和救济途径并听取陈述申辩（冻结除外，第三十条）",
                "bool",
            ),
            FieldSpec(
                "bank_notice", "已向金融机构交付冻结通知书（冻结时勾选，第三十条）", "bool", False
            ),
        ),
        help="行政强制法第十八条：两名以上执法人员实施，出示证件，通知当事人到场，制作现场笔录。",
    ),
    Transition(
        "report_emergency",
        "负责人补办批准（紧急实施）",
        ("measure_in_force",),
        None,
        APPROVERS,
        guards=(emergency_pending, report_in_time),
        apply=apply_report,
        form_fields=(FieldSpec("opinion", "负责人意见", "textarea"),),
    ),
    Transition(
        "deliver_freeze_decision",
        "向当事人交付冻结决定书",
        ("measure_in_force",),
        None,
        HANDLERS,
        guards=(
            deliver_freeze_open,
            common.not_future("delivered_on", "交付日期"),
            freeze_delivered_after_freeze,
        ),
        apply=apply_deliver_freeze,
        form_fields=(
            FieldSpec("delivered_on", "交付日期", "date"),
            FieldSpec("document_number", "冻结决定书文号", "text"),
        ),
        help="行政强制法第三十一条：冻结后三日内（工作日）向当事人交付冻结决定书，载明理由、依据、期限、账号和数额、救济途径。",
    ),
    Transition(
        "extend_measure",
        "批准延长查封、扣押、冻结期限",
        ("measure_in_force",),
        None,
        APPROVERS,
        guards=(extendable, extension_told),
        apply=apply_extend,
        help="行政强制法第二十五条第二款、第三十二条：延长查封、扣押、冻结的决定应当及时书面告知当事人，"
        "并说明理由；延长冻结的，同时通知金融机构。",
        form_fields=(
            FieldSpec("days", "延长天数（不超过30日）", "int"),
            FieldSpec("reason", "情况复杂的理由（书面告知当事人）", "textarea"),
            FieldSpec("approved_on", "负责人批准延长日期（不填为今天）", "date", required=False),
            FieldSpec(
                "told_party_on",
                "书面告知当事人延长决定和理由的日期（必填，第二十五条第二款、第三十二条）",
                "date",
                required=False,
            ),
            FieldSpec(
                "bank_notified", "已将延长冻结的决定通知金融机构（延长冻结时勾选）", "bool", False
            ),
        ),
    ),
    Transition(
        "dispose_measure",
        "作出处理决定（没收、销毁或解除）",
        ("measure_in_force",),
        "measure_ended",
        APPROVERS,
        guards=(
            emergency_reported_unless_release,
            freeze_decision_delivered,
            outcome_fits_measure,
            decided_within_term,
        ),
        apply=apply_dispose,
        form_fields=(
            FieldSpec(
                "outcome",
                "处理决定",
                "choice",
                choices=(
                    ("release", "解除"),
                    ("confiscate", "依法没收"),
                    ("destroy", "依法销毁"),
                    ("transfer_funds", "依法划拨冻结的存款、汇款"),
                ),
            ),
            FieldSpec(
                "told_bank_and_party",
                "已将解除冻结的决定通知金融机构和当事人（解除冻结时勾选，第三十三条第二款）",
                "bool",
                required=False,
            ),
            FieldSpec("note", "说明", "textarea", required=False),
        ),
        help="行政强制法第二十七条。",
    ),
    Transition(
        "urge",
        "送达催告书",
        ("registered", "measure_ended"),
        "urged",
        HANDLERS,
        guards=(common.not_future("served_on", "催告书送达日期"), perform_after_served),
        apply=apply_urge,
        form_fields=(
            FieldSpec("served_on", "催告书送达日期", "date"),
            FieldSpec("perform_by", "履行义务的期限", "date"),
            FieldSpec("manner", "履行义务的方式", "textarea"),
            FieldSpec("amount", "金钱给付金额（元）", "decimal", required=False),
        ),
        help="行政强制法第三十五条：催告应当以书面形式作出。",
    ),
    Transition(
        "hear_party",
        "听取当事人陈述申辩并复核",
        ("urged",),
        "heard",
        HANDLERS,
        guards=(common.not_future("heard_on", "听取日期"),),
        apply=apply_hear,
        form_fields=(
            FieldSpec("heard_on", "听取日期", "date"),
            FieldSpec("statement", "当事人陈述申辩（未提出的写明）", "textarea"),
            FieldSpec("review", "记录与复核意见", "textarea"),
        ),
        help="行政强制法第三十六条。",
    ),
    Transition(
        "decide_execution",
        "作出强制执行决定",
        ("heard",),
        "execution_decided",
        APPROVERS,
        guards=(urge_period_over, announced_before_demolition),
        apply=apply_decide_execution,
        form_fields=(
            FieldSpec("method", "强制执行的方式和时间", "textarea"),
            FieldSpec("reasons", "强制执行的理由和依据", "textarea"),
            FieldSpec("immediate", "立即强制执行（有转移或隐匿财物迹象）", "bool", False),
            FieldSpec("immediate_reason", "转移或隐匿财物迹象的证据", "textarea", False),
            FieldSpec("demolition", "强制拆除", "bool", required=False),
            FieldSpec("announced_on", "强制拆除公告日期", "date", required=False),
            FieldSpec("remedy_expired", "复议、诉讼期限已届满且当事人未申请", "bool", False),
        ),
        decides=True,
    ),
    Transition(
        "execute",
        "实施强制执行",
        ("execution_decided",),
        "executed",
        HANDLERS,
        guards=(common.officers, executed_not_future, not_at_night_or_holiday, av_for_demolition),
        apply=apply_execute,
        form_fields=(
            FieldSpec("executed_at", "实施时间", "datetime"),
            FieldSpec(
                "emergency_reason", "情况紧急的事由（夜间或节假日实施时）", "textarea", False
            ),
            FieldSpec("note", "执行情况", "textarea", required=False),
        ),
    ),
    Transition(
        "close", "结案", ("measure_ended", "executed"), "closed", APPROVERS, apply=apply_close
    ),
    Transition("archive", "立卷归档", ("closed",), "archived", HANDLERS, apply=apply_archive),
)

PROCEDURE = register(
    Procedure(
        "coercion",
        "行政强制",
        "coercion",
        STAGES,
        TRANSITIONS,
        matter_categories=("coercion",),
    )
)
