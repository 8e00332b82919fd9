"""Validators for identifiers the platform records: 公民身份号码 (GB 11643), 统一社会信用代码
(GB 32100) and mainland mobile numbers.

python-stdnum does the arithmetic (check digits, birth date parsing); the checks themselves are
ours because stdnum's messages are English and too coarse (a bad birth date and an unknown
region both come out as InvalidComponent), and because stdnum is stricter than the standards in
two places that would reject real people and real organisations:

* ``stdnum.cn.ric`` requires the 6-digit region code to have existed in the birth year. Codes
  are assigned at household registration, not at birth, so people born before their county was
  created hold perfectly valid numbers. We only check the 2-digit province code.
* ``stdnum.cn.uscc`` requires the first 8 characters to be digits, but GB 32100 registration
  authority codes include letters: 农村集体经济组织 codes start with "N", "Y" is 其他.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent

__all__ = [
    "CitizenIdField",
    "CitizenIdValidator",
    "MobileField",
    "MobileValidator",
    "UsccField",
    "UsccValidator",
    "is_valid_citizen_id",
    "is_valid_mobile",
    "is_valid_uscc",
    "looks_like_citizen_id",
    "validate_citizen_id",
    "validate_mobile",
    "validate_uscc",
]

# GB/T 2260 province-level codes, plus 81/82/83 used by residence permits for Hong Kong, Macao
# and Taiwan residents (港澳台居民居住证), which follow the same GB 11643 layout.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
_USCC_CHARS = frozenset(USCC_ALPHABET)
_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
# Separators people type inside numbers; removing them never changes the number.
_SEPARATORS = re.compile(r"[\s\-]")
_EARLIEST_BIRTH = datetime.date(1900, 1, 1)


def _normalise(value: object) -> str:
    # NFKC turns full-width digits and letters (common with Chinese IMEs) into ASCII.
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return _SEPARATORS.sub("", text).upper()


def _birth_date(number: str) -> datetime.date | None:
    try:
        born = ric.get_birth_date(number)
    except (InvalidComponent, ValueError):
        return None
    if not _EARLIEST_BIRTH <= born <= timezone.localdate():
        return None
    return born


# ---------------------------------------------------------------- 公民身份号码 (GB 11643)


def validate_citizen_id(value: object) -> str:
    """Return the normalised 18-character number (upper-case X) or raise ValidationError.

    Checked in the order a person fixing a typo needs: length, characters, region, birth
    date, check digit (mod 11-2)."""
    number = _normalise(value)
    if len(number) != 18:
        raise ValidationError(
            "公民身份号码长度应为18位（当前为%(length)d位）。",
            code="length",
            params={"length": len(number)},
        )
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        raise ValidationError(
            "公民身份号码含有非法字符：前17位应为数字，末位应为数字或X。", code="invalid_chars"
        )
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            "公民身份号码地区码无效（前两位不是省级行政区划代码）。", code="region"
        )
    if _birth_date(number) is None:
        raise ValidationError("公民身份号码出生日期无效（第7至14位）。", code="birth_date")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError("公民身份号码校验位错误，请核对号码。", code="checksum")
    return number


def is_valid_citizen_id(value: object) -> bool:
    try:
        validate_citizen_id(value)
    except ValidationError:
        return False
    return True


def looks_like_citizen_id(number: str) -> bool:
    """Structure only (province code and a real date), no check digit: for finding mistyped
    numbers in text, which are personal data all the same. 18 or 15 (pre-1999) digits."""
    if len(number) == 15 and number.isascii() and number.isdigit():
        number = number[:6] + "19" + number[6:] + "0"  # 15-digit numbers carry a 2-digit year
    elif not (
        len(number) == 18
        and number[:17].isascii()
        and number[:17].isdigit()
        and number[17] in "0123456789Xx"
    ):
        return False
    return number[:2] in PROVINCE_CODES and _birth_date(number) is not None


# ---------------------------------------------------------------- 统一社会信用代码 (GB 32100)


def validate_uscc(value: object) -> str:
    """Return the normalised 18-character code (upper case) or raise ValidationError."""
    code = _normalise(value)
    if len(code) != 18:
        raise ValidationError(
            "统一社会信用代码长度应为18位（当前为%(length)d位）。",
            code="length",
            params={"length": len(code)},
        )
    bad = sorted({c for c in code if c not in _USCC_CHARS})
    if bad:
        raise ValidationError(
            "统一社会信用代码含有非法字符：%(chars)s（只能由数字和除I、O、Z、S、V以外的大写字母组成）。",
            code="invalid_chars",
            params={"chars": "、".join(bad)},
        )
    if code[0] == "0":
        raise ValidationError(
            "统一社会信用代码含有非法字符：第1位登记管理部门代码不能为0。", code="invalid_chars"
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            "统一社会信用代码含有非法字符：第3至8位行政区划码应为数字。", code="invalid_chars"
        )
    if uscc.calc_check_digit(code) != code[17]:
        raise ValidationError("统一社会信用代码校验位错误，请核对代码。", code="checksum")
    return code


def is_valid_uscc(value: object) -> bool:
    try:
        validate_uscc(value)
    except ValidationError:
        return False
    return True


# ---------------------------------------------------------------- 手机号码


def validate_mobile(value: object) -> str:
    """Return the 11-digit mainland mobile number, accepting a +86/0086 prefix and spaces or
    hyphens between groups, or raise ValidationError."""
    number = _normalise(value)
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
            break
    else:
        if len(number) == 13 and number.startswith("86"):
            number = number[2:]
    if not (number.isascii() and _MOBILE_RE.fullmatch(number)):
        raise ValidationError(
            "手机号码格式错误：应为11位数字，以13至19开头。", code="invalid_mobile"
        )
    return number


def is_valid_mobile(value: object) -> bool:
    try:
        validate_mobile(value)
    except ValidationError:
        return False
    return True


# ---------------------------------------------------------------- Django validators and fields
# Plain callables for ``validators=[...]`` on model and form fields. Django does not store what
# a validator returns, so forms that should save the normalised value use the fields below.


@deconstructible
class _Validator:
    func = staticmethod(validate_citizen_id)

    def __call__(self, value: object) -> None:
        type(self).func(value)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))


class CitizenIdValidator(_Validator):
    func = staticmethod(validate_citizen_id)


class UsccValidator(_Validator):
    func = staticmethod(validate_uscc)


class MobileValidator(_Validator):
    func = staticmethod(validate_mobile)


class _NormalisingField(forms.CharField):
    normaliser = staticmethod(validate_citizen_id)

    def clean(self, value: object) -> str:
        value = super().clean(value)
        if value in self.empty_values:
            return value
        return type(self).normaliser(value)


class CitizenIdField(_NormalisingField):
    """Form field that validates and stores the normalised number (小写x → X)."""

    normaliser = staticmethod(validate_citizen_id)


class UsccField(_NormalisingField):
    normaliser = staticmethod(validate_uscc)


class MobileField(_NormalisingField):
    normaliser = staticmethod(validate_mobile)
