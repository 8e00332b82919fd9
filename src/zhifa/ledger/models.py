"""The append-only ledger: entries, their Merkle tree nodes, signed checkpoints, verification
runs. Database triggers (migration 0002) refuse UPDATE, DELETE and TRUNCATE on all four tables;
the only writer is :mod:`zhifa.ledger.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class LedgerEntry(models.Model):
    """One record. ``seq`` is the leaf index: gap-free from 0. The leaf data is the RFC 8785
    canonical JSON of :meth:`leaf_object`; ``leaf_hash`` = SM3(0x00 || leaf data)."""

    seq = models.BigIntegerField("序号", primary_key=True)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # an entry outlives anything; the label keeps who it was
        verbose_name="操作人",
    )
    actor_label = models.CharField("操作人标识", max_length=200)
    role = models.CharField("角色", max_length=32, blank=True)
    organization = models.ForeignKey(
        "core.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        verbose_name="组织",
    )
    subject = models.CharField("对象", max_length=200, db_index=True)
    event_type = models.CharField("事件类型", max_length=100)
    schema_version = models.PositiveIntegerField("结构版本", default=1)
    payload = models.TextField("内容（RFC 8785 规范 JSON）")
    leaf_hash = models.BinaryField("叶哈希（SM3）", max_length=32)

    class Meta:
        verbose_name = "账本记录"
        verbose_name_plural = "账本记录"
        ordering = ["seq"]
        indexes = [models.Index(fields=["organization", "seq"], name="ledger_entry_org_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.subject} {self.event_type}"


class LedgerNode(models.Model):
    """A complete Merkle subtree root: ``(level, index)`` covers leaves
    ``[index * 2**level, (index + 1) * 2**level)``; level 0 is the leaf hash."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="ledger_node_level_index")
        ]

    def __str__(self) -> str:
        return f"({self.level}, {self.index})"


class Checkpoint(models.Model):
    """A signed tree head (C2SP signed note, Ed25519 + SM2) for the first ``size`` entries."""

    size = models.BigIntegerField("树大小")
    root_hash = models.BinaryField("根哈希", max_length=32)
    note = models.TextField("签名检查点")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "检查点"
        verbose_name_plural = "检查点"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"checkpoint {self.size} @ {self.created_at:%Y-%m-%d %H:%M}"


class VerificationRun(models.Model):
    """One run of ``zhifa ledger verify`` (written once, when it finishes)."""

    started = models.DateTimeField("开始")
    finished = models.DateTimeField("结束")
    ok = models.BooleanField("完好")
    entries_checked = models.BigIntegerField("已核验记录数")
    checkpoints_checked = models.IntegerField("已核验检查点数", default=0)
    first_failure = models.TextField("首个问题", blank=True)

    class Meta:
        verbose_name = "核验记录"
        verbose_name_plural = "核验记录"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.started:%Y-%m-%d %H:%M} {'ok' if self.ok else 'FAILED'}"
