"""Who is calling: a logged-in user (session cookie, CSRF enforced for unsafe methods) or another
government system (``Authorization: Bearer <token>``, see ``zhifa.exchange``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from zhifa.exchange.models import ApiClient
from zhifa.exchange.services import authenticate_token


class BearerAuth(HttpBearer):
    """An API client's token. An unknown or revoked token authenticates nobody (401)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = authenticate_token(token)
        if client is not None:
            request.api_client = client
        return client


class SessionAuth(APIKeyCookie):
    """ninja's ``django_auth`` with two changes: a request that carries an Authorization header
    is judged on its token alone, and the CSRF check (unsafe methods) answers in Chinese."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF 校验失败，请刷新页面后重试。")
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


bearer_auth = BearerAuth()
session_auth = SessionAuth()
AUTH = [bearer_auth, session_auth]


def require_scope(principal: Any, scope: str) -> None:
    """API clients act only within the scopes on their token; users are checked by services."""
    if isinstance(principal, ApiClient) and not principal.has_scope(scope):
        raise PermissionDenied(f"接口令牌没有“{scope}”权限范围。")
