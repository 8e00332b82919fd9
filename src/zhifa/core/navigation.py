"""The workspace navigation: each module declares its entry and the permission it needs, so a
user sees only what their roles open. Modules still to be built show no entry."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, reverse

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


def navigation_for(request) -> list[dict]:
    roles = user_roles(request.user)
    prefix = get_script_prefix()
    path = request.path
    items = []
    for item in NAV:
        if item.perm and not roles & PERMISSIONS[item.perm]:
            continue
        url = _url(item.url_name, prefix)
        if url is None:
            continue
        active = path == url or (url != "/" and path.startswith(url))
        items.append({"label": item.label, "url": url, "active": active})
    return items
