from __future__ import annotations

from .navigation import navigation_html


def workspace(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_html": navigation_html(request)}
