"""Offline proof-bundle verifier: in-process checks and the real ``python -m`` CLI. No Django."""

from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from zhifa.ledger.bundle_verify import (
    MalformedBundle,
    VerificationFailed,
    build_bundle,
    entry_leaf_hash,
    load_bundle,
    verify_bundle,
)
from zhifa.ledger.checkpoint import (
    Checkpoint,
    Ed25519Verifier,
    generate_ed25519,
    generate_sm2,
    sign,
)
from zhifa.ledger.merkle import MemoryNodeStore

SRC = Path(__file__).resolve().parents[3]  # .../src
ORIGIN = "zhifa.example/ledger"
SUBJECT = "case:123"


def make_world() -> dict[str, Any]:
    ed_priv, ed_pub = generate_ed25519()
    sm2_priv, sm2_pub = generate_sm2()
    store = MemoryNodeStore("sm3")
    payloads = []
    for i in range(20):
        subject = SUBJECT if i % 3 == 0 else f"case:{200 + i}"
        payload = {
            "seq": i + 1,
            "subject": subject,
            "action": "立案" if i % 2 else "调查取证",
            "actor": f"执法人员{i % 4}",
            "at": f"2025-03-{1 + i:02d}T09:00:00+08:00",
            "data": {"amount": "2000.00", "items": [i, i * i]},
        }
        payloads.append(payload)
        assert store.append_leaf(entry_leaf_hash(payload)) == i
    checkpoint = Checkpoint(ORIGIN, store.size, store.root())
    note = sign(checkpoint, ed_priv, ORIGIN, sm2_priv, sm2_pub, ORIGIN + "/sm2")
    ed_vkey = Ed25519Verifier(ORIGIN, ed_pub).to_string()
    entries = [
        (p["seq"], i, p, store.inclusion_proof(i))
        for i, p in enumerate(payloads)
        if p["subject"] == SUBJECT
    ]
    bundle = build_bundle(
        origin=ORIGIN,
        checkpoint_note=note,
        ed25519_verifier_key=ed_vkey,
        sm2_name=ORIGIN + "/sm2",
        sm2_public_hex=sm2_pub,
        subject=SUBJECT,
        entries=entries,
    )
    return {"bundle": bundle, "ed_vkey": ed_vkey, "sm2": (ORIGIN + "/sm2", sm2_pub)}


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    return make_world()


@pytest.fixture
def bundle(world: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(world["bundle"])


def flip_hex(text: str, pos: int = 10) -> str:
    return text[:pos] + ("0" if text[pos] != "0" else "1") + text[pos + 1 :]


def test_valid_bundle_verifies(bundle: dict[str, Any], world: dict[str, Any]) -> None:
    assert len(bundle["entries"]) == 7
    lines = verify_bundle(bundle)
    assert lines[-1] == "OK: 7 entries of subject case:123 verified against checkpoint size 20"
    assert sum("leaf hash matches payload" in line for line in lines) == 7
    pinned = verify_bundle(bundle, world["ed_vkey"], world["sm2"])
    assert "keys: bundle keys match the trusted keys" in pinned
    # The bundle survives a JSON round trip with shuffled whitespace and key order.
    text = json.dumps(bundle, indent=3, sort_keys=True, ensure_ascii=True)
    assert verify_bundle(load_bundle(text))[-1] == lines[-1]


def test_tampered_payload_fails(bundle: dict[str, Any]) -> None:
    bundle["entries"][2]["payload"]["data"]["amount"] = "200.00"
    with pytest.raises(VerificationFailed, match=r"^FAIL: entry seq 7 .*leaf hash does not match"):
        verify_bundle(bundle)


def test_tampered_payload_with_recomputed_leaf_hash_fails(bundle: dict[str, Any]) -> None:
    entry = bundle["entries"][3]
    entry["payload"]["action"] = "结案"
    entry["leaf_hash"] = entry_leaf_hash(entry["payload"]).hex()
    with pytest.raises(VerificationFailed, match=r"entry seq 10 .*inclusion proof invalid"):
        verify_bundle(bundle)


def test_tampered_proof_element_fails(bundle: dict[str, Any]) -> None:
    proof = bundle["entries"][1]["inclusion_proof"]
    proof[-1] = flip_hex(proof[-1])
    with pytest.raises(VerificationFailed, match=r"entry seq 4 .*inclusion proof invalid"):
        verify_bundle(bundle)


def test_moved_leaf_index_fails(bundle: dict[str, Any]) -> None:
    bundle["entries"][0]["leaf_index"] = 1
    with pytest.raises(VerificationFailed, match="inclusion proof invalid"):
        verify_bundle(bundle)


def test_relabelled_seq_fails(bundle: dict[str, Any]) -> None:
    bundle["entries"][0]["seq"] = 99
    with pytest.raises(VerificationFailed, match="payload seq 1 differs"):
        verify_bundle(bundle)


def note_lines(bundle: dict[str, Any]) -> list[str]:
    return bundle["checkpoint"].splitlines(keepends=True)


@pytest.mark.parametrize("line", [-2, -1], ids=["ed25519", "sm2"])
def test_tampered_checkpoint_signature_fails(bundle: dict[str, Any], line: int) -> None:
    lines = note_lines(bundle)
    head, blob = lines[line].rsplit(" ", 1)
    raw = bytearray(base64.b64decode(blob))
    raw[20] ^= 0x01
    lines[line] = f"{head} {base64.b64encode(bytes(raw)).decode()}\n"
    bundle["checkpoint"] = "".join(lines)
    with pytest.raises(VerificationFailed, match="FAIL: checkpoint: .*does not verify"):
        verify_bundle(bundle)


def test_tampered_checkpoint_root_fails(bundle: dict[str, Any]) -> None:
    lines = note_lines(bundle)
    root = bytearray(base64.b64decode(lines[2]))
    root[0] ^= 0x80
    lines[2] = base64.b64encode(bytes(root)).decode() + "\n"
    bundle["checkpoint"] = "".join(lines)
    with pytest.raises(VerificationFailed, match="FAIL: checkpoint: .*does not verify"):
        verify_bundle(bundle)


def test_other_keys_fail(bundle: dict[str, Any], world: dict[str, Any]) -> None:
    _, other_pub = generate_ed25519()
    other = Ed25519Verifier(ORIGIN, other_pub).to_string()
    with pytest.raises(VerificationFailed, match="not the trusted key"):
        verify_bundle(bundle, trusted_ed25519=other)
    # A bundle re-keyed by a forger no longer matches the published keys...
    _, sm2_pub = generate_sm2()
    with pytest.raises(VerificationFailed, match="SM2 key is not the trusted key"):
        verify_bundle(bundle, world["ed_vkey"], (world["sm2"][0], sm2_pub))
    # ...and keys swapped in without re-signing fail the signature check.
    bundle["public_keys"]["ed25519"] = other
    with pytest.raises(VerificationFailed, match="no valid Ed25519 signature"):
        verify_bundle(bundle)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.pop("checkpoint"), "missing field 'checkpoint'"),
        (lambda b: b.update(format="zhifa-proof-bundle/9"), "unsupported bundle format"),
        (lambda b: b.update(hash="sha256"), "unsupported hash"),
        (lambda b: b.update(entries=[]), "empty"),
        (lambda b: b["entries"][0].pop("payload"), "missing field 'payload'"),
        (lambda b: b["entries"][0].update(leaf_index="3"), "'leaf_index' must be int"),
        (lambda b: b["entries"][0].update(seq=True), "'seq' must be int"),
        (lambda b: b["entries"][0]["inclusion_proof"].append("zz"), "64 hex digits"),
        (lambda b: b["public_keys"]["sm2"].update(public_hex="00"), "public_keys"),
    ],
)
def test_malformed_bundles(bundle: dict[str, Any], mutate, message: str) -> None:
    mutate(bundle)
    with pytest.raises(MalformedBundle, match=message):
        verify_bundle(bundle)


def test_strict_json_loading() -> None:
    with pytest.raises(MalformedBundle, match="duplicate JSON key 'a'"):
        load_bundle('{"a": 1, "a": 2}')
    with pytest.raises(MalformedBundle, match="NaN"):
        load_bundle('{"a": NaN}')
    with pytest.raises(MalformedBundle, match="not valid JSON"):
        load_bundle("{")


# --- the real command line, without Django ----------------------------------------------------


def run_cli(path: Path, *extra: str, block_django: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env["PYTHONPATH"] = str(SRC)
    if block_django:
        # sys.modules[name] = None makes any `import django` raise ImportError.
        code = (
            "import runpy, sys; sys.modules['django'] = None; "
            "runpy.run_module('zhifa.ledger.bundle_verify', run_name='__main__')"
        )
        cmd = [sys.executable, "-c", code, str(path), *extra]
    else:
        cmd = [sys.executable, "-m", "zhifa.ledger.bundle_verify", str(path), *extra]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


def test_cli_ok_fail_and_malformed(tmp_path: Path, bundle: dict[str, Any], world: dict) -> None:
    good = tmp_path / "bundle.json"
    good.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    result = run_cli(good)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == (
        "OK: 7 entries of subject case:123 verified against checkpoint size 20"
    )

    sm2_name, sm2_pub = world["sm2"]
    pinned = run_cli(good, "--ed25519-key", world["ed_vkey"], "--sm2-key", f"{sm2_name}:{sm2_pub}")
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr

    tampered = copy.deepcopy(bundle)
    tampered["entries"][4]["payload"]["actor"] = "someone else"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(tampered), encoding="utf-8")
    result = run_cli(bad)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1].startswith("FAIL: entry seq 13 (leaf 12): leaf hash")

    junk = tmp_path / "junk.json"
    junk.write_text("this is not json", encoding="utf-8")
    result = run_cli(junk)
    assert result.returncode == 2
    assert "malformed bundle: not valid JSON" in result.stderr

    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps({"format": "zhifa-proof-bundle/1"}), encoding="utf-8")
    result = run_cli(missing)
    assert result.returncode == 2
    assert "missing field" in result.stderr


def test_cli_runs_with_django_unimportable(tmp_path: Path, bundle: dict[str, Any]) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    result = run_cli(path, block_django=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("OK: 7 entries")
