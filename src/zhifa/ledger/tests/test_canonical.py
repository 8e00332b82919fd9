"""RFC 8785 canonical JSON. No Django: run with ``pytest -p no:django``."""

from __future__ import annotations

import json

import pytest

from zhifa.ledger.canonical import CanonicalJSONError, canonical_json


def test_key_order_and_whitespace_do_not_matter() -> None:
    a = json.loads('{"b": 1, "a": {"y": [1, 2, {"k": "v"}], "x": null}, "c": "文书"}')
    b = json.loads('{ "c":"文书","a":{"x":null,\n "y":[1,2,{"k":"v"}]},"b":1 }')
    assert list(a) != list(b)
    assert canonical_json(a) == canonical_json(b)
    assert canonical_json(a) == '{"a":{"x":null,"y":[1,2,{"k":"v"}]},"b":1,"c":"文书"}'.encode()
    assert canonical_json({"a": 1}) != canonical_json({"a": 2})


def test_rfc8785_section_3_2_2_example() -> None:
    # RFC 8785 §3.2.2 input (number and string serialisation) and its published output.
    text = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        r' "string": "\u20ac$\u000F\u000aA' + "'" + r'\u0042\u0022\u005c\\\"\/",'
        ' "literals": [null, true, false]}'
    )
    want = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        r'"string":"€$\u000f\nA' + "'" + r'B\"\\\\\"/"}'
    )
    assert canonical_json(json.loads(text)) == want.encode("utf-8")


def test_rfc8785_section_3_2_3_key_sorting() -> None:
    # Keys sort by their UTF-16 code units, not by code point: U+1F600 (a surrogate pair,
    # 0xD83D...) sorts before U+FB33.
    obj = json.loads(
        r'{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet'
        r' With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080":'
        r' "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}'
    )
    keys = list(json.loads(canonical_json(obj)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_rfc8785_number_examples() -> None:
    # From RFC 8785 Appendix B (IEEE 754 value -> canonical text).
    cases = {
        "-0": b"0",
        "1e23": b"1e+23",
        "9007199254740991": b"9007199254740991",
        "0.000001": b"0.000001",
        "1e-7": b"1e-7",
        "295147905179352830000": b"295147905179352830000",
    }
    for text, want in cases.items():
        value = json.loads(text)
        if isinstance(value, int) and abs(value) > 2**53 - 1:
            value = float(value)
        assert canonical_json(value) == want, text


@pytest.mark.parametrize(
    "bad", [2**53, float("nan"), float("inf"), {1: "x"}, {"s": "\ud800"}, object()]
)
def test_unrepresentable_values_rejected(bad: object) -> None:
    with pytest.raises(CanonicalJSONError):
        canonical_json(bad)
