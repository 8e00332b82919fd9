"""Scoped reads of complaints. A supervisor reads the complaints about the bodies their justice
office or bureau supervises; a body head reads those a supervisor assigned (转办) to their body,
never the ones still with the supervisor. Missing and forbidden both give 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from zhifa.core.models import Role, User
from zhifa.core.permissions import has_perm
from zhifa.core.selectors import acting_organizations, supervised_organizations

from . import tracking
from .models import Complaint

__all__ = ["complaints_for", "get_complaint", "public_lookup"]


def complaints_for(user: User) -> QuerySet[Complaint]:
    if not user.is_authenticated or not has_perm(user, "complaints.handle"):
        return Complaint.objects.none()
    supervised = supervised_organizations(user).values("pk")
    headed = acting_organizations(user, roles={Role.BODY_HEAD}).values("pk")
    return Complaint.objects.filter(
        Q(body__in=supervised) | Q(body__in=headed, assigned_at__isnull=False)
    ).select_related("body", "handler", "officer")


def get_complaint(user: User, pk: int) -> Complaint:
    complaint = complaints_for(user).filter(pk=pk).first()
    if complaint is None:
        raise Http404("未找到该投诉。")
    return complaint


def public_lookup(number: str) -> Complaint | None:
    """The complaint with this tracking number, or None: a malformed number and an unknown
    one look the same to the caller."""
    canonical = tracking.normalise(number)
    if canonical is None:
        return None
    return Complaint.objects.filter(tracking_no=canonical).first()
