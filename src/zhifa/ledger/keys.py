"""The ledger's checkpoint signing keys, generated on first use into ``DATA_DIR/keys``.

Files (mode 0600, directory 0700)::

    keys/ledger-ed25519.key   Ed25519 private key, 64 hex digits (32 raw bytes)
    keys/ledger-sm2.key       SM2 private key, 64 hex digits

The origin (the first line of every checkpoint) comes from ``ZHIFA_LEDGER_ORIGIN``
(default ``zhifa.local/ledger``); the key names are ``<origin>/ed25519`` and ``<origin>/sm2``.
Changing the origin after checkpoints exist makes the old checkpoints fail verification.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from . import checkpoint as cp

DEFAULT_ORIGIN = "zhifa.local/ledger"
ED25519_FILE = "ledger-ed25519.key"
SM2_FILE = "ledger-sm2.key"


def origin() -> str:
    value = os.environ.get("ZHIFA_LEDGER_ORIGIN", "").strip() or DEFAULT_ORIGIN
    if any(c.isspace() or c == "+" for c in value):
        raise ValueError(f"ZHIFA_LEDGER_ORIGIN must have no spaces or '+': {value!r}")
    return value


@dataclass(frozen=True)
class LedgerKeys:
    origin: str
    ed25519_name: str
    ed25519_private: bytes
    ed25519_public: bytes
    sm2_name: str
    sm2_private_hex: str
    sm2_public_hex: str

    @property
    def ed25519_verifier(self) -> cp.Ed25519Verifier:
        return cp.Ed25519Verifier(self.ed25519_name, self.ed25519_public)

    @property
    def sm2_verifier(self) -> cp.SM2Verifier:
        return cp.SM2Verifier(self.sm2_name, self.sm2_public_hex)

    @property
    def verifiers(self) -> list[cp.Verifier]:
        return [self.ed25519_verifier, self.sm2_verifier]

    def sign(self, size: int, root_hash: bytes) -> str:
        return cp.sign(
            cp.Checkpoint(self.origin, size, root_hash),
            self.ed25519_private,
            self.ed25519_name,
            self.sm2_private_hex,
            self.sm2_public_hex,
            self.sm2_name,
        )


def keys_dir() -> Path:
    return Path(settings.DATA_DIR) / "keys"


def _read_or_create(path: Path, make) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text().strip()
    value = make()
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


_cache: dict[tuple[str, str], LedgerKeys] = {}


def load_keys() -> LedgerKeys:
    """The signing keys, created on first use."""
    directory = keys_dir()
    name = origin()
    cached = _cache.get((str(directory), name))
    if cached is not None:
        return cached
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    ed_hex = _read_or_create(directory / ED25519_FILE, lambda: cp.generate_ed25519()[0].hex())
    sm2_hex = _read_or_create(directory / SM2_FILE, lambda: cp.generate_sm2()[0])
    try:
        ed_private = bytes.fromhex(ed_hex)
        ed_public = cp.ed25519_public_key(ed_private)
        sm2_public = cp.sm2_public_key(sm2_hex)
    except (ValueError, cp.CheckpointError) as exc:
        raise RuntimeError(
            f"账本签名密钥文件损坏 / ledger key file in {directory} is corrupt: {exc}"
        ) from exc
    keys = LedgerKeys(
        origin=name,
        ed25519_name=f"{name}/ed25519",
        ed25519_private=ed_private,
        ed25519_public=ed_public,
        sm2_name=f"{name}/sm2",
        sm2_private_hex=sm2_hex,
        sm2_public_hex=sm2_public,
    )
    _cache[(str(directory), name)] = keys
    return keys
