"""Signed checkpoints (C2SP tlog-checkpoint + signed-note, Ed25519 + SM2). No Django."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from zhifa.ledger import checkpoint as cp
from zhifa.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    Ed25519Verifier,
    SM2Verifier,
    generate_ed25519,
    generate_sm2,
    parse,
    parse_verifier,
    sign,
    verify,
)

ED_NAME = "zhifa.example/ledger"
SM2_NAME = "zhifa.example/ledger-sm2"
ROOT = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")


@pytest.fixture(scope="module")
def keys() -> dict:
    ed_priv, ed_pub = generate_ed25519()
    sm2_priv, sm2_pub = generate_sm2()
    return {
        "ed_priv": ed_priv,
        "sm2_priv": sm2_priv,
        "sm2_pub": sm2_pub,
        "verifiers": [Ed25519Verifier(ED_NAME, ed_pub), SM2Verifier(SM2_NAME, sm2_pub)],
    }


def signed(keys: dict, checkpoint: Checkpoint) -> str:
    return sign(checkpoint, keys["ed_priv"], ED_NAME, keys["sm2_priv"], keys["sm2_pub"], SM2_NAME)


def test_body_format() -> None:
    c = Checkpoint("zhifa.example/ledger", 8, ROOT, ("ext one",))
    assert c.format_body() == (
        "zhifa.example/ledger\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\next one\n"
    )
    assert Checkpoint.from_body(c.format_body()) == c


def test_round_trip(keys: dict) -> None:
    c = Checkpoint("zhifa.example/ledger", 20852163, ROOT, ("x-extension",))
    note = signed(keys, c)
    assert note.startswith(c.format_body() + "\n\u2014 " + ED_NAME + " ")
    parsed, sigs = parse(note)
    assert parsed == c
    assert [s.name for s in sigs] == [ED_NAME, SM2_NAME]
    assert [s.key_id for s in sigs] == [v.key_id for v in keys["verifiers"]]
    assert [len(s.signature) for s in sigs] == [64, 64]
    assert verify(note, keys["verifiers"]) == c
    assert verify(note.encode("utf-8"), keys["verifiers"]) == c


def test_key_ids_follow_signed_note() -> None:
    ed_priv, ed_pub = generate_ed25519()
    v = Ed25519Verifier(ED_NAME, ed_pub)
    assert v.key_id == hashlib.sha256(ED_NAME.encode() + b"\n\x01" + ed_pub).digest()[:4]
    assert parse_verifier(v.to_string()) == v
    sm2_priv, sm2_pub = generate_sm2()
    s = SM2Verifier(SM2_NAME, sm2_pub)
    assert cp.SM2_SIGNATURE_TYPE == b"\xffzhifa.sm2-sm3.v1"
    want = hashlib.sha256(SM2_NAME.encode() + b"\n" + cp.SM2_SIGNATURE_TYPE + b"\x04")
    want.update(bytes.fromhex(sm2_pub))
    assert s.key_id == want.digest()[:4]
    assert parse_verifier(s.to_string()) == s
    assert SM2Verifier(SM2_NAME, "04" + sm2_pub.upper()) == s
    with pytest.raises(CheckpointError, match="does not match"):
        parse_verifier(v.to_string().replace(f"+{v.key_id.hex()}+", "+00000000+"))


def test_go_sumdb_note_vector() -> None:
    # Test vector from golang.org/x/mod/sumdb/note (BSD-3-Clause): proves the Ed25519 key ID,
    # verifier-key format and note-text signing interoperate with the reference implementation.
    v = parse_verifier("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    note = (
        "If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n"
        "\n"
        "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvq"
        "fqdngotpRZb6KE6RyyBwJnAM=\n"
    )
    text, sigs = cp.parse_note(note)
    assert sigs[0].key_id == v.key_id
    assert v.verifies(text.encode(), sigs[0].signature)
    assert not v.verifies(text.encode() + b"x", sigs[0].signature)


def replace_signature(note: str, name: str, new_sig: bytes) -> str:
    out = []
    for line in note.splitlines(keepends=True):
        if line.startswith(f"\u2014 {name} "):
            raw = base64.b64decode(line.split(" ")[2])
            line = f"\u2014 {name} {base64.b64encode(raw[:4] + new_sig).decode()}\n"
        out.append(line)
    return "".join(out)


@pytest.mark.parametrize("name", [ED_NAME, SM2_NAME])
def test_forged_signature_fails(keys: dict, name: str) -> None:
    note = signed(keys, Checkpoint("zhifa.example/ledger", 5, ROOT))
    _, sigs = parse(note)
    good = next(s.signature for s in sigs if s.name == name)
    forged = bytearray(good)
    forged[10] ^= 0x40
    with pytest.raises(CheckpointError, match=f"signature by {name} does not verify"):
        verify(replace_signature(note, name, bytes(forged)), keys["verifiers"])
    # A valid signature over a different checkpoint, spliced in, must fail too.
    other = signed(keys, Checkpoint("zhifa.example/ledger", 6, ROOT))
    other_sig = next(s.signature for s in parse(other)[1] if s.name == name)
    with pytest.raises(CheckpointError, match="does not verify"):
        verify(replace_signature(note, name, other_sig), keys["verifiers"])


def test_changed_size_or_root_fails(keys: dict) -> None:
    note = signed(keys, Checkpoint("zhifa.example/ledger", 5, ROOT))
    with pytest.raises(CheckpointError, match="does not verify"):
        verify(note.replace("\n5\n", "\n6\n", 1), keys["verifiers"])
    other_root = base64.b64encode(bytes(32)).decode()
    with pytest.raises(CheckpointError, match="does not verify"):
        verify(note.replace(base64.b64encode(ROOT).decode(), other_root), keys["verifiers"])


def test_unknown_key_fails(keys: dict) -> None:
    note = signed(keys, Checkpoint("zhifa.example/ledger", 5, ROOT))
    _, stranger_pub = generate_ed25519()
    _, stranger_sm2 = generate_sm2()
    strangers = [Ed25519Verifier(ED_NAME, stranger_pub), SM2Verifier(SM2_NAME, stranger_sm2)]
    with pytest.raises(CheckpointError, match="no valid Ed25519 signature"):
        verify(note, strangers)
    with pytest.raises(CheckpointError, match="no valid SM2 signature"):
        verify(note, [keys["verifiers"][0], strangers[1]])
    # Same key under a different name is a different key (name is part of the key ID).
    renamed = [Ed25519Verifier("other.example/log", keys["verifiers"][0].public_key)]
    with pytest.raises(CheckpointError, match="no valid Ed25519"):
        verify(note, renamed + keys["verifiers"][1:])


def test_missing_sm2_line_fails(keys: dict) -> None:
    note = signed(keys, Checkpoint("zhifa.example/ledger", 5, ROOT))
    without_sm2 = "".join(
        line for line in note.splitlines(keepends=True) if not line.startswith(f"\u2014 {SM2_NAME}")
    )
    assert without_sm2 != note
    with pytest.raises(CheckpointError, match="no valid SM2 signature"):
        verify(without_sm2, keys["verifiers"])


def test_unknown_extra_signatures_are_ignored(keys: dict) -> None:
    # signed-note: signatures from unknown keys (e.g. witnesses) must be ignored.
    note = signed(keys, Checkpoint("zhifa.example/ledger", 5, ROOT))
    extra = (
        "\u2014 witness.example/w1 " + base64.b64encode(b"\x01\x02\x03\x04" + b"s" * 64).decode()
    )
    assert verify(note + extra + "\n", keys["verifiers"]).size == 5


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda n: n.replace("\n5\n", "\n05\n", 1), "decimal"),
        (lambda n: n.replace("\n5\n", "\n-5\n", 1), "decimal"),
        (lambda n: n.replace("\n5\n", "\nfive\n", 1), "decimal"),
        (lambda n: n.replace("=\n", "\n", 1), "base64"),
        (lambda n: n.replace("Xcna", "Xc*a", 1), "base64"),
        (lambda n: n.replace("Xcna", "", 1), "root hash"),
        (lambda n: n.replace("\n\n", "\n", 1), "blank line"),
        (lambda n: n.replace("\u2014", "-"), "em dash"),
        (lambda n: n[:-1], "end with a newline"),
        (lambda n: n.replace("\n5\n", "\n5\x07\n", 1), "control character"),
        (lambda n: n.split("\n", 1)[1], "needs origin"),
    ],
)
def test_malformed_notes_rejected(keys: dict, mutate, message: str) -> None:
    note = signed(keys, Checkpoint("zhifa.example/ledger", 5, ROOT))
    with pytest.raises(CheckpointError, match=message):
        verify(mutate(note), keys["verifiers"])


def test_bad_base64_signature_rejected(keys: dict) -> None:
    note = signed(keys, Checkpoint("zhifa.example/ledger", 5, ROOT))
    broken = note.replace(f"\u2014 {SM2_NAME} ", f"\u2014 {SM2_NAME} !", 1)
    with pytest.raises(CheckpointError, match="base64"):
        verify(broken, keys["verifiers"])


def test_invalid_construction_rejected() -> None:
    with pytest.raises(CheckpointError, match="32 bytes"):
        Checkpoint("o", 1, b"short")
    with pytest.raises(CheckpointError, match="non-negative"):
        Checkpoint("o", -1, ROOT)
    with pytest.raises(CheckpointError, match="origin"):
        Checkpoint("", 1, ROOT)
    with pytest.raises(CheckpointError, match="extension"):
        Checkpoint("o", 1, ROOT, ("",))
    with pytest.raises(CheckpointError, match="not a point"):
        SM2Verifier("k", "11" * 64)
    with pytest.raises(CheckpointError, match="key name"):
        Ed25519Verifier("bad name", bytes(32))


def test_sm2_sign_refuses_mismatched_public_key(keys: dict) -> None:
    _, other_pub = generate_sm2()
    with pytest.raises(CheckpointError, match="does not belong"):
        sign(Checkpoint("o", 1, ROOT), keys["ed_priv"], ED_NAME, keys["sm2_priv"], other_pub, "s")


def test_sm2_public_key_with_leading_zero_or_four_digits() -> None:
    # gmssl's constructor lstrip("04")s public keys; ours must not lose X's leading digits.
    for _ in range(200):
        priv, pub = generate_sm2()
        if pub[0] in "04":
            break
    else:
        pytest.fail("no key with X starting in 0 or 4 in 200 tries")
    note = sign(Checkpoint("o", 1, ROOT), generate_ed25519()[0], "e", priv, "04" + pub, "s")
    assert SM2Verifier("s", pub).verifies(
        parse(note)[0].format_body().encode(), parse(note)[1][1].signature
    )


SM2_OID_DER = "06082a811ccf5501822d"  # 1.2.156.10197.1.301 (SM2 curve)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_sm2_interoperates_with_openssl(tmp_path: Path) -> None:
    # Independent check of gmssl's SM2-with-SM3 (Z_A with ID 1234567812345678), both ways.
    priv, pub = generate_sm2()
    der = "3077020101" + "0420" + priv + "a00a" + SM2_OID_DER + "a144034200" + "04" + pub
    (tmp_path / "key.der").write_bytes(bytes.fromhex(der))
    msg = tmp_path / "msg"
    msg.write_bytes(Checkpoint("zhifa.example/ledger", 3, ROOT).format_body().encode())
    run = dict(cwd=tmp_path, capture_output=True, text=True)
    key = subprocess.run(
        ["openssl", "ec", "-inform", "DER", "-in", "key.der", "-out", "k.pem"], **run
    )
    if key.returncode != 0:
        pytest.skip(f"openssl cannot load SM2 keys: {key.stderr.strip()}")
    pkeyutl = ["openssl", "pkeyutl", "-inkey", "k.pem", "-in", "msg", "-rawin", "-digest", "sm3"]
    distid = ["-pkeyopt", "distid:1234567812345678"]

    note = sign(
        Checkpoint("zhifa.example/ledger", 3, ROOT), generate_ed25519()[0], "e", priv, pub, "s"
    )
    ours = parse(note)[1][1].signature
    r, s = int.from_bytes(ours[:32], "big"), int.from_bytes(ours[32:], "big")
    (tmp_path / "ours.der").write_bytes(encode_dss_signature(r, s))
    checked = subprocess.run([*pkeyutl, "-verify", "-sigfile", "ours.der", *distid], **run)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    signed_by_openssl = subprocess.run([*pkeyutl, "-sign", "-out", "theirs.der", *distid], **run)
    assert signed_by_openssl.returncode == 0, signed_by_openssl.stderr
    r, s = decode_dss_signature((tmp_path / "theirs.der").read_bytes())
    theirs = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert SM2Verifier("s", pub).verifies(msg.read_bytes(), theirs)
    assert not SM2Verifier("s", pub).verifies(msg.read_bytes() + b"x", theirs)
