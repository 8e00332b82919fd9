"""Signed tree heads: C2SP tlog-checkpoint bodies in C2SP signed-note format.

Checkpoint body (https://c2sp.org/tlog-checkpoint), every line ending in ``\\n``::

    <origin>
    <tree size, decimal, no leading zeros>
    <root hash, standard base64>
    [<extension line>...]

followed by a blank line and signature lines (https://c2sp.org/signed-note)::

    — <key name> <base64(4-byte key ID || signature)>

(U+2014 em dash, space). Both signatures are over the note text, i.e. the body including its
final newline, UTF-8 encoded. The ledger signs every checkpoint twice and :func:`verify`
requires both:

* **Ed25519** exactly as signed-note specifies: signature type ``0x01``,
  key ID = SHA-256(name || 0x0A || 0x01 || 32-byte public key)[:4], RFC 8032 signature.
  Verifier key string (Go ``golang.org/x/mod/sumdb/note`` format):
  ``<name>+<8 hex key ID>+<base64(0x01 || public key)>``.
* **SM2 with SM3** (GB/T 32918.2, GM/T 0003): signed-note assigns no byte to SM2, and
  reserves ``0xff`` for "signature types without an identifier byte assigned by this
  specification", recommending that it be followed by a longer identifier. The ledger's
  signature type is therefore :data:`SM2_SIGNATURE_TYPE` = ``0xff || "zhifa.sm2-sm3.v1"``
  (ASCII), and key ID = SHA-256(name || 0x0A || SM2_SIGNATURE_TYPE || 0x04 || X || Y)[:4]
  with the uncompressed 65-byte public key. The signature is gmssl's ``sign_with_sm3``:
  e = SM3(Z_A || note text) with Z_A computed for the default user ID ``1234567812345678``,
  encoded as 64 bytes r || s (big-endian). Verifier key string:
  ``<name>+<8 hex key ID>+<base64(SM2_SIGNATURE_TYPE || 0x04 || X || Y)>``.

Keys: Ed25519 private/public keys are raw 32-byte strings; SM2 private keys are 64 hex digits,
public keys 128 hex digits X || Y (gmssl's convention; a leading ``04`` is accepted).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from gmssl.sm2 import CryptSM2, default_ecc_table

__all__ = [
    "ED25519_SIGNATURE_TYPE",
    "SM2_SIGNATURE_TYPE",
    "Checkpoint",
    "CheckpointError",
    "Ed25519Verifier",
    "SM2Verifier",
    "Signature",
    "Verifier",
    "ed25519_public_key",
    "generate_ed25519",
    "generate_sm2",
    "parse",
    "parse_verifier",
    "sign",
    "sm2_public_key",
    "verify",
]

ED25519_SIGNATURE_TYPE = b"\x01"
SM2_SIGNATURE_TYPE = b"\xff" + b"zhifa.sm2-sm3.v1"
ROOT_HASH_SIZE = 32  # SM3 (and SHA-256)
MAX_SIGNATURES = 64  # signed-note: verifiers must accept at least 16
MAX_NOTE_BYTES = 1 << 16

_SIG_PREFIX = "\u2014 "
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_SM2_N = int(default_ecc_table["n"], 16)
_SM2_P = int(default_ecc_table["p"], 16)
_SM2_A = int(default_ecc_table["a"], 16)
_SM2_B = int(default_ecc_table["b"], 16)


class CheckpointError(ValueError):
    """A checkpoint or signed note is malformed or its signatures do not verify."""


def _b64decode(text: str, what: str) -> bytes:
    # Strict standard base64: alphabet, padding, and canonical (re-encodes identically).
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CheckpointError(f"{what} is not valid base64: {text!r}") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise CheckpointError(f"{what} is not canonical base64: {text!r}")
    return raw


def _check_key_name(name: str) -> str:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise CheckpointError(f"invalid key name {name!r}: must be non-empty, no spaces or '+'")
    return name


def _key_id(name: str, signature_type: bytes, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + signature_type + public_key).digest()[:4]


# --- checkpoint body ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "extensions", tuple(self.extensions))
        if not self.origin or "\n" in self.origin:
            raise CheckpointError("origin must be a non-empty single line")
        if not isinstance(self.size, int) or isinstance(self.size, bool) or self.size < 0:
            raise CheckpointError(f"tree size must be a non-negative integer, got {self.size!r}")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != ROOT_HASH_SIZE:
            got = len(self.root_hash) if isinstance(self.root_hash, bytes) else self.root_hash
            raise CheckpointError(f"root hash must be {ROOT_HASH_SIZE} bytes, got {got!r}")
        for line in self.extensions:
            if not line or "\n" in line:
                raise CheckpointError(f"extension lines must be non-empty lines, got {line!r}")
        _check_text(self.format_body())

    def format_body(self) -> str:
        """The note text: origin, size, base64 root, extensions, each ending in newline."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode("ascii")]
        return "".join(f"{line}\n" for line in [*lines, *self.extensions])

    @classmethod
    def from_body(cls, body: str) -> Checkpoint:
        if not body.endswith("\n"):
            raise CheckpointError("checkpoint body must end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError("checkpoint body needs origin, tree size and root hash lines")
        origin, size_line, root_line, *extensions = lines
        if not _DECIMAL.fullmatch(size_line):
            raise CheckpointError(
                f"tree size is not a decimal without leading zeros: {size_line!r}"
            )
        root = _b64decode(root_line, "root hash")
        if len(root) != ROOT_HASH_SIZE:
            raise CheckpointError(f"root hash must be {ROOT_HASH_SIZE} bytes, got {len(root)}")
        return cls(origin, int(size_line), root, tuple(extensions))


def _check_text(text: str) -> None:
    bad = next((c for c in text if c < " " and c != "\n"), None)
    if bad is not None:
        raise CheckpointError(f"note contains control character U+{ord(bad):04X}")


# --- signed note -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes  # 4 bytes
    signature: bytes

    def format_line(self) -> str:
        blob = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{_SIG_PREFIX}{self.name} {blob}\n"


def parse_note(note_text: str | bytes) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signature lines (no verification)."""
    if isinstance(note_text, bytes):
        try:
            note_text = note_text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError("note is not valid UTF-8") from exc
    if len(note_text.encode("utf-8")) > MAX_NOTE_BYTES:
        raise CheckpointError(f"note larger than {MAX_NOTE_BYTES} bytes")
    _check_text(note_text)
    split = note_text.rfind("\n\n")
    if split < 0:
        raise CheckpointError("note has no blank line separating text from signatures")
    text, sig_block = note_text[: split + 1], note_text[split + 2 :]
    if not sig_block.endswith("\n"):
        raise CheckpointError("signature block must end with a newline")
    lines = sig_block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError(f"more than {MAX_SIGNATURES} signatures")
    signatures = []
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise CheckpointError(f"signature line does not start with an em dash: {line!r}")
        name, sep, blob = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep or " " in blob:
            raise CheckpointError(f"malformed signature line: {line!r}")
        _check_key_name(name)
        raw = _b64decode(blob, f"signature of {name}")
        if len(raw) < 5:
            raise CheckpointError(f"signature of {name} is too short")
        signatures.append(Signature(name, raw[:4], raw[4:]))
    return text, signatures


def parse(note_text: str | bytes) -> tuple[Checkpoint, list[Signature]]:
    """Parse a signed checkpoint note WITHOUT verifying signatures (use :func:`verify`)."""
    text, signatures = parse_note(note_text)
    return Checkpoint.from_body(text), signatures


# --- Ed25519 -----------------------------------------------------------------------------------


def generate_ed25519() -> tuple[bytes, bytes]:
    """New Ed25519 key pair as raw bytes (private 32, public 32)."""
    key = Ed25519PrivateKey.generate()
    return key.private_bytes_raw(), key.public_key().public_bytes_raw()


def ed25519_public_key(private_key: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()


@dataclass(frozen=True)
class Ed25519Verifier:
    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        _check_key_name(self.name)
        if len(self.public_key) != 32:
            raise CheckpointError("Ed25519 public key must be 32 bytes")

    @property
    def key_id(self) -> bytes:
        return _key_id(self.name, ED25519_SIGNATURE_TYPE, self.public_key)

    def verifies(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def to_string(self) -> str:
        """``<name>+<hex key ID>+<base64(0x01 || public key)>``."""
        blob = base64.b64encode(ED25519_SIGNATURE_TYPE + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{blob}"


def _ed25519_sign(private_key: bytes, name: str, message: bytes) -> Signature:
    key = Ed25519PrivateKey.from_private_bytes(private_key)
    public = key.public_key().public_bytes_raw()
    return Signature(name, _key_id(name, ED25519_SIGNATURE_TYPE, public), key.sign(message))


# --- SM2 with SM3 ------------------------------------------------------------------------------


def _normalise_sm2_public(public_hex: str) -> str:
    text = public_hex.strip().lower()
    if len(text) == 130 and text.startswith("04"):
        text = text[2:]
    if len(text) != 128 or not re.fullmatch(r"[0-9a-f]{128}", text):
        raise CheckpointError("SM2 public key must be 128 hex digits X || Y (optionally 04-led)")
    x, y = int(text[:64], 16), int(text[64:], 16)
    # The curve has cofactor 1, so a point on it (not infinity) is a valid public key.
    if x >= _SM2_P or y >= _SM2_P or (y * y - x * x * x - _SM2_A * x - _SM2_B) % _SM2_P:
        raise CheckpointError("SM2 public key is not a point on the SM2 curve")
    return text


def _sm2(private_hex: str, public_hex: str) -> CryptSM2:
    crypt = CryptSM2(private_key=private_hex, public_key="")
    # Set directly: gmssl's constructor does public_key.lstrip("04"), which also eats leading
    # '0'/'4' digits of X whenever the key is given with its 04 prefix.
    crypt.public_key = public_hex
    return crypt


def generate_sm2() -> tuple[str, str]:
    """New SM2 key pair: (64 hex private key d, 128 hex public key X || Y = d*G)."""
    d = secrets.randbelow(_SM2_N - 2) + 1  # GB/T 32918.1: d in [1, n-2]
    private_hex = f"{d:064x}"
    return private_hex, sm2_public_key(private_hex)


def sm2_public_key(private_hex: str) -> str:
    d = int(private_hex, 16)
    if not 1 <= d <= _SM2_N - 2:
        raise CheckpointError("SM2 private key out of range")
    return _sm2(private_hex, "")._kg(d, default_ecc_table["g"])


@dataclass(frozen=True)
class SM2Verifier:
    name: str
    public_hex: str

    def __post_init__(self) -> None:
        _check_key_name(self.name)
        object.__setattr__(self, "public_hex", _normalise_sm2_public(self.public_hex))

    @property
    def key_id(self) -> bytes:
        return _key_id(self.name, SM2_SIGNATURE_TYPE, bytes.fromhex("04" + self.public_hex))

    def verifies(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        # gmssl does not range-check r and s; GB/T 32918.2 §7.1 B1/B2 require it.
        if not (1 <= r < _SM2_N and 1 <= s < _SM2_N):
            return False
        try:
            return bool(_sm2("", self.public_hex).verify_with_sm3(signature.hex(), message))
        except (TypeError, ValueError):  # gmssl hits the point at infinity on forged input
            return False

    def to_string(self) -> str:
        """``<name>+<hex key ID>+<base64(SM2_SIGNATURE_TYPE || 0x04 || X || Y)>``."""
        raw = SM2_SIGNATURE_TYPE + bytes.fromhex("04" + self.public_hex)
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(raw).decode('ascii')}"


def _sm2_sign(private_hex: str, public_hex: str, name: str, message: bytes) -> Signature:
    public_hex = _normalise_sm2_public(public_hex)
    if sm2_public_key(private_hex) != public_hex:
        raise CheckpointError("SM2 public key does not belong to the private key")
    crypt = _sm2(private_hex, public_hex)
    while True:
        # gmssl's default nonce comes from `random`; use a CSPRNG nonce in [1, n-1].
        k = f"{secrets.randbelow(_SM2_N - 1) + 1:064x}"
        sig_hex = crypt.sign_with_sm3(message, k)
        if sig_hex is not None:  # None: degenerate r or s for this k, retry
            break
    key_id = _key_id(name, SM2_SIGNATURE_TYPE, bytes.fromhex("04" + public_hex))
    return Signature(name, key_id, bytes.fromhex(sig_hex))


# --- sign / verify -----------------------------------------------------------------------------

Verifier = Ed25519Verifier | SM2Verifier


def parse_verifier(vkey: str) -> Verifier:
    """Parse a ``<name>+<hex key ID>+<base64 key>`` verifier string (Ed25519 or SM2)."""
    parts = vkey.strip().split("+", 2)  # base64 may itself contain "+"
    if len(parts) != 3:
        raise CheckpointError("verifier key must be <name>+<hex key ID>+<base64 key>")
    name, id_hex, blob = parts
    raw = _b64decode(blob, "verifier key")
    verifier: Verifier
    if raw[:1] == ED25519_SIGNATURE_TYPE:
        verifier = Ed25519Verifier(name, raw[1:])
    elif raw.startswith(SM2_SIGNATURE_TYPE):
        verifier = SM2Verifier(name, raw[len(SM2_SIGNATURE_TYPE) :].hex())
    else:
        raise CheckpointError("verifier key has an unsupported signature type")
    if id_hex != verifier.key_id.hex():
        raise CheckpointError(f"verifier key ID {id_hex!r} does not match the key")
    return verifier


def sign(
    checkpoint: Checkpoint,
    ed25519_private_key: bytes,
    ed25519_name: str,
    sm2_private_hex: str,
    sm2_public_hex: str,
    sm2_name: str,
) -> str:
    """Signed note text: the checkpoint body, a blank line, Ed25519 then SM2 signature lines."""
    _check_key_name(ed25519_name)
    _check_key_name(sm2_name)
    body = checkpoint.format_body()
    message = body.encode("utf-8")
    signatures = [
        _ed25519_sign(ed25519_private_key, ed25519_name, message),
        _sm2_sign(sm2_private_hex, sm2_public_hex, sm2_name, message),
    ]
    return body + "\n" + "".join(s.format_line() for s in signatures)


def verify(note_text: str | bytes, verifiers: Iterable[Verifier]) -> Checkpoint:
    """Verify a signed checkpoint; returns it, or raises CheckpointError.

    Per signed-note, signature lines whose (name, key ID) match no given verifier are ignored,
    and any signature from a known key must verify. The ledger additionally requires at least
    one valid Ed25519 AND one valid SM2 signature from the given keys.
    """
    text, signatures = parse_note(note_text)
    checkpoint = Checkpoint.from_body(text)
    known = {(v.name, v.key_id): v for v in verifiers}
    message = text.encode("utf-8")
    verified: set[type] = set()
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if not verifier.verifies(message, sig.signature):
            kind = "Ed25519" if isinstance(verifier, Ed25519Verifier) else "SM2"
            raise CheckpointError(f"{kind} signature by {sig.name} does not verify")
        verified.add(type(verifier))
    if Ed25519Verifier not in verified:
        raise CheckpointError("no valid Ed25519 signature from a trusted key")
    if SM2Verifier not in verified:
        raise CheckpointError("no valid SM2 signature from a trusted key")
    return checkpoint
