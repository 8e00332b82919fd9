"""Session idle timeout, forced password change, and the operation log."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import get_user
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject

from .models import LoginResult, OperationLog

# Writing the session on every request would cost a database write per page; refreshing the
# idle clock once a minute is precise enough for a 30-minute timeout.
_TOUCH_INTERVAL = 60

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if isinstance(user, LazyObject):
            # This middleware needs the user on every request anyway: load it now and put the
            # object itself on the request, so every later `request.user.x` (middleware,
            # views, templates) skips the lazy proxy (~100 proxied lookups per page).
            # get_user is what AuthenticationMiddleware's lazy object calls (cached per request).
            user = request.user = get_user(request)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get("_last_seen")
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                from .services import record_login

                record_login(request, user.username, LoginResult.TIMEOUT, user)
                logout(request)
                messages.info(request, "您已长时间未操作，请重新登录。")
                return redirect(f"{reverse('core:login')}?next={request.path}")
            if last is None or now - last > _TOUCH_INTERVAL:
                request.session["_last_seen"] = now
        return self.get_response(request)


class PasswordExpiryMiddleware:
    """Send a user whose password is temporary or expired to the password page first."""

    EXEMPT_PREFIXES = ("/static/", "/healthz", "/logout", "/password/", "/public/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and password_change_required(user)
        ):
            return redirect("core:password_change")
        return self.get_response(request)


def password_change_required(user) -> bool:
    if user.must_change_password:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if max_age and user.password_changed_at is not None:
        return timezone.now() - user.password_changed_at > timezone.timedelta(days=max_age)
    return False


class OperationLogMiddleware:
    """One OperationLog row per state-changing request, written after the view ran, so no view
    can forget it (a view that bypasses services still leaves a trace here)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in STATE_CHANGING and not request.path.startswith("/static/"):
            from .services import client_ip

            user = getattr(request, "user", None)
            authed = user is not None and user.is_authenticated
            match = getattr(request, "resolver_match", None)
            OperationLog.objects.create(
                user=user if authed else None,
                username=user.username if authed else request.POST.get("username", "")[:150],
                method=request.method,
                path=request.path[:512],
                status=response.status_code,
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
                action=(match.view_name if match else "")[:128],
            )
        return response
