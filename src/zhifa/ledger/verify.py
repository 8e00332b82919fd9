"""Full verification of the ledger: what ``zhifa ledger verify`` runs.

Streams the entries in keyset-paginated chunks (constant memory, a million entries is fine)
and checks, stopping at the first problem:

1. the sequence is gap-free 0..n-1;
2. each entry's leaf hash, recomputed from its stored fields (time, actor, organisation,
   subject, event type, schema version, payload), equals the stored leaf hash;
3. the Merkle tree recomputed from those leaves equals every stored node, and no node is
   stored beyond the last entry;
4. every checkpoint carries valid Ed25519 and SM2 signatures by the ledger keys, matches its
   row, has the root of the recomputed tree at its size, and is consistent (RFC 9162
   consistency proof from the stored nodes) with the checkpoint before it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import merkle as mk
from .checkpoint import CheckpointError
from .keys import load_keys
from .leaf import LEAF_PREFIX, NODE_PREFIX, format_at, leaf_bytes
from .models import Checkpoint, LedgerEntry, LedgerNode, VerificationRun
from .services import DbNodeStore, _db, checkpoint_root

CHUNK = 5000


@dataclass
class Failure:
    zh: str
    en: str
    seq: int | None = None
    checkpoint: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.seq is not None:
            where = f"序号 / seq {self.seq}: "
        elif self.checkpoint is not None:
            where = f"检查点 / checkpoint #{self.checkpoint}: "
        return f"{where}{self.zh} / {self.en}"


@dataclass
class VerifyResult:
    entries_checked: int = 0
    checkpoints_checked: int = 0
    failure: Failure | None = None
    run: VerificationRun | None = None
    started: object = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failure is None


class _Stop(Exception):
    def __init__(self, failure: Failure) -> None:
        self.failure = failure


_PG_AT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def _sqlite_at(text: str) -> str:
    """Django's SQLite text ``2025-03-01 02:03:04.123456`` (UTC) -> ``...T02:03:04.123456Z``."""
    if len(text) == 26 and text[10] == " " and text[19] == ".":
        return f"{text[:10]}T{text[11:]}Z"
    if len(text) == 32 and text[10] == " " and text.endswith("+00:00"):
        return f"{text[:10]}T{text[11:26]}Z"
    if len(text) == 19 and text[10] == " ":  # Django drops a zero microsecond part
        return f"{text[:10]}T{text[11:]}.000000Z"
    value = parse_datetime(text)  # any other spelling: what the ORM would read
    return "" if value is None else format_at(value)


def _chunk_node_where(a: int, b: int, qn) -> tuple[str, list[int]]:
    """Nodes completed by appending leaves a..b-1: (L, j) with a <= (j+1)*2**L - 1 < b."""
    terms, params = [], []
    for level in range(b.bit_length() + 1):
        lo = ((a + (1 << level)) >> level) - 1
        hi = (b >> level) - 1
        if lo <= hi:
            terms.append(f"({qn('level')} = %s AND {qn('index')} BETWEEN %s AND %s)")
            params += [level, lo, hi]
    return " OR ".join(terms), params


def verify_ledger(
    *,
    chunk: int = CHUNK,
    using: str | None = None,
    progress: Callable[[int], None] | None = None,
    save_run: bool = True,
) -> VerifyResult:
    using = using or _db()
    connection = connections[using]
    qn = connection.ops.quote_name
    started = timezone.now()
    result = VerifyResult(started=started)
    sm3 = hashlib.new("sm3")
    checkpoints = list(Checkpoint.objects.using(using).order_by("id"))
    wanted_sizes = {c.size for c in checkpoints}
    roots_at: dict[int, bytes] = {}
    entry_table = LedgerEntry._meta.db_table
    node_table = LedgerNode._meta.db_table
    if connection.vendor == "postgresql":
        # Formatted by the server: ISO 8601 UTC with microseconds, exactly as format_at does.
        at_sql, at_text = f"to_char(at AT TIME ZONE 'UTC', '{_PG_AT_FORMAT}')", str
    else:
        at_sql, at_text = "CAST(at AS TEXT)", _sqlite_at
    select = (
        f"SELECT seq, {at_sql}, actor_label, role, organization_id, subject,"  # noqa: S608
        f" event_type, schema_version, payload, leaf_hash FROM {entry_table}"
        " WHERE seq >= %s ORDER BY seq LIMIT %s"
    )
    stack: list[tuple[int, bytes]] = []  # (level, hash) of the perfect subtrees so far

    def root_now() -> bytes:
        acc = stack[-1][1]
        for _, h in reversed(stack[:-1]):
            acc = _node(h, acc)
        return acc

    def _node(left: bytes, right: bytes) -> bytes:
        hasher = sm3.copy()
        hasher.update(NODE_PREFIX + left + right)
        return hasher.digest()

    expected = 0
    try:
        with connection.cursor() as cursor:
            while True:
                cursor.execute(select, [expected, chunk])
                rows = cursor.fetchall()
                if not rows:
                    break
                first, last = rows[0][0], rows[-1][0]
                where, params = _chunk_node_where(first, last + 1, qn)
                cursor.execute(
                    f"SELECT {qn('level')}, {qn('index')}, {qn('hash')} "  # noqa: S608
                    f"FROM {node_table} WHERE {where}",
                    params,
                )
                stored = {(lv, ix): bytes(h) for lv, ix, h in cursor.fetchall()}
                for seq, at, actor, role, org, subject, etype, version, payload, lh in rows:
                    if seq != expected:
                        raise _Stop(
                            Failure(
                                f"序号不连续：缺少序号 {expected}（下一条是 {seq}），记录被删除",
                                f"sequence gap: entry {expected} is missing (next is {seq});"
                                " an entry was deleted",
                                seq=expected,
                            )
                        )
                    hasher = sm3.copy()
                    hasher.update(LEAF_PREFIX)
                    hasher.update(
                        leaf_bytes(
                            seq, at_text(at), actor, role, org, subject, etype, version, payload
                        )
                    )
                    leaf = hasher.digest()
                    if leaf != bytes(lh):
                        raise _Stop(
                            Failure(
                                "记录内容（时间、操作人、对象、事件或内容）与其叶哈希不符，已被篡改",
                                "the entry's fields (time, actor, subject, event or payload) do"
                                " not match its leaf hash: it was altered",
                                seq=seq,
                            )
                        )
                    level, node = 0, leaf
                    index = seq
                    while True:
                        have = stored.get((level, index))
                        if have != node:
                            what = "缺失" if have is None else "与重算结果不同"
                            raise _Stop(
                                Failure(
                                    f"树节点 ({level}, {index}) {what}",
                                    f"tree node ({level}, {index}) "
                                    + (
                                        "is missing"
                                        if have is None
                                        else "differs from the recomputed tree"
                                    ),
                                    seq=seq,
                                )
                            )
                        if not index & 1:
                            stack.append((level, node))
                            break
                        node = _node(stack.pop()[1], node)
                        level, index = level + 1, index >> 1
                    expected = seq + 1
                    if expected in wanted_sizes:
                        roots_at[expected] = root_now()
                result.entries_checked = expected
                if progress is not None:
                    progress(expected)
                if len(rows) < chunk:
                    break
            n = expected
            cursor.execute(f"SELECT COUNT(*) FROM {node_table}")  # noqa: S608
            (node_count,) = cursor.fetchone()
            if node_count != 2 * n - bin(n).count("1"):
                raise _Stop(
                    Failure(
                        f"树节点数 {node_count} 与记录数 {n} 不符（末尾记录被删除？）",
                        f"{node_count} tree nodes stored for {n} entries (entries deleted at"
                        " the end?)",
                        seq=n,
                    )
                )
        _verify_checkpoints(checkpoints, n, roots_at, using, result)
    except _Stop as stop:
        result.failure = stop.failure
    if save_run:
        save_verification_run(result, using=using)
    return result


def save_verification_run(
    result: VerifyResult, extra_failure: str = "", using: str | None = None
) -> VerificationRun:
    """Store the run; ``extra_failure`` is a problem found outside the ledger (evidence)."""
    failure = str(result.failure or "") or extra_failure
    result.run = VerificationRun.objects.using(using or _db()).create(
        started=result.started,
        finished=timezone.now(),
        ok=not failure,
        entries_checked=result.entries_checked,
        checkpoints_checked=result.checkpoints_checked,
        first_failure=failure,
    )
    return result.run


def _verify_checkpoints(checkpoints, n, roots_at, using, result) -> None:
    if not checkpoints:
        result.notes.append("尚无检查点 / no checkpoint yet")
        return
    verifiers = load_keys().verifiers
    store = DbNodeStore(n, using)
    previous: tuple[int, bytes] | None = None
    for cp in checkpoints:
        try:
            root = checkpoint_root(cp, verifiers)
        except CheckpointError as exc:
            raise _Stop(
                Failure(
                    f"签名无效或与记录不符（{exc}）",
                    f"signature invalid or note does not match the row ({exc})",
                    checkpoint=cp.pk,
                )
            ) from None
        if cp.size > n:
            raise _Stop(
                Failure(
                    f"树大小 {cp.size} 超过现有记录数 {n}（记录被删除？）",
                    f"tree size {cp.size} exceeds the {n} entries stored (entries deleted?)",
                    checkpoint=cp.pk,
                )
            )
        if previous is not None:
            size0, root0 = previous
            try:
                if cp.size < size0:
                    raise mk.ProofError(f"tree size went down from {size0} to {cp.size}")
                proof = store.run(lambda s, a=size0, b=cp.size: mk.consistency_proof(a, b, s))
                mk.verify_consistency(size0, cp.size, root0, root, proof)
            except (mk.ProofError, KeyError) as exc:
                raise _Stop(
                    Failure(
                        f"与上一检查点（树大小 {size0}）不一致（{exc}）",
                        f"not consistent with the previous checkpoint of size {size0} ({exc})",
                        checkpoint=cp.pk,
                    )
                ) from None
        if roots_at.get(cp.size) != root:
            raise _Stop(
                Failure(
                    f"根哈希与树大小 {cp.size} 处重算的根不同",
                    f"root hash differs from the recomputed root at tree size {cp.size}",
                    checkpoint=cp.pk,
                )
            )
        previous = (cp.size, root)
        result.checkpoints_checked += 1
