"""Complaints (投诉举报) from the public about enforcement bodies, and their handling by the
supervising justice office or bureau. Changes go through :mod:`zhifa.supervision.services`;
every change also leaves a ComplaintEvent row (the history shown on the staff page) and a
ledger entry (the permanent record)."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

from zhifa.core.masking import mask_person_name, mask_phone
from zhifa.core.models import Organization, User

TEXT_MAX = 2000  # characters of complaint text
REPLY_MAX = 2000
REFERENCE_MAX = 64
NAME_MAX = 32


class Category(models.TextChoices):
    CONDUCT = "conduct", "执法态度与作风"
    ARBITRARY_FINE = "arbitrary_fine", "乱罚款、乱收费"
    INACTION = "inaction", "不作为、慢作为"
    PROCEDURE = "procedure", "执法程序违法"
    NO_CERTIFICATE = "no_certificate", "无证执法、执法证件问题"
    EXCESSIVE = "excessive", "处罚畸重、选择性执法"
    OTHER = "other", "其他"


class Status(models.TextChoices):
    RECEIVED = "received", "已收到"
    ACCEPTED = "accepted", "已受理"
    ASSIGNED = "assigned", "已转办"
    HANDLED = "handled", "已办结"
    CLOSED = "closed", "已结案"


OPEN_STATUSES = (Status.RECEIVED, Status.ACCEPTED, Status.ASSIGNED)


class Complaint(models.Model):
    """One complaint. The text and contact are stored as the person typed them (plain text,
    always rendered escaped); the tracking number is the only key the public holds."""

    tracking_no = models.CharField("查询码", max_length=24, unique=True)
    body = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="complaints",
        limit_choices_to={"is_enforcement_body": True},
        verbose_name="被投诉执法主体",
    )
    officer_reference = models.CharField("涉及执法人员", max_length=REFERENCE_MAX, blank=True)
    # Linked when the reference is the certificate number of one of the body's officers.
    officer = models.ForeignKey(
        "registry.Officer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name="执法人员",
    )
    case_reference = models.CharField("涉及案件或文书编号", max_length=REFERENCE_MAX, blank=True)
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    text = models.TextField("投诉内容", max_length=TEXT_MAX)
    contact_name = models.CharField("联系人", max_length=NAME_MAX, blank=True)
    contact_phone = models.CharField("联系电话", max_length=11, blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField("收到时间", default=timezone.now)
    due_on = models.DateField("办理期限")
    # False when the holiday table for a year in the period was not confirmed (weekends only).
    due_verified = models.BooleanField(default=True)
    handler = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_complaints",
        verbose_name="承办人",
    )
    assigned_at = models.DateTimeField("转办时间", null=True, blank=True)
    reply = models.TextField("答复", max_length=REPLY_MAX, blank=True)
    handled_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)

    class Meta:
        verbose_name = "投诉举报"
        verbose_name_plural = "投诉举报"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["body", "status"])]

    def __str__(self) -> str:
        return self.tracking_no

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Still open after the handling deadline, or handled after it."""
        if self.handled_at is not None:
            return timezone.localdate(self.handled_at) > self.due_on
        if not self.is_open:
            return False
        return (today or timezone.localdate()) > self.due_on

    @property
    def masked_name(self) -> str:
        return mask_person_name(self.contact_name) if self.contact_name else ""

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone) if self.contact_phone else ""


class Action(models.TextChoices):
    SUBMITTED = "submitted", "提交"
    ACCEPTED = "accepted", "受理"
    ASSIGNED = "assigned", "转办"
    REPLIED = "replied", "答复办结"
    CLOSED = "closed", "结案"


class ComplaintEvent(models.Model):
    """One step of a complaint's history (written by the services only, never edited)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action}"
