"""投诉举报与执法监督 API: complaints for the staff who handle them, scoped like the pages
(a supervisor reads the complaints about the bodies they supervise, a body head those assigned
to the body), and the handling actions through the supervision services.

Signed-in users only: an API client token answers 403, because a complaint's handling is a
person's act (the ledger names them) and the contact of the complainant is theirs to see."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from zhifa.core.models import User
from zhifa.core.permissions import has_perm
from zhifa.supervision import selectors, services
from zhifa.supervision.models import OPEN_STATUSES, Complaint, Status

from ..schemas import ErrorOut

router = Router(tags=["投诉举报与执法监督"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ComplaintOut(Schema):
    id: int
    tracking_no: str
    body_id: int
    body_name: str
    category: str
    category_label: str
    status: str
    status_label: str
    text: str
    officer_reference: str
    officer_id: int | None
    case_reference: str
    anonymous: bool
    # Masked unless the caller is the handling supervisor.
    contact_name: str
    contact_phone: str
    received_at: datetime.datetime
    due_on: datetime.date
    overdue: bool
    handler_id: int | None
    reply: str
    handled_at: datetime.datetime | None
    closed_at: datetime.datetime | None


class NoteIn(Schema):
    note: str = ""


def _user(request: HttpRequest) -> User:
    principal = request.auth
    if not isinstance(principal, User):
        raise PermissionDenied("投诉举报接口仅对登录的执法监督人员和执法主体主要负责人开放。")
    if not has_perm(principal, "complaints.handle"):
        raise PermissionDenied("投诉举报仅对执法监督人员和执法主体主要负责人开放。")
    return principal


def complaint_out(c: Complaint, user: User, today: datetime.date) -> dict[str, Any]:
    full = c.handler_id == user.pk
    return {
        "id": c.pk,
        "tracking_no": c.tracking_no,
        "body_id": c.body_id,
        "body_name": c.body.name,
        "category": c.category,
        "category_label": c.get_category_display(),
        "status": c.status,
        "status_label": c.get_status_display(),
        "text": c.text,
        "officer_reference": c.officer_reference,
        "officer_id": c.officer_id,
        "case_reference": c.case_reference,
        "anonymous": c.anonymous,
        "contact_name": c.contact_name if full else c.masked_name,
        "contact_phone": c.contact_phone if full else c.masked_phone,
        "received_at": c.received_at,
        "due_on": c.due_on,
        "overdue": c.is_overdue(today),
        "handler_id": c.handler_id,
        "reply": c.reply,
        "handled_at": c.handled_at,
        "closed_at": c.closed_at,
    }


@router.get("/complaints", response=list[ComplaintOut])
@paginate(LimitOffsetPagination)
def list_complaints(request: HttpRequest, status: str = "", overdue: bool = False):
    user = _user(request)
    today = timezone.localdate()
    qs = selectors.complaints_for(user)
    if status in Status.values:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    return [complaint_out(c, user, today) for c in qs]


@router.get("/complaints/{int:complaint_id}", response={200: ComplaintOut, **ERRORS})
def get_complaint(request: HttpRequest, complaint_id: int):
    user = _user(request)
    return complaint_out(selectors.get_complaint(user, complaint_id), user, timezone.localdate())


ACTIONS = {
    "accept": services.accept,
    "assign": services.assign,
    "reply": services.reply,
    "close": services.close,
}


@router.post(
    "/complaints/{int:complaint_id}/{action}",
    response={200: ComplaintOut, **ERRORS},
    summary="受理（accept）、转办（assign）、答复（reply）或结案（close）",
)
def act_on_complaint(request: HttpRequest, complaint_id: int, action: str, payload: NoteIn):
    user = _user(request)
    complaint = selectors.get_complaint(user, complaint_id)
    if action not in ACTIONS:
        raise Http404("未找到该操作。")
    ACTIONS[action](user, complaint, payload.note)
    complaint = selectors.get_complaint(user, complaint_id)
    return complaint_out(complaint, user, timezone.localdate())
