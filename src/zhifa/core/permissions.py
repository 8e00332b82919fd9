"""Who may do what. Roles come from memberships; the three administrators are separated as
等保 2.0 level 3 asks: the system admin runs accounts and settings but reads no audit log and
grants no role, the security admin grants roles, the audit admin reads logs and changes nothing.
Business roles never include an administrator, so admins see no business data."""

from __future__ import annotations

from functools import lru_cache

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
    # Cases: officers and heads handle; heads approve (立案、处罚决定、回避、延期).
    "cases.handle": frozenset({Role.OFFICER, Role.UNIT_HEAD, Role.BODY_HEAD}),
    "cases.approve": frozenset({Role.UNIT_HEAD, Role.BODY_HEAD}),
    # Legal review: the handling unit submits, heads and reviewers assign, the reviewer gives
    # the opinion, the body head keeps the catalogue and records deliberations.
    "review.submit": frozenset({Role.OFFICER, Role.UNIT_HEAD, Role.BODY_HEAD}),
    "review.assign": frozenset({Role.BODY_HEAD, Role.LEGAL_REVIEWER}),
    "review.perform": frozenset({Role.LEGAL_REVIEWER}),
    "review.manage": frozenset({Role.BODY_HEAD}),
    "review.stats": frozenset({Role.SUPERVISOR, Role.BODY_HEAD, Role.LEGAL_REVIEWER}),
    "publicity.review": frozenset({Role.LEGAL_REVIEWER, Role.UNIT_HEAD, Role.BODY_HEAD}),
    "publicity.publish": frozenset({Role.BODY_HEAD, Role.UNIT_HEAD}),
    "publicity.approve": frozenset({Role.BODY_HEAD}),
    # Supervisors handle complaints about the bodies they supervise; a body head replies to
    # the complaints a supervisor assigned to the body.
    "complaints.handle": frozenset({Role.SUPERVISOR, Role.BODY_HEAD}),
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


_USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields)


def _memberships_sql(with_user: bool) -> str:
    u, m, o = User._meta.db_table, Membership._meta.db_table, Organization._meta.db_table
    cols = (
        ", ".join(f"o.{f}" for f in _ORG_FIELDS) + ", " + ", ".join(f"p.{f}" for f in _ORG_FIELDS)
    )
    joins = f" LEFT JOIN {o} o ON o.id = m.organization_id LEFT JOIN {o} p ON p.id = o.parent_id"
    if with_user:
        # The user row and its memberships in one round trip (the user repeats per row).
        user_cols = ", ".join(f"u.{f}" for f in _USER_FIELDS)
        return (
            f"SELECT m.id, m.role, {cols}, {user_cols} FROM {u} u"  # noqa: S608 - model tables
            f" LEFT JOIN {m} m ON m.user_id = u.id{joins}"
            " WHERE u.id = %s ORDER BY o.path, m.id"
        )
    return (
        f"SELECT m.id, m.role, {cols} FROM {m} m{joins}"  # noqa: S608 - model tables
        " WHERE m.user_id = %s ORDER BY o.path, m.id"
    )


def _build_memberships(user: User, rows, db: str) -> list[Membership]:
    n = len(_ORG_FIELDS)
    memberships = []
    orgs: dict[int, Organization] = {}

    def org_from(values) -> Organization | None:
        if values[0] is None:
            return None
        org = orgs.get(values[0])
        if org is None:
            org = Organization.from_db(db, list(_ORG_FIELDS), list(values))
            orgs[org.pk] = org
        return org

    for row in rows:
        if row[0] is None:  # a user without memberships
            continue
        org = org_from(row[2 : 2 + n])
        org._state.fields_cache["parent"] = org_from(row[2 + n : 2 + 2 * n])
        membership = Membership.from_db(
            db, ["id", "user_id", "organization_id", "role"], [row[0], user.pk, org.pk, row[1]]
        )
        membership._state.fields_cache["organization"] = org
        membership._state.fields_cache["user"] = user
        memberships.append(membership)
    user._zhifa_memberships = memberships  # the user object lives one request
    # The home organisation is usually one the user holds a role in: reuse it.
    for m in memberships:
        if m.organization_id == user.organization_id:
            user._state.fields_cache["organization"] = m.organization
            break
    return memberships


def load_memberships(user: User) -> list[Membership]:
    """Every page needs the user's roles and scope. One hand-written query builds the
    memberships with their organisations and parents (deferred models: only the fields read
    here are loaded), because the ORM's query compilation costs more than the query itself."""
    db = user._state.db or "default"
    with connections[db].cursor() as cursor:
        cursor.execute(_memberships_sql(with_user=False), [user.pk])
        rows = cursor.fetchall()
    return _build_memberships(user, rows, db)


@lru_cache(maxsize=8)
def _user_converters(vendor: str, db: str) -> list[tuple[int, list, object]]:
    """The backend and field converters of the user's columns, worked out once per database."""
    connection = connections[db]
    result = []
    for i, field in enumerate(User._meta.concrete_fields):
        col = field.get_col(User._meta.db_table)
        converters = list(connection.ops.get_db_converters(col)) + list(
            field.get_db_converters(connection)
        )
        if converters:
            result.append((i, converters, col))
    return result


def load_user(user_id, db: str = "default") -> User | None:
    """The user and their memberships in one query: what authentication needs on every page."""
    with connections[db].cursor() as cursor:
        cursor.execute(_memberships_sql(with_user=True), [user_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    start = 2 + 2 * len(_ORG_FIELDS)
    connection = connections[db]
    values = list(rows[0][start:])
    # Let the fields convert what the driver returns (SQLite gives text for datetimes).
    for i, converters, expression in _user_converters(connection.vendor, db):
        for converter in converters:
            values[i] = converter(values[i], expression, connection)
    user = User.from_db(db, list(_USER_FIELDS), values)
    _build_memberships(user, rows, db)
    return user


def user_roles(user: User) -> set[str]:
    return {m.role for m in memberships_of(user)}


def has_perm(user: User, perm: str) -> bool:
    allowed = PERMISSIONS[perm]
    return bool(user_roles(user) & allowed)


def role_over(
    actor: User | None, organization: Organization, perm: str, roles: tuple, refusal: str
) -> str:
    """The role under which the actor acts on this organisation: the first of `roles` (in
    order of preference) held on it or on an organisation above it (a membership covers its
    subtree), after the permission check; PermissionDenied with `refusal` otherwise. None is
    the system. Read fresh, not from the per-request cache: services run after role changes."""
    if actor is None:
        return "system"
    require(actor, perm)
    held = {
        role
        for role, path in Membership.objects.filter(user=actor, role__in=roles).values_list(
            "role", "organization__path"
        )
        if organization.path.startswith(path)
    }
    for role in roles:
        if role in held:
            return role
    raise PermissionDenied(refusal)


def require(user: User, perm: str) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied("您没有执行此操作的权限。")
