"""Complaint handling. Each function checks who may act, changes the complaint, writes the
history row and appends the ledger entry, in one transaction.

Who acts:
* submit: anyone, without an account; recorded in the ledger as the actor ``public``.
* accept, assign (转办 to the body complained about), reply, close: a supervisor (执法监督人员)
  of the justice office or bureau that supervises the body
  (``zhifa.core.selectors.supervised_bodies``).
* reply, once assigned: also the body's head (主要负责人).

The ledger is permanent and readable by supervisors and auditors, so it never holds what the
complainant wrote or who they are: the payload carries an SM3 digest of the content instead,
which still proves later that the stored text was not changed."""

from __future__ import annotations

import datetime
import hashlib
import os
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhifa.core.calendar import add_working_days
from zhifa.core.models import Membership, Organization, Role, User
from zhifa.core.permissions import require, role_over
from zhifa.core.selectors import supervised_bodies
from zhifa.core.validators import validate_mobile
from zhifa.ledger.services import record

from . import tracking
from .models import (
    NAME_MAX,
    REFERENCE_MAX,
    REPLY_MAX,
    TEXT_MAX,
    Action,
    Category,
    Complaint,
    ComplaintEvent,
    Status,
)

__all__ = [
    "EVENTS",
    "PUBLIC_ACTOR",
    "accept",
    "assign",
    "can_reply",
    "can_supervise",
    "close",
    "handling_days",
    "reply",
    "submit",
    "submittable_bodies",
]

PUBLIC_ACTOR = "public"
TEXT_MIN = 10
DEFAULT_HANDLING_DAYS = 15

EVENTS = {
    "complaint.submitted": "收到投诉举报",
    "complaint.accepted": "受理投诉举报",
    "complaint.assigned": "转办投诉举报",
    "complaint.replied": "答复投诉举报",
    "complaint.closed": "投诉举报结案",
}

# Control characters other than tab and new line: never meaningful in a complaint.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def handling_days() -> int:
    """Working days allowed to handle a complaint: settings.COMPLAINT_HANDLING_DAYS, else the
    environment's ZHIFA_COMPLAINT_HANDLING_DAYS, else 15."""
    value = getattr(settings, "COMPLAINT_HANDLING_DAYS", None)
    if value is None:
        value = os.environ.get("ZHIFA_COMPLAINT_HANDLING_DAYS", "").strip() or None
    return int(value) if value is not None else DEFAULT_HANDLING_DAYS


def submittable_bodies() -> QuerySet[Organization]:
    return Organization.objects.filter(is_enforcement_body=True, is_active=True).order_by("path")


def _digest(*parts: str) -> str:
    return hashlib.new("sm3", "\x1f".join(parts).encode("utf-8")).hexdigest()


def _clean_text(value: object, label: str, *, maximum: int, minimum: int = 0) -> str:
    text = "" if value is None else str(value)
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if minimum and len(text) < minimum:
        raise ValidationError(f"请填写{label}（至少{minimum}个字）。")
    if len(text) > maximum:
        raise ValidationError(f"{label}不能超过{maximum}个字（当前{len(text)}个字）。")
    return text


def _clean_line(value: object, label: str, maximum: int) -> str:
    text = _clean_text(value, label, maximum=maximum)
    return " ".join(text.split())


def _event(complaint: Complaint, action: str, before: str, actor, label: str, note: str = ""):
    ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        from_status=before,
        to_status=complaint.status,
        actor=actor if isinstance(actor, User) else None,
        actor_label=label,
        note=note,
    )


def _record(actor, role: str, complaint: Complaint, event: str, payload: dict) -> None:
    record(
        actor=actor,
        role=role,
        organization=complaint.body_id,
        subject=f"complaint:{complaint.pk}",
        event_type=event,
        payload={"complaint": complaint.pk, **payload},
    )


# ---------------------------------------------------------------- submission (public)


def submit(
    *,
    body: Organization | int | None,
    category: str,
    text: str,
    officer_reference: str = "",
    case_reference: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    today: datetime.date | None = None,
) -> Complaint:
    """A complaint from the public. Refuses bad input with a Chinese message before anything
    is written."""
    body_id = getattr(body, "pk", body)
    org = submittable_bodies().filter(pk=body_id).first() if body_id else None
    if org is None:
        raise ValidationError("请选择被投诉的执法主体。")
    if category not in Category.values:
        raise ValidationError("请选择投诉类别。")
    text = _clean_text(text, "投诉内容", maximum=TEXT_MAX, minimum=TEXT_MIN)
    officer_reference = _clean_line(officer_reference, "涉及执法人员", REFERENCE_MAX)
    case_reference = _clean_line(case_reference, "涉及案件或文书编号", REFERENCE_MAX)
    contact_name = _clean_line(contact_name, "联系人", NAME_MAX)
    contact_phone = str(contact_phone or "").strip()
    if contact_phone:
        contact_phone = validate_mobile(contact_phone)

    from zhifa.registry.models import Officer

    officer = (
        Officer.objects.filter(certificate_no=officer_reference, body__organization=org).first()
        if officer_reference
        else None
    )
    now = timezone.now()
    today = today or timezone.localdate(now)
    due = add_working_days(today, handling_days())
    with transaction.atomic():
        number = tracking.new_tracking_no(today)
        while Complaint.objects.filter(tracking_no=number).exists():  # 55 random bits: rare
            number = tracking.new_tracking_no(today)
        complaint = Complaint.objects.create(
            tracking_no=number,
            body=org,
            officer_reference=officer_reference,
            officer=officer,
            case_reference=case_reference,
            category=category,
            text=text,
            contact_name=contact_name,
            contact_phone=contact_phone,
            anonymous=not (contact_name or contact_phone),
            received_at=now,
            due_on=due.date,
            due_verified=due.verified,
        )
        _event(complaint, Action.SUBMITTED, "", None, PUBLIC_ACTOR)
        _record(
            PUBLIC_ACTOR,
            "public",
            complaint,
            "complaint.submitted",
            {
                "category": category,
                "officer": officer.pk if officer else None,
                "anonymous": complaint.anonymous,
                "due_on": due.date.isoformat(),
                "content_sm3": _digest(
                    text, officer_reference, case_reference, contact_name, contact_phone
                ),
            },
        )
    return complaint


# ---------------------------------------------------------------- handling (staff)


def _supervises(actor: User, body: Organization) -> bool:
    """Read fresh (not the per-request membership cache): services run after role changes."""
    for membership in Membership.objects.filter(user=actor, role=Role.SUPERVISOR).select_related(
        "organization__region", "organization__parent"
    ):
        if supervised_bodies(membership.organization).filter(pk=body.pk).exists():
            return True
    return False


def can_supervise(user: User, complaint: Complaint) -> bool:
    return user.is_authenticated and _supervises(user, complaint.body)


def _supervisor_role(actor: User | None, complaint: Complaint) -> str:
    if actor is None:
        return "system"
    require(actor, "complaints.handle")
    if not _supervises(actor, complaint.body):
        raise PermissionDenied("您不是该执法主体的执法监督人员，不能办理此投诉。")
    return Role.SUPERVISOR


def _require_status(complaint: Complaint, allowed: tuple[str, ...], doing: str) -> None:
    if complaint.status not in allowed:
        raise ValidationError(f"该投诉当前状态为“{complaint.get_status_display()}”，不能{doing}。")


def _lock(complaint: Complaint) -> Complaint:
    # Two supervisors acting at once: the second sees the first one's status.
    return Complaint.objects.select_for_update().select_related("body").get(pk=complaint.pk)


@transaction.atomic
def accept(actor: User | None, complaint: Complaint, note: str = "") -> Complaint:
    """受理: the supervisor takes the complaint on and becomes its handler."""
    complaint = _lock(complaint)
    role = _supervisor_role(actor, complaint)
    _require_status(complaint, (Status.RECEIVED,), "受理")
    note = _clean_text(note, "受理意见", maximum=REPLY_MAX)
    before = complaint.status
    complaint.status = Status.ACCEPTED
    complaint.handler = actor
    complaint.save(update_fields=["status", "handler"])
    _finish(actor, role, complaint, Action.ACCEPTED, before, note, "complaint.accepted")
    return complaint


@transaction.atomic
def assign(actor: User | None, complaint: Complaint, note: str = "") -> Complaint:
    """转办: the supervisor passes the complaint to the body complained about, whose head
    replies; the supervisor stays the handler (the contact stays with the supervisor)."""
    complaint = _lock(complaint)
    role = _supervisor_role(actor, complaint)
    _require_status(complaint, (Status.RECEIVED, Status.ACCEPTED), "转办")
    note = _clean_text(note, "转办意见", maximum=REPLY_MAX)
    before = complaint.status
    complaint.status = Status.ASSIGNED
    complaint.assigned_at = timezone.now()
    if complaint.handler_id is None and actor is not None:
        complaint.handler = actor
    complaint.save(update_fields=["status", "assigned_at", "handler"])
    _finish(actor, role, complaint, Action.ASSIGNED, before, note, "complaint.assigned")
    return complaint


def _reply_role(actor: User | None, complaint: Complaint) -> str:
    if actor is None:
        return "system"
    require(actor, "complaints.handle")
    if _supervises(actor, complaint.body):
        return Role.SUPERVISOR
    if complaint.status == Status.ASSIGNED:
        return role_over(
            actor,
            complaint.body,
            "complaints.handle",
            (Role.BODY_HEAD,),
            "您不能答复此投诉。",
        )
    raise PermissionDenied(
        "您不能答复此投诉：只有监督机关，或投诉已转办时该执法主体的主要负责人可以答复。"
    )


def can_reply(user: User, complaint: Complaint) -> bool:
    if complaint.status not in (Status.ACCEPTED, Status.ASSIGNED):
        return False
    try:
        _reply_role(user, complaint)
    except PermissionDenied:
        return False
    return True


@transaction.atomic
def reply(actor: User | None, complaint: Complaint, text: str) -> Complaint:
    """答复办结: the reply the complainant reads with the tracking number."""
    complaint = _lock(complaint)
    role = _reply_role(actor, complaint)
    _require_status(complaint, (Status.ACCEPTED, Status.ASSIGNED), "答复")
    text = _clean_text(text, "答复内容", maximum=REPLY_MAX, minimum=TEXT_MIN)
    before = complaint.status
    complaint.status = Status.HANDLED
    complaint.reply = text
    complaint.handled_at = timezone.now()
    complaint.save(update_fields=["status", "reply", "handled_at"])
    _finish(actor, role, complaint, Action.REPLIED, before, text, "complaint.replied")
    return complaint


@transaction.atomic
def close(actor: User | None, complaint: Complaint, note: str = "") -> Complaint:
    """结案. A handled complaint closes with an optional note. One not yet handled (不予受理:
    outside the platform's remit, a duplicate, no facts) closes only with a reason, which
    becomes the reply the complainant reads."""
    complaint = _lock(complaint)
    role = _supervisor_role(actor, complaint)
    _require_status(
        complaint,
        (Status.RECEIVED, Status.ACCEPTED, Status.HANDLED),
        "结案（已转办的投诉须先答复）",
    )
    before = complaint.status
    fields = ["status", "closed_at"]
    if before == Status.HANDLED:
        note = _clean_text(note, "结案意见", maximum=REPLY_MAX)
    else:
        note = _clean_text(note, "不予受理或结案的理由", maximum=REPLY_MAX, minimum=TEXT_MIN)
        complaint.reply = note
        fields.append("reply")
    if complaint.handler_id is None and actor is not None:
        complaint.handler = actor
        fields.append("handler")
    complaint.status = Status.CLOSED
    complaint.closed_at = timezone.now()
    complaint.save(update_fields=fields)
    _finish(actor, role, complaint, Action.CLOSED, before, note, "complaint.closed")
    return complaint


def _finish(actor, role, complaint, action, before, note, event) -> None:
    from zhifa.ledger.services import actor_label

    _event(complaint, action, before, actor, actor_label(actor)[1], note)
    payload = {"from": before, "to": complaint.status}
    if note:
        payload["note_sm3"] = _digest(note)
    _record(actor, role, complaint, event, payload)
