"""Password policy validators (等保 2.0 level 3), with Chinese messages."""

from __future__ import annotations

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError


class LengthValidator:
    def __init__(self, min_length: int = 8) -> None:
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码至少需要 {self.min_length} 个字符。", code="password_too_short"
            )

    def get_help_text(self) -> str:
        return f"至少 {self.min_length} 个字符。"


def character_classes(password: str) -> int:
    classes = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(classes)


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、特殊字符中的至少 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"包含大写字母、小写字母、数字、特殊字符中的至少 {self.min_classes} 类。"


class NotUsernameValidator:
    def validate(self, password: str, user=None) -> None:
        if user is None or not getattr(user, "username", ""):
            return
        username = user.username.lower()
        lowered = password.lower()
        if lowered == username or username in lowered or lowered[::-1] == username:
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self) -> str:
        return "不能包含用户名。"


class HistoryValidator:
    def __init__(self, history: int = 5) -> None:
        self.history = history

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        recent = list(user.password_history.values_list("password", flat=True)[: self.history])
        if user.password and user.password not in recent:
            recent.insert(0, user.password)
        if any(check_password(password, encoded) for encoded in recent[: self.history]):
            raise ValidationError(
                f"新密码不能与最近 {self.history} 次使用过的密码相同。", code="password_reused"
            )

    def get_help_text(self) -> str:
        return f"不能与最近 {self.history} 次使用过的密码相同。"
