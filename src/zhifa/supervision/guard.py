"""What keeps the public complaint pages usable: a per-IP rate limit and a simple human check.

Rate limit: a fixed-window counter per client IP in Django's cache (Redis when REDIS_URL is
set, so all workers share it; otherwise the local-memory cache, per process). The IP is hashed
before it becomes a key.

Human check: an arithmetic question written out in the page (works without JavaScript and is
read aloud by a screen reader), whose numbers, issue time and a nonce travel in a signed token.
A token is refused when forged, older than two hours, answered faster than a person can read
the form, or used before (the nonce is remembered in the cache): no external captcha service,
which an intranet deployment could not reach anyway."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import os
import secrets
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError

_SALT = "zhifa.supervision.human-check"
CHALLENGE_MAX_AGE = 2 * 60 * 60

# (limit, window seconds) per scope; settings may override, e.g. COMPLAINT_RATE_SUBMIT = (5, 3600)
DEFAULT_RATES = {"submit": (5, 60 * 60), "lookup": (20, 10 * 60)}


def _now() -> float:
    return time.time()


# ---------------------------------------------------------------- rate limit


def rate(scope: str) -> tuple[int, int]:
    """(limit, window seconds): settings.COMPLAINT_RATE_<SCOPE>, else the environment's
    ZHIFA_COMPLAINT_RATE_<SCOPE> as "limit/seconds" (e.g. "5/3600"), else the default."""
    name = f"COMPLAINT_RATE_{scope.upper()}"
    value = getattr(settings, name, None)
    if value is not None:
        return int(value[0]), int(value[1])
    text = os.environ.get(f"ZHIFA_{name}", "").strip()
    if text:
        try:
            limit, window = (int(part) for part in text.split("/"))
        except ValueError:
            raise ImproperlyConfigured(
                f"环境变量 ZHIFA_{name} 应为“次数/秒数”，例如 5/3600，当前值：{text!r}"
            ) from None
        return limit, window
    return DEFAULT_RATES[scope]


def _client_key(ip: str | None) -> str:
    """IPv4 per address; IPv6 per /64, the block one household or phone is given, so that
    walking through its addresses does not reset the count."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def hit(scope: str, ip: str | None) -> int | None:
    """Count one request from this IP. None if allowed, else the seconds until the window
    ends (every request counts, refused ones too, so hammering never opens the gate)."""
    limit, window = rate(scope)
    now = _now()
    slot = int(now // window)
    digest = hashlib.sha256(_client_key(ip).encode()).hexdigest()[:32]
    key = f"zhifa:ratelimit:{scope}:{digest}:{slot}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    if count > limit:
        return max(1, math.ceil((slot + 1) * window - now))
    return None


def wait_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"操作过于频繁，请于 {minutes} 分钟后再试。"


# ---------------------------------------------------------------- human check

_DIGITS = "零一二三四五六七八九十"


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def min_seconds() -> int:
    # A person needs a few seconds to fill the form; a script posts at once.
    return int(getattr(settings, "COMPLAINT_MIN_SECONDS", 3))


def new_challenge() -> Challenge:
    a = secrets.randbelow(9) + 1
    b = secrets.randbelow(9) + 1
    if secrets.randbelow(2) and a != b:
        a, b = max(a, b), min(a, b)
        op, word = "-", "减"
    else:
        op, word = "+", "加"
    payload = {"a": a, "b": b, "op": op, "t": int(_now()), "n": secrets.token_hex(8)}
    token = signing.dumps(payload, salt=_SALT, compress=False)
    question = f"{a} {word} {b} 等于几？（{_DIGITS[a]}{word}{_DIGITS[b]}，请填写阿拉伯数字）"
    return Challenge(question=question, token=token)


def question_of(token: str) -> str | None:
    """The question of a token the form sent back (to show it again with the errors)."""
    try:
        p = signing.loads(token, salt=_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.BadSignature:
        return None
    word = "加" if p["op"] == "+" else "减"
    a, b = p["a"], p["b"]
    return f"{a} {word} {b} 等于几？（{_DIGITS[a]}{word}{_DIGITS[b]}，请填写阿拉伯数字）"


def check(token: str, answer: str) -> None:
    """Raise ValidationError (in Chinese) unless the answer to this token is right. A token
    is spent by its first check, right or wrong."""
    refused = ValidationError("验证题已失效，请回答新的验证题后重新提交。", code="expired")
    try:
        p = signing.loads(token or "", salt=_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.SignatureExpired:
        raise refused from None
    except signing.BadSignature:
        raise ValidationError("验证题无效，请回答新的验证题。", code="invalid") from None
    if not cache.add(f"zhifa:human-check:{p['n']}", 1, timeout=CHALLENGE_MAX_AGE + 60):
        raise refused
    if _now() - p["t"] < min_seconds():
        raise ValidationError("提交过快，请确认填写内容后再提交。", code="too_fast")
    expected = p["a"] + p["b"] if p["op"] == "+" else p["a"] - p["b"]
    typed = unicodedata.normalize("NFKC", str(answer or "")).strip()
    if not (typed.lstrip("-").isdigit() and int(typed) == expected):
        raise ValidationError("验证题答案不正确，请重新计算。", code="wrong")
