"""Who may do what. Roles come from memberships; the three administrators are separated as
等保 2.0 level 3 asks: the system admin runs accounts and settings but reads no audit log and
grants no role, the security admin grants roles, the audit admin reads logs and changes nothing.
Business roles never include an administrator, so admins see no business data."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import connections

from .models import Membership, Organization, Role, User

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
    "powers.manage": frozenset({Role.BODY_HEAD, Role.UNIT_HEAD}),
}


def memberships_of(user: User) -> list[Membership]:
    """The user's memberships with their organisations, read once per request: roles, scope
    paths and the workspace all come from this one query."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_zhifa_memberships", None)
    if cached is None:
        cached = load_memberships(user)
    return cached


# In model field order: Model.from_db maps a partial row onto the concrete fields in order.
_ORG_FIELDS = tuple(
    f.attname
    for f in Organization._meta.concrete_fields
    if f.attname in {"id", "name", "kind", "path", "is_enforcement_body", "parent_id", "region_id"}
)


def _memberships_sql() -> str:
    m, o = Membership._meta.db_table, Organization._meta.db_table
    cols = (
        ", ".join(f"o.{f}" for f in _ORG_FIELDS) + ", " + ", ".join(f"p.{f}" for f in _ORG_FIELDS)
    )
    return (
        f"SELECT m.id, m.role, {cols} FROM {m} m"  # noqa: S608 - table names from models
        f" JOIN {o} o ON o.id = m.organization_id LEFT JOIN {o} p ON p.id = o.parent_id"
        " WHERE m.user_id = %s ORDER BY o.path, m.id"
    )


def load_memberships(user: User) -> list[Membership]:
    """Every page needs the user's roles and scope. One hand-written query builds the
    memberships with their organisations and parents (deferred models: only the fields read
    here are loaded), because the ORM's query compilation costs more than the query itself."""
    n = len(_ORG_FIELDS)
    memberships = []
    orgs: dict[int, Organization] = {}

    def org_from(values) -> Organization | None:
        if values[0] is None:
            return None
        org = orgs.get(values[0])
        if org is None:
            org = Organization.from_db(user._state.db, list(_ORG_FIELDS), list(values))
            orgs[org.pk] = org
        return org

    with connections[user._state.db or "default"].cursor() as cursor:
        cursor.execute(_memberships_sql(), [user.pk])
        for row in cursor.fetchall():
            org = org_from(row[2 : 2 + n])
            parent = org_from(row[2 + n :])
            org._state.fields_cache["parent"] = parent
            membership = Membership.from_db(
                user._state.db,
                ["id", "user_id", "organization_id", "role"],
                [row[0], user.pk, org.pk, row[1]],
            )
            membership._state.fields_cache["organization"] = org
            membership._state.fields_cache["user"] = user
            memberships.append(membership)
    user._zhifa_memberships = memberships  # the user object lives one request
    return memberships


def user_roles(user: User) -> set[str]:
    return {m.role for m in memberships_of(user)}


def has_perm(user: User, perm: str) -> bool:
    allowed = PERMISSIONS[perm]
    return bool(user_roles(user) & allowed)


def require(user: User, perm: str) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied("您没有执行此操作的权限。")
