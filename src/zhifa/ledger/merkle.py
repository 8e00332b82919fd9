"""RFC 6962 / RFC 9162 Merkle tree: hashing, proofs from a node store, proof verification.

Pure Python, no Django. The hash is a parameter: ``"sm3"`` (the ledger, the default) or any
other ``hashlib`` name (``"sha256"`` for the transparency-dev conformance vectors), or a
callable ``bytes -> bytes``.

    leaf hash  = H(0x00 || leaf data)
    node hash  = H(0x01 || left || right)
    MTH({})    = H("")

Node store protocol
-------------------
Proofs and historical roots are computed from stored *complete* subtrees, so a proof at a
million entries costs O(log n) lookups and hashes instead of a rebuild. A node is addressed as
``(level, index)``: ``node(level, index)`` is the root of leaves
``[index * 2**level, (index + 1) * 2**level)``; level 0 holds the leaf hashes. A store is any
object with

    size: int                          number of leaves appended so far
    get(level, index) -> bytes         the node; raises KeyError if it is not stored

Only complete nodes (``(index + 1) * 2**level <= size``) are ever stored or asked for. To append
a leaf, a store calls :func:`append_nodes` and persists the (level, index, hash) rows it
returns (the leaf plus every parent the leaf completes, amortised two rows per append).
:class:`MemoryNodeStore` is the in-memory implementation; the Django ledger implements the
same two members over a table of (level, index, hash) rows. Proof functions also accept a bare
``get_node(level, index)`` callable instead of a store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol, runtime_checkable

__all__ = [
    "HashFn",
    "HashSpec",
    "MemoryNodeStore",
    "NodeStore",
    "ProofError",
    "append_nodes",
    "consistency_proof",
    "consistency_proof_from_leaves",
    "digest_size",
    "hasher",
    "inclusion_proof",
    "inclusion_proof_from_leaves",
    "leaf_hash",
    "node_hash",
    "root",
    "store_root",
    "subtree_root",
    "verify_consistency",
    "verify_inclusion",
]

HashFn = Callable[[bytes], bytes]
HashSpec = str | HashFn

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


class ProofError(ValueError):
    """A Merkle proof (or its parameters) failed verification."""


@runtime_checkable
class NodeStore(Protocol):
    """Complete-subtree node store; see the module docstring."""

    @property
    def size(self) -> int: ...

    def get(self, level: int, index: int) -> bytes: ...


NodeSource = NodeStore | Callable[[int, int], bytes]


@lru_cache(maxsize=32)
def hasher(hash: HashSpec = "sm3") -> HashFn:
    """Resolve a hash spec (hashlib name or callable) to a ``bytes -> bytes`` function."""
    if callable(hash):
        return hash
    name = hash.lower()
    try:
        hashlib.new(name)
    except ValueError as exc:
        raise ValueError(f"unknown hash algorithm {hash!r} (not provided by hashlib)") from exc

    def digest(data: bytes) -> bytes:
        return hashlib.new(name, data).digest()

    return digest


@lru_cache(maxsize=32)
def digest_size(hash: HashSpec = "sm3") -> int:
    """Output length in bytes of the hash."""
    return len(hasher(hash)(b""))


def leaf_hash(data: bytes, hash: HashSpec = "sm3") -> bytes:
    """RFC 6962 leaf hash: H(0x00 || data)."""
    return hasher(hash)(LEAF_PREFIX + bytes(data))


def node_hash(left: bytes, right: bytes, hash: HashSpec = "sm3") -> bytes:
    """RFC 6962 interior node hash: H(0x01 || left || right)."""
    return hasher(hash)(NODE_PREFIX + left + right)


def _split(n: int) -> int:
    """Largest power of two strictly less than n (n >= 2): the RFC's k."""
    return 1 << ((n - 1).bit_length() - 1)


# --- list-based reference implementation (RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1 verbatim) ------


def root(leaf_hashes: Sequence[bytes], hash: HashSpec = "sm3") -> bytes:
    """MTH over a list of leaf hashes (already H(0x00 || data))."""
    h = hasher(hash)
    n = len(leaf_hashes)
    if n == 0:
        return h(b"")
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return h(NODE_PREFIX + root(leaf_hashes[:k], h) + root(leaf_hashes[k:], h))


def inclusion_proof_from_leaves(
    leaf_hashes: Sequence[bytes],
    index: int,
    hash: HashSpec = "sm3",
) -> list[bytes]:
    """PATH(m, D[n]) computed directly from all leaf hashes (O(n); reference and tests)."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ValueError(f"leaf index {index} out of range for tree size {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        sub = inclusion_proof_from_leaves(leaf_hashes[:k], index, hash)
        return [*sub, root(leaf_hashes[k:], hash)]
    sub = inclusion_proof_from_leaves(leaf_hashes[k:], index - k, hash)
    return [*sub, root(leaf_hashes[:k], hash)]


def consistency_proof_from_leaves(
    leaf_hashes: Sequence[bytes],
    m: int,
    hash: HashSpec = "sm3",
) -> list[bytes]:
    """PROOF(m, D[n]) computed directly from all leaf hashes (O(n); reference and tests)."""
    n = len(leaf_hashes)
    if not 0 < m <= n:
        raise ValueError(f"old size {m} must satisfy 0 < size <= {n}")

    def subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
        n = len(d)
        if m == n:
            return [] if b else [root(d, hash)]
        k = _split(n)
        if m <= k:
            return [*subproof(m, d[:k], b), root(d[k:], hash)]
        return [*subproof(m - k, d[k:], False), root(d[:k], hash)]

    return subproof(m, leaf_hashes, True)


# --- node-store based generation: O(log n) lookups and hashes ---------------------------------


def _getter(store: NodeSource) -> tuple[Callable[[int, int], bytes], int | None]:
    get = getattr(store, "get", None)
    if get is not None:
        return get, int(store.size)  # type: ignore[union-attr]
    if callable(store):
        return store, None
    raise TypeError("store must have get(level, index) and size, or be a get_node callable")


def _range_hash(start: int, end: int, get: Callable[[int, int], bytes], h: HashFn) -> bytes:
    """MTH of leaves [start, end) for a range the RFC recursion produces.

    Such a range begins at a multiple of a power of two >= its length, so it splits into the
    perfect subtrees of the binary decomposition of its length, left to right, and MTH folds
    them from the right: H(P1, H(P2, ... Pk)). That is at most log2(n) stored lookups.
    """
    if start >= end:
        raise ValueError(f"empty leaf range [{start}, {end})")
    parts: list[bytes] = []
    pos = start
    while pos < end:
        level = (end - pos).bit_length() - 1
        if pos:
            level = min(level, (pos & -pos).bit_length() - 1)  # keep (level, index) aligned
        parts.append(get(level, pos >> level))
        pos += 1 << level
    acc = parts[-1]
    for part in reversed(parts[:-1]):
        acc = h(NODE_PREFIX + part + acc)
    return acc


def subtree_root(
    start: int,
    end: int,
    store: NodeSource,
    hash: HashSpec = "sm3",
) -> bytes:
    """MTH of leaves [start, end) from stored nodes (start aligned as in the RFC recursion)."""
    get, size = _getter(store)
    if size is not None and end > size:
        raise ValueError(f"range end {end} beyond store size {size}")
    return _range_hash(start, end, get, hasher(hash))


def store_root(size: int, store: NodeSource, hash: HashSpec = "sm3") -> bytes:
    """Root hash of the first ``size`` leaves (any past size) in O(log n) hashes."""
    get, stored = _getter(store)
    if size < 0 or (stored is not None and size > stored):
        raise ValueError(f"tree size {size} out of range (store holds {stored} leaves)")
    h = hasher(hash)
    if size == 0:
        return h(b"")
    return _range_hash(0, size, get, h)


def inclusion_proof(
    index: int,
    size: int,
    store: NodeSource,
    hash: HashSpec = "sm3",
) -> list[bytes]:
    """PATH(index, D[size]) from stored nodes.

    Going down the RFC recursion, every sibling is a perfect subtree (one lookup) except
    possibly the right-edge sibling met before the path first turns left; that one costs
    O(log n). Total O(log n) lookups and hashes.
    """
    get, stored = _getter(store)
    if stored is not None and size > stored:
        raise ValueError(f"tree size {size} beyond store size {stored}")
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} out of range for tree size {size}")
    h = hasher(hash)
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(_range_hash(lo + k, hi, get, h))
            hi = lo + k
        else:
            path.append(_range_hash(lo, lo + k, get, h))
            lo += k
    path.reverse()  # the RFC lists the deepest sibling first
    return path


def consistency_proof(
    size1: int,
    size2: int,
    store: NodeSource,
    hash: HashSpec = "sm3",
) -> list[bytes]:
    """PROOF(size1, D[size2]) from stored nodes; empty when size1 == size2."""
    get, stored = _getter(store)
    if stored is not None and size2 > stored:
        raise ValueError(f"tree size {size2} beyond store size {stored}")
    if not 0 < size1 <= size2:
        raise ValueError(f"sizes must satisfy 0 < size1 <= size2, got {size1}, {size2}")
    h = hasher(hash)
    path: list[bytes] = []
    lo, hi, m, complete = 0, size2, size1, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            path.append(_range_hash(lo + k, hi, get, h))
            hi = lo + k
        else:
            path.append(_range_hash(lo, lo + k, get, h))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        path.append(_range_hash(lo, hi, get, h))
    path.reverse()
    return path


def append_nodes(
    size: int,
    new_leaf_hash: bytes,
    store: NodeSource,
    hash: HashSpec = "sm3",
) -> list[tuple[int, int, bytes]]:
    """Rows (level, index, hash) to persist when appending leaf number ``size``.

    The new leaf plus every parent it completes: while the node just created is a right child,
    hash it with its stored left sibling. Amortised two rows (one hash) per append.
    """
    h = hasher(hash)
    if len(new_leaf_hash) != digest_size(h):
        raise ValueError(f"leaf hash must be {digest_size(h)} bytes, got {len(new_leaf_hash)}")
    get, _ = _getter(store)
    rows = [(0, size, new_leaf_hash)]
    level, index, node = 0, size, new_leaf_hash
    while index & 1:
        node = h(NODE_PREFIX + get(level, index - 1) + node)
        level, index = level + 1, index >> 1
        rows.append((level, index, node))
    return rows


class MemoryNodeStore:
    """In-memory node store: one list of complete nodes per level."""

    def __init__(self, hash: HashSpec = "sm3") -> None:
        self.hash = hash
        self._levels: list[list[bytes]] = [[]]

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def get(self, level: int, index: int) -> bytes:
        try:
            if index < 0:
                raise IndexError
            return self._levels[level][index]
        except IndexError:
            raise KeyError((level, index)) from None

    def append_leaf(self, leaf_hash: bytes) -> int:
        """Append a leaf hash; returns its leaf index."""
        index = self.size
        for level, _, node in append_nodes(index, leaf_hash, self, self.hash):
            if level == len(self._levels):
                self._levels.append([])
            self._levels[level].append(node)
        return index

    def append_data(self, data: bytes) -> int:
        """Append raw leaf data (hashed as H(0x00 || data)); returns its leaf index."""
        return self.append_leaf(leaf_hash(data, self.hash))

    def root(self, size: int | None = None) -> bytes:
        return store_root(self.size if size is None else size, self, self.hash)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self, self.hash)

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        return consistency_proof(size1, self.size if size2 is None else size2, self, self.hash)


# --- verification: RFC 9162 §2.1.3.2 and §2.1.4.2 ---------------------------------------------


def _check_int(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProofError(f"{name} must be a non-negative integer, got {value!r}")
    return value


def _check_hash(name: str, value: object, size: int) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != size:
        got = len(value) if isinstance(value, bytes | bytearray) else type(value).__name__
        raise ProofError(f"{name} must be {size} bytes, got {got}")
    return bytes(value)


def verify_inclusion(
    leaf_hash: bytes,
    index: int,
    size: int,
    proof: Sequence[bytes] | None,
    root: bytes,
    hash: HashSpec = "sm3",
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` with ``root``.

    Returns None on success, raises ProofError otherwise.
    """
    h = hasher(hash)
    ds = digest_size(h)
    index = _check_int("leaf index", index)
    size = _check_int("tree size", size)
    if index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    r = _check_hash("leaf hash", leaf_hash, ds)
    root = _check_hash("root hash", root, ds)
    path = [_check_hash(f"proof element {i}", p, ds) for i, p in enumerate(proof or ())]

    fn, sn = index, size - 1
    for p in path:
        if sn == 0:
            raise ProofError(f"inclusion proof too long: {len(path)} elements")
        if fn & 1 or fn == sn:
            r = h(NODE_PREFIX + p + r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = h(NODE_PREFIX + r + p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof too short: {len(path)} elements")
    if r != root:
        raise ProofError("inclusion proof does not lead to the given root hash")


def verify_consistency(
    size1: int,
    size2: int,
    root1: bytes,
    root2: bytes,
    proof: Sequence[bytes] | None,
    hash: HashSpec = "sm3",
) -> None:
    """Check that the tree (size1, root1) is a prefix of the tree (size2, root2).

    Edge cases follow transparency-dev/merkle (and its vectors): size1 > size2 and size1 == 0
    are rejected; size1 == size2 needs an empty proof and equal roots. Returns None on success,
    raises ProofError otherwise.
    """
    h = hasher(hash)
    ds = digest_size(h)
    size1 = _check_int("size1", size1)
    size2 = _check_int("size2", size2)
    path = list(proof or ())
    if size2 < size1:
        raise ProofError(f"size2 ({size2}) is smaller than size1 ({size1})")
    if size1 == 0:
        raise ProofError("size1 is 0: consistency with an empty tree proves nothing")
    if size1 == size2:
        if path:
            raise ProofError("size1 == size2 but the consistency proof is not empty")
        if bytes(root1) != bytes(root2):
            raise ProofError("size1 == size2 but the roots differ")
        return
    if not path:
        raise ProofError("empty consistency proof for size1 < size2")
    root1 = _check_hash("root1", root1, ds)
    root2 = _check_hash("root2", root2, ds)
    path = [_check_hash(f"proof element {i}", p, ds) for i, p in enumerate(path)]

    if size1 & (size1 - 1) == 0:  # size1 is a power of two: its root is a node of the path
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof too long: {len(proof or ())} elements")
        if fn & 1 or fn == sn:
            fr = h(NODE_PREFIX + c + fr)
            sr = h(NODE_PREFIX + c + sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = h(NODE_PREFIX + sr + c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof too short: {len(proof or ())} elements")
    if fr != root1:
        raise ProofError("consistency proof does not lead to root1")
    if sr != root2:
        raise ProofError("consistency proof does not lead to root2")
