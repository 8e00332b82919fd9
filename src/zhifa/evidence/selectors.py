"""Scoped reads of evidence: only records of organisations the user may read; missing and
forbidden both give 404."""

from __future__ import annotations

from django.db.models import QuerySet

from zhifa.core.models import User
from zhifa.core.selectors import get_scoped, scope

from .models import EvidenceRecord


def _records() -> QuerySet[EvidenceRecord]:
    return EvidenceRecord.objects.select_related("file", "uploader", "organization")


def evidence_for(user: User, subject: str) -> QuerySet[EvidenceRecord]:
    """Evidence recorded for a subject (e.g. ``case:123``) that the user may read."""
    return scope(_records().filter(subject=subject), user).order_by("created_at", "id")


def get_record(user: User, pk: int) -> EvidenceRecord:
    return get_scoped(_records(), user, pk=pk)
