"""Who may do what. Roles come from memberships; the three administrators are separated as
等保 2.0 level 3 asks: the system admin runs accounts and settings but reads no audit log and
grants no role, the security admin grants roles, the audit admin reads logs and changes nothing.
Business roles never include an administrator, so admins see no business data."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .models import Role, User

BUSINESS_ROLES = frozenset(
    {Role.OFFICER, Role.UNIT_HEAD, Role.BODY_HEAD, Role.LEGAL_REVIEWER, Role.SUPERVISOR}
)

PERMISSIONS: dict[str, frozenset[str]] = {
    "accounts.manage": frozenset({Role.SYSTEM_ADMIN}),
    "orgs.manage": frozenset({Role.SYSTEM_ADMIN}),
    "calendar.manage": frozenset({Role.SYSTEM_ADMIN}),
    "roles.manage": frozenset({Role.SECURITY_ADMIN}),
    "logs.view": frozenset({Role.AUDIT_ADMIN}),
    "ledger.view": frozenset({Role.AUDIT_ADMIN, Role.SUPERVISOR}),
    "business.view": BUSINESS_ROLES,
    "registry.manage": frozenset({Role.BODY_HEAD, Role.UNIT_HEAD}),
}


def user_roles(user: User) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_zhifa_roles", None)
    if cached is None:
        cached = set(user.memberships.values_list("role", flat=True))
        user._zhifa_roles = cached  # per-request cache: the user object lives one request
    return cached


def has_perm(user: User, perm: str) -> bool:
    allowed = PERMISSIONS[perm]
    return bool(user_roles(user) & allowed)


def require(user: User, perm: str) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied("您没有执行此操作的权限。")
