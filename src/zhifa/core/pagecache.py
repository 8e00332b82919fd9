"""Memoised rendering for the page every user opens most: the workspace home.

Django's template engine costs more than everything else on that page (session, user, roles,
middleware) put together. The page changes only when what it shows changes, so it is rendered
once per distinct set of shown values in each worker process and the HTML reused.

Why this is safe:
- The page is rendered from exactly the values in the cache key (plain strings, numbers and
  tuples, no model objects, no request): nothing outside the key can reach the HTML, so two
  users share an entry only when every value shown is the same.
- The CSRF token is never cached: a per-process random placeholder is rendered in its place
  and replaced per request by a freshly masked token (`masked_csrf_token`, Django's format;
  the CSRF cookie is renewed exactly as with a normal render).
- A request with pending messages, and any request in DEBUG, takes the normal render.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.shortcuts import render
from django.template import loader

from .navigation import navigation_html

# Random per process: user data cannot contain it, so only the token slots are replaced.
_CSRF_PLACEHOLDER = secrets.token_hex(16)

_ALLOWED = (str, int, float, bool, type(None))


_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {c: i for i, c in enumerate(_CHARS)}
# The largest multiple of len(_CHARS) below 256: bytes under it map uniformly onto _CHARS.
_UNBIASED = 256 - 256 % len(_CHARS)


def masked_csrf_token(request: HttpRequest) -> str:
    """`django.middleware.csrf.get_token`, same format and effect (a fresh random mask over
    the cookie's secret, the cookie renewed), with the mask's 32 characters drawn from one
    os.urandom call: get_token's secrets.choice makes one system call per character, and
    that was a tenth of the home page's cost."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None or len(secret) != CSRF_SECRET_LENGTH or not set(secret) <= _INDEX.keys():
        return get_token(request)  # no cookie yet: Django creates one
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask: list[int] = []
    while len(mask) < CSRF_SECRET_LENGTH:
        mask.extend(b % len(_CHARS) for b in os.urandom(48) if b < _UNBIASED)
    mask = mask[:CSRF_SECRET_LENGTH]
    n = len(_CHARS)
    return "".join(_CHARS[m] for m in mask) + "".join(
        _CHARS[(_INDEX[c] + m) % n] for c, m in zip(secret, mask, strict=True)
    )


class ShellUser(NamedTuple):
    """What base.html reads of `user`, as a plain value."""

    display_name: str
    is_authenticated: bool = True


def _check(value: Any) -> None:
    # Only immutable plain values may key the cache: a model object would compare by pk and
    # let a renamed organisation show its old name.
    if isinstance(value, tuple):
        for item in value:
            _check(item)
    elif not isinstance(value, _ALLOWED):
        raise TypeError(f"memoised page values must be plain values, not {type(value)!r}")


@lru_cache(maxsize=2048)
def _render_parts(template_name: str, items: tuple[tuple[str, Any], ...]) -> tuple[str, ...]:
    context = dict(items)
    context["csrf_token"] = _CSRF_PLACEHOLDER
    html = loader.get_template(template_name).render(context)
    return tuple(html.split(_CSRF_PLACEHOLDER))


def render_memoized(
    request: HttpRequest, template_name: str, values: dict[str, Any]
) -> HttpResponse:
    """Render `template_name` (extending base.html) for the logged-in user from `values` only."""
    user = request.user
    context = {
        **values,
        "user": ShellUser(user.display_name),
        "nav_html": navigation_html(request),
    }
    if settings.DEBUG or len(get_messages(request)):
        return render(request, template_name, context)
    for value in values.values():
        _check(value)
    parts = _render_parts(template_name, tuple(sorted(context.items())))
    return HttpResponse(masked_csrf_token(request).join(parts))
