"""Start-up check that hashlib provides a correct SM3 (GB/T 32905-2016) through OpenSSL."""

from __future__ import annotations

import hashlib

# GB/T 32905-2016 Appendix A.1 example: SM3("abc").
SM3_ABC_HEX = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"

_REQUIREMENT = (
    "the ledger needs hashlib.new('sm3'), which Python takes from OpenSSL; "
    "OpenSSL >= 1.1.1 built with SM3 enabled is required"
)


def ensure_sm3() -> None:
    """Raise RuntimeError unless hashlib.new('sm3') exists and gives the standard vector."""
    try:
        digest = hashlib.new("sm3", b"abc").hexdigest()
    except ValueError as exc:
        raise RuntimeError(f"SM3 is not available in hashlib ({exc}): {_REQUIREMENT}") from exc
    if digest != SM3_ABC_HEX:
        raise RuntimeError(
            f"hashlib's SM3 is wrong: SM3('abc') gave {digest}, expected {SM3_ABC_HEX}; "
            + _REQUIREMENT
        )
