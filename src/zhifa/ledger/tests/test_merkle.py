"""Merkle tree conformance (transparency-dev vectors, SHA-256) and SM3 self-checks.

No Django: run with ``pytest -p no:django``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from zhifa.ledger import merkle, sm3check
from zhifa.ledger.merkle import (
    MemoryNodeStore,
    ProofError,
    consistency_proof,
    consistency_proof_from_leaves,
    inclusion_proof,
    inclusion_proof_from_leaves,
    leaf_hash,
    node_hash,
    root,
    store_root,
    verify_consistency,
    verify_inclusion,
)

DATA = Path(__file__).parent / "data" / "merkle"
INCLUSION = sorted((DATA / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((DATA / "consistency").rglob("*.json"))

# The leaves of transparency-dev's (and RFC 6962 reference code's) 8-leaf test tree, from
# which every happy-path vector was produced.
RFC6962_LEAVES = [
    bytes.fromhex(x)
    for x in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
RFC6962_ROOTS = {  # published MTH of the first n leaves above, SHA-256
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def vector_id(path: Path) -> str:
    return str(path.relative_to(DATA))


def proof_of(vector: dict) -> list[bytes]:
    return [b64(p) for p in vector["proof"] or []]


def test_vectors_present() -> None:
    # A silently empty parametrisation would pass vacuously.
    assert len(INCLUSION) >= 90 and len(CONSISTENCY) >= 90
    assert any(load(p)["wantErr"] for p in INCLUSION)
    assert any(not load(p)["wantErr"] for p in CONSISTENCY)


@pytest.mark.parametrize("path", INCLUSION, ids=vector_id)
def test_inclusion_vector(path: Path) -> None:
    v = load(path)
    args = (b64(v["leafHash"]), v["leafIdx"], v["treeSize"], proof_of(v), b64(v["root"]))
    if v["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args, hash="sha256")
    else:
        assert verify_inclusion(*args, hash="sha256") is None


@pytest.mark.parametrize("path", CONSISTENCY, ids=vector_id)
def test_consistency_vector(path: Path) -> None:
    v = load(path)
    args = (v["size1"], v["size2"], b64(v["root1"]), b64(v["root2"]), proof_of(v))
    if v["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args, hash="sha256")
    else:
        assert verify_consistency(*args, hash="sha256") is None


def rfc_tree() -> tuple[list[bytes], MemoryNodeStore]:
    leaves = [leaf_hash(d, "sha256") for d in RFC6962_LEAVES]
    store = MemoryNodeStore("sha256")
    for lh in leaves:
        store.append_leaf(lh)
    return leaves, store


def test_rfc6962_reference_roots() -> None:
    leaves, store = rfc_tree()
    assert root([], "sha256") == hashlib.sha256(b"").digest()
    for n, want in RFC6962_ROOTS.items():
        assert root(leaves[:n], "sha256").hex() == want
        assert store.root(n).hex() == want


def from_rfc_tree(path: Path) -> bool:
    # The numbered folders come from the 8-leaf tree; single-entry/ and additional/ do not.
    return path.parent.name.isdigit() and path.parent.parent.name in ("inclusion", "consistency")


def test_generation_matches_happy_path_vectors() -> None:
    leaves, store = rfc_tree()
    checked = 0
    for path in INCLUSION:
        v = load(path)
        if v["wantErr"] or not from_rfc_tree(path):
            continue
        n, i = v["treeSize"], v["leafIdx"]
        assert b64(v["root"]) == root(leaves[:n], "sha256"), path
        assert b64(v["leafHash"]) == leaves[i], path
        assert inclusion_proof_from_leaves(leaves[:n], i, "sha256") == proof_of(v)
        assert inclusion_proof(i, n, store, "sha256") == proof_of(v)
        checked += 1
    for path in CONSISTENCY:
        v = load(path)
        if v["wantErr"] or not from_rfc_tree(path):
            continue
        m, n = v["size1"], v["size2"]
        assert b64(v["root1"]) == root(leaves[:m], "sha256"), path
        assert b64(v["root2"]) == root(leaves[:n], "sha256"), path
        assert consistency_proof_from_leaves(leaves[:n], m, "sha256") == proof_of(v)
        assert consistency_proof(m, n, store, "sha256") == proof_of(v)
        checked += 1
    assert checked == 10


def flipped(proof: list[bytes], i: int, byte: int) -> list[bytes]:
    element = bytearray(proof[i])
    element[byte] ^= 0x01
    return [*proof[:i], bytes(element), *proof[i + 1 :]]


def test_bruteforce_sm3_sizes_1_to_70() -> None:
    rng = random.Random(6962)
    leaves = [leaf_hash(rng.randbytes(rng.randrange(0, 40))) for _ in range(70)]
    store = MemoryNodeStore()
    for lh in leaves:
        store.append_leaf(lh)
    for n in range(1, 71):
        tree = leaves[:n]
        r = root(tree)
        assert store.root(n) == r == store_root(n, store.get)
        for i in range(n):
            proof = inclusion_proof_from_leaves(tree, i)
            assert store.inclusion_proof(i, n) == proof
            verify_inclusion(tree[i], i, n, proof, r)
            for k in range(len(proof)):
                with pytest.raises(ProofError):
                    verify_inclusion(tree[i], i, n, flipped(proof, k, rng.randrange(32)), r)
            if n > 1:  # the same proof must not prove another leaf or position
                with pytest.raises(ProofError):
                    verify_inclusion(tree[(i + 1) % n], i, n, proof, r)
                with pytest.raises(ProofError):
                    verify_inclusion(tree[i], (i + 1) % n, n, proof, r)
        for m in range(1, n + 1):
            proof = consistency_proof_from_leaves(tree, m)
            assert store.consistency_proof(m, n) == proof
            r1 = root(leaves[:m])
            verify_consistency(m, n, r1, r, proof)
            for k in range(len(proof)):
                bad = flipped(proof, k, rng.randrange(32))
                with pytest.raises(ProofError):
                    verify_consistency(m, n, r1, r, bad)
            if m < n:
                with pytest.raises(ProofError):
                    verify_consistency(m, n, root(leaves[: m + 1]), r, proof)


def test_store_matches_lists_random_pairs() -> None:
    rng = random.Random(9162)
    leaves = [leaf_hash(rng.randbytes(16)) for _ in range(600)]
    store = MemoryNodeStore()
    for lh in leaves:
        store.append_leaf(lh)
    for _ in range(100):
        m, n = sorted(rng.sample(range(1, 601), 2))
        assert store.consistency_proof(m, n) == consistency_proof_from_leaves(leaves[:n], m)
        i = rng.randrange(n)
        assert store.inclusion_proof(i, n) == inclusion_proof_from_leaves(leaves[:n], i)
        verify_consistency(m, n, store.root(m), store.root(n), store.consistency_proof(m, n))


class UniformStore:
    """A consistent virtual tree of ``size`` identical leaves: node(level, i) = P[level].

    Lets the cost test address a million-leaf tree without spending seconds building one;
    it counts lookups and refuses incomplete nodes exactly like a real store.
    """

    def __init__(self, size: int) -> None:
        self.size, self.calls = size, 0
        self.levels = [hashlib.sha256(b"leaf").digest()]
        while len(self.levels) <= size.bit_length():
            self.levels.append(node_hash(self.levels[-1], self.levels[-1], "sha256"))

    def get(self, level: int, index: int) -> bytes:
        if index < 0 or (index + 1) << level > self.size:
            raise KeyError((level, index))
        self.calls += 1
        return self.levels[level]


def test_million_entries_cost_log_n_lookups() -> None:
    n = 1_000_000
    store = UniformStore(n)
    rng = random.Random(1)
    depth = (n - 1).bit_length()  # 20
    r = store_root(n, store, "sha256")
    for _ in range(20):
        i = rng.randrange(n)
        store.calls = 0
        start = time.perf_counter()
        proof = inclusion_proof(i, n, store, "sha256")
        elapsed = time.perf_counter() - start
        assert store.calls <= 2 * depth
        assert elapsed < 0.1  # typically ~0.1 ms
        verify_inclusion(store.levels[0], i, n, proof, r, "sha256")

        m = rng.randrange(1, n)
        store.calls = 0
        proof = consistency_proof(m, n, store, "sha256")
        assert store.calls <= 2 * depth + 1
        store.calls = 0
        old_root = store_root(m, store, "sha256")
        assert store.calls <= depth
        verify_consistency(m, n, old_root, r, proof, "sha256")


def test_append_nodes_amortised() -> None:
    store = MemoryNodeStore()
    rows = 0
    for i in range(1024):
        rows += len(merkle.append_nodes(store.size, leaf_hash(bytes([i % 256])), store))
        store.append_leaf(leaf_hash(bytes([i % 256])))
    assert rows == 2 * 1024 - 1  # every node of a perfect 1024-leaf tree, written once
    assert store.get(10, 0) == store.root()
    with pytest.raises(KeyError):
        store.get(11, 0)


def test_verify_rejects_edge_cases() -> None:
    lh = leaf_hash(b"x")
    with pytest.raises(ProofError, match="not below"):
        verify_inclusion(lh, 1, 1, [], lh)
    with pytest.raises(ProofError, match="must be 32 bytes"):
        verify_inclusion(lh[:31], 0, 1, [], lh)
    with pytest.raises(ProofError, match="too long"):
        verify_inclusion(lh, 0, 1, [lh], lh)
    with pytest.raises(ProofError, match="too short"):
        verify_inclusion(lh, 0, 2, [], lh)
    with pytest.raises(ProofError, match="size1 is 0"):
        verify_consistency(0, 0, lh, lh, [])
    with pytest.raises(ProofError, match="smaller"):
        verify_consistency(2, 1, lh, lh, [])
    with pytest.raises(ProofError, match="not empty"):
        verify_consistency(1, 1, lh, lh, [lh])
    two = node_hash(lh, lh)
    verify_consistency(1, 2, lh, two, [lh])
    with pytest.raises(ProofError, match="empty consistency proof"):
        verify_consistency(1, 2, lh, two, [])


def test_generation_rejects_bad_ranges() -> None:
    store = MemoryNodeStore()
    store.append_data(b"a")
    with pytest.raises(ValueError, match="out of range"):
        store.inclusion_proof(1)
    with pytest.raises(ValueError, match="beyond store size"):
        inclusion_proof(0, 2, store)
    with pytest.raises(ValueError, match="0 < size1"):
        store.consistency_proof(0)


def test_sm3_vector_and_tree_hashing() -> None:
    assert hashlib.new("sm3", b"abc").hexdigest() == sm3check.SM3_ABC_HEX
    assert (
        sm3check.SM3_ABC_HEX == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert leaf_hash(b"abc") == hashlib.new("sm3", b"\x00abc").digest()
    assert node_hash(b"L", b"R") == hashlib.new("sm3", b"\x01LR").digest()
    assert root([]) == hashlib.new("sm3", b"").digest()
    sm3check.ensure_sm3()


def test_ensure_sm3_reports_missing_or_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str, data: bytes = b"") -> object:
        raise ValueError(f"unsupported hash type {name}")

    monkeypatch.setattr(sm3check, "hashlib", SimpleNamespace(new=missing))
    with pytest.raises(RuntimeError, match=r"not available.*OpenSSL >= 1\.1\.1"):
        sm3check.ensure_sm3()

    def wrong(name: str, data: bytes = b"") -> object:
        return hashlib.new("sha256", data)

    monkeypatch.setattr(sm3check, "hashlib", SimpleNamespace(new=wrong))
    with pytest.raises(RuntimeError, match="SM3 is wrong"):
        sm3check.ensure_sm3()
