"""Issuing, checking and revoking API tokens. A token is ``zf_`` + 43 URL-safe characters; only
its SHA-256 (hex) is stored, so a lost token is revoked and a new one issued."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhifa.core.models import Organization, User
from zhifa.core.permissions import require
from zhifa.ledger.services import record

from .models import ApiClient, Scope

__all__ = ["EVENTS", "authenticate_token", "hash_token", "issue_token", "parse_scopes", "revoke"]

EVENTS = {
    "exchange.token_issued": "接口令牌签发",
    "exchange.token_revoked": "接口令牌停用",
    "exchange.client_write": "接口客户端写入",
}

TOKEN_PREFIX = "zf_"  # noqa: S105 - a public prefix, not a secret
# last_used_at is written at most this often per client (not on every request).
LAST_USED_GRANULARITY_SECONDS = 60


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def parse_scopes(scopes: str | Iterable[str]) -> list[str]:
    items = scopes.split(",") if isinstance(scopes, str) else list(scopes)
    result: list[str] = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        if item not in Scope.values:
            raise ValidationError(f"未知的权限范围“{item}”。可用：{', '.join(Scope.values)}。")
        if item not in result:
            result.append(item)
    if not result:
        raise ValidationError("请至少指定一个权限范围。")
    return result


def _role(actor: User | None) -> str:
    return "system" if actor is None else "system_admin"


@transaction.atomic
def issue_token(
    actor: User | None, name: str, organization: Organization, scopes: str | Iterable[str]
) -> tuple[ApiClient, str]:
    """Create a client and its token. Returns (client, raw token): the raw token is not stored
    and cannot be shown again. Only the system admin (or the operator's CLI, actor=None)."""
    if actor is not None:
        require(actor, "accounts.manage")
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise ValidationError("请填写客户端名称（不超过128字）。")
    if organization is None or not organization.is_active:
        raise ValidationError("请选择启用中的所属组织。")
    scope_list = parse_scopes(scopes)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name,
        organization=organization,
        token_hash=hash_token(raw),
        scopes=",".join(scope_list),
    )
    record(
        actor=actor,
        role=_role(actor),
        organization=organization,
        subject=f"api_client:{client.pk}",
        event_type="exchange.token_issued",
        payload={"client_id": client.pk, "name": client.name, "scopes": scope_list},
    )
    return client, raw


@transaction.atomic
def revoke(actor: User | None, client: ApiClient) -> ApiClient:
    if actor is not None:
        require(actor, "accounts.manage")
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not client.active:
        return client
    client.active = False
    client.save(update_fields=["active"])
    record(
        actor=actor,
        role=_role(actor),
        organization=client.organization,
        subject=f"api_client:{client.pk}",
        event_type="exchange.token_revoked",
        payload={"client_id": client.pk, "name": client.name},
    )
    return client


def authenticate_token(raw: str | None) -> ApiClient | None:
    """The active client holding this token, or None. Notes when it was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    client = (
        ApiClient.objects.filter(
            token_hash=hash_token(raw), active=True, organization__is_active=True
        )
        .select_related("organization")
        .first()
    )
    if client is None:
        return None
    now = timezone.now()
    last = client.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_GRANULARITY_SECONDS:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client
