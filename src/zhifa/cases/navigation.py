"""Workspace entries of the case pages and the case-file ledger event. Called once from
``CasesConfig.ready()``::

    from .navigation import register_navigation; register_navigation()
"""

from __future__ import annotations

from zhifa.core.navigation import NavItem, register


def register_navigation() -> None:
    from .archive import register_events

    register(NavItem("我的案件", "cases:mine", "cases.handle"))
    register(NavItem("本单位案件", "cases:unit", "cases.handle"))
    register(NavItem("超期案件", "cases:overdue", "business.view"))
    register(NavItem("案件查阅", "cases:all", "business.view"))
    register_events()
