"""Tracking numbers: unguessable, typo-proof, forgiving to type."""

from __future__ import annotations

import datetime

from zhifa.supervision import tracking

DAY = datetime.date(2026, 3, 2)


def test_new_numbers_are_canonical_random_and_dated():
    numbers = {tracking.new_tracking_no(DAY) for _ in range(200)}
    assert len(numbers) == 200
    for number in numbers:
        assert number.startswith("20260302-")
        assert len(number) == 23
        assert tracking.normalise(number) == number


def test_every_single_character_error_is_caught():
    number = tracking.new_tracking_no(DAY)
    compact = number.replace("-", "")
    for i in range(8, len(compact)):
        for c in tracking.ALPHABET:
            if c != compact[i]:
                typo = compact[:i] + c + compact[i + 1 :]
                assert tracking.normalise(typo) is None, typo


def test_forgiving_input():
    number = tracking.new_tracking_no(DAY)
    typed = " " + number.lower().replace("-", " ") + " "
    assert tracking.normalise(typed) == number
    full_width = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert tracking.normalise(full_width) == number
    if "0" in number[9:]:
        assert tracking.normalise(number[:9] + number[9:].replace("0", "O")) == number


def test_malformed_numbers():
    for bad in ("", "abc", "2026-03-02", "20261301-AAAA-AAAA-AAAA", "x" * 500, None, "<script>"):
        assert tracking.normalise(bad) is None
