"""Who acts in a service: a user, an API client (another government system) or the trusted
system (``None``: ``zhifa demo``, migrations, the operator's CLI).

Services of the register and the power lists call :func:`acting_role` instead of
``role_over``: a user acts under a business role held on the organisation or above it; an API
client acts only inside its own organisation's subtree and only with the token scope the
service needs. :func:`ledger_actor` turns the actor into what ``zhifa.ledger.services.record``
takes, so the ledger names the client itself (``api:<id> <name>``) in the change's one entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from zhifa.core.models import Organization, User
from zhifa.core.permissions import role_over

from .models import ApiClient

__all__ = ["API_CLIENT_ROLE", "Actor", "acting_role", "ledger_actor"]

API_CLIENT_ROLE = "api_client"  # the ledger role of a client's change

Actor = User | ApiClient | None


def acting_role(
    actor: Actor,
    organization: Organization,
    perm: str,
    roles: tuple,
    refusal: str,
    *,
    scope: str,
) -> str:
    """The ledger role under which the actor changes this organisation's data, or
    PermissionDenied (with ``refusal`` when the organisation is out of reach)."""
    if isinstance(actor, ApiClient):
        # Read fresh: a token revoked during a long import stops the import.
        client = (
            ApiClient.objects.filter(pk=actor.pk, active=True, organization__is_active=True)
            .select_related("organization")
            .first()
        )
        if client is None:
            raise PermissionDenied("接口令牌已停用。")
        if not client.has_scope(scope):
            raise PermissionDenied(f"接口令牌没有“{scope}”权限范围。")
        if not organization.path.startswith(client.organization.path):
            raise PermissionDenied(refusal)
        return API_CLIENT_ROLE
    return role_over(actor, organization, perm, roles, refusal)


def ledger_actor(actor: Actor) -> Any:
    """What ``record(actor=...)`` takes: the user, None, or the client's label."""
    if isinstance(actor, ApiClient):
        return actor.actor_label
    return actor
