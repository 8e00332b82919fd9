"""Offline verifier for zhifa ledger proof bundles.

Usage::

    python -m zhifa.ledger.bundle_verify bundle.json
        [--ed25519-key VERIFIER_KEY] [--sm2-key NAME:PUBLIC_HEX]

Needs only the standard library, ``rfc8785``, ``gmssl``, ``cryptography`` and the pure modules
of ``zhifa.ledger`` (no Django, no database). Exit status: 0 all checks passed, 1 a check failed
(``FAIL: ...``), 2 the bundle is malformed or unreadable, 3 this Python has no usable SM3.

Bundle format ``zhifa-proof-bundle/1`` (a JSON object; duplicate keys are rejected)::

    {
      "format": "zhifa-proof-bundle/1",
      "origin": "<checkpoint origin line>",
      "hash": "sm3",
      "checkpoint": "<signed note text, see zhifa.ledger.checkpoint>",
      "public_keys": {
        "ed25519": "<name>+<hex key ID>+<base64(0x01 || public key)>",
        "sm2": {"name": "<key name>", "public_hex": "<128 hex digits X || Y>"}
      },
      "subject": "case:123",
      "entries": [
        {
          "seq": 17,
          "leaf_index": 16,
          "payload": {... the full ledger entry as a JSON object ...},
          "leaf_hash": "<64 hex digits>",
          "inclusion_proof": ["<64 hex digits>", ...]
        }
      ]
    }

Leaf data is ``canonical_json(payload)`` (RFC 8785) and the leaf hash is
SM3(0x00 || leaf data); ``inclusion_proof`` is the RFC 9162 inclusion path of that leaf in the
tree of the checkpoint's size, deepest sibling first. If a payload has a ``"seq"`` or a
``"subject"`` member it must equal the entry's ``seq`` / the bundle's ``subject``: those
labels are only authenticated through the payload, so producers should include them.

Checks, in order: the checkpoint note parses and carries a valid Ed25519 and a valid SM2
signature from the bundle's keys; its origin equals ``origin``; then for every entry the leaf
hash recomputed from the payload equals ``leaf_hash`` and the inclusion proof leads to the
checkpoint root at the checkpoint size.

The public keys inside a bundle only prove that whoever made the bundle signed it. To tie it to
the ledger operator, pass the published keys with ``--ed25519-key`` / ``--sm2-key`` (or the
``trusted_*`` arguments of :func:`verify_bundle`), or compare the key strings this tool prints
with the published ones.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from zhifa.ledger.canonical import CanonicalJSONError, canonical_json
from zhifa.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    Ed25519Verifier,
    SM2Verifier,
    parse_verifier,
    verify,
)
from zhifa.ledger.merkle import ProofError, leaf_hash, verify_inclusion
from zhifa.ledger.sm3check import ensure_sm3

__all__ = [
    "BUNDLE_FORMAT",
    "BundleError",
    "MalformedBundle",
    "VerificationFailed",
    "build_bundle",
    "entry_leaf_hash",
    "main",
    "verify_bundle",
]

BUNDLE_FORMAT = "zhifa-proof-bundle/1"
_HEX32 = re.compile(r"[0-9a-fA-F]{64}")


class BundleError(ValueError):
    """Base class for bundle problems."""


class MalformedBundle(BundleError):
    """The bundle is not a well-formed zhifa-proof-bundle/1 document (exit status 2)."""


class VerificationFailed(BundleError):
    """A cryptographic or consistency check failed (exit status 1)."""


def entry_leaf_hash(payload: dict[str, Any]) -> bytes:
    """The ledger leaf hash of an entry: SM3(0x00 || RFC 8785 canonical JSON of the entry)."""
    return leaf_hash(canonical_json(payload), "sm3")


def build_bundle(
    *,
    origin: str,
    checkpoint_note: str,
    ed25519_verifier_key: str,
    sm2_name: str,
    sm2_public_hex: str,
    subject: str,
    entries: Sequence[tuple[int, int, dict[str, Any], Sequence[bytes]]],
) -> dict[str, Any]:
    """Assemble a bundle dict; ``entries`` are (seq, leaf_index, payload, inclusion proof)."""
    return {
        "format": BUNDLE_FORMAT,
        "origin": origin,
        "hash": "sm3",
        "checkpoint": checkpoint_note,
        "public_keys": {
            "ed25519": ed25519_verifier_key,
            "sm2": {"name": sm2_name, "public_hex": sm2_public_hex},
        },
        "subject": subject,
        "entries": [
            {
                "seq": seq,
                "leaf_index": leaf_index,
                "payload": payload,
                "leaf_hash": entry_leaf_hash(payload).hex(),
                "inclusion_proof": [p.hex() for p in proof],
            }
            for seq, leaf_index, payload, proof in entries
        ],
    }


# --- structural access (every miss is a MalformedBundle) ---------------------------------------


def _get(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise MalformedBundle(f"{where}: missing field {key!r}")
    value = obj[key]
    # bool is an int subclass; never accept it where a number is meant.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise MalformedBundle(f"{where}: field {key!r} must be {name}")
    return value


def _hash32(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or not _HEX32.fullmatch(value):
        raise MalformedBundle(f"{where}: must be 64 hex digits")
    return bytes.fromhex(value)


def _keys(bundle: dict[str, Any]) -> tuple[Ed25519Verifier, SM2Verifier]:
    keys = _get(bundle, "public_keys", dict, "bundle")
    try:
        ed = parse_verifier(_get(keys, "ed25519", str, "public_keys"))
        sm2_obj = _get(keys, "sm2", dict, "public_keys")
        sm2 = SM2Verifier(
            _get(sm2_obj, "name", str, "public_keys.sm2"),
            _get(sm2_obj, "public_hex", str, "public_keys.sm2"),
        )
    except CheckpointError as exc:
        raise MalformedBundle(f"public_keys: {exc}") from exc
    if not isinstance(ed, Ed25519Verifier):
        raise MalformedBundle("public_keys.ed25519 is not an Ed25519 verifier key")
    return ed, sm2


def verify_bundle(
    bundle: Any,
    trusted_ed25519: str | None = None,
    trusted_sm2: tuple[str, str] | None = None,
    report: Callable[[str], None] | None = None,
) -> list[str]:
    """Verify a parsed bundle; returns the report lines, the last one ``OK: ...``.

    Raises MalformedBundle for structural problems and VerificationFailed (message starting
    ``FAIL:``) for the first failed check. ``trusted_ed25519`` (verifier key string) and
    ``trusted_sm2`` ((name, public_hex)) pin the keys the bundle must carry. ``report`` is
    called with each line as soon as it is known.
    """
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if report is not None:
            report(line)

    def fail(message: str) -> VerificationFailed:
        return VerificationFailed(f"FAIL: {message}")

    if not isinstance(bundle, dict):
        raise MalformedBundle("bundle must be a JSON object")
    fmt = _get(bundle, "format", str, "bundle")
    if fmt != BUNDLE_FORMAT:
        raise MalformedBundle(f"unsupported bundle format {fmt!r}, expected {BUNDLE_FORMAT!r}")
    if _get(bundle, "hash", str, "bundle") != "sm3":
        raise MalformedBundle(f"unsupported hash {bundle['hash']!r}, expected 'sm3'")
    origin = _get(bundle, "origin", str, "bundle")
    subject = _get(bundle, "subject", str, "bundle")
    note = _get(bundle, "checkpoint", str, "bundle")
    entries = _get(bundle, "entries", list, "bundle")
    if not entries:
        raise MalformedBundle("bundle: 'entries' is empty, nothing to verify")
    ed, sm2 = _keys(bundle)

    if trusted_ed25519 is not None or trusted_sm2 is not None:
        if trusted_ed25519 is not None and parse_verifier(trusted_ed25519) != ed:
            raise fail("the bundle's Ed25519 key is not the trusted key")
        if trusted_sm2 is not None and SM2Verifier(*trusted_sm2) != sm2:
            raise fail("the bundle's SM2 key is not the trusted key")
        say("keys: bundle keys match the trusted keys")
    else:
        say(f"keys: taken from the bundle (not pinned): ed25519 {ed.to_string()}")
        say(f"keys: taken from the bundle (not pinned): sm2 {sm2.to_string()}")

    try:
        checkpoint: Checkpoint = verify(note, [ed, sm2])
    except CheckpointError as exc:
        raise fail(f"checkpoint: {exc}") from exc
    say(
        f"checkpoint: origin {checkpoint.origin}, size {checkpoint.size}, "
        f"root {checkpoint.root_hash.hex()}: Ed25519 and SM2 signatures valid"
    )
    if checkpoint.origin != origin:
        raise fail(f"checkpoint origin {checkpoint.origin!r} differs from bundle {origin!r}")

    for position, entry in enumerate(entries):
        where = f"entries[{position}]"
        if not isinstance(entry, dict):
            raise MalformedBundle(f"{where} must be an object")
        seq = _get(entry, "seq", int, where)
        index = _get(entry, "leaf_index", int, where)
        payload = _get(entry, "payload", dict, where)
        claimed = _hash32(_get(entry, "leaf_hash", str, where), f"{where}.leaf_hash")
        proof_hex = _get(entry, "inclusion_proof", list, where)
        proof = [_hash32(p, f"{where}.inclusion_proof[{i}]") for i, p in enumerate(proof_hex)]

        label = f"entry seq {seq} (leaf {index})"
        if "seq" in payload and payload["seq"] != seq:
            raise fail(f"{label}: payload seq {payload['seq']!r} differs from the entry's seq")
        if "subject" in payload and payload["subject"] != subject:
            raise fail(f"{label}: payload subject {payload['subject']!r} is not {subject!r}")
        try:
            computed = entry_leaf_hash(payload)
        except CanonicalJSONError as exc:
            raise fail(f"{label}: payload cannot be canonicalised: {exc}") from exc
        if computed != claimed:
            raise fail(f"{label}: leaf hash does not match the payload (tampered payload?)")
        try:
            verify_inclusion(
                computed, index, checkpoint.size, proof, checkpoint.root_hash, hash="sm3"
            )
        except ProofError as exc:
            raise fail(f"{label}: inclusion proof invalid: {exc}") from exc
        say(f"{label}: leaf hash matches payload; included in tree of size {checkpoint.size}")

    say(
        f"OK: {len(entries)} entries of subject {subject} verified against checkpoint "
        f"size {checkpoint.size}"
    )
    return lines


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            # Two parsers could keep different copies; a proof must be unambiguous.
            raise MalformedBundle(f"duplicate JSON key {key!r}")
        obj[key] = value
    return obj


def _reject_constant(name: str) -> Any:
    raise MalformedBundle(f"non-standard JSON constant {name}")


def load_bundle(text: str | bytes) -> Any:
    """Parse bundle JSON strictly (no duplicate keys, no NaN/Infinity)."""
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant
        )
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedBundle(f"not valid JSON: {exc}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m zhifa.ledger.bundle_verify",
        description="Verify a zhifa ledger proof bundle offline.",
    )
    parser.add_argument("bundle", help="path to bundle.json")
    parser.add_argument("--ed25519-key", help="trusted Ed25519 verifier key string")
    parser.add_argument("--sm2-key", metavar="NAME:PUBLIC_HEX", help="trusted SM2 key")
    args = parser.parse_args(argv)

    try:
        ensure_sm3()
    except RuntimeError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 3
    trusted_sm2 = None
    try:
        if args.ed25519_key:
            parse_verifier(args.ed25519_key)
        if args.sm2_key:
            name, sep, public_hex = args.sm2_key.rpartition(":")
            if not sep:
                raise CheckpointError("--sm2-key must be NAME:PUBLIC_HEX")
            SM2Verifier(name, public_hex)
            trusted_sm2 = (name, public_hex)
    except CheckpointError as exc:
        print(f"ERROR: bad trusted key: {exc}", file=sys.stderr)
        return 2
    try:
        with open(args.bundle, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        print(f"ERROR: cannot read bundle: {exc}", file=sys.stderr)
        return 2
    try:
        verify_bundle(load_bundle(raw), args.ed25519_key, trusted_sm2, report=print)
    except VerificationFailed as exc:
        print(exc)
        return 1
    except MalformedBundle as exc:
        print(f"ERROR: malformed bundle: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
