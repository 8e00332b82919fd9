"""Masking of personal information before anything is published (行政执法公示) or shown to
someone who should not see it in full.

What is masked and why:

* 公民身份号码: first 3 and last 4 kept (110***********002X). The first 6 digits name the
  county and digits 7–14 the birth date; in a township case the county, the birth date and a
  surname together point at one person, so both are hidden. The last 4 let the party recognise
  their own number in a published decision. 15-digit (pre-1999) numbers are masked the same way.
* 手机号码: first 3 and last 4 kept (138****5678), the usual practice of banks and carriers.
* 固定电话: area code and last 2 kept; an office number is often public, a home one is not.
* 银行账号: last 4 kept only.
* 自然人姓名: surname kept, given name replaced by 某 (张三 → 张某, 欧阳娜娜 → 欧阳某).
* 统一社会信用代码 is NOT masked: legal persons' codes are public by law (GB 32100, and the
  publicity rules require them). Where an 18-digit string is both a valid USCC and a valid
  citizen ID number it is masked: wrongly hiding a public code costs little, wrongly
  publishing an ID number is a leak.

``find_personal_items`` returns the spans with their kinds so the publicity pipeline can show
a reviewer what will be hidden; ``mask_text`` applies them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .validators import is_valid_uscc, looks_like_citizen_id

__all__ = [
    "COMPOUND_SURNAMES",
    "PersonalItem",
    "find_personal_items",
    "mask_bank_account",
    "mask_citizen_id",
    "mask_landline",
    "mask_person_name",
    "mask_phone",
    "mask_text",
]

MASK = "*"

# Two-character (复姓) surnames in real use; longer ones are too rare to matter.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
        "宇文", "司徒", "夏侯", "轩辕", "令狐", "端木", "百里", "独孤", "南宫", "西门",
        "司空", "澹台", "公冶", "太史", "申屠", "赫连", "闻人", "东郭", "呼延", "钟离",
        "万俟", "淳于", "单于", "濮阳", "第五", "拓跋", "梁丘", "左丘", "鲜于", "亓官",
    }
)  # fmt: skip

KIND_CITIZEN_ID = "citizen_id"
KIND_MOBILE = "mobile"
KIND_LANDLINE = "landline"
KIND_BANK_ACCOUNT = "bank_account"
KIND_NAME = "name"

KIND_LABELS = {
    KIND_CITIZEN_ID: "公民身份号码",
    KIND_MOBILE: "手机号码",
    KIND_LANDLINE: "固定电话",
    KIND_BANK_ACCOUNT: "银行账号",
    KIND_NAME: "姓名",
}


def _keep(value: str, head: int, tail: int) -> str:
    """Mask every digit/letter except the first `head` and last `tail` of them, keeping
    separators where they are so the text keeps its shape."""
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    if len(positions) <= head + tail:
        # Too short to keep anything safely: hide it all rather than reveal most of it.
        hidden = set(positions)
    else:
        hidden = set(positions[head : len(positions) - tail])
    return "".join(MASK if i in hidden else c for i, c in enumerate(value))


def mask_citizen_id(value: str) -> str:
    """110105194912310021 → 110***********0021."""
    return _keep(value.strip(), 3, 4)


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678; a +86 prefix is kept as it is."""
    value = value.strip()
    prefix = ""
    match = re.match(r"^(\+?86|0086)[\s\-]?", value)
    if match and len(re.sub(r"\D", "", value)) > 11:
        prefix, value = value[: match.end()], value[match.end() :]
    return prefix + _keep(value, 3, 4)


def mask_landline(value: str) -> str:
    """0871-65123456 → 0871-******56: area code and last 2 digits kept."""
    value = value.strip()
    match = re.match(r"^(\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[\s\-])", value)
    if not match:
        return _keep(value, 0, 2)
    return value[: match.end()] + _keep(value[match.end() :], 0, 2)


def mask_bank_account(value: str) -> str:
    """6222021234567890123 → ***************0123 (separators kept)."""
    return _keep(value.strip(), 0, 4)


def mask_person_name(name: str) -> str:
    """张三 → 张某, 欧阳娜娜 → 欧阳某. A compound surname is only taken from names of three or
    more characters: 欧阳 alone is more likely 欧 + given name 阳."""
    name = name.strip()
    if len(name) <= 1:
        return "某"
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2] + "某"
    return name[0] + "某"


@dataclass(frozen=True)
class PersonalItem:
    start: int
    end: int
    kind: str
    text: str
    masked: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


# Boundaries: an item must not be part of a longer run of ASCII letters/digits (so digits inside
# a USCC, a case number or a longer account are never taken for a phone). \w would not do: it
# matches Chinese characters, and numbers in Chinese text sit right against them.
_B = r"(?<![0-9A-Za-z])"
_E = r"(?![0-9A-Za-z])"
_ALNUM_RUN = re.compile(_B + r"[0-9A-Za-z]{15,19}" + _E)
_MOBILE = re.compile(_B + r"(?:(?:\+|00)?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d{4}){2}" + _E)
_LANDLINE = re.compile(r"(?:\(0\d{2,3}\)|（0\d{2,3}）|" + _B + r"0\d{2,3}-)\d{7,8}" + _E)
# Digits in 4-groups separated by single spaces/hyphens, as bank cards are printed.
_GROUPED_DIGITS = re.compile(_B + r"\d{4}(?:[ \-]\d{4}){3}(?:[ \-]\d{1,3})?" + _E)
# Words that, shortly before a number, say it is an account even when it fails the Luhn check
# (对公账户 and 存折 numbers do not use Luhn).
_ACCOUNT_CONTEXT = re.compile(r"(账号|帐号|账户|帐户|卡号|银行|开户|收款)")
_CONTEXT_WINDOW = 12


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _is_account(text: str, start: int, digits: str) -> bool:
    if not (16 <= len(digits) <= 19):
        return False
    if _luhn_ok(digits):
        return True
    return bool(_ACCOUNT_CONTEXT.search(text, max(0, start - _CONTEXT_WINDOW), start))


def _candidates(text: str, names: Iterable[str]) -> list[PersonalItem]:
    found: list[PersonalItem] = []

    def add(start: int, end: int, kind: str, masked: str) -> None:
        found.append(PersonalItem(start, end, kind, text[start:end], masked))

    for m in _ALNUM_RUN.finditer(text):
        token = m.group()
        if looks_like_citizen_id(token):
            # Checked before the USCC test on purpose: see the module docstring.
            add(m.start(), m.end(), KIND_CITIZEN_ID, mask_citizen_id(token))
        elif len(token) == 18 and is_valid_uscc(token):
            continue  # legal person's code: public
        elif token.isdigit() and _is_account(text, m.start(), token):
            add(m.start(), m.end(), KIND_BANK_ACCOUNT, mask_bank_account(token))
    for m in _GROUPED_DIGITS.finditer(text):
        if _is_account(text, m.start(), re.sub(r"\D", "", m.group())):
            add(m.start(), m.end(), KIND_BANK_ACCOUNT, mask_bank_account(m.group()))
    for m in _MOBILE.finditer(text):
        add(m.start(), m.end(), KIND_MOBILE, mask_phone(m.group()))
    for m in _LANDLINE.finditer(text):
        add(m.start(), m.end(), KIND_LANDLINE, mask_landline(m.group()))
    for name in {n.strip() for n in names if n and n.strip()}:
        masked = mask_person_name(name)
        for m in re.finditer(re.escape(name), text):
            add(m.start(), m.end(), KIND_NAME, masked)
    return found


def find_personal_items(text: str, names: Iterable[str] = ()) -> list[PersonalItem]:
    """Personal items in `text`, in order, without overlaps (the longer one wins, so 张三丰
    is taken whole when both 张三 and 张三丰 are given)."""
    chosen: list[PersonalItem] = []
    for item in sorted(_candidates(text, names), key=lambda i: (i.start, -(i.end - i.start))):
        if chosen and item.start < chosen[-1].end:
            continue
        chosen.append(item)
    return chosen


def mask_text(text: str, names: Iterable[str] = ()) -> str:
    """`text` with ID numbers, phone numbers, bank accounts and the given names masked."""
    parts: list[str] = []
    pos = 0
    for item in find_personal_items(text, names):
        parts.append(text[pos : item.start])
        parts.append(item.masked)
        pos = item.end
    parts.append(text[pos:])
    return "".join(parts)
