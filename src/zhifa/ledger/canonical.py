"""Canonical JSON (RFC 8785, JSON Canonicalization Scheme) for ledger leaf data.

A ledger leaf is ``canonical_json(entry)``: the same entry always gives the same bytes, whatever
key order or whitespace it was stored or transmitted with, so an offline verifier can re-derive
the leaf hash from a JSON payload. JCS limits what may go in an entry:

* integers must lie within +-(2**53 - 1) (IEEE 754 doubles); keep larger numbers, money and
  identifiers as strings;
* floats must be finite;
* strings must be valid Unicode (no lone surrogates, which ``json.loads`` can produce);
* object keys must be strings.

Anything else raises :class:`CanonicalJSONError` (a ValueError).
"""

from __future__ import annotations

from typing import Any

import rfc8785

__all__ = ["CanonicalJSONError", "canonical_json"]

CanonicalJSONError = rfc8785.CanonicalizationError


def canonical_json(obj: Any) -> bytes:
    """RFC 8785 serialisation of a JSON value (dict, list, str, int, float, bool, None)."""
    try:
        return rfc8785.dumps(obj)
    except UnicodeEncodeError as exc:  # lone surrogate: not representable as UTF-8
        raise CanonicalJSONError(f"string is not valid Unicode: {exc.reason}") from exc
