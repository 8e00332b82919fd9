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

Speed: each chunk is first checked in bulk (leaf hashes computed in one comprehension and
compared with the stored ones as one list; the tree rebuilt level by level and compared with
the chunk's stored nodes, one query per level in index order). Only a chunk that fails the bulk
check is re-checked entry by entry, which finds and reports the lowest failing seq with the
same messages as before. Ledgers of ``PARALLEL_MIN`` entries or more are split with one forked
worker process (own database connection) that computes the leaf hashes of the upper part of
the sequence and ships them back per chunk (32 bytes each); this process hashes the lower
part, rebuilds the whole tree from all leaf hashes and checks every stored node, then the
entries appended since it started, the node count and the checkpoints. Should a worker fail
(say it cannot connect), this process goes on alone from where the worker's results stop.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import multiprocessing
import os
import queue as queue_module
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import merkle as mk
from .checkpoint import CheckpointError
from .keys import load_keys
from .leaf import LEAF_PREFIX, NODE_PREFIX, _dump_str, format_at, leaf_bytes
from .models import Checkpoint, LedgerEntry, LedgerNode, VerificationRun
from .services import DbNodeStore, _db, checkpoint_root

CHUNK = 5000
# Ledgers of at least this many entries are verified by two processes when the machine has two
# or more cores and the database is not in-memory SQLite; smaller ones by this process alone.
PARALLEL_MIN = 50_000
# Share of the entries this process hashes itself when a worker helps: it also rebuilds and
# compares the whole tree, which costs about as much as hashing the leaves.
PARENT_SHARE = 0.2
# Leaf hashes from a worker are added to the tree in batches of at least this many (fewer
# queries for the stored nodes).
TREE_BATCH = 20_000
_NO_END = 1 << 62
_ENTRY_TABLE = LedgerEntry._meta.db_table
_NODE_TABLE = LedgerNode._meta.db_table


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


class _Sql:
    """The entry queries for one database (``ph`` is the driver's placeholder)."""

    def __init__(self, vendor: str, ph: str = "%s") -> None:
        if vendor == "postgresql":
            # Formatted by the server: ISO 8601 UTC with microseconds, exactly as format_at does.
            at = f"to_char(at AT TIME ZONE 'UTC', '{_PG_AT_FORMAT}')"
            self.at_text, self.django_at = str, False
        else:
            # Django's text: ``2025-03-01 02:03:04.123456`` (UTC); the bulk check slices it
            # into ``2025-03-01T02:03:04.123456Z`` (another spelling fails it, and the entry by
            # entry check reads it with _sqlite_at).
            at = "CAST(at AS TEXT)"
            self.at_text, self.django_at = _sqlite_at, True
        rest = (
            " actor_label, role, organization_id, subject, event_type, schema_version, payload,"
            f" leaf_hash FROM {_ENTRY_TABLE} WHERE seq >= {ph} AND seq < {ph}"
            f" ORDER BY seq LIMIT {ph}"
        )
        self.entries = f"SELECT seq, {at},{rest}"
        self.next_seq = f"SELECT MIN(seq) FROM {_ENTRY_TABLE} WHERE seq >= {ph}"  # noqa: S608


def _gap(expected: int, found: int) -> Failure:
    return Failure(
        f"序号不连续：缺少序号 {expected}（下一条是 {found}），记录被删除",
        f"sequence gap: entry {expected} is missing (next is {found}); an entry was deleted",
        seq=expected,
    )


def _altered(seq: int) -> Failure:
    return Failure(
        "记录内容（时间、操作人、对象、事件或内容）与其叶哈希不符，已被篡改",
        "the entry's fields (time, actor, subject, event or payload) do not match its leaf"
        " hash: it was altered",
        seq=seq,
    )


def _check_entries(
    cursor, sql: _Sql, expected: int, end: int, limit: int
) -> tuple[int, list[bytes], Failure | None]:
    """Check up to ``limit`` entries from ``expected`` (below ``end``).

    Returns (rows read, leaf hashes of the entries before the first failure, that failure or
    None). Rows read is 0 at the end of the ledger (``end`` = _NO_END) or range.
    """
    cursor.execute(sql.entries, [expected, end, limit])
    rows = cursor.fetchall()
    if not rows:
        if end != _NO_END and expected < end:  # the range ends with missing entries
            cursor.execute(sql.next_seq, [expected])
            return 0, [], _gap(expected, cursor.fetchone()[0])
        return 0, [], None
    count = len(rows)
    if rows[0][0] == expected and rows[-1][0] == expected + count - 1:  # seq is the key
        copy, dump = hashlib.new("sm3").copy, _dump_str
        # leaf_bytes() spelled out in place (one comprehension, no call per entry); any
        # difference from it only fails this bulk check and the loop below decides.
        if sql.django_at:
            leaves = [
                (h := copy()).update(
                    f'\x00{{"actor":{dump(actor)},"at":"{at[:10]}T{at[11:]}Z",'
                    f'"event_type":{dump(etype)},'
                    f'"organization":{"null" if org is None else org},"payload":{payload},'
                    f'"role":{dump(role)},"schema_version":{version},"seq":{seq},'
                    f'"subject":{dump(subject)}}}'.encode()
                )
                or h.digest()
                for seq, at, actor, role, org, subject, etype, version, payload, _ in rows
            ]
        else:
            leaves = [
                (h := copy()).update(
                    f'\x00{{"actor":{dump(actor)},"at":"{at}","event_type":{dump(etype)},'
                    f'"organization":{"null" if org is None else org},"payload":{payload},'
                    f'"role":{dump(role)},"schema_version":{version},"seq":{seq},'
                    f'"subject":{dump(subject)}}}'.encode()
                )
                or h.digest()
                for seq, at, actor, role, org, subject, etype, version, payload, _ in rows
            ]
        if leaves == [row[9] for row in rows]:
            if count < limit and end != _NO_END and expected + count < end:
                cursor.execute(sql.next_seq, [expected + count])
                return count, leaves, _gap(expected + count, cursor.fetchone()[0])
            return count, leaves, None
    # Entry by entry: the lowest failing seq, with the stored time read the ORM's way.
    cursor.execute(sql.entries, [expected, end, count])
    rows = cursor.fetchall()
    sm3, at_text = hashlib.new("sm3"), sql.at_text
    leaves = []
    for seq, at, actor, role, org, subject, etype, version, payload, lh in rows:
        if seq != expected:
            return count, leaves, _gap(expected, seq)
        hasher = sm3.copy()
        hasher.update(LEAF_PREFIX)
        hasher.update(
            leaf_bytes(seq, at_text(at), actor, role, org, subject, etype, version, payload)
        )
        leaf = hasher.digest()
        if leaf != bytes(lh):
            return count, leaves, _altered(seq)
        leaves.append(leaf)
        expected += 1
    if len(rows) < count or (count < limit and end != _NO_END and expected < end):
        cursor.execute(sql.next_seq, [expected])
        return count, leaves, _gap(expected, cursor.fetchone()[0])
    return count, leaves, None


class _Tree:
    """The Merkle tree rebuilt from the verified leaves, checked against the stored nodes."""

    def __init__(self, cursor, qn, wanted_sizes: set[int], roots_at: dict[int, bytes]) -> None:
        self.cursor = cursor
        self.qn = qn
        self.wanted = sorted(wanted_sizes)
        self.roots_at = roots_at
        self.stack: list[tuple[int, bytes]] = []  # (level, hash) of the perfect subtrees so far
        self.size = 0
        self.copy = hashlib.new("sm3").copy

    def _node(self, left: bytes, right: bytes) -> bytes:
        hasher = self.copy()
        hasher.update(NODE_PREFIX + left + right)
        return hasher.digest()

    def root(self) -> bytes:
        acc = self.stack[-1][1]
        for _, h in reversed(self.stack[:-1]):
            acc = self._node(h, acc)
        return acc

    def _grow(self, leaves: list[bytes], levels: list[list[bytes]]) -> None:
        """Append leaves level by level; ``levels[L]`` gets the level-L nodes they complete."""
        copy, stack, pending = self.copy, self.stack, []
        cur, start, level = leaves, self.size, 0
        while cur:
            if level == len(levels):
                levels.append([])
            levels[level] += cur
            nxt, i, m = [], 0, len(cur)
            if start & 1:  # the left sibling of cur[0] is the top of the stack
                top_level, left = stack.pop()
                assert top_level == level
                nxt.append(self._node(left, cur[0]))
                i = 1
            end = m - ((m - i) & 1)
            nxt += [
                (h := copy()).update(NODE_PREFIX + a + b) or h.digest()
                for a, b in zip(cur[i:end:2], cur[i + 1 : end : 2], strict=True)
            ]
            if end < m:
                pending.append((level, cur[-1]))
            cur, start, level = nxt, start >> 1, level + 1
        stack.extend(reversed(pending))
        self.size += len(leaves)

    def add(self, leaves: list[bytes]) -> None:
        """Append verified leaf hashes; raise _Stop at the first stored node that differs."""
        if not leaves:
            return
        first, saved = self.size, list(self.stack)
        last = first + len(leaves)
        levels: list[list[bytes]] = []
        pos = first
        for size in self.wanted[bisect.bisect_right(self.wanted, first) :]:
            if size > last:
                break
            self._grow(leaves[pos - first : size - first], levels)
            pos = size
            self.roots_at[size] = self.root()
        self._grow(leaves[pos - first :], levels)
        if self._stored_equal(first, last, levels):
            return
        self.stack, self.size = saved, first
        self._check_one_by_one(leaves)

    def _stored_equal(self, a: int, b: int, levels: list[list[bytes]]) -> bool:
        """Whether the stored nodes completed by leaves a..b-1 are exactly ``levels``: one
        query per level, in index order (an index range scan, no sort)."""
        qn, cursor = self.qn, self.cursor
        select = (
            f"SELECT {qn('hash')} FROM {_NODE_TABLE} WHERE {qn('level')} = %s"  # noqa: S608
            f" AND {qn('index')} BETWEEN %s AND %s ORDER BY {qn('index')}"
        )
        for level, nodes in enumerate(levels):
            hi = (b >> level) - 1
            cursor.execute(select, [level, hi - len(nodes) + 1, hi])
            if [h for (h,) in cursor.fetchall()] != nodes:  # same count, each equal
                return False
        return True

    def _check_one_by_one(self, leaves: list[bytes]) -> None:
        qn, first = self.qn, self.size
        where, params = _chunk_node_where(first, first + len(leaves), qn)
        self.cursor.execute(
            f"SELECT {qn('level')}, {qn('index')}, {qn('hash')} "  # noqa: S608
            f"FROM {_NODE_TABLE} WHERE {where}",
            params,
        )
        stored = {(lv, ix): bytes(h) for lv, ix, h in self.cursor.fetchall()}
        wanted = set(self.wanted)
        stack = self.stack
        for seq, leaf in enumerate(leaves, first):
            level, node, index = 0, leaf, seq
            while True:
                have = stored.get((level, index))
                if have != node:
                    what = "缺失" if have is None else "与重算结果不同"
                    raise _Stop(
                        Failure(
                            f"树节点 ({level}, {index}) {what}",
                            f"tree node ({level}, {index}) "
                            + (
                                "is missing" if have is None else "differs from the recomputed tree"
                            ),
                            seq=seq,
                        )
                    )
                if not index & 1:
                    stack.append((level, node))
                    break
                node = self._node(stack.pop()[1], node)
                level, index = level + 1, index >> 1
            self.size = seq + 1
            if self.size in wanted:
                self.roots_at[self.size] = self.root()


def _worker_db(connection) -> tuple[str, dict] | None:
    """(vendor, connect arguments) for a worker's own connection; None: no worker possible."""
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            return None
        return "sqlite", {"database": str(connection.settings_dict["NAME"]), "timeout": 20}
    if connection.vendor == "postgresql":
        params = connection.get_connection_params()
        for key in ("cursor_factory", "context"):
            params.pop(key, None)
        return "postgresql", params
    return None


def _worker(db: tuple[str, dict], start: int, end: int, chunk: int, out) -> None:
    """Forked worker: leaf hashes of entries [start, end), one message per chunk:
    (first seq, their hashes joined, failure or None); then None; or ("error", text)."""
    try:
        vendor, params = db
        if vendor == "sqlite":
            import sqlite3

            conn = sqlite3.connect(**params)
            sql = _Sql(vendor, "?")
        else:
            import psycopg

            conn = psycopg.connect(**params, autocommit=True)
            sql = _Sql(vendor)
        try:
            cursor = conn.cursor()
            expected = start
            while expected < end:
                count, leaves, failure = _check_entries(
                    cursor, sql, expected, end, min(chunk, end - expected)
                )
                out.put((expected, b"".join(leaves), failure))
                if failure is not None:
                    return
                expected += count
            out.put(None)
        finally:
            conn.close()
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def _receive(process, out) -> object:
    while True:
        try:
            return out.get(timeout=1)
        except queue_module.Empty:
            if not process.is_alive():
                return ("error", f"exited with code {process.exitcode}")


def verify_ledger(
    *,
    chunk: int = CHUNK,
    using: str | None = None,
    progress: Callable[[int], None] | None = None,
    save_run: bool = True,
    processes: int | None = None,
    parallel_min: int = PARALLEL_MIN,
) -> VerifyResult:
    using = using or _db()
    connection = connections[using]
    qn = connection.ops.quote_name
    started = timezone.now()
    result = VerifyResult(started=started)
    checkpoints = list(Checkpoint.objects.using(using).order_by("id"))
    roots_at: dict[int, bytes] = {}
    sql = _Sql(connection.vendor)
    if processes is None:
        processes = min(2, os.cpu_count() or 1)
    workers: list = []

    def scan(cursor, tree: _Tree, end: int) -> None:
        """This process's own entries, from tree.size up to ``end``."""
        while tree.size < end:
            limit = chunk if end == _NO_END else min(chunk, end - tree.size)
            count, leaves, failure = _check_entries(cursor, sql, tree.size, end, limit)
            tree.add(leaves)
            if failure is not None:
                raise _Stop(failure)
            result.entries_checked = tree.size
            if progress is not None:
                progress(tree.size)
            if count < limit:
                break

    try:
        with connection.cursor() as cursor:
            tree = _Tree(cursor, qn, {c.size for c in checkpoints}, roots_at)
            total, db = 0, None
            if processes > 1 and "fork" in multiprocessing.get_all_start_methods():
                db = _worker_db(connection)
            if db is not None:
                cursor.execute(f"SELECT MAX(seq) FROM {_ENTRY_TABLE}")  # noqa: S608
                top = cursor.fetchone()[0]
                total = 0 if top is None else top + 1
            try:
                if total >= max(parallel_min, 2):
                    context = multiprocessing.get_context("fork")
                    bounds = [max(1, int(total * PARENT_SHARE))]
                    share = (total - bounds[0]) / (processes - 1)
                    bounds += [bounds[0] + int(share * k) for k in range(1, processes - 1)]
                    bounds.append(total)
                    # Objects alive now are never collected in the worker: keep its garbage
                    # collector off them (no scans, no copy-on-write of the parent's heap).
                    gc.freeze()
                    try:
                        for a, b in zip(bounds, bounds[1:], strict=False):
                            out = context.Queue()
                            process = context.Process(
                                target=_worker, args=(db, a, b, chunk, out), daemon=True
                            )
                            process.start()
                            workers.append((process, out))
                    finally:
                        gc.unfreeze()
                    scan(cursor, tree, bounds[0])
                    for process, out in workers:
                        received = b""  # the tree is rebuilt in batches of >= TREE_BATCH
                        while True:
                            message = _receive(process, out)
                            failure = error = None
                            if message is not None and message[0] == "error":
                                error, message = message[1], None
                            elif message is not None:
                                first, blob, failure = message
                                assert first == tree.size + len(received) // 32
                                received += blob
                            if message is None or failure or len(received) >= 32 * TREE_BATCH:
                                tree.add(
                                    [received[i : i + 32] for i in range(0, len(received), 32)]
                                )
                                received = b""
                                if failure is not None:
                                    raise _Stop(failure)
                                result.entries_checked = tree.size
                                if progress is not None:
                                    progress(tree.size)
                            if message is None:
                                break
                        if error is not None:  # go on alone (scan below) from tree.size
                            result.notes.append(
                                f"核验子进程出错，改为单进程 / verification worker failed"
                                f" ({error}); continued in one process"
                            )
                            break
                        process.join()
                # Everything (else) in this process: the whole ledger when small, and entries
                # appended while the workers ran.
                scan(cursor, tree, _NO_END)
            finally:
                for process, _ in workers:
                    if process.is_alive():
                        process.terminate()
                    process.join()
            n = tree.size
            result.entries_checked = n
            cursor.execute(f"SELECT COUNT(*) FROM {_NODE_TABLE}")  # noqa: S608
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
