"""Legal review actions. Each checks the permission, validates everything before writing (a
refusal changes nothing), makes the change and appends a ledger entry with ``subject =
case.subject`` (so it shows on the case's timeline), in one transaction.

The decide transitions of the cases app read two flags this app keeps on the case:
``requires_review`` + ``data["review_passed"]`` and ``requires_deliberation`` +
``data["deliberated"]`` (``zhifa.cases.gates``); `decision_gate` adds the catalogue itself, so a
case judged major but never sent to review is refused too.

``actor=None`` is for trusted callers (``zhifa demo``, migrations) only."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhifa.cases.models import Case, CaseOfficer, Step
from zhifa.core.calendar import add_working_days
from zhifa.core.models import Organization, Role, User
from zhifa.core.permissions import role_over
from zhifa.ledger.services import record
from zhifa.registry.models import LegalReviewer

from . import catalogue as cat
from .checklist import CHECKLIST, CHECKLIST_LABELS, MATERIAL_LABELS, required_materials
from .models import (
    CatalogueRule,
    CatalogueVersion,
    Conclusion,
    Deliberation,
    DeliberationAttendee,
    Determination,
    Finding,
    FindingResult,
    Opinion,
    PartyScope,
    RequestStatus,
    ReviewRequest,
    ReviewRound,
    RuleKind,
)

__all__ = [
    "EVENTS",
    "assign_reviewer",
    "can_assign",
    "can_manage",
    "can_submit",
    "decision_gate",
    "determine",
    "extend_round",
    "give_opinion",
    "publish_catalogue",
    "record_deliberation",
    "require_deliberation",
    "review_outdated",
    "reviewed_penalty",
    "store_at_decision",
    "submit",
]

EVENTS = {
    "review.catalogue_published": "重大执法决定目录清单发布",
    "review.determined": "重大执法决定判定",
    "review.submitted": "提交法制审核",
    "review.assigned": "指定法制审核人员",
    "review.extended": "法制审核期限延长",
    "review.opinion_given": "出具法制审核意见",
    "review.deliberation_required": "决定提交集体讨论",
    "review.deliberated": "集体讨论",
}

SUBMIT_ROLES = (Role.UNIT_HEAD, Role.OFFICER, Role.BODY_HEAD)
ASSIGN_ROLES = (Role.BODY_HEAD, Role.LEGAL_REVIEWER)
MANAGE_ROLES = (Role.BODY_HEAD,)
DEFAULT_TIME_LIMIT = 7
DEFAULT_EXTENSION = 3
MIN_ATTENDEES = 2

SELF_REVIEW = "审核人员不得审核本人承办或者参与办理的案件，请指定其他法制审核人员。"
ART58 = "依据《中华人民共和国行政处罚法》第五十八条，“未经法制审核或者审核未通过的，不得作出决定”"


# ---------------------------------------------------------------- permission helpers


def _submit_role(actor: User | None, case: Case) -> str:
    return role_over(
        actor,
        case.unit or case.organization,
        "review.submit",
        SUBMIT_ROLES,
        "只有本案承办机构的执法人员或负责人可以送审。",
    )


def _assign_role(actor: User | None, organization: Organization) -> str:
    return role_over(
        actor,
        organization,
        "review.assign",
        ASSIGN_ROLES,
        "只有本执法主体的主要负责人或法制审核人员可以指定审核人员。",
    )


def _manage_role(actor: User | None, organization: Organization) -> str:
    return role_over(
        actor,
        organization,
        "review.manage",
        MANAGE_ROLES,
        "只有本执法主体的主要负责人可以进行此项操作。",
    )


def _allowed(fn, *args) -> bool:
    try:
        fn(*args)
    except PermissionDenied:
        return False
    return True


def can_submit(user: User, case: Case) -> bool:
    return _allowed(_submit_role, user, case)


def can_assign(user: User, organization: Organization) -> bool:
    return _allowed(_assign_role, user, organization)


def can_manage(user: User, organization: Organization) -> bool:
    return _allowed(_manage_role, user, organization)


def _record(actor, role: str, case: Case, event: str, payload: dict) -> None:
    record(
        actor=actor,
        role=role,
        organization=case.organization,
        subject=case.subject,
        event_type=event,
        payload={"case_id": case.pk, "case_number": case.number, **payload},
    )


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("organization", "matter")
        .get(pk=case.pk)
    )


def _set_case_flags(case: Case, **changes: Any) -> None:
    """Update the flags the decide gates read (kept on the case so every path sees them)."""
    data = dict(case.data or {})
    fields = set()
    for key, value in changes.items():
        if key in ("requires_review", "requires_deliberation"):
            setattr(case, key, value)
            fields.add(key)
        else:
            data[key] = value
            fields.add("data")
    case.data = data
    case.updated_at = timezone.now()
    case.save(update_fields=[*sorted(fields), "updated_at"])


def _text(value: Any, label: str, *, max_length: int = 2000, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(f"请填写{label}。")
    if len(text) > max_length:
        raise ValidationError(f"{label}不能超过{max_length}字。")
    return text


# ---------------------------------------------------------------- catalogue


def _clean_rule(i: int, data: dict[str, Any]) -> dict[str, Any]:
    where = f"第{i}条规则"
    kind = str(data.get("kind") or "")
    if kind not in RuleKind.values:
        raise ValidationError(f"{where}：规则类型无效。")
    label = _text(data.get("label"), f"{where}的审核项目名称", max_length=200)
    categories = [str(c) for c in data.get("categories") or []]
    bad = [c for c in categories if c not in cat.CATEGORIES]
    if bad:
        raise ValidationError(f"{where}：适用类别无效（{'、'.join(bad)}）。")
    clean: dict[str, Any] = {
        "kind": kind,
        "label": label,
        "categories": categories,
        "matter_codes": [],
        "penalty_kinds": [],
        "party_scope": "",
        "threshold": None,
        "basis": _text(data.get("basis"), f"{where}的依据", max_length=300, required=False),
        "requires_deliberation": bool(data.get("requires_deliberation")),
    }
    if kind == RuleKind.CATEGORY and not categories:
        raise ValidationError(f"{where}：按执法类别判定时须选择类别。")
    if kind == RuleKind.MATTER:
        codes = [str(c).strip() for c in data.get("matter_codes") or [] if str(c).strip()]
        if not codes:
            raise ValidationError(f"{where}：请填写事项编码。")
        clean["matter_codes"] = codes
    if kind == RuleKind.PENALTY_KIND:
        kinds = [str(k) for k in data.get("penalty_kinds") or []]
        if not kinds or any(k not in cat.PENALTY_KINDS for k in kinds):
            raise ValidationError(f"{where}：请选择有效的处罚种类。")
        clean["penalty_kinds"] = kinds
    if kind in (RuleKind.FINE, RuleKind.CONFISCATION):
        scope = str(data.get("party_scope") or "")
        if scope not in PartyScope.values:
            raise ValidationError(f"{where}：当事人类型无效。")
        try:
            threshold = Decimal(str(data.get("threshold")).replace(",", "").strip())
        except (InvalidOperation, ValueError):
            raise ValidationError(f"{where}：数额标准须为数字（元）。") from None
        if not threshold.is_finite() or threshold <= 0 or threshold > Decimal("999999999999"):
            raise ValidationError(f"{where}：数额标准须大于0元。")
        clean["party_scope"] = scope
        clean["threshold"] = threshold.quantize(Decimal("0.01"))
    return clean


@transaction.atomic
def publish_catalogue(
    actor: User | None,
    organization: Organization,
    rules: list[dict[str, Any]],
    *,
    note: str = "",
    time_limit: int = DEFAULT_TIME_LIMIT,
    extension_days: int = DEFAULT_EXTENSION,
) -> CatalogueVersion:
    """Publish a new version of the body's catalogue (the whole rule set). Earlier versions stay
    as they were: determinations made under them keep pointing at them."""
    role = _manage_role(actor, organization)
    if not organization.is_enforcement_body:
        raise ValidationError("只有执法主体可以制定重大执法决定目录清单。")
    if not rules:
        raise ValidationError("目录清单至少应有一条规则。")
    cleaned = [_clean_rule(i, r) for i, r in enumerate(rules, start=1)]
    for value, label, low, high in (
        (time_limit, "审核期限", 1, 30),
        (extension_days, "可延长期限", 0, 30),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValidationError(f"{label}应为{low}至{high}个工作日。")
    note = _text(note, "修订说明", max_length=300, required=False)
    # Lock the body's row so two heads publishing at once get consecutive versions.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    last = CatalogueVersion.objects.filter(organization=organization).aggregate(v=Max("version"))
    version = CatalogueVersion.objects.create(
        organization=organization,
        version=(last["v"] or 0) + 1,
        note=note,
        time_limit=time_limit,
        extension_days=extension_days,
        published_by=actor if isinstance(actor, User) else None,
    )
    CatalogueRule.objects.bulk_create(
        CatalogueRule(catalogue=version, seq=i, **r) for i, r in enumerate(cleaned, start=1)
    )
    record(
        actor=actor,
        role=role,
        organization=organization,
        subject=f"review_catalogue:{organization.pk}",
        event_type="review.catalogue_published",
        payload={
            "version": version.version,
            "note": note,
            "time_limit": time_limit,
            "extension_days": extension_days,
            "rules": [
                {**r, "threshold": None if r["threshold"] is None else str(r["threshold"])}
                for r in cleaned
            ],
        },
    )
    return version


def default_rules() -> list[dict[str, Any]]:
    return [dict(r) for r in cat.DEFAULT_RULES]


# ---------------------------------------------------------------- determination


def _store_determination(
    actor: User | None, role: str, case: Case, circumstances: dict[str, Any] | None
) -> Determination:
    determination = cat.evaluate(case, circumstances)
    determination.determined_by = actor if isinstance(actor, User) else None
    determination.save()
    flags: dict[str, Any] = {}
    if determination.major and not case.requires_review:
        flags["requires_review"] = True
    if determination.requires_deliberation and not case.requires_deliberation:
        flags["requires_deliberation"] = True
    if flags:
        _set_case_flags(case, **flags)
    _record(
        actor,
        role,
        case,
        "review.determined",
        {
            "major": determination.major,
            "requires_deliberation": determination.requires_deliberation,
            "catalogue_version": determination.catalogue_version,
            "reasons": determination.reasons,
            "facts": determination.facts,
        },
    )
    return determination


def _circumstances(data: dict[str, Any] | None) -> dict[str, Any]:
    data = data or {}
    unknown = set(data) - set(cat.CIRCUMSTANCES)
    if unknown:
        raise ValidationError(f"未知的案件情形：{'、'.join(sorted(unknown))}")
    clean = {k: bool(data.get(k)) for k in ("public_interest", "complex", "several_relations")}
    clean["other_basis"] = _text(
        data.get("other_basis"), "其他应当审核情形的法律依据", max_length=300, required=False
    )
    return clean


@transaction.atomic
def determine(
    actor: User | None, case: Case, circumstances: dict[str, Any] | None = None
) -> Determination:
    """Judge the case against the catalogue in force now and store the result: a later change
    of the catalogue does not change it. The handler declares the circumstances the case file
    alone does not show (public interest, complexity, another legal basis)."""
    role = _submit_role(actor, case)
    clean = _circumstances(circumstances)
    case = _locked(case)
    if case.decided_on:
        raise ValidationError("本案已作出决定，不能再进行重大执法决定判定。")
    existing = Determination.objects.filter(case=case).first()
    if existing is not None:
        raise ValidationError(
            f"本案已于{timezone.localtime(existing.determined_at):%Y-%m-%d}作出判定："
            f"{cat.describe(existing)}判定不因目录清单此后的修订而改变。"
        )
    return _store_determination(actor, role, case, clean)


def store_at_decision(case: Case, actor: User | None) -> None:
    """Registered with zhifa.cases.gates.after_decision: a case decided without a stored
    determination gets the one it was decided under (the catalogue then in force), so a later
    catalogue version cannot change what the record says."""
    if Determination.objects.filter(case=case).exists():
        return
    try:
        role = _submit_role(actor, case) if actor is not None else "system"
    except PermissionDenied:
        role = "system"
    _store_determination(actor, role, case, None)


def decision_gate(case: Case) -> str | None:
    """Registered with zhifa.cases.gates: a case the catalogue makes major cannot be decided
    before its review passes, whether or not anyone stored the determination yet."""
    determination = Determination.objects.filter(case_id=case.pk).first()
    if determination is None:
        determination = cat.evaluate(case)
    elif not determination.major:
        # The catalogue version stays the stored one; the facts may have changed since (a
        # heavier penalty notified again, a hearing held): judge them by that version.
        declared = {k: determination.facts.get(k) for k in cat.CIRCUMSTANCES}
        now = cat.evaluate(case, declared, catalogue=determination.catalogue)
        if now.major:
            determination = now
    passed = (case.data or {}).get("review_passed") is True
    if determination.major and not passed:
        return f"{ART58}。{cat.describe(determination)}请先提交法制审核，审核通过后再作出决定。"
    if passed and review_outdated(case):
        return (
            f"{ART58}。法制审核通过的是{_penalty_text(case.data['review_passed_penalty'])}，"
            f"现拟作出的是{_penalty_text(reviewed_penalty(case))}，"
            "拟作出的决定已变更，请重新送审，审核通过后再作出决定。"
        )
    return None


def reviewed_penalty(case: Case) -> dict[str, Any]:
    """What a passing opinion covers: the kinds and amounts of the penalty proposed (or
    notified) when the reviewer agreed. Kept on the case as ``data["review_passed_penalty"]``."""
    facts = cat.facts_of(case)
    return {
        "kinds": sorted(facts.penalty_kinds),
        "fine": f"{facts.fine:.2f}",
        "confiscation": f"{facts.confiscation:.2f}",
    }


def review_outdated(case: Case) -> bool:
    """A passed review whose penalty is no longer the one to be decided (the case went back to
    investigation and another penalty was proposed and notified): the new draft decision was
    never reviewed. A review given before any penalty was proposed, or recorded before this
    check existed (no snapshot), is not judged."""
    data = case.data or {}
    before = data.get("review_passed_penalty")
    if data.get("review_passed") is not True or not before or not before.get("kinds"):
        return False
    now = reviewed_penalty(case)
    return bool(now["kinds"]) and now != before


def _penalty_text(penalty: dict[str, Any]) -> str:
    kinds = "、".join(cat.PENALTY_KINDS.get(k, k) for k in penalty.get("kinds") or [])
    amounts = [
        f"{label}{Decimal(penalty[key]):,.2f}元"
        for key, label in (("fine", "罚款"), ("confiscation", "没收"))
        if Decimal(penalty.get(key) or 0) > 0
    ]
    return f"“{kinds or '无'}{'（' + '，'.join(amounts) + '）' if amounts else ''}”"


# ---------------------------------------------------------------- submission


def _clean_materials(materials: dict[str, Any], required: list[str]) -> dict[str, str]:
    if not isinstance(materials, dict):
        raise ValidationError("送审材料格式错误。")
    unknown = [k for k in materials if k not in MATERIAL_LABELS]
    if unknown:
        raise ValidationError(f"未知的送审材料：{'、'.join(unknown)}")
    clean = {}
    for code in MATERIAL_LABELS:
        text = _text(materials.get(code), MATERIAL_LABELS[code], max_length=500, required=False)
        if text:
            clean[code] = text
    missing = [MATERIAL_LABELS[c] for c in required if c not in clean]
    if missing:
        raise ValidationError(
            f"送审材料不齐全，缺少：{'、'.join(missing)}。材料齐全后方可送审，审核期限自材料齐全之日起算。"
        )
    return clean


def _acted_users_and_officers(case: Case) -> tuple[set[int], set[int]]:
    users = {case.created_by_id} if case.created_by_id else set()
    users |= set(Step.objects.filter(case=case).exclude(actor=None).values_list("actor", flat=True))
    officers = set()
    for officer_id, user_id in CaseOfficer.objects.filter(case=case).values_list(
        "officer_id", "officer__user_id"
    ):
        officers.add(officer_id)
        if user_id:
            users.add(user_id)
    users |= set(
        ReviewRound.objects.filter(request__case=case)
        .exclude(submitted_by=None)
        .values_list("submitted_by", flat=True)
    )
    return users, officers


def _check_reviewer(case: Case, reviewer: LegalReviewer, extra_users: set[int] = frozenset()):
    reviewer = LegalReviewer.objects.select_related("body", "officer").get(pk=reviewer.pk)
    if reviewer.body.organization_id != case.organization_id or not reviewer.active:
        raise ValidationError(
            "所选人员不是本执法主体在任的法制审核人员，只能从已登记的法制审核人员或法律顾问中指定。"
        )
    if reviewer.officer_id:
        users, officers = _acted_users_and_officers(case)
        users |= extra_users
        if reviewer.officer_id in officers or (
            reviewer.officer.user_id and reviewer.officer.user_id in users
        ):
            raise ValidationError(SELF_REVIEW)
    return reviewer


def _open_round(request: ReviewRequest) -> ReviewRound | None:
    return request.rounds.filter(opinion="").order_by("-number").first()


@transaction.atomic
def submit(
    actor: User | None,
    case: Case,
    *,
    materials: dict[str, Any],
    statement: str = "",
    voluntary: bool = False,
    reviewer: LegalReviewer | None = None,
    circumstances: dict[str, Any] | None = None,
    today: datetime.date | None = None,
) -> ReviewRound:
    """The handling unit sends the case (again, after 存在问题) to review with its materials.
    Only a complete submission is accepted; its day starts the clock."""
    role = _submit_role(actor, case)
    clean_circumstances = _circumstances(circumstances) if circumstances is not None else None
    case = _locked(case)
    if case.decided_on:
        raise ValidationError("本案已作出决定，不能再送法制审核。")
    request = ReviewRequest.objects.select_for_update().filter(case=case).first()
    if request is not None and request.status == RequestStatus.REVIEWING:
        raise ValidationError("本案正在法制审核中，请等待审核意见。")
    if request is not None and request.status == RequestStatus.PASSED and not review_outdated(case):
        raise ValidationError("本案已通过法制审核。")
    determination = Determination.objects.filter(case=case).first()
    if request is None and determination is None:
        # Validate before storing it: a refused submission leaves no determination behind.
        preview = cat.evaluate(case, clean_circumstances)
        if not preview.major and not voluntary:
            raise ValidationError(f"{cat.describe(preview)}如认为确有必要审核，请选择“主动送审”。")
    elif request is None and not determination.major and not voluntary:
        raise ValidationError(
            f"{cat.describe(determination)}如认为确有必要审核，请选择“主动送审”。"
        )
    facts = cat.facts_of(case)
    clean = _clean_materials(materials, required_materials(case.category, facts.hearing_held))
    statement = _text(statement, "送审说明", required=False)
    extra = {actor.pk} if isinstance(actor, User) else set()
    named = reviewer is not None
    if named:
        reviewer = _check_reviewer(case, reviewer, extra)
    elif request is not None and request.reviewer_id and request.reviewer.active:
        reviewer = request.reviewer  # the next round goes back to the same reviewer
    if determination is None:
        determination = _store_determination(actor, role, case, clean_circumstances)
    catalogue = cat.catalogue_in_force(case.organization_id)
    today = today or timezone.localdate()
    if request is None:
        request = ReviewRequest.objects.create(
            case=case,
            organization=case.organization,
            voluntary=voluntary and not determination.major,
            status=RequestStatus.REVIEWING,
            reviewer=reviewer,
            time_limit=catalogue.time_limit if catalogue else DEFAULT_TIME_LIMIT,
        )
        number = 1
    else:
        request.status = RequestStatus.REVIEWING
        request.reviewer = reviewer
        request.passed_at = None  # a re-review of a changed penalty passes anew
        request.save(update_fields=["status", "reviewer", "passed_at"])
        number = request.rounds.count() + 1
    review_round = ReviewRound.objects.create(
        request=request,
        number=number,
        submitted_by=actor if isinstance(actor, User) else None,
        materials=clean,
        statement=statement,
        clock_started_on=today,
        due_on=add_working_days(today, request.time_limit).date,
        reviewer=reviewer,
    )
    _set_case_flags(case, requires_review=True, review_passed=False)
    _record(
        actor,
        role,
        case,
        "review.submitted",
        {
            "request_id": request.pk,
            "round": number,
            "voluntary": request.voluntary,
            "materials": sorted(clean),
            "clock_started_on": today.isoformat(),
            "due_on": review_round.due_on.isoformat(),
            "reviewer_id": reviewer.pk if reviewer else None,
        },
    )
    if named:
        _record(actor, role, case, "review.assigned", _assignment_payload(review_round, reviewer))
    return review_round


def _assignment_payload(review_round: ReviewRound, reviewer: LegalReviewer) -> dict[str, Any]:
    return {
        "request_id": review_round.request_id,
        "round": review_round.number,
        "reviewer_id": reviewer.pk,
        "reviewer": reviewer.person_name,
        "reviewer_kind": reviewer.kind_label,
    }


@transaction.atomic
def assign_reviewer(
    actor: User | None, request: ReviewRequest, reviewer: LegalReviewer
) -> ReviewRound:
    """Name the reviewer of the open round: a registered, active legal reviewer (or the legal
    adviser appointed as one) of the body, never someone who acted on the case."""
    request = (
        ReviewRequest.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=request.pk)
    )
    case = request.case
    role = _assign_role(actor, case.organization)
    review_round = _open_round(request)
    if review_round is None:
        raise ValidationError("本案当前没有待审核的送审材料，无需指定审核人员。")
    reviewer = _check_reviewer(case, reviewer)
    request.reviewer = reviewer
    request.save(update_fields=["reviewer"])
    review_round.reviewer = reviewer
    review_round.save(update_fields=["reviewer"])
    _record(actor, role, case, "review.assigned", _assignment_payload(review_round, reviewer))
    return review_round


@transaction.atomic
def extend_round(actor: User | None, review_round: ReviewRound, reason: str) -> ReviewRound:
    """The head approves a longer review period (once per round, by the catalogue's extension
    days)."""
    review_round = (
        # Only the round is locked: PostgreSQL refuses FOR UPDATE on a nullable outer join.
        ReviewRound.objects.select_for_update(of=("self",))
        .select_related("request__case__organization")
        .get(pk=review_round.pk)
    )
    case = review_round.request.case
    role = _manage_role(actor, case.organization)
    reason = _text(reason, "延长理由", max_length=300)
    if review_round.opinion:
        raise ValidationError("该轮审核已出具意见，无需延长。")
    if review_round.extended:
        raise ValidationError("该轮审核期限已延长过一次，不能再次延长。")
    catalogue = cat.catalogue_in_force(case.organization_id)
    days = catalogue.extension_days if catalogue else DEFAULT_EXTENSION
    if days <= 0:
        raise ValidationError("本执法主体的目录清单未设置可延长的审核期限。")
    before = review_round.due_on
    review_round.due_on = add_working_days(before, days).date
    review_round.extended = True
    review_round.extension_reason = reason
    review_round.extension_approved_by = actor if isinstance(actor, User) else None
    review_round.save(
        update_fields=["due_on", "extended", "extension_reason", "extension_approved_by"]
    )
    _record(
        actor,
        role,
        case,
        "review.extended",
        {
            "request_id": review_round.request_id,
            "round": review_round.number,
            "from": before.isoformat(),
            "to": review_round.due_on.isoformat(),
            "days": days,
            "reason": reason,
        },
    )
    return review_round


# ---------------------------------------------------------------- opinion


def _clean_findings(findings: dict[str, Any]) -> dict[str, tuple[str, str]]:
    if not isinstance(findings, dict):
        raise ValidationError("审核事项结论格式错误。")
    unknown = [k for k in findings if k not in CHECKLIST_LABELS]
    if unknown:
        raise ValidationError(f"未知的审核事项：{'、'.join(unknown)}")
    clean = {}
    missing = []
    for code, label in CHECKLIST:
        entry = findings.get(code)
        if isinstance(entry, dict):
            result, comment = entry.get("result"), entry.get("comment", "")
        elif isinstance(entry, (list, tuple)) and len(entry) == 2:
            result, comment = entry
        else:
            result, comment = entry, ""
        if not result:
            missing.append(label)
            continue
        if result not in FindingResult.values:
            raise ValidationError(f"“{label}”的审核结论无效。")
        comment = _text(comment, f"“{label}”的说明", required=False)
        if result == FindingResult.PROBLEM and not comment:
            raise ValidationError(f"“{label}”存在问题，请写明具体问题。")
        clean[code] = (result, comment)
    if missing:
        raise ValidationError(f"请逐项填写审核结论，尚未填写：{'、'.join(missing)}。")
    return clean


def _reviewer_check_for_actor(actor: User | None, review_round: ReviewRound, case: Case) -> None:
    reviewer = review_round.reviewer
    if reviewer is None:
        raise ValidationError("尚未指定审核人员，请先指定。")
    if actor is None:
        return
    if reviewer.officer_id:
        if reviewer.officer.user_id != actor.pk:
            raise PermissionDenied(f"本轮审核由{reviewer.person_name}负责，您不能出具意见。")
    # An adviser has no account: a legal reviewer of the body enters the adviser's opinion,
    # and must not have acted on the case either.
    users, _ = _acted_users_and_officers(case)
    if actor.pk in users:
        raise ValidationError(SELF_REVIEW)


@transaction.atomic
def give_opinion(
    actor: User | None,
    review_round: ReviewRound,
    *,
    opinion: str,
    findings: dict[str, Any],
    problems: str = "",
    summary: str = "",
) -> ReviewRound:
    """The reviewer's written opinion on the open round: a finding and comment per checklist
    item, then 同意, or 存在问题 with the problems (the case goes back to the handler)."""
    review_round = (
        # Only the round is locked: PostgreSQL refuses FOR UPDATE on a nullable outer join.
        ReviewRound.objects.select_for_update(of=("self",))
        .select_related("request__case__organization", "reviewer__officer")
        .get(pk=review_round.pk)
    )
    request = review_round.request
    case = request.case
    role = role_over(
        actor,
        case.organization,
        "review.perform",
        (Role.LEGAL_REVIEWER,),
        "只有本执法主体的法制审核人员可以出具审核意见。",
    )
    if review_round.opinion:
        raise ValidationError("该轮审核已出具意见，不能修改；如有更正请在下一轮中说明。")
    _reviewer_check_for_actor(actor, review_round, case)
    if opinion not in Opinion.values:
        raise ValidationError("审核意见只能是“同意”或“存在问题”。")
    clean = _clean_findings(findings)
    problems = _text(problems, "存在的问题及修改意见", required=False)
    summary = _text(summary, "审核意见说明", required=False)
    flagged = [CHECKLIST_LABELS[c] for c, (r, _) in clean.items() if r == FindingResult.PROBLEM]
    if opinion == Opinion.PROBLEMS:
        if not problems:
            raise ValidationError("审核意见为“存在问题”时，必须写明存在的问题及修改意见。")
        if not flagged:
            raise ValidationError("审核意见为“存在问题”时，请至少在一个审核事项中标明存在问题。")
    elif flagged:
        raise ValidationError(f"审核事项“{'、'.join(flagged)}”存在问题，审核意见不能为“同意”。")
    now = timezone.now()
    Finding.objects.bulk_create(
        Finding(round=review_round, item=code, result=result, comment=comment)
        for code, (result, comment) in clean.items()
    )
    review_round.opinion = opinion
    review_round.problems = problems
    review_round.summary = summary
    review_round.opinion_by = actor if isinstance(actor, User) else None
    review_round.opinion_at = now
    review_round.save(update_fields=["opinion", "problems", "summary", "opinion_by", "opinion_at"])
    passed = opinion == Opinion.AGREE
    request.status = RequestStatus.PASSED if passed else RequestStatus.RETURNED
    request.passed_at = now if passed else None
    request.save(update_fields=["status", "passed_at"])
    locked = _locked(case)
    covered = reviewed_penalty(locked) if passed else None
    _set_case_flags(locked, review_passed=passed, review_passed_penalty=covered)
    _record(
        actor,
        role,
        case,
        "review.opinion_given",
        {
            "request_id": request.pk,
            "round": review_round.number,
            "opinion": opinion,
            "reviewer_id": review_round.reviewer_id,
            "reviewer": review_round.reviewer.person_name,
            "problem_items": [c for c, (r, _) in clean.items() if r == FindingResult.PROBLEM],
            "problems": problems,
            "reviewed_penalty": covered,
            "due_on": review_round.due_on.isoformat(),
            "on_time": timezone.localdate() <= review_round.due_on,
        },
    )
    return review_round


# ---------------------------------------------------------------- collective deliberation


@transaction.atomic
def require_deliberation(actor: User | None, case: Case, reason: str) -> Case:
    """The head decides the case goes to collective deliberation (情节复杂或者重大违法行为)."""
    role = _manage_role(actor, case.organization)
    reason = _text(reason, "提交集体讨论的理由", max_length=300)
    case = _locked(case)
    if case.decided_on:
        raise ValidationError("本案已作出决定。")
    if case.requires_deliberation:
        raise ValidationError("本案已确定须经集体讨论。")
    _set_case_flags(case, requires_deliberation=True)
    _record(actor, role, case, "review.deliberation_required", {"reason": reason})
    return case


def _when(value: Any) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        result = value
    elif isinstance(value, str) and value.strip():
        try:
            result = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError("讨论时间格式错误。") from None
    else:
        raise ValidationError("请填写讨论时间。")
    if timezone.is_naive(result):
        result = timezone.make_aware(result)
    if result > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError("讨论时间不能晚于现在。")
    return result


@transaction.atomic
def record_deliberation(
    actor: User | None,
    case: Case,
    *,
    held_at: Any,
    place: str,
    chair: str,
    recorder: str,
    attendees: list[dict[str, Any]],
    conclusion: str,
    conclusion_text: str,
    minutes: str,
) -> Deliberation:
    """Record the heads' collective deliberation (行政处罚法第五十七条第二款): who attended,
    each one's opinion, the conclusion and the minutes."""
    role = _manage_role(actor, case.organization)
    held = _when(held_at)
    place = _text(place, "讨论地点", max_length=200)
    chair = _text(chair, "主持人", max_length=64)
    recorder = _text(recorder, "记录人", max_length=64)
    if conclusion not in Conclusion.values:
        raise ValidationError("请选择讨论结论。")
    conclusion_text = _text(conclusion_text, "结论意见")
    minutes = _text(minutes, "讨论记录", max_length=20000)
    people = []
    for i, a in enumerate(attendees or [], start=1):
        if not any(str(a.get(k) or "").strip() for k in ("name", "position", "opinion")):
            continue
        people.append(
            {
                "name": _text(a.get("name"), f"第{i}位参加人员的姓名", max_length=64),
                "position": _text(a.get("position"), f"第{i}位参加人员的职务", max_length=64),
                "opinion": _text(a.get("opinion"), f"第{i}位参加人员的意见"),
            }
        )
    if len(people) < MIN_ATTENDEES:
        raise ValidationError(
            f"集体讨论应由行政机关负责人集体参加，请至少登记{MIN_ATTENDEES}位参加人员及其意见。"
        )
    if len({p["name"] for p in people}) != len(people):
        raise ValidationError("参加人员有重复。")
    case = _locked(case)
    if case.decided_on:
        raise ValidationError("本案已作出决定，集体讨论应在决定之前进行。")
    deliberation = Deliberation.objects.create(
        case=case,
        organization=case.organization,
        held_at=held,
        place=place,
        chair=chair,
        recorder=recorder,
        conclusion=conclusion,
        conclusion_text=conclusion_text,
        minutes=minutes,
        recorded_by=actor if isinstance(actor, User) else None,
    )
    DeliberationAttendee.objects.bulk_create(
        DeliberationAttendee(deliberation=deliberation, seq=i, **p)
        for i, p in enumerate(people, start=1)
    )
    # "补充调查后再议" is not a deliberation that decides: the gate stays shut.
    decided = conclusion != Conclusion.FURTHER
    _set_case_flags(case, requires_deliberation=True, deliberated=decided)
    _record(
        actor,
        role,
        case,
        "review.deliberated",
        {
            "deliberation_id": deliberation.pk,
            "held_at": held.isoformat(),
            "attendees": [{"name": p["name"], "position": p["position"]} for p in people],
            "conclusion": conclusion,
            "conclusion_text": conclusion_text,
        },
    )
    return deliberation
