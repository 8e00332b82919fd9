"""Evidence: content-addressed files (stored once per SM3 digest) and the records that attach
them to a subject. Records are append-only in spirit: no service updates or deletes them; each
one is written in the same transaction as its ledger entry."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def storage_name_for(digest: str) -> str:
    """Where a blob lives in the default storage: ``evidence/sm3/ab/cd/<digest>``."""
    return f"evidence/sm3/{digest[:2]}/{digest[2:4]}/{digest}"


class EvidenceFile(models.Model):
    """One stored content, named by its SM3 digest (GB/T 32905-2016)."""

    digest = models.CharField("SM3 摘要", max_length=64, unique=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("文件类型", max_length=100)
    storage_name = models.CharField("存储位置", max_length=255)
    created_at = models.DateTimeField("首次存储时间", default=timezone.now)

    class Meta:
        verbose_name = "证据文件"
        verbose_name_plural = "证据文件"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.digest[:16]}… ({self.size} B)"


class EvidenceRecord(models.Model):
    """An upload of a file as evidence for a subject (e.g. ``case:123``)."""

    file = models.ForeignKey(
        EvidenceFile, on_delete=models.PROTECT, related_name="records", verbose_name="文件"
    )
    subject = models.CharField("对象", max_length=200, db_index=True)
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="组织"
    )
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    role = models.CharField("上传时角色", max_length=32)
    original_filename = models.CharField("原文件名", max_length=255)
    capture = models.JSONField("采集信息", default=dict, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    ledger_seq = models.BigIntegerField("账本序号", unique=True)

    class Meta:
        verbose_name = "证据登记"
        verbose_name_plural = "证据登记"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "subject"], name="evidence_org_subject")]

    def __str__(self) -> str:
        return f"{self.subject} · {self.original_filename}"


class UploadSession(models.Model):
    """A resumable upload from a phone on a flaky network: chunks arrive in order at fixed
    offsets into a part file under DATA_DIR/uploads, and ``finish`` hands the assembled file to
    the evidence store. Transient: expired sessions are purged (``zhifa.evidence.uploads``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="组织"
    )
    subject = models.CharField("对象", max_length=200)
    filename = models.CharField("原文件名", max_length=255)
    role = models.CharField("上传时角色", max_length=32)
    total_size = models.PositiveBigIntegerField("文件大小（字节）")
    chunk_size = models.PositiveIntegerField("分片大小（字节）")
    received = models.PositiveBigIntegerField("已接收（字节）", default=0)
    # SHA-256 of each chunk received, in order: a re-sent chunk must match its digest.
    chunk_digests = models.JSONField("分片摘要", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    created_at = models.DateTimeField("开始时间", default=timezone.now)
    expires_at = models.DateTimeField("过期时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    evidence = models.ForeignKey(
        EvidenceRecord,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="证据登记",
    )

    class Meta:
        verbose_name = "分片上传"
        verbose_name_plural = "分片上传"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["expires_at"], name="upload_session_expires")]

    def __str__(self) -> str:
        return f"{self.filename} {self.received}/{self.total_size}"
