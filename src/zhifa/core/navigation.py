"""The workspace navigation: each module declares its entry and the permission it needs, so a
user sees only what their roles open. Modules still to be built show no entry."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .permissions import PERMISSIONS, user_roles


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str | None
    # Kept for callers that pass one; not rendered (intranet PCs often lack an emoji font).
    icon: str = ""


NAV: list[NavItem] = [
    NavItem("工作台", "core:home", None),
    NavItem("组织机构", "core:org_list", "business.view"),
    NavItem("组织管理", "core:admin_orgs", "orgs.manage"),
    NavItem("账号管理", "core:admin_users", "accounts.manage"),
    NavItem("节假日管理", "core:admin_calendar", "calendar.manage"),
    NavItem("角色授权", "core:admin_roles", "roles.manage"),
    NavItem("审计日志", "core:audit_logins", "logs.view"),
]


def register(item: NavItem) -> None:
    """Apps add their module entries here from AppConfig.ready()."""
    if item not in NAV:
        NAV.append(item)


@lru_cache(maxsize=256)
def _url(url_name: str, prefix: str) -> str | None:
    # URLs don't change while a process runs; reverse() on every page for every entry did.
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


@lru_cache(maxsize=4096)
def _navigation_html(roles: frozenset[str], path: str, prefix: str, registered: int) -> str:
    parts = []
    for item in NAV:
        if item.perm and not roles & PERMISSIONS[item.perm]:
            continue
        url = _url(item.url_name, prefix)
        if url is None:
            continue
        active = path == url or (url != "/" and path.startswith(url))
        current = ' class="active" aria-current="page"' if active else ""
        parts.append(f'<li><a href="{escape(url)}"{current}>{escape(item.label)}</a></li>')
    return "".join(parts)


def navigation_html(request) -> str:
    """The side navigation as HTML. It depends only on the roles and the page, so it is built
    once per (roles, page) in each process rather than rendered on every request."""
    roles = frozenset(user_roles(request.user))
    return mark_safe(  # noqa: S308 - built from escaped labels and reversed URLs
        _navigation_html(roles, request.path, get_script_prefix(), len(NAV))
    )
