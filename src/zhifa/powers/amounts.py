"""Read penalty ranges out of Chinese text: 处五万元以上二十万元以下罚款, 处十万元罚款,
处一万元以下罚款, 处违法所得一倍以上三倍以下罚款, 处货值金额百分之五十以上…, 处直接损失20%的罚款.
Pure functions; the first fine clause of the text wins (later clauses stay in the raw text)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from zhifa.laws.numerals import DIGITS as _CN_DIGITS
from zhifa.laws.numerals import UNITS as _CN_UNITS

_FULLWIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")

NUM = r"(?:[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千]+)"
AMOUNT = rf"{NUM}万?"
# 五万元以上二十万元以下 / 五十万以上一百万元以下 / 二百以上五百元以下 / 一万元以下 / 十万元
MONEY_RE = re.compile(
    rf"(?:(?P<a>{AMOUNT})(?P<ua>元)?以上)?(?P<b>{AMOUNT})元(?P<below>以下)?(?:的)?罚款"
)
MULT = rf"(?:百分之{NUM}|{NUM}倍|{NUM}%)"
MULT_RE = re.compile(
    rf"处以?(?P<base>[\u4e00-\u9fff]{{2,16}}?)(?P<a>{MULT})"
    rf"(?:以上(?P<b>{MULT})(?:以下)?(?:的)?(?:罚款)?|(?:的)?罚款)"
)


def cn_number(text: str) -> Decimal:
    """'二十' -> 20, '一百五十万' -> 1500000, '10万' -> 100000, '0.5' -> 0.5."""
    text = text.strip().translate(_FULLWIDTH)
    if not text:
        raise ValueError("empty number")
    factor = 1
    if text.endswith("万"):
        factor, text = 10000, text[:-1]
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text):
        return Decimal(text) * factor
    total = 0
    digit = None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            raise ValueError(f"not a number: {text!r}")
    if digit is not None:
        total += digit
    if total == 0 and digit is None and not any(c in _CN_DIGITS for c in text):
        raise ValueError(f"not a number: {text!r}")
    return Decimal(total) * factor


def _multiple(text: str) -> Decimal:
    if text.startswith("百分之"):
        return cn_number(text[3:]) / 100
    if text.endswith("%"):
        return cn_number(text[:-1]) / 100
    return cn_number(text.removesuffix("倍"))


@dataclass
class ParsedPenalty:
    fine_min: Decimal | None = None
    fine_max: Decimal | None = None
    multiple_min: Decimal | None = None
    multiple_max: Decimal | None = None
    multiple_base: str = ""

    @property
    def found(self) -> bool:
        return self.fine_max is not None or self.multiple_max is not None


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", (text or "").translate(_FULLWIDTH))


def parse_penalty(text: str) -> ParsedPenalty:
    """The first fine clause in the text, or an empty result (``found`` False)."""
    text = _clean(text)
    money = MONEY_RE.search(text)
    mult = MULT_RE.search(text)
    result = ParsedPenalty()
    try:
        if money and (not mult or money.start() <= mult.start()):
            b = money.group("b")
            high = cn_number(b)
            a = money.group("a")
            if a:
                low = cn_number(a)
                if not a.endswith("万") and b.endswith("万") and not money.group("ua"):
                    low *= 10000  # 五以上十万元 is not written; 二百以上五百元 keeps its unit
                result.fine_min, result.fine_max = low, high
            elif money.group("below"):
                result.fine_max = high
            else:
                result.fine_min = result.fine_max = high
        elif mult:
            high = _multiple(mult.group("b") or mult.group("a"))
            low = _multiple(mult.group("a"))
            base = mult.group("base").removeprefix("以")
            result.multiple_min, result.multiple_max = low, high
            result.multiple_base = base.removeprefix("并处")[:64]
    except (ValueError, InvalidOperation):
        return ParsedPenalty()
    return result
