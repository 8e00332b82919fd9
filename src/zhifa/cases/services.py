"""Case services: the one way cases change. Each function checks the actor's role, applies the
change and appends the ledger entry in one transaction; a refusal changes nothing.

* ``register_case(actor, *, organization, unit, matter, procedure, title, source, parties,
  officer_ids, ...) -> Case``: the case in the first stage of its procedure.
* ``perform(actor, case, action, data, *, expected_stage=None) -> Case``: the ONE way to move a
  case along its stage graph (``procedures/``). Refuses with ``CaseActionRefused`` (a
  ValidationError with a Chinese message) when the action is not allowed in this stage, the
  actor lacks the role or is recused, a guard (a rule of law) fails, or the stage changed since
  the form was shown (``expected_stage``). Writes a ``Step`` row and one ledger entry of type
  ``cases.transition`` (payload: action, from, to, data), with the case row locked.
* ``allowed_actions(actor, case) -> list[ActionState]``: every transition out of the current
  stage, allowed or not, with the reason (for the case page) and the form fields.
* ``add_party``, ``assign_officer``, ``declare_conflict`` (回避, decided by a head,
  行政处罚法第四十三条), ``extend_decision_deadline`` (approved by a head).

``today``/``now`` keyword arguments exist for the demo loader and tests (cases told in the
past); views and the API never pass them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from zhifa.core.models import Organization, User
from zhifa.exchange.actors import Actor, acting_role, ledger_actor
from zhifa.exchange.models import ApiClient
from zhifa.ledger.services import actor_label, record
from zhifa.powers.models import ListStatus, Matter, PowerList
from zhifa.registry.models import Officer

from . import deadlines, gates, rules
from .models import Case, CaseOfficer, Party, Source, Step
from .numbering import CASE_KINDS, case_number
from .procedures import PROCEDURES
from .procedures.base import APPROVERS, HANDLERS, Context, FieldSpec, Transition

__all__ = [
    "EVENTS",
    "ActionState",
    "CaseActionRefused",
    "add_party",
    "allowed_actions",
    "assign_officer",
    "declare_conflict",
    "extend_decision_deadline",
    "matter_in_force",
    "perform",
    "register_case",
]

EVENTS = {
    "cases.registered": "登记案件",
    "cases.transition": "办案环节",
    "cases.party_added": "增加当事人",
    "cases.officer_assigned": "指派承办人员",
    "cases.conflict_declared": "执法人员回避",
    "cases.deadline_extended": "延长办案期限",
}

STALE = "案件状态已变化，请刷新后重试。"
ROLE_LABELS = {"officer": "执法人员", "unit_head": "执法机构负责人", "body_head": "主要负责人"}
MAX_TEXT = 5000


class CaseActionRefused(ValidationError):
    """A case action refused, with the Chinese reason (``.message``)."""


@dataclass(frozen=True)
class ActionState:
    action: str
    label: str
    allowed: bool
    reason: str | None
    fields: tuple[FieldSpec, ...]
    target: str | None = None
    help: str = ""


def _now_today(today: datetime.date | None, now: datetime.datetime | None):
    now = now or timezone.now()
    if today is None:
        today = timezone.localdate(now) if now is not None else timezone.localdate()
    return today, now


def _perm_for(roles: tuple[str, ...]) -> str:
    return "cases.approve" if set(roles) <= set(APPROVERS) else "cases.handle"


def _roles_text(roles: tuple[str, ...]) -> str:
    return "或".join(ROLE_LABELS.get(r, r) for r in roles)


API_SCOPE = "cases.write"


def _role(actor: Any, case: Case, roles: tuple[str, ...]) -> str:
    """The role the actor acts in on the case's handling unit (a membership on the body covers
    its units), or CaseActionRefused. An API client (another government system, token scope
    ``cases.write``) acts inside its organisation's subtree, but never approves: approvals are
    a head's own act."""
    target = case.unit or case.organization
    refusal = f"此操作须由本案承办单位的{_roles_text(roles)}执行。"
    if isinstance(actor, ApiClient) and set(roles) <= set(APPROVERS):
        raise CaseActionRefused(f"{refusal}接口调用不能代替负责人审批。")
    try:
        return acting_role(actor, target, _perm_for(roles), roles, refusal, scope=API_SCOPE)
    except PermissionDenied as e:
        # A client is told what its token lacks; a person, who should act.
        client = isinstance(actor, ApiClient) and e.args
        raise CaseActionRefused(str(e.args[0]) if client else refusal) from None


def _officer_of(actor: Actor) -> Officer | None:
    if actor is None or not isinstance(actor, User):
        return None
    return Officer.objects.filter(user=actor).first()


def _actor_problem(actor: Actor, case: Case, role: str) -> str | None:
    """An officer acts only on cases they are assigned to; nobody recused acts at all."""
    officer = _officer_of(actor)
    row = None
    if officer is not None:
        row = CaseOfficer.objects.filter(case=case, officer=officer).first()
    if row is not None and row.recused:
        return (
            f"您已在本案回避（{row.recusal_reason}），不能再参与本案的任何办案活动"
            "（《中华人民共和国行政处罚法》第四十三条）。"
        )
    if role == "officer" and (row is None):
        return "您不是本案的承办人员，不能执行此操作。"
    return None


# ---------------------------------------------------------------- form data


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "on", "yes", "是"}
    return bool(value)


def _clean_value(spec: FieldSpec, value: Any) -> Any:
    label = spec.label
    if spec.kind in ("text", "textarea"):
        text = str(value).strip()
        if len(text) > (MAX_TEXT if spec.kind == "textarea" else 300):
            raise CaseActionRefused(f"“{label}”过长。")
        return text
    if spec.kind == "date":
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            parsed = parse_date(str(value).strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise CaseActionRefused(f"“{label}”不是有效日期（格式：2026-03-02）。")
        return parsed
    if spec.kind == "datetime":
        if isinstance(value, datetime.datetime):
            parsed_dt = value
        else:
            try:
                parsed_dt = parse_datetime(str(value).strip().replace(" ", "T"))
            except ValueError:
                parsed_dt = None
            if parsed_dt is None:
                raise CaseActionRefused(f"“{label}”不是有效时间（格式：2026-03-02 14:30）。")
        if timezone.is_naive(parsed_dt):
            parsed_dt = timezone.make_aware(parsed_dt)
        return parsed_dt
    if spec.kind == "decimal":
        try:
            return rules.money(value, label)
        except ValidationError as e:
            raise CaseActionRefused(e.messages[0]) from None
    if spec.kind == "int":
        try:
            return int(str(value).strip())
        except ValueError:
            raise CaseActionRefused(f"“{label}”应为整数。") from None
    if spec.kind == "bool":
        return _bool(value)
    if spec.kind == "choice":
        value = str(value).strip()
        if value not in {c for c, _ in spec.choices}:
            raise CaseActionRefused(f"“{label}”的选项无效。")
        return value
    if spec.kind in ("multichoice", "officers"):
        items = value if isinstance(value, list | tuple) else [value]
        if spec.kind == "officers":
            try:
                return [int(v) for v in items if str(v).strip()]
            except ValueError:
                raise CaseActionRefused(f"“{label}”无效。") from None
        allowed = {c for c, _ in spec.choices}
        out = [str(v) for v in items if str(v).strip()]
        if any(v not in allowed for v in out):
            raise CaseActionRefused(f"“{label}”的选项无效。")
        return out
    raise CaseActionRefused(f"“{label}”无效。")


def clean_form(transition: Transition, data: dict[str, Any]) -> dict[str, Any]:
    """The action's data, typed per its FieldSpecs; unknown keys are dropped."""
    cleaned: dict[str, Any] = {}
    for spec in transition.form_fields:
        value = data.get(spec.name)
        empty = value is None or (isinstance(value, str) and not value.strip())
        empty = empty or (isinstance(value, list | tuple) and not value)
        if empty:
            if spec.kind == "bool":
                cleaned[spec.name] = False
                continue
            if spec.required:
                raise CaseActionRefused(f"请填写“{spec.label}”。")
            continue
        cleaned[spec.name] = _clean_value(spec, value)
    return cleaned


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# ---------------------------------------------------------------- perform


def _refuse_reason(ctx: Context, transition: Transition) -> str | None:
    for guard in transition.guards:
        reason = guard(ctx)
        if reason:
            return reason
    if transition.decides:
        return gates.run_decision_gates(ctx.case)
    return None


def _step(actor, role: str, case: Case, action: str, from_stage: str, payload: dict, now) -> Step:
    entry = record(
        actor=ledger_actor(actor),
        role=role,
        organization=case.organization,
        subject=case.subject,
        event_type="cases.transition",
        payload=payload,
    )
    user, label = actor_label(ledger_actor(actor))
    return Step.objects.create(
        case=case,
        action=action,
        from_stage=from_stage,
        to_stage=case.stage,
        actor=user,
        actor_label=label if user is None else "",
        role=role,
        at=now,
        data=payload,
        ledger_seq=entry.seq,
    )


def perform(
    actor: Actor,
    case: Case,
    action: str,
    data: dict[str, Any] | None = None,
    *,
    expected_stage: str | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    today, now = _now_today(today, now)
    data = data or {}
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("organization__region", "unit", "matter")
            .filter(pk=case.pk)
            .first()
        )
        if locked is None:
            raise CaseActionRefused("案件不存在。")
        case = locked
        procedure = PROCEDURES[case.procedure]
        if expected_stage is not None and expected_stage != case.stage:
            raise CaseActionRefused(STALE)
        transition = procedure.transition(case.stage, action)
        if transition is None:
            label = next((t.label for t in procedure.transitions if t.action == action), action)
            raise CaseActionRefused(
                f"案件当前环节为“{procedure.stage_label(case.stage)}”，不能执行“{label}”。"
            )
        role = _role(actor, case, transition.roles)
        problem = _actor_problem(actor, case, role)
        if problem:
            raise CaseActionRefused(problem)
        ctx = Context(case, actor, role, clean_form(transition, data), today, now, transition)
        reason = _refuse_reason(ctx, transition)
        if reason:
            raise CaseActionRefused(reason)
        from_stage = case.stage
        try:
            if transition.apply is not None:
                transition.apply(ctx)
        except CaseActionRefused:
            raise
        except ValidationError as e:
            raise CaseActionRefused(e.messages[0]) from None
        if transition.target:
            case.stage = transition.target
        case.updated_at = now
        case.save()
        payload = {
            "action": action,
            "label": transition.label,
            "from": from_stage,
            "to": case.stage,
            "data": jsonable(ctx.data),
        }
        if ctx.extra:
            payload["result"] = jsonable(ctx.extra)
        _step(actor, role, case, action, from_stage, payload, now)
        if transition.decides:
            gates.run_after_decision(case, actor)
    return case


def allowed_actions(
    actor: Actor, case: Case, *, today: datetime.date | None = None
) -> list[ActionState]:
    """Every transition out of the current stage, with whether this actor may do it now and,
    if not, why. Guards that need the form's data are only checked on submission."""
    today, now = _now_today(today, None)
    procedure = PROCEDURES[case.procedure]
    states = []
    for t in procedure.transitions_from(case.stage):
        reason = None
        try:
            role = _role(actor, case, t.roles)
            reason = _actor_problem(actor, case, role)
        except CaseActionRefused as e:
            role, reason = "", e.messages[0]
        if reason is None:
            reason = _refuse_reason(Context(case, actor, role, {}, today, now, t), t)
        states.append(
            ActionState(t.action, t.label, reason is None, reason, t.form_fields, t.target, t.help)
        )
    return states


# ---------------------------------------------------------------- registration


def matter_in_force(organization: Organization, today: datetime.date) -> PowerList | None:
    """The body's power list in force: the latest published version of the latest year not
    after this one."""
    return (
        PowerList.objects.filter(
            organization=organization, status=ListStatus.PUBLISHED, year__lte=today.year
        )
        .order_by("-year", "-version")
        .first()
    )


def _check_matter(organization: Organization, matter: Matter, procedure, today) -> None:
    plist = matter_in_force(organization, today)
    if plist is None:
        raise CaseActionRefused(
            "本执法主体尚无已发布的权责清单，不能登记案件：每一件案件都必须对应权责清单中的事项。"
        )
    if matter.power_list_id != plist.pk:
        raise CaseActionRefused(
            f"所选事项不在本执法主体现行的权责清单（{plist}）中，不能以此事项登记案件。"
        )
    if matter.category not in procedure.matter_categories:
        raise CaseActionRefused(
            f"事项“{matter.name}”属于“{matter.get_category_display()}”，"
            f"不能适用“{procedure.label}”。"
        )
    if procedure.code == "inspection" and not matter.on_inspection_list:
        raise CaseActionRefused(
            f"事项“{matter.name}”未列入本执法主体公布的行政检查事项清单，不得实施检查。"
        )


def _check_date(value, label: str, today: datetime.date) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        parsed = parse_date(value)
        if parsed is None:
            raise CaseActionRefused(f"“{label}”不是有效日期。")
        value = parsed
    if value > today:
        raise CaseActionRefused(f"“{label}”不能晚于今天。")
    return value


def _clean_officer(case_org: Organization, officer_id: Any, case: Case | None, today) -> Officer:
    officer = (
        Officer.objects.select_related("body").filter(pk=officer_id).first()
        if str(officer_id).isdigit()
        else None
    )
    if officer is None or officer.body.organization_id != case_org.pk:
        raise CaseActionRefused("所选执法人员不存在或不属于本执法主体。")
    if case is not None:
        problem = rules.officer_problem(officer, case, today)
        if problem:
            raise CaseActionRefused(f"不能指派：{problem}。")
    return officer


def register_case(
    actor: Actor,
    *,
    organization: Organization,
    unit: Organization | None,
    matter: Matter,
    procedure: str,
    title: str,
    source: str,
    parties: list[dict],
    officer_ids: list[int],
    summary: str = "",
    place: str = "",
    occurred_on: datetime.date | None = None,
    discovered_on: datetime.date | None = None,
    act_continuing_until: datetime.date | None = None,
    data: dict | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    today, now = _now_today(today, now)
    proc = PROCEDURES.get(procedure)
    if proc is None:
        raise CaseActionRefused("未知的办案程序。")
    if not organization.is_enforcement_body:
        raise CaseActionRefused(f"{organization.name}不是行政执法主体，不能以其名义办案。")
    if unit is not None and not unit.path.startswith(organization.path):
        raise CaseActionRefused("承办机构必须是本执法主体的内设机构。")
    title = (title or "").strip()
    if not title:
        raise CaseActionRefused("请填写案由。")
    if len(title) > 300:
        raise CaseActionRefused("案由过长，请不超过300字。")
    if source not in Source.values:
        raise CaseActionRefused("请选择案件来源。")
    if not parties:
        raise CaseActionRefused("请至少填写一名当事人。")
    if not officer_ids:
        raise CaseActionRefused("请至少指派一名承办人员。")
    if len(set(map(str, officer_ids))) != len(officer_ids):
        raise CaseActionRefused("承办人员重复。")
    occurred_on = _check_date(occurred_on, "违法行为发生日期", today)
    discovered_on = _check_date(discovered_on, "发现日期", today)
    act_continuing_until = _check_date(act_continuing_until, "连续或继续状态终了日", today)
    if occurred_on and discovered_on and discovered_on < occurred_on:
        raise CaseActionRefused("发现日期不能早于违法行为发生日期。")
    if occurred_on and act_continuing_until and act_continuing_until < occurred_on:
        raise CaseActionRefused("连续或继续状态终了日不能早于违法行为发生日期。")
    try:
        cleaned_parties = [rules.clean_party(p, today) for p in parties]
    except ValidationError as e:
        raise CaseActionRefused(e.messages[0]) from None
    with transaction.atomic():
        probe = Case(organization=organization, unit=unit, matter=matter, procedure=procedure)
        role = _role(actor, probe, HANDLERS)
        _check_matter(organization, matter, proc, today)
        officers = [_clean_officer(organization, oid, probe, today) for oid in officer_ids]
        number = case_number(organization, CASE_KINDS[procedure], today.year)
        case = Case.objects.create(
            organization=organization,
            unit=unit,
            matter=matter,
            category=proc.category,
            procedure=procedure,
            stage=proc.first_stage.code,
            number=number,
            title=title,
            search_text=Case.search_text_of(number, title, [p["name"] for p in cleaned_parties]),
            source=source,
            summary=(summary or "").strip()[:MAX_TEXT],
            place=(place or "").strip()[:300],
            occurred_on=occurred_on,
            act_continuing_until=act_continuing_until,
            discovered_on=discovered_on,
            data=jsonable(data or {}),
            created_by=actor if isinstance(actor, User) else None,
            created_at=now,
            updated_at=now,
        )
        for seq, p in enumerate(cleaned_parties, start=1):
            Party.objects.create(case=case, seq=seq, **p)
        for i, officer in enumerate(officers):
            CaseOfficer.objects.create(case=case, officer=officer, lead=i == 0, assigned_at=now)
        if proc.on_register is not None:
            proc.on_register(case, today)
            case.save()
        record(
            actor=ledger_actor(actor),
            role=role,
            organization=organization,
            subject=case.subject,
            event_type="cases.registered",
            payload={
                "number": case.number,
                "procedure": procedure,
                "stage": case.stage,
                "matter": matter.code,
                "title": title,
                "parties": [{"kind": p["kind"], "name": p["name"]} for p in cleaned_parties],
                "officers": [o.pk for o in officers],
                "minors": [p["name"] for p in cleaned_parties if p["is_minor"]],
            },
        )
    return case


# ---------------------------------------------------------------- parties and officers


def _open_case(case: Case) -> Case:
    locked = Case.objects.select_for_update(of=("self",)).select_related(
        "organization", "unit", "matter"
    )
    case = locked.get(pk=case.pk)
    if PROCEDURES[case.procedure].stage(case.stage).terminal or case.closed_on:
        raise CaseActionRefused("案件已结案，不能再变更。")
    return case


def add_party(actor: Actor, case: Case, party: dict[str, Any]) -> Party:
    today = timezone.localdate()
    try:
        cleaned = rules.clean_party(party, today)
    except ValidationError as e:
        raise CaseActionRefused(e.messages[0]) from None
    with transaction.atomic():
        case = _open_case(case)
        role = _role(actor, case, HANDLERS)
        problem = _actor_problem(actor, case, role)
        if problem:
            raise CaseActionRefused(problem)
        if case.decided_on:
            raise CaseActionRefused("案件已作出决定，不能再增加当事人。")
        if cleaned["id_number"] and case.parties.filter(id_number=cleaned["id_number"]).exists():
            raise CaseActionRefused("该当事人已在本案中。")
        seq = (case.parties.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
        row = Party.objects.create(case=case, seq=seq, **cleaned)
        case.search_text = f"{case.search_text}\n{row.name}"
        case.save(update_fields=["search_text"])
        record(
            actor=ledger_actor(actor),
            role=role,
            organization=case.organization,
            subject=case.subject,
            event_type="cases.party_added",
            payload={"party": row.pk, "kind": row.kind, "name": row.name},
        )
    return row


def assign_officer(
    actor: Actor, case: Case, officer: Officer, *, lead: bool = False
) -> CaseOfficer:
    today = timezone.localdate()
    with transaction.atomic():
        case = _open_case(case)
        role = _role(actor, case, APPROVERS)
        problem = _actor_problem(actor, case, role)
        if problem:
            raise CaseActionRefused(problem)
        officer = _clean_officer(case.organization, officer.pk, case, today)
        existing = CaseOfficer.objects.filter(case=case, officer=officer).first()
        if existing is not None:
            if existing.recused:
                raise CaseActionRefused(f"{officer.name}已在本案回避，不能再次指派。")
            raise CaseActionRefused(f"{officer.name}已是本案承办人员。")
        if lead:
            CaseOfficer.objects.filter(case=case, lead=True).update(lead=False)
        row = CaseOfficer.objects.create(case=case, officer=officer, lead=lead)
        record(
            actor=ledger_actor(actor),
            role=role,
            organization=case.organization,
            subject=case.subject,
            event_type="cases.officer_assigned",
            payload={"officer": officer.pk, "name": officer.name, "lead": lead},
        )
    return row


def declare_conflict(
    actor: Actor, case: Case, officer: Officer, reason: str, *, applied_by: str = ""
) -> CaseOfficer:
    """回避: the head's decision (行政处罚法第四十三条) that the officer withdraws from the case,
    on the officer's own declaration or the party's application (``applied_by``). The
    investigation goes on; the officer can no longer act on the case."""
    reason = (reason or "").strip()
    if not reason:
        raise CaseActionRefused("请填写回避事由。")
    if len(reason) > 300:
        raise CaseActionRefused("回避事由过长，请不超过300字。")
    with transaction.atomic():
        case = _open_case(case)
        role = _role(actor, case, APPROVERS)
        problem = _actor_problem(actor, case, role)
        if problem:
            raise CaseActionRefused(problem)
        row = CaseOfficer.objects.filter(case=case, officer=officer).first()
        if row is None:
            raise CaseActionRefused(f"{officer.name}不是本案承办人员。")
        if row.recused:
            raise CaseActionRefused(f"{officer.name}已回避。")
        row.recused = True
        row.recusal_reason = reason
        row.recused_at = timezone.now()
        row.lead = False
        row.save()
        record(
            actor=ledger_actor(actor),
            role=role,
            organization=case.organization,
            subject=case.subject,
            event_type="cases.conflict_declared",
            payload={
                "officer": officer.pk,
                "name": officer.name,
                "reason": reason,
                "applied_by": (applied_by or "").strip()[:64],
            },
        )
    return row


MAX_EXTENSION_DAYS = 90


def extend_decision_deadline(
    actor: Actor,
    case: Case,
    days: int,
    reason: str,
    *,
    today: datetime.date | None = None,
) -> Case:
    """Extend the 90-day decision limit of a penalty case: 第六十条 lets laws, regulations and
    rules provide otherwise (e.g. 市场监管 +30 days); the head approves and the approval is
    recorded. Possible only while the case awaits its decision."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise CaseActionRefused("请填写延长理由及所依据的规定。")
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise CaseActionRefused("延长天数应为整数。") from None
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise CaseActionRefused(f"延长天数应在1至{MAX_EXTENSION_DAYS}日之间。")
    with transaction.atomic():
        case = _open_case(case)
        role = _role(actor, case, APPROVERS)
        problem = _actor_problem(actor, case, role)
        if problem:
            raise CaseActionRefused(problem)
        if case.procedure != "penalty_ordinary" or case.decision_due_on is None:
            raise CaseActionRefused("只有已立案的普通程序处罚案件才有办案期限可以延长。")
        if case.decided_on:
            raise CaseActionRefused("案件已作出决定，无需延长办案期限。")
        before = case.decision_due_on
        # An extension is approved because the case cannot be decided in time: once the limit
        # has passed it can no longer be approved (the lateness stays on the record).
        if today > before:
            raise CaseActionRefused(
                f"办案期限已于{before:%Y年%m月%d日}届满，届满后不能再批准延长；"
                "延长须在期限届满前经负责人批准。"
            )
        case.decision_due_on = before + datetime.timedelta(days=days)
        extensions = list(case.data.get("extensions", []))
        extensions.append(
            {"days": days, "reason": reason[:300], "from": before.isoformat(), "on": str(today)}
        )
        case.data = {**case.data, "extensions": extensions}
        case.save()
        deadlines.close_deadlines(case, "decision_warning", status="cancelled")
        deadlines.open_deadline(
            case,
            "decision",
            "作出处罚决定期限（已延长）",
            starts_on=case.filed_on or today,
            due_on=case.decision_due_on,
            basis=f"经负责人批准延长{days}日：{reason}",
        )
        record(
            actor=ledger_actor(actor),
            role=role,
            organization=case.organization,
            subject=case.subject,
            event_type="cases.deadline_extended",
            payload={
                "days": days,
                "reason": reason,
                "from": before.isoformat(),
                "to": case.decision_due_on.isoformat(),
            },
        )
    return case
