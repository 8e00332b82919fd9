"""Core actions: organisations, accounts, roles. Each checks permission, changes state and
records it in one transaction. `actor=None` means a trusted caller (migrations, the demo loader,
the command line run by the machine's operator); views always pass the request user."""

from __future__ import annotations

import secrets
import string

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import (
    ADMIN_ROLES,
    LoginLog,
    Membership,
    Organization,
    OrgKind,
    PasswordHistory,
    Region,
    Role,
    User,
)
from .permissions import require
from .selectors import admin_organizations


def _require_admin_scope(actor: User | None, perm: str, role: str, org: Organization) -> None:
    if actor is None:
        return
    require(actor, perm)
    if not admin_organizations(actor, role).filter(pk=org.pk).exists():
        raise PermissionDenied("该组织不在您的管理范围内。")


@transaction.atomic
def create_region(code: str, name: str, parent: Region | None = None) -> Region:
    code = code.strip()
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise ValidationError("行政区划代码应为 6 位（GB/T 2260）或 9、12 位（统计用区划）数字。")
    if parent is not None and not Region.prefix_of(code).startswith(parent.prefix):
        raise ValidationError(f"区划代码 {code} 不属于上级区划 {parent.code}。")
    region, _ = Region.objects.update_or_create(
        code=code, defaults={"name": name, "parent": parent}
    )
    return region


@transaction.atomic
def create_organization(
    actor: User | None,
    *,
    name: str,
    kind: str,
    region: Region,
    parent: Organization | None = None,
    is_enforcement_body: bool = False,
    uscc: str = "",
    short_name: str = "",
) -> Organization:
    if kind not in OrgKind.values:
        raise ValidationError(f"未知的组织类型：{kind}")
    if parent is None and actor is not None:
        raise ValidationError("请选择上级组织。")
    if parent is not None:
        _require_admin_scope(actor, "orgs.manage", Role.SYSTEM_ADMIN, parent)
    if uscc:
        from .validators import validate_uscc

        uscc = validate_uscc(uscc)
    name = name.strip()
    if not name:
        raise ValidationError("组织名称不能为空。")
    if Organization.objects.filter(parent=parent, name=name).exists():
        raise ValidationError(f"同一上级下已有名为“{name}”的组织。")
    org = Organization.objects.create(
        name=name,
        short_name=short_name,
        kind=kind,
        region=region,
        parent=parent,
        is_enforcement_body=is_enforcement_body,
        uscc=uscc,
    )
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.save(update_fields=["path"])
    return org


def generate_temporary_password() -> str:
    """A random password that passes the policy (all four classes), shown once."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(10))
        candidate = body + secrets.choice("!@#$%*+=") + secrets.choice(string.digits)
        if any(c.islower() for c in body) and any(c.isupper() for c in body):
            return candidate


def _store_password(user: User, raw: str) -> None:
    password_validation.validate_password(raw, user)
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(raw)
    user.password_changed_at = timezone.now()


@transaction.atomic
def create_user(
    actor: User | None,
    *,
    username: str,
    full_name: str,
    organization: Organization,
    password: str | None = None,
    phone: str = "",
) -> tuple[User, str | None]:
    """Create an account. Returns the user and the temporary password when one was generated
    (it must be changed at first login)."""
    _require_admin_scope(actor, "accounts.manage", Role.SYSTEM_ADMIN, organization)
    username = username.strip()
    if not username:
        raise ValidationError("用户名不能为空。")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"用户名“{username}”已被使用。")
    user = User(
        username=username, full_name=full_name.strip(), phone=phone, organization=organization
    )
    temporary = None
    if password is None:
        temporary = generate_temporary_password()
        password = temporary
        user.must_change_password = True
    _store_password(user, password)
    user.save()
    return user, temporary


@transaction.atomic
def change_own_password(user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError("原密码不正确。")
    if old_password == new_password:
        raise ValidationError("新密码不能与原密码相同。")
    user = User.objects.select_for_update().get(pk=user.pk)
    _store_password(user, new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])


@transaction.atomic
def reset_password(actor: User, target: User) -> str:
    """Give an account a new temporary password; its owner must change it at next login."""
    if target.organization is None:
        raise PermissionDenied("该账号不在您的管理范围内。")
    _require_admin_scope(actor, "accounts.manage", Role.SYSTEM_ADMIN, target.organization)
    temporary = generate_temporary_password()
    _store_password(target, temporary)
    target.must_change_password = True
    target.save(update_fields=["password", "password_changed_at", "must_change_password"])
    return temporary


@transaction.atomic
def set_user_active(actor: User, target: User, active: bool) -> None:
    if target.organization is None:
        raise PermissionDenied("该账号不在您的管理范围内。")
    _require_admin_scope(actor, "accounts.manage", Role.SYSTEM_ADMIN, target.organization)
    if target.pk == actor.pk and not active:
        raise ValidationError("不能停用自己的账号。")
    target.is_active = active
    target.save(update_fields=["is_active"])


def unlock_user(actor: User, target: User) -> int:
    """Lift a login lockout before it expires. Returns how many failure records were cleared."""
    from axes.utils import reset

    if target.organization is None:
        raise PermissionDenied("该账号不在您的管理范围内。")
    _require_admin_scope(actor, "accounts.manage", Role.SYSTEM_ADMIN, target.organization)
    return reset(username=target.username)


def is_locked(user: User) -> bool:
    from axes.models import AccessAttempt
    from django.conf import settings

    attempt = AccessAttempt.objects.filter(username=user.username).order_by("-attempt_time").first()
    if attempt is None or attempt.failures_since_start < settings.AXES_FAILURE_LIMIT:
        return False
    cooloff = timezone.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return attempt.attempt_time + cooloff > timezone.now()


@transaction.atomic
def grant_role(
    actor: User | None, target: User, organization: Organization, role: str
) -> Membership:
    if role not in Role.values:
        raise ValidationError(f"未知的角色：{role}")
    _require_admin_scope(actor, "roles.manage", Role.SECURITY_ADMIN, organization)
    if actor is not None and actor.pk == target.pk:
        # Separation of duties: nobody widens their own rights.
        raise PermissionDenied("不能给自己授予角色。")
    if actor is not None and (
        target.organization_id is None
        or not admin_organizations(actor, Role.SECURITY_ADMIN)
        .filter(pk=target.organization_id)
        .exists()
    ):
        raise PermissionDenied("该账号不在您的管理范围内。")
    if not target.is_active:
        raise ValidationError("账号已停用，不能授予角色。")
    held = set(target.memberships.values_list("role", flat=True))
    if role in ADMIN_ROLES and (held - {role}):
        raise ValidationError("三员分立：管理员角色不能与其他角色由同一账号兼任。")
    if role not in ADMIN_ROLES and held & ADMIN_ROLES:
        raise ValidationError("三员分立：管理员账号不能兼任业务角色。")
    membership, created = Membership.objects.get_or_create(
        user=target, organization=organization, role=role, defaults={"granted_by": actor}
    )
    if not created:
        raise ValidationError("该用户在此组织已有这个角色。")
    return membership


@transaction.atomic
def revoke_role(actor: User, membership: Membership) -> None:
    _require_admin_scope(actor, "roles.manage", Role.SECURITY_ADMIN, membership.organization)
    if membership.user_id == actor.pk:
        raise PermissionDenied("不能撤销自己的角色。")
    membership.delete()


def client_ip(request: HttpRequest) -> str | None:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def record_login(
    request: HttpRequest, username: str, result: str, user: User | None = None
) -> None:
    LoginLog.objects.create(
        username=username[:150],
        user=user,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
        result=result,
    )
