"""API clients: other government systems that call the zhifa API with a bearer token. Only the
SHA-256 of the token is stored; the raw token is shown once when it is issued."""

from __future__ import annotations

from django.db import models

from zhifa.core.models import Organization


class Scope(models.TextChoices):
    READ = "read", "读取"
    REGISTRY_WRITE = "registry.write", "维护执法主体与人员信息"
    POWERS_WRITE = "powers.write", "维护权责清单与裁量基准"
    CASES_WRITE = "cases.write", "办理执法案件（不含审批）"


class ApiClient(models.Model):
    name = models.CharField("名称", max_length=128)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="api_clients", verbose_name="所属组织"
    )
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    # Comma-separated scopes, e.g. "read,registry.write".
    scopes = models.TextField("权限范围", blank=True, default="")
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.scopes.split(",") if s.strip())

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_set

    @property
    def actor_label(self) -> str:
        """How the ledger names this client (``zhifa.ledger.services.actor_label``)."""
        return f"api:{self.pk} {self.name}"[:200]
