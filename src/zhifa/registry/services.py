"""Changes to the register. Each function checks the permission, makes the change and appends
a ledger entry (who changed what, before and after) in one transaction.

The actor is a user, an API client (``zhifa.exchange``: it acts only inside its organisation's
subtree and with the ``registry.write`` scope; the ledger names the client) or ``None``, which is
for trusted callers only (``zhifa demo``, migrations, the operator's CLI): it skips the
permission check and records the change as ``system``.

Personal data in ledger payloads: the ledger is permanent, so the 公民身份号码 is recorded
masked (the register keeps the full number)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from zhifa.core.masking import mask_citizen_id
from zhifa.core.models import ADMIN_ROLES, Organization, OrgKind, Role
from zhifa.core.validators import validate_citizen_id, validate_uscc
from zhifa.exchange.actors import Actor, acting_role, ledger_actor
from zhifa.ledger.services import record

from . import rules
from .models import (
    BodyKind,
    EnforcementBody,
    Gender,
    LegalAdviser,
    LegalReviewer,
    Officer,
    OfficerStatus,
    TrainingRecord,
)

__all__ = [
    "EVENTS",
    "MANAGE_ROLES",
    "add_training",
    "appoint_reviewer",
    "body_of",
    "can_manage",
    "create_adviser",
    "create_body",
    "create_officer",
    "update_adviser",
    "update_body",
    "update_officer",
    "withdraw_reviewer",
]

MANAGE_ROLES = (Role.BODY_HEAD, Role.UNIT_HEAD)  # in order of preference for the ledger role

EVENTS = {
    "registry.body_created": "执法主体信息登记",
    "registry.body_updated": "执法主体信息变更",
    "registry.officer_created": "执法人员登记",
    "registry.officer_updated": "执法人员信息变更",
    "registry.training_recorded": "执法人员培训登记",
    "registry.adviser_created": "法律顾问登记",
    "registry.adviser_updated": "法律顾问信息变更",
    "registry.reviewer_appointed": "法制审核人员任命",
    "registry.reviewer_withdrawn": "法制审核人员撤销",
}

PHOTO_MAX_BYTES = 2 * 1024 * 1024
_PHOTO_MAGIC = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG\r\n\x1a\n", ".png"))


# ---------------------------------------------------------------- permission and scope


WRITE_SCOPE = "registry.write"  # the token scope an API client needs


def _manage_role(actor: Actor, organization: Organization) -> str:
    """The role under which the actor manages this organisation's register entries, or
    PermissionDenied. A membership covers its subtree: a body head manages the whole body, a
    unit head the unit's officers; an API client its organisation's subtree."""
    return acting_role(
        actor,
        organization,
        "registry.manage",
        MANAGE_ROLES,
        "您不能管理该组织的执法主体与人员信息。",
        scope=WRITE_SCOPE,
    )


def can_manage(user: Actor, organization: Organization) -> bool:
    try:
        _manage_role(user, organization)
    except PermissionDenied:
        return False
    return True


def body_of(organization: Organization) -> EnforcementBody | None:
    """The nearest enforcement body at or above the organisation that has a registered
    profile."""
    ids = [int(x) for x in organization.path.strip("/").split("/") if x]
    bodies = {
        b.organization_id: b
        for b in EnforcementBody.objects.filter(organization_id__in=ids).select_related(
            "organization"
        )
    }
    for org_id in reversed(ids):
        if org_id in bodies:
            return bodies[org_id]
    return None


def _record(actor, role: str, organization, subject: str, event: str, payload: dict) -> None:
    record(
        actor=ledger_actor(actor),
        role=role,
        organization=organization,
        subject=subject,
        event_type=event,
        payload=payload,
    )


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    return {
        "changed": changed,
        "before": {k: before.get(k) for k in changed},
        "after": {k: after.get(k) for k in changed},
    }


def _save_changes(
    actor,
    role: str,
    obj,
    organization,
    before: dict,
    after: dict,
    subject: str,
    event: str,
    ids: dict,
    save=None,
) -> None:
    """Save `obj` and record the fields that changed (before/after) in the ledger. An edit that
    changes nothing saves and records nothing."""
    diff = _diff(before, after)
    if not diff["changed"]:
        return
    (save or obj.save)()
    _record(actor, role, organization, subject, event, {**ids, **diff})


def _text(value: Any, label: str, *, required: bool = True, max_length: int = 200) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError(f"请填写{label}。")
    if len(text) > max_length:
        raise ValidationError(f"{label}不能超过{max_length}个字。")
    return text


def _labels(values: Iterable[str] | str | None, label: str) -> list[str]:
    """A list of short labels; a string is split on commas, 、 and new lines."""
    if values is None:
        return []
    if isinstance(values, str):
        for sep in ("，", "、", "\n", "；", ";"):
            values = values.replace(sep, ",")
        values = values.split(",")
    cleaned: list[str] = []
    for value in values:
        text = str(value).strip()
        if text and text not in cleaned:
            if len(text) > 64:
                raise ValidationError(f"{label}中的“{text[:20]}…”过长（每项不超过64字）。")
            cleaned.append(text)
    return cleaned


def _date(value: Any, label: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        raise ValidationError(f"{label}应为日期。")
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"{label}格式错误，应为 YYYY-MM-DD。") from None


# ---------------------------------------------------------------- 执法主体


def _body_state(body: EnforcementBody) -> dict[str, Any]:
    return {
        "uscc": body.uscc,
        "kind": body.kind,
        "head_name": body.head_name,
        "address": body.address,
        "phone": body.phone,
        "supervision_phone": body.supervision_phone,
        "categories": list(body.categories),
        "area": body.area,
    }


def _clean_body_fields(fields: dict[str, Any]) -> dict[str, Any]:
    allowed = {
        "uscc",
        "kind",
        "head_name",
        "address",
        "phone",
        "supervision_phone",
        "categories",
        "area",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown body fields: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    if "uscc" in fields:
        cleaned["uscc"] = validate_uscc(fields["uscc"])
    if "kind" in fields:
        if fields["kind"] not in BodyKind.values:
            raise ValidationError("请选择主体类别。")
        cleaned["kind"] = fields["kind"]
    labels = {
        "head_name": ("主要负责人", 64),
        "address": ("办公地址", 200),
        "phone": ("联系电话", 32),
        "supervision_phone": ("监督电话", 32),
        "area": ("执法区域", 200),
    }
    for key, (label, length) in labels.items():
        if key in fields:
            cleaned[key] = _text(fields[key], label, max_length=length)
    if "categories" in fields:
        cleaned["categories"] = _labels(fields["categories"], "执法类别")
    return cleaned


@transaction.atomic
def create_body(actor: Actor, organization: Organization, **fields: Any) -> EnforcementBody:
    """Register the profile of an organisation that is an enforcement body."""
    role = _manage_role(actor, organization)
    if not organization.is_enforcement_body:
        raise ValidationError(f"“{organization.name}”不是执法主体，不能登记执法主体信息。")
    if EnforcementBody.objects.filter(organization=organization).exists():
        raise ValidationError(f"“{organization.name}”的执法主体信息已登记。")
    required = {"uscc", "kind", "head_name", "address", "phone", "supervision_phone", "area"}
    missing = required - set(fields)
    if missing:
        raise TypeError(f"missing body fields: {sorted(missing)}")
    body = EnforcementBody(organization=organization, **_clean_body_fields(fields))
    body.save()
    _record(
        actor,
        role,
        organization,
        f"enforcement_body:{body.pk}",
        "registry.body_created",
        {"body_id": body.pk, "organization_id": organization.pk, "after": _body_state(body)},
    )
    return body


@transaction.atomic
def update_body(actor: Actor, body: EnforcementBody, **fields: Any) -> EnforcementBody:
    body = (
        EnforcementBody.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=body.pk)
    )
    role = _manage_role(actor, body.organization)
    before = _body_state(body)
    for key, value in _clean_body_fields(fields).items():
        setattr(body, key, value)
    _save_changes(
        actor,
        role,
        body,
        body.organization,
        before,
        _body_state(body),
        f"enforcement_body:{body.pk}",
        "registry.body_updated",
        {"body_id": body.pk},
    )
    return body


# ---------------------------------------------------------------- 执法人员


OFFICER_FIELDS = {
    "organization",
    "name",
    "gender",
    "post",
    "citizen_id",
    "user",
    "certificate_no",
    "certificate_categories",
    "certificate_issued_on",
    "certificate_expires_on",
    "status",
    "has_legal_qualification",
    "legal_qualification_no",
}


def _officer_state(officer: Officer) -> dict[str, Any]:
    return {
        "organization_id": officer.organization_id,
        "name": officer.name,
        "gender": officer.gender,
        "post": officer.post,
        "citizen_id": mask_citizen_id(officer.citizen_id),
        "user_id": officer.user_id,
        "certificate_no": officer.certificate_no,
        "certificate_categories": list(officer.certificate_categories),
        "certificate_issued_on": officer.certificate_issued_on.isoformat(),
        "certificate_expires_on": officer.certificate_expires_on.isoformat(),
        "status": officer.status,
        "has_legal_qualification": officer.has_legal_qualification,
        "legal_qualification_no": officer.legal_qualification_no,
        "photo": officer.photo.name or "",
    }


def _photo_suffix(photo: UploadedFile) -> str:
    """ ".jpg" or ".png" by content, or ValidationError."""
    if photo.size is not None and photo.size > PHOTO_MAX_BYTES:
        raise ValidationError("照片不能超过 2 MB。")
    photo.seek(0)
    head = photo.read(8)
    photo.seek(0)
    for magic, suffix in _PHOTO_MAGIC:
        if head.startswith(magic):
            return suffix
    raise ValidationError("照片只接受 JPEG 或 PNG 图片。")


def _apply_officer_fields(officer: Officer, fields: dict[str, Any]) -> None:
    unknown = set(fields) - OFFICER_FIELDS
    if unknown:
        raise TypeError(f"unknown officer fields: {sorted(unknown)}")
    if "name" in fields:
        officer.name = _text(fields["name"], "姓名", max_length=64)
    if "gender" in fields:
        if fields["gender"] not in Gender.values:
            raise ValidationError("请选择性别。")
        officer.gender = fields["gender"]
    if "post" in fields:
        officer.post = _text(fields["post"], "职务/岗位", required=False, max_length=64)
    if "citizen_id" in fields:
        officer.citizen_id = validate_citizen_id(fields["citizen_id"])
    if "certificate_no" in fields:
        officer.certificate_no = _text(fields["certificate_no"], "执法证号", max_length=32)
    if "certificate_categories" in fields:
        officer.certificate_categories = _labels(fields["certificate_categories"], "执法类别")
    if "certificate_issued_on" in fields:
        officer.certificate_issued_on = _date(fields["certificate_issued_on"], "发证日期")
    if "certificate_expires_on" in fields:
        officer.certificate_expires_on = _date(fields["certificate_expires_on"], "有效期至")
    if "status" in fields:
        if fields["status"] not in OfficerStatus.values:
            raise ValidationError("请选择人员状态。")
        officer.status = fields["status"]
    if "has_legal_qualification" in fields:
        officer.has_legal_qualification = bool(fields["has_legal_qualification"])
    if "legal_qualification_no" in fields:
        officer.legal_qualification_no = _text(
            fields["legal_qualification_no"], "法律职业资格证书编号", required=False, max_length=32
        )
    if "user" in fields:
        officer.user = fields["user"]


def _validate_officer(officer: Officer) -> None:
    if officer.certificate_expires_on < officer.certificate_issued_on:
        raise ValidationError("执法证有效期至不能早于发证日期。")
    if officer.has_legal_qualification and not officer.legal_qualification_no:
        raise ValidationError("已取得法律职业资格的，请填写法律职业资格证书编号。")
    if not officer.has_legal_qualification:
        officer.legal_qualification_no = ""
    clash = Officer.objects.filter(certificate_no=officer.certificate_no).exclude(pk=officer.pk)
    if clash.exists():
        raise ValidationError(f"执法证号 {officer.certificate_no} 已被登记。")
    if officer.user_id is not None:
        user = officer.user
        if set(user.memberships.values_list("role", flat=True)) & ADMIN_ROLES:
            raise ValidationError("管理员账号不能关联执法人员（三员分立）。")
        if user.organization is None or not user.organization.path.startswith(
            officer.body.organization.path
        ):
            raise ValidationError(f"账号“{user.display_name}”不属于本执法主体，不能关联。")
        other = Officer.objects.filter(user_id=officer.user_id).exclude(pk=officer.pk)
        if other.exists():
            raise ValidationError(f"账号“{user.display_name}”已关联其他执法人员。")


def _body_for_unit(organization: Organization) -> EnforcementBody:
    if organization.kind == OrgKind.LAW_FIRM or not organization.is_active:
        raise ValidationError(f"“{organization.name}”不能作为执法人员所在机构。")
    body = body_of(organization)
    if body is None:
        raise ValidationError(
            f"“{organization.name}”不属于已登记的执法主体，请先登记执法主体信息。"
        )
    return body


@transaction.atomic
def create_officer(
    actor: Actor, *, organization: Organization, photo: UploadedFile | None = None, **fields
) -> Officer:
    role = _manage_role(actor, organization)
    required = {
        "name",
        "gender",
        "citizen_id",
        "certificate_no",
        "certificate_issued_on",
        "certificate_expires_on",
    }
    missing = required - set(fields)
    if missing:
        raise TypeError(f"missing officer fields: {sorted(missing)}")
    body = _body_for_unit(organization)
    officer = Officer(body=body, organization=organization)
    _apply_officer_fields(officer, fields)
    _validate_officer(officer)
    if photo:
        suffix = _photo_suffix(photo)
        officer.photo.save(f"officer-{officer.certificate_no}{suffix}", photo, save=False)
    try:
        with transaction.atomic():
            officer.save()
    except IntegrityError:
        raise ValidationError(f"执法证号 {officer.certificate_no} 已被登记。") from None
    _record(
        actor,
        role,
        organization,
        f"officer:{officer.pk}",
        "registry.officer_created",
        {"officer_id": officer.pk, "body_id": body.pk, "after": _officer_state(officer)},
    )
    return officer


@transaction.atomic
def update_officer(
    actor: Actor, officer: Officer, *, photo: UploadedFile | None = None, **fields
) -> Officer:
    officer = (
        Officer.objects.select_for_update(of=("self",))
        .select_related("organization", "body")
        .get(pk=officer.pk)
    )
    role = _manage_role(actor, officer.organization)
    before = _officer_state(officer)
    new_org = fields.pop("organization", None)
    if new_org is not None and new_org.pk != officer.organization_id:
        role = _manage_role(actor, new_org)
        if _body_for_unit(new_org).pk != officer.body_id:
            raise ValidationError("执法人员调往其他执法主体的，请由调入单位重新登记。")
        officer.organization = new_org
    _apply_officer_fields(officer, fields)
    _validate_officer(officer)
    if photo:
        suffix = _photo_suffix(photo)
        officer.photo.save(f"officer-{officer.certificate_no}{suffix}", photo, save=False)

    def save() -> None:
        try:
            with transaction.atomic():
                officer.save()
        except IntegrityError:
            raise ValidationError(f"执法证号 {officer.certificate_no} 已被登记。") from None

    _save_changes(
        actor,
        role,
        officer,
        officer.organization,
        before,
        _officer_state(officer),
        f"officer:{officer.pk}",
        "registry.officer_updated",
        {"officer_id": officer.pk},
        save=save,
    )
    return officer


@transaction.atomic
def add_training(
    actor: Actor, officer: Officer, *, date: Any, title: str, hours: Any
) -> TrainingRecord:
    role = _manage_role(actor, officer.organization)
    day = _date(date, "培训日期")
    try:
        amount = Decimal(str(hours).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError("学时应为数字。") from None
    if not amount.is_finite() or amount <= 0 or amount > 1000:
        raise ValidationError("学时应大于0且不超过1000。")
    if amount != amount.quantize(Decimal("0.1")):
        raise ValidationError("学时最多保留一位小数。")
    amount = amount.quantize(Decimal("0.1"))
    training = TrainingRecord.objects.create(
        officer=officer, date=day, title=_text(title, "培训内容"), hours=amount
    )
    _record(
        actor,
        role,
        officer.organization,
        f"officer:{officer.pk}",
        "registry.training_recorded",
        {
            "officer_id": officer.pk,
            "training_id": training.pk,
            "date": day.isoformat(),
            "title": training.title,
            "hours": str(training.hours),
        },
    )
    return training


# ---------------------------------------------------------------- 法律顾问


def _adviser_state(adviser: LegalAdviser) -> dict[str, Any]:
    return {
        "name": adviser.name,
        "law_firm_id": adviser.law_firm_id,
        "practising_certificate_no": adviser.practising_certificate_no,
        "active": adviser.active,
    }


def _apply_adviser_fields(adviser: LegalAdviser, fields: dict[str, Any]) -> None:
    unknown = set(fields) - {"name", "law_firm", "practising_certificate_no", "active"}
    if unknown:
        raise TypeError(f"unknown adviser fields: {sorted(unknown)}")
    if "name" in fields:
        adviser.name = _text(fields["name"], "姓名", max_length=64)
    if "law_firm" in fields:
        firm = fields["law_firm"]
        if firm is None or firm.kind != OrgKind.LAW_FIRM:
            raise ValidationError("法律顾问须选择其执业的律师事务所。")
        adviser.law_firm = firm
    if "practising_certificate_no" in fields:
        adviser.practising_certificate_no = _text(
            fields["practising_certificate_no"], "律师执业证号", max_length=32
        )
    if "active" in fields:
        adviser.active = bool(fields["active"])
    clash = LegalAdviser.objects.filter(
        body_id=adviser.body_id, practising_certificate_no=adviser.practising_certificate_no
    ).exclude(pk=adviser.pk)
    if clash.exists():
        raise ValidationError("本执法主体已登记该执业证号的法律顾问。")


@transaction.atomic
def create_adviser(
    actor: Actor,
    body: EnforcementBody,
    *,
    name: str,
    law_firm: Organization,
    practising_certificate_no: str,
) -> LegalAdviser:
    role = _manage_role(actor, body.organization)
    adviser = LegalAdviser(body=body)
    _apply_adviser_fields(
        adviser,
        {
            "name": name,
            "law_firm": law_firm,
            "practising_certificate_no": practising_certificate_no,
        },
    )
    adviser.save()
    _record(
        actor,
        role,
        body.organization,
        f"legal_adviser:{adviser.pk}",
        "registry.adviser_created",
        {"adviser_id": adviser.pk, "body_id": body.pk, "after": _adviser_state(adviser)},
    )
    return adviser


@transaction.atomic
def update_adviser(actor: Actor, adviser: LegalAdviser, **fields: Any) -> LegalAdviser:
    adviser = (
        LegalAdviser.objects.select_for_update(of=("self",))
        .select_related("body__organization")
        .get(pk=adviser.pk)
    )
    role = _manage_role(actor, adviser.body.organization)
    before = _adviser_state(adviser)
    _apply_adviser_fields(adviser, fields)
    _save_changes(
        actor,
        role,
        adviser,
        adviser.body.organization,
        before,
        _adviser_state(adviser),
        f"legal_adviser:{adviser.pk}",
        "registry.adviser_updated",
        {"adviser_id": adviser.pk},
    )
    return adviser


# ---------------------------------------------------------------- 法制审核人员


@transaction.atomic
def appoint_reviewer(
    actor: Actor,
    body: EnforcementBody,
    *,
    officer: Officer | None = None,
    adviser: LegalAdviser | None = None,
    appointed_on: Any,
    first_time: bool,
) -> LegalReviewer:
    """Appoint one of the body's officers or retained advisers as a 法制审核人员. A first-time
    reviewer must hold the 法律职业资格 (行政处罚法 第五十八条第二款)."""
    role = _manage_role(actor, body.organization)
    if (officer is None) == (adviser is None):
        raise ValidationError("请选择一名执法人员或一名法律顾问。")
    day = _date(appointed_on, "任命日期")
    # Decide on the stored state, not on what the caller holds in memory.
    if officer is not None:
        officer = Officer.objects.select_for_update(of=("self",)).get(pk=officer.pk)
    else:
        adviser = LegalAdviser.objects.select_for_update(of=("self",)).get(pk=adviser.pk)
    if officer is not None:
        if officer.body_id != body.pk:
            raise ValidationError(f"{officer.name}不是本执法主体的执法人员。")
        if officer.status != OfficerStatus.ACTIVE:
            raise ValidationError(
                f"{officer.name}当前状态为“{officer.get_status_display()}”，不能任命。"
            )
        name, qualified = officer.name, officer.has_legal_qualification
        taken = LegalReviewer.objects.filter(body=body, officer=officer, active=True)
    else:
        if adviser.body_id != body.pk or not adviser.active:
            raise ValidationError(f"{adviser.name}不是本执法主体在聘的法律顾问。")
        # A practising lawyer holds the 法律职业资格 (律师法 第五条).
        name, qualified = adviser.name, True
        taken = LegalReviewer.objects.filter(body=body, adviser=adviser, active=True)
    rules.check_first_time_reviewer(
        first_time=bool(first_time), has_legal_qualification=qualified, name=name
    )
    if taken.exists():
        raise ValidationError(f"{name}已是本执法主体的法制审核人员。")
    reviewer = LegalReviewer.objects.create(
        body=body, officer=officer, adviser=adviser, appointed_on=day, first_time=bool(first_time)
    )
    _record(
        actor,
        role,
        body.organization,
        f"legal_reviewer:{reviewer.pk}",
        "registry.reviewer_appointed",
        {
            "reviewer_id": reviewer.pk,
            "body_id": body.pk,
            "officer_id": officer.pk if officer else None,
            "adviser_id": adviser.pk if adviser else None,
            "name": name,
            "appointed_on": day.isoformat(),
            "first_time": bool(first_time),
            "has_legal_qualification": qualified,
        },
    )
    return reviewer


@transaction.atomic
def withdraw_reviewer(
    actor: Actor, reviewer: LegalReviewer, *, withdrawn_on: Any, reason: str = ""
) -> LegalReviewer:
    reviewer = (
        LegalReviewer.objects.select_for_update(of=("self",))
        .select_related("body__organization", "officer", "adviser")
        .get(pk=reviewer.pk)
    )
    role = _manage_role(actor, reviewer.body.organization)
    if not reviewer.active:
        raise ValidationError(f"{reviewer.person_name}的法制审核人员任命已撤销。")
    day = _date(withdrawn_on, "撤销日期")
    if day < reviewer.appointed_on:
        raise ValidationError("撤销日期不能早于任命日期。")
    reviewer.active = False
    reviewer.withdrawn_on = day
    reviewer.withdrawal_reason = _text(reason, "撤销原因", required=False)
    reviewer.save(update_fields=["active", "withdrawn_on", "withdrawal_reason"])
    _record(
        actor,
        role,
        reviewer.body.organization,
        f"legal_reviewer:{reviewer.pk}",
        "registry.reviewer_withdrawn",
        {
            "reviewer_id": reviewer.pk,
            "body_id": reviewer.body_id,
            "name": reviewer.person_name,
            "withdrawn_on": day.isoformat(),
            "reason": reviewer.withdrawal_reason,
        },
    )
    return reviewer
