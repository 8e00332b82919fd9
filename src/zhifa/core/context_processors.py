from __future__ import annotations

from .navigation import navigation_for


def workspace(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": navigation_for(request)}
