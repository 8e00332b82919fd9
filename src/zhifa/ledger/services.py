"""Writing to the ledger. Every app records through :func:`record`, inside its own transaction::

    from zhifa.ledger.services import record

    with transaction.atomic():
        case.save()
        record(actor=request.user, role="officer", organization=case.organization,
               subject=f"case:{case.pk}", event_type="case.opened", payload={...})

The entry and its Merkle tree nodes are written in the caller's transaction: if it rolls back,
so does the entry, and the next entry takes the same sequence number (no gap).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone

from . import events
from . import merkle as mk
from .canonical import canonical_json
from .checkpoint import CheckpointError
from .checkpoint import verify as verify_note
from .keys import load_keys
from .leaf import format_at, leaf_bytes, leaf_hash
from .models import Checkpoint, LedgerEntry, LedgerNode

__all__ = [
    "LedgerError",
    "DbNodeStore",
    "actor_label",
    "make_checkpoint",
    "record",
    "tree_size",
]

# pg_advisory_xact_lock key serialising appends (and checkpoints): b"zhifaLED" as an int8.
ADVISORY_LOCK_KEY = int.from_bytes(b"zhifaLED", "big")

MAX_SUBJECT = 200
MAX_LABEL = 200


class LedgerError(RuntimeError):
    """The ledger refused an operation or found itself inconsistent."""


def _db() -> str:
    return router.db_for_write(LedgerEntry)


def actor_label(actor: Any) -> tuple[Any, str]:
    """(user or None, label): a User gives ``user:<id> <name>``, None gives ``system``, and a
    string such as ``api:<client>`` is taken as the label of a non-user actor."""
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        label = actor.strip()
        if not label or len(label) > MAX_LABEL:
            raise ValueError("actor label must be 1..200 characters")
        return None, label
    if getattr(actor, "pk", None) is None or not getattr(actor, "is_authenticated", False):
        raise ValueError("actor must be a saved user, a label string such as 'api:x', or None")
    name = getattr(actor, "display_name", "") or actor.get_username()
    return actor, f"user:{actor.pk} {name}"[:MAX_LABEL]


def _lock(connection) -> None:
    """Serialise appenders until the end of the transaction.

    PostgreSQL: a transaction-level advisory lock. SQLite: the settings open every transaction
    with BEGIN IMMEDIATE, so the database write lock is already held."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    elif connection.vendor != "sqlite":
        raise LedgerError(f"ledger appends are not supported on {connection.vendor}")


def _entry_table() -> str:
    return LedgerEntry._meta.db_table


def _node_table() -> str:
    return LedgerNode._meta.db_table


def tree_size(using: str | None = None) -> int:
    """Number of entries (= leaves) committed and visible to this transaction."""
    connection = connections[using or _db()]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(seq) FROM {_entry_table()}")  # noqa: S608 - fixed name
        (last,) = cursor.fetchone()
    return 0 if last is None else int(last) + 1


def _fetch_nodes(connection, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    qn = connection.ops.quote_name
    where = " OR ".join([f"({qn('level')} = %s AND {qn('index')} = %s)"] * len(keys))
    params: list[int] = [v for key in keys for v in key]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn('level')}, {qn('index')}, {qn('hash')} FROM {_node_table()}"  # noqa: S608
            f" WHERE {where}",
            params,
        )
        return {(level, index): bytes(h) for level, index, h in cursor.fetchall()}


class DbNodeStore:
    """The merkle node-store protocol over LedgerNode rows, with a cache.

    Use :meth:`run` to compute anything from the store in one query: it first runs the
    computation against placeholder hashes to learn which nodes it reads, fetches them all at
    once, then runs it for real."""

    def __init__(self, size: int, using: str | None = None) -> None:
        self._size = size
        self.connection = connections[using or _db()]
        self.cache: dict[tuple[int, int], bytes] = {}

    @property
    def size(self) -> int:
        return self._size

    def get(self, level: int, index: int) -> bytes:
        key = (level, index)
        node = self.cache.get(key)
        if node is None:
            self.cache.update(_fetch_nodes(self.connection, [key]))
            node = self.cache.get(key)
            if node is None:
                raise KeyError(key)
        return node

    def prefetch(self, keys: Iterable[tuple[int, int]]) -> None:
        missing = [k for k in keys if k not in self.cache]
        self.cache.update(_fetch_nodes(self.connection, missing))

    def run(self, fn: Callable[[DbNodeStore], Any]) -> Any:
        recorder = _Recorder(self._size)
        fn(recorder)
        self.prefetch(recorder.keys)
        return fn(self)


class _Recorder:
    _PLACEHOLDER = bytes(32)

    def __init__(self, size: int) -> None:
        self.size = size
        self.keys: list[tuple[int, int]] = []

    def get(self, level: int, index: int) -> bytes:
        self.keys.append((level, index))
        return self._PLACEHOLDER


def record(
    *,
    actor,
    role: str,
    organization,
    subject: str,
    event_type: str,
    payload: dict,
    schema_version: int | None = None,
) -> LedgerEntry:
    """Append one entry (and its Merkle nodes) in the caller's transaction.

    ``actor``: the User, None for the system, or a label string such as ``"api:<client>"``.
    ``organization``: the Organization (or None). ``event_type`` must be registered with
    :func:`zhifa.ledger.events.register`; ``schema_version`` defaults to the registered one.
    ``payload`` must be RFC 8785-serialisable (integers within 2**53, finite floats)."""
    event = events.get(event_type)
    version = event.schema_version if schema_version is None else schema_version
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError("schema_version must be a positive integer")
    if not isinstance(payload, dict):
        raise TypeError("payload must be a dict (a JSON object)")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_SUBJECT:
        raise ValueError("subject must be 1..200 characters, e.g. 'case:123'")
    if not isinstance(role, str) or len(role) > 32:
        raise ValueError("role must be a string of at most 32 characters")
    user, label = actor_label(actor)
    org_id = None if organization is None else int(getattr(organization, "pk", organization))
    payload_text = canonical_json(payload).decode("utf-8")

    using = _db()
    connection = connections[using]
    with transaction.atomic(using=using):
        _lock(connection)
        seq = tree_size(using)
        at = timezone.now()
        data = leaf_bytes(
            seq, format_at(at), label, role, org_id, subject, event_type, version, payload_text
        )
        digest = leaf_hash(data)
        siblings: list[tuple[int, int]] = []
        level = 0
        while (seq >> level) & 1:
            siblings.append((level, (seq >> level) - 1))
            level += 1
        known = _fetch_nodes(connection, siblings)

        def get(level: int, index: int) -> bytes:
            try:
                return known[(level, index)]
            except KeyError:
                raise LedgerError(
                    f"账本树节点缺失 / ledger tree node ({level}, {index}) is missing; "
                    "run `zhifa ledger verify`"
                ) from None

        rows = mk.append_nodes(seq, digest, get)
        entry = LedgerEntry(
            seq=seq,
            at=at,
            actor=user,
            actor_label=label,
            role=role,
            organization_id=org_id,
            subject=subject,
            event_type=event_type,
            schema_version=version,
            payload=payload_text,
            leaf_hash=digest,
        )
        entry.save(force_insert=True, using=using)
        LedgerNode.objects.using(using).bulk_create(
            [LedgerNode(level=lv, index=ix, hash=h) for lv, ix, h in rows]
        )
    return entry


# --- checkpoints ---------------------------------------------------------------------------------


def checkpoint_root(cp: Checkpoint, verifiers) -> bytes:
    """The root of a stored checkpoint after verifying its note and that it matches the row."""
    parsed = verify_note(cp.note, verifiers)
    if parsed.size != cp.size or parsed.root_hash != bytes(cp.root_hash):
        raise CheckpointError("the signed note does not match the row's size/root")
    return parsed.root_hash


def latest_checkpoint(using: str | None = None) -> Checkpoint | None:
    return Checkpoint.objects.using(using or _db()).order_by("-id").first()


def make_checkpoint(force: bool = False) -> Checkpoint | None:
    """Sign and store a checkpoint of the current tree, unless it has not grown since the last
    one (``force`` signs one anyway). It is checked consistent with the previous checkpoint
    (consistency proof from the stored nodes) before it is stored; LedgerError otherwise."""
    keys = load_keys()
    using = _db()
    connection = connections[using]
    with transaction.atomic(using=using):
        _lock(connection)
        size = tree_size(using)
        previous = latest_checkpoint(using)
        if size == 0:
            return None
        if previous is not None and previous.size == size and not force:
            return None
        store = DbNodeStore(size, using)
        root = store.run(lambda s: mk.store_root(size, s))
        note = keys.sign(size, root)
        verify_note(note, keys.verifiers)  # our own signature must verify before we keep it
        if previous is not None:
            try:
                old_root = checkpoint_root(previous, keys.verifiers)
                if previous.size > size:
                    raise LedgerError(f"tree shrank from {previous.size} to {size}")
                proof = store.run(lambda s: mk.consistency_proof(previous.size, size, s))
                mk.verify_consistency(previous.size, size, old_root, root, proof)
            except (CheckpointError, mk.ProofError, KeyError) as exc:
                raise LedgerError(
                    f"新检查点与上一检查点（树大小 {previous.size}）不一致，未保存 / the new "
                    f"checkpoint is not consistent with the previous one (size "
                    f"{previous.size}): {exc}. Run `zhifa ledger verify`."
                ) from exc
        return Checkpoint.objects.using(using).create(size=size, root_hash=root, note=note)


# --- proof bundles -------------------------------------------------------------------------------


def proof_bundle(subject: str) -> dict:
    """A ``zhifa-proof-bundle/1`` (see :mod:`zhifa.ledger.bundle_verify`) for all entries of
    ``subject``, proven against the latest checkpoint.

    If the subject has entries the latest checkpoint does not cover yet, a new checkpoint is
    made first (it is consistency-checked like any other), so a bundle always covers every
    entry of the subject at the time it is made."""
    from .bundle_verify import build_bundle
    from .leaf import entry_object

    using = _db()
    entries = list(LedgerEntry.objects.using(using).filter(subject=subject).order_by("seq"))
    if not entries:
        raise LedgerError(f"账本中没有对象 {subject} 的记录 / no ledger entries for {subject}")
    keys = load_keys()
    cp = latest_checkpoint(using)
    if cp is None or entries[-1].seq >= cp.size:
        cp = make_checkpoint() or latest_checkpoint(using)
    root = checkpoint_root(cp, keys.verifiers)
    store = DbNodeStore(cp.size, using)
    proofs = store.run(lambda s: [mk.inclusion_proof(e.seq, cp.size, s) for e in entries])
    items = []
    for entry, proof in zip(entries, proofs, strict=True):
        obj = entry_object(entry)
        digest = leaf_hash(canonical_json(obj))
        if digest != bytes(entry.leaf_hash):
            raise LedgerError(
                f"序号 {entry.seq} 的记录与其叶哈希不符，拒绝出具证明；请运行 zhifa ledger verify"
                f" / entry {entry.seq} does not match its leaf hash; run `zhifa ledger verify`"
            )
        mk.verify_inclusion(digest, entry.seq, cp.size, proof, root)
        items.append((entry.seq, entry.seq, obj, proof))
    return build_bundle(
        origin=keys.origin,
        checkpoint_note=cp.note,
        ed25519_verifier_key=keys.ed25519_verifier.to_string(),
        sm2_name=keys.sm2_name,
        sm2_public_hex=keys.sm2_public_hex,
        subject=subject,
        entries=items,
    )
