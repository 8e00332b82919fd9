"""Chinese numerals (up to 千, with 万 for good measure) to int and back."""

from __future__ import annotations

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "零〇一二三四五六七八九两十百千万0123456789０１２３４５６７８９"
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def cn_to_int(text: str) -> int:
    """'五十一' -> 51, '一百零三' -> 103, '十' -> 10, '51' -> 51. ValueError if not a numeral."""
    text = text.strip().translate(_FULLWIDTH)
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    total = 0
    if "万" in text:
        high, _, text = text.partition("万")
        total = cn_to_int(high) * 10000 if high else 10000
        if not text:
            return total
    section = 0
    digit = None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            section += (1 if digit is None else digit) * UNITS[ch]
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    if digit is not None:
        section += digit
    return total + section


def int_to_cn(n: int) -> str:
    """51 -> '五十一', 103 -> '一百零三', 10 -> '十', 110 -> '一百一十'."""
    if n < 0:
        raise ValueError(n)
    if n == 0:
        return "零"
    digits = "零一二三四五六七八九"
    if n >= 10000:
        high, low = divmod(n, 10000)
        rest = int_to_cn(low) if low else ""
        if low and low < 1000:
            rest = "零" + rest
        return int_to_cn(high) + "万" + rest
    out = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero:
                out.append("零")
                zero = False
            out.append(digits[d] + unit)
        elif out:
            zero = True
    text = "".join(out)
    if text.startswith("一十"):
        text = text[1:]
    return text
