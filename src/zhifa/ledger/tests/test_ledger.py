"""The ledger's Django layer: record(), the triggers, verification, checkpoints, proofs."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from zhifa.ledger import checkpoint as cp
from zhifa.ledger import events, merkle, triggers
from zhifa.ledger.canonical import canonical_json
from zhifa.ledger.keys import load_keys
from zhifa.ledger.leaf import entry_object, leaf_bytes, leaf_object
from zhifa.ledger.models import Checkpoint, LedgerEntry, LedgerNode, VerificationRun
from zhifa.ledger.services import LedgerError, make_checkpoint, record, tree_size
from zhifa.ledger.verify import verify_ledger

from .conftest import triggers_dropped

pytestmark = pytest.mark.django_db

events.register("test.visit", "测试检查", schema_version=2)
events.register("test.evidence", "测试取证")


def sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def add(n: int, subject: str = "case:1", org=None, actor=None, start: int = 0):
    return [
        record(
            actor=actor,
            role="officer",
            organization=org,
            subject=subject,
            event_type="test.visit",
            payload={"i": start + i, "note": f"第{start + i}次检查"},
        )
        for i in range(n)
    ]


def run_verify(*args) -> str:
    out = io.StringIO()
    call_command("ledger", "verify", *args, stdout=out)
    return out.getvalue()


def verify_fails(*args) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("ledger", "verify", *args, stdout=out)
    assert info.value.returncode == 1
    text = out.getvalue()
    assert str(info.value) in text
    run = VerificationRun.objects.order_by("-id").first()
    assert run is not None and not run.ok and run.first_failure
    return text


# --- record --------------------------------------------------------------------------------------


def test_record_appends_gap_free_with_correct_leaf_hash(world):
    officer, team = world.users["officer"], world.orgs["daxing_team"]
    entries = add(3, actor=officer, org=team) + add(4, subject="case:2")
    assert [e.seq for e in entries] == list(range(7))
    assert list(LedgerEntry.objects.values_list("seq", flat=True)) == list(range(7))

    first = LedgerEntry.objects.get(seq=0)
    assert first.actor == officer
    assert first.actor_label == f"user:{officer.pk} 李明"
    assert first.organization == team
    assert first.schema_version == 2  # the registered version
    expected = {
        "seq": 0,
        "at": first.at.astimezone(__import__("datetime").UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": f"user:{officer.pk} 李明",
        "role": "officer",
        "organization": team.pk,
        "subject": "case:1",
        "event_type": "test.visit",
        "schema_version": 2,
        "payload": {"i": 0, "note": "第0次检查"},
    }
    assert entry_object(first) == expected
    assert bytes(first.leaf_hash) == sm3(b"\x00" + canonical_json(expected))
    assert LedgerEntry.objects.get(seq=5).actor_label == "system"

    # The stored nodes are exactly the complete subtrees of the reference tree.
    mem = merkle.MemoryNodeStore()
    for e in LedgerEntry.objects.order_by("seq"):
        mem.append_leaf(bytes(e.leaf_hash))
    stored = {(n.level, n.index): bytes(n.hash) for n in LedgerNode.objects.all()}
    assert len(stored) == 2 * 7 - 3
    for (level, index), h in stored.items():
        assert mem.get(level, index) == h
    assert merkle.store_root(7, mem) == merkle.root([bytes(e.leaf_hash) for e in entries])


def test_record_api_actor_and_explicit_schema_version(world):
    e = record(
        actor="api:county-portal",
        role="",
        organization=None,
        subject="case:9",
        event_type="test.visit",
        payload={},
        schema_version=1,
    )
    assert (e.actor_id, e.actor_label, e.schema_version) == (None, "api:county-portal", 1)


def test_unregistered_event_type_refused(world):
    with pytest.raises(events.UnknownEventType):
        record(
            actor=None,
            role="",
            organization=None,
            subject="case:1",
            event_type="test.never_registered",
            payload={},
        )
    assert not LedgerEntry.objects.exists()


def test_payload_must_be_canonicalisable(world):
    with pytest.raises(ValueError):
        record(
            actor=None,
            role="",
            organization=None,
            subject="case:1",
            event_type="test.visit",
            payload={"too_big": 2**60},
        )
    assert not LedgerEntry.objects.exists()


def test_rolled_back_record_leaves_no_gap(world):
    add(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        add(1)
        raise RuntimeError("caller fails after recording")
    (e,) = add(1)
    assert e.seq == 2
    assert LedgerNode.objects.count() == 2 * 3 - 2


@pytest.mark.parametrize(
    "text",
    ["plain", 'quote " back \\ slash', "ctl \x00\x01\x1f \b\f\n\r\t", "中文 🎉 \u2028 \x7f", ""],
)
def test_fast_leaf_bytes_equal_canonical_json(text):
    obj = leaf_object(
        seq=12,
        at="2025-01-02T03:04:05.000006Z",
        actor=text,
        role=text,
        organization=None,
        subject=text,
        event_type=text,
        schema_version=3,
        payload={"b": [1, 2.5, None, True], "a": text, "é": {"z": 1e21}},
    )
    payload_text = canonical_json(obj["payload"]).decode()
    fast = leaf_bytes(12, obj["at"], text, text, None, text, text, 3, payload_text)
    assert fast == canonical_json(obj)
    assert leaf_bytes(1, "t", "a", "r", 7, "s", "e", 1, "{}") == canonical_json(
        leaf_object(
            seq=1,
            at="t",
            actor="a",
            role="r",
            organization=7,
            subject="s",
            event_type="e",
            schema_version=1,
            payload={},
        )
    )


# --- triggers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_ledgerentry SET payload = '{}' WHERE seq = 1",
        "DELETE FROM ledger_ledgerentry WHERE seq = 1",
        "UPDATE ledger_ledgernode SET level = level",
        "DELETE FROM ledger_ledgernode",
        "UPDATE ledger_checkpoint SET size = 1",
        "DELETE FROM ledger_checkpoint",
        "UPDATE ledger_verificationrun SET ok = NOT ok",
        "DELETE FROM ledger_verificationrun",
    ],
)
def test_triggers_refuse_update_and_delete(world, sql):
    add(3)
    make_checkpoint()
    verify_ledger()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert LedgerEntry.objects.count() == 3
    assert LedgerEntry.objects.get(seq=1).payload != "{}"
    assert Checkpoint.objects.get().size == 3


def test_orm_update_and_delete_refused(world):
    (e,) = add(1)
    e.payload = "{}"
    with pytest.raises(DatabaseError), transaction.atomic():
        e.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get().payload != "{}"


def test_truncate_refused_on_postgresql_when_rows_exist(world):
    add(1)
    if connection.vendor != "postgresql":
        # SQLite has no TRUNCATE; its "DELETE FROM t" is covered by the trigger tests.
        assert triggers.install_statements("sqlite")
        return
    for table in triggers.TABLES[:2]:
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {table} CASCADE")
    assert LedgerEntry.objects.count() == 1


# --- verify --------------------------------------------------------------------------------------


def test_verify_intact(world):
    add(10)
    make_checkpoint()
    add(7)
    make_checkpoint()
    output = run_verify()
    assert "17" in output and "ledger intact" in output
    run = VerificationRun.objects.get()
    assert run.ok and run.entries_checked == 17 and run.checkpoints_checked == 2


def test_verify_in_small_chunks_matches(world):
    add(37)
    make_checkpoint()
    for chunk in (1, 2, 5, 36, 37, 100):
        result = verify_ledger(chunk=chunk, save_run=False)
        assert result.ok, (chunk, result.failure)
        assert result.entries_checked == 37


def test_verify_detects_changed_payload(world, tamper):
    add(6)
    tamper("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = 4", ['{"i":99,"note":"x"}'])
    output = verify_fails()
    assert "seq 4:" in output and "altered" in output and "篡改" in output


def test_verify_detects_backdated_time(world, tamper):
    add(5)
    e = LedgerEntry.objects.get(seq=3)
    with triggers_dropped():
        LedgerEntry.objects.filter(seq=3).update(at=e.at.replace(year=e.at.year - 1))
    assert "seq 3:" in verify_fails()


def test_verify_detects_changed_actor(world, tamper):
    add(5, actor=world.users["officer"])
    tamper("UPDATE ledger_ledgerentry SET actor_label = 'user:1 别人' WHERE seq = 2")
    assert "seq 2:" in verify_fails()


def test_verify_detects_deleted_entry(world, tamper):
    add(8)
    tamper("DELETE FROM ledger_ledgerentry WHERE seq = 5")
    output = verify_fails()
    assert "seq 5:" in output and "missing" in output


def test_verify_detects_deleted_last_entry(world, tamper):
    add(8)
    tamper("DELETE FROM ledger_ledgerentry WHERE seq = 7")
    assert "seq 7:" in verify_fails()


def test_verify_detects_deleted_last_entries_with_their_nodes(world, tamper):
    add(8)
    make_checkpoint()
    tamper("DELETE FROM ledger_ledgerentry WHERE seq >= 6")
    tamper('DELETE FROM ledger_ledgernode WHERE ("index" + 1) * (1 << level) > 6')
    output = verify_fails()
    assert "checkpoint #" in output and "exceeds" in output


def test_verify_detects_swapped_entries(world, tamper):
    add(3, subject="case:1")
    add(3, subject="case:2", start=3)
    a = LedgerEntry.objects.get(seq=1)
    b = LedgerEntry.objects.get(seq=4)
    with triggers_dropped():
        LedgerEntry.objects.filter(seq=1).update(payload=b.payload, subject=b.subject)
        LedgerEntry.objects.filter(seq=4).update(payload=a.payload, subject=a.subject)
    assert "seq 1:" in verify_fails()


def test_verify_detects_entry_and_hashes_rewritten_consistently(world, tamper):
    """Rewriting an entry together with its leaf hash and its nodes is caught by the signed
    checkpoint's root."""
    add(4)
    make_checkpoint()
    e = LedgerEntry.objects.get(seq=2)
    e.payload = '{"i":2,"note":"改过"}'
    new_leaf = sm3(b"\x00" + canonical_json(entry_object(e)))
    n3 = bytes(LedgerNode.objects.get(level=0, index=3).hash)
    n0 = bytes(LedgerNode.objects.get(level=1, index=0).hash)
    n11 = sm3(b"\x01" + new_leaf + n3)
    with triggers_dropped():
        LedgerEntry.objects.filter(seq=2).update(payload=e.payload, leaf_hash=new_leaf)
        LedgerNode.objects.filter(level=0, index=2).update(hash=new_leaf)
        LedgerNode.objects.filter(level=1, index=1).update(hash=n11)
        LedgerNode.objects.filter(level=2, index=0).update(hash=sm3(b"\x01" + n0 + n11))
    output = verify_fails()
    assert "checkpoint #" in output and "root" in output


def test_verify_detects_tampered_node(world, tamper):
    add(8)
    tamper('UPDATE ledger_ledgernode SET hash = %s WHERE level = 1 AND "index" = 2', [bytes(32)])
    output = verify_fails()
    assert "seq 5:" in output and "(1, 2)" in output


def test_verify_detects_forged_checkpoint_signature(world):
    add(4)
    good = make_checkpoint()
    add(2)
    keys = load_keys()
    text, signatures = cp.parse_note(good.note)
    body = cp.Checkpoint(keys.origin, 6, bytes(good.root_hash)).format_body()
    forged = body + "\n" + "".join(s.format_line() for s in signatures)  # old signatures
    Checkpoint.objects.create(size=6, root_hash=bytes(good.root_hash), note=forged)
    output = verify_fails()
    assert f"checkpoint #{good.pk + 1}:" in output and "signature" in output


def test_verify_detects_checkpoint_signed_by_other_key(world):
    add(4)
    ed_priv, _ = cp.generate_ed25519()
    sm2_priv, sm2_pub = cp.generate_sm2()
    keys = load_keys()
    real = make_checkpoint()
    note = cp.sign(
        cp.Checkpoint(keys.origin, 4, bytes(real.root_hash)),
        ed_priv,
        keys.ed25519_name,
        sm2_priv,
        sm2_pub,
        keys.sm2_name,
    )
    bad = Checkpoint.objects.create(size=4, root_hash=bytes(real.root_hash), note=note)
    assert f"checkpoint #{bad.pk}:" in verify_fails()


def test_verify_detects_checkpoint_inconsistent_with_predecessor(world):
    add(5)
    make_checkpoint()
    add(3)
    keys = load_keys()
    wrong = sm3(b"not the root")
    bad = Checkpoint.objects.create(size=8, root_hash=wrong, note=keys.sign(8, wrong))
    output = verify_fails()
    assert f"checkpoint #{bad.pk}:" in output and "not consistent" in output


def test_verify_detects_wrong_root_on_first_checkpoint(world):
    add(5)
    keys = load_keys()
    wrong = sm3(b"not the root")
    bad = Checkpoint.objects.create(size=5, root_hash=wrong, note=keys.sign(5, wrong))
    output = verify_fails()
    assert f"checkpoint #{bad.pk}:" in output and "root hash differs" in output


def test_verify_evidence_flag(world, settings, tmp_path):
    from zhifa.core.models import Role
    from zhifa.evidence.services import store_evidence
    from zhifa.evidence.tests.samples import png_bytes

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    stored = store_evidence(
        actor=world.users["officer"],
        organization=world.orgs["daxing_team"],
        subject="case:5",
        upload=io.BytesIO(png_bytes()),
        filename="现场照片.png",
        role=Role.OFFICER,
    )
    output = run_verify("--evidence")
    assert "ledger intact" in output and "evidence intact" in output

    (blob,) = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    blob.write_bytes(png_bytes(red=1))
    output = verify_fails("--evidence")
    assert "EVIDENCE VERIFICATION FAILED" in output and stored.file.digest in output


def test_verify_empty_ledger(world):
    assert "0" in run_verify()


# --- checkpoints ---------------------------------------------------------------------------------


def test_checkpoint_only_when_grown_and_signed(world, settings):
    assert make_checkpoint() is None  # empty tree
    add(3)
    first = make_checkpoint()
    assert first.size == 3
    assert make_checkpoint() is None
    assert make_checkpoint(force=True).size == 3
    add(2)
    second = make_checkpoint()
    keys = load_keys()
    parsed = cp.verify(second.note, keys.verifiers)
    assert parsed.origin == "zhifa.local/ledger" and parsed.size == 5
    assert parsed.root_hash == merkle.root(
        [bytes(e.leaf_hash) for e in LedgerEntry.objects.order_by("seq")]
    )
    key_dir = Path(settings.DATA_DIR) / "keys"
    for name in ("ledger-ed25519.key", "ledger-sm2.key"):
        assert stat.S_IMODE((key_dir / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700


def test_checkpoint_origin_from_environment(world, monkeypatch):
    monkeypatch.setenv("ZHIFA_LEDGER_ORIGIN", "ledger.example.gov.cn/linxiang")
    add(1)
    note = make_checkpoint().note
    assert note.startswith("ledger.example.gov.cn/linxiang\n1\n")
    assert "\u2014 ledger.example.gov.cn/linxiang/sm2 " in note


def test_checkpoint_refused_when_stored_tree_inconsistent(world, tamper):
    add(4)
    make_checkpoint()
    add(1)
    tamper('UPDATE ledger_ledgernode SET hash = %s WHERE level = 2 AND "index" = 0', [bytes(32)])
    with pytest.raises(LedgerError, match="not consistent"):
        make_checkpoint()
    assert Checkpoint.objects.count() == 1


def test_checkpoint_command_and_keys_command(world):
    out = io.StringIO()
    call_command("ledger", "checkpoint", stdout=out)
    assert "did not grow" in out.getvalue()
    add(2)
    out = io.StringIO()
    call_command("ledger", "checkpoint", stdout=out)
    assert "size 2" in out.getvalue() and Checkpoint.objects.count() == 1
    out = io.StringIO()
    call_command("ledger", "keys", stdout=out)
    keys = load_keys()
    assert keys.ed25519_verifier.to_string() in out.getvalue()
    assert keys.sm2_public_hex in out.getvalue()


def test_periodic_task_makes_checkpoint(world):
    from zhifa.ledger.tasks import ledger_checkpoint

    add(3)
    assert ledger_checkpoint.call_local() == 3
    assert ledger_checkpoint.call_local() is None
    assert Checkpoint.objects.count() == 1


def test_startup_refuses_without_sm3(monkeypatch):
    from django.apps import apps

    from zhifa.ledger import sm3check

    def broken():
        raise RuntimeError("SM3 is not available in hashlib")

    monkeypatch.setattr(sm3check, "ensure_sm3", broken)
    with pytest.raises(ImproperlyConfigured, match="SM3"):
        apps.get_app_config("ledger").ready()


# --- proof bundles -------------------------------------------------------------------------------


def _bundle_verify(path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "ZHIFA", "DATABASE"))}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[3])
    return subprocess.run(
        [sys.executable, "-m", "zhifa.ledger.bundle_verify", str(path), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_proof_bundle_verifies_offline_and_edits_fail(world, tmp_path):
    team = world.orgs["daxing_team"]
    add(3, subject="case:123", org=team, actor=world.users["officer"])
    make_checkpoint()
    add(4, subject="case:other")
    add(2, subject="case:123", org=team, start=3)  # after the checkpoint: a new one is made
    out = tmp_path / "bundle.json"
    call_command(
        "ledger", "proof", "--subject", "case:123", "--out", str(out), stdout=io.StringIO()
    )
    bundle = json.loads(out.read_text())
    assert [e["seq"] for e in bundle["entries"]] == [0, 1, 2, 7, 8]
    assert Checkpoint.objects.count() == 2
    assert bundle["entries"][0]["payload"]["subject"] == "case:123"

    keys = load_keys()
    ok = _bundle_verify(
        out,
        "--ed25519-key",
        keys.ed25519_verifier.to_string(),
        "--sm2-key",
        f"{keys.sm2_name}:{keys.sm2_public_hex}",
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK: 5 entries" in ok.stdout

    raw = out.read_bytes()
    target = raw.index("第1次检查".encode())
    edited = tmp_path / "edited.json"
    edited.write_bytes(
        raw[:target] + "第7次检查".encode() + raw[target + len("第1次检查".encode()) :]
    )
    bad = _bundle_verify(edited)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "FAIL" in bad.stdout and "seq 1" in bad.stdout

    one_digit = raw.replace(b'"i": 3', b'"i": 4', 1)
    assert one_digit != raw
    edited.write_bytes(one_digit)
    assert _bundle_verify(edited).returncode == 1


def test_proof_refused_for_unknown_subject(world, tmp_path):
    add(1)
    with pytest.raises(CommandError, match="no ledger entries"):
        call_command("ledger", "proof", "--subject", "case:404", "--out", str(tmp_path / "b"))


def test_proof_refused_for_tampered_entry(world, tmp_path, tamper):
    add(3)
    tamper("UPDATE ledger_ledgerentry SET payload = '{}' WHERE seq = 1")
    with pytest.raises(CommandError, match="entry 1 does not match"):
        call_command("ledger", "proof", "--subject", "case:1", "--out", str(tmp_path / "b"))


# --- concurrency ---------------------------------------------------------------------------------


THREADS, PER_THREAD = 8, 25


@pytest.fixture
def clean_ledger_after():
    """Transactional tests commit ledger rows; remove them (triggers dropped) afterwards so the
    test database flush (DELETE / TRUNCATE) is not refused."""
    yield
    with transaction.atomic(), triggers_dropped(), connection.cursor() as cursor:
        for table in triggers.TABLES:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_are_gap_free(clean_ledger_after, tmp_path):
    if connection.vendor == "sqlite":
        # The SQLite test database lives in shared-cache memory, which reports lock conflicts
        # instead of waiting; run the same threads against a real database file instead.
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
        env["ZHIFA_DATA_DIR"] = str(tmp_path / "data")
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[3])
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "zhifa.ledger.tests.concurrent_appends",
                str(THREADS),
                str(PER_THREAD),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"OK {THREADS * PER_THREAD}" in done.stdout
        return
    from .concurrent_appends import hammer

    hammer(THREADS, PER_THREAD)
    assert list(LedgerEntry.objects.values_list("seq", flat=True)) == list(
        range(THREADS * PER_THREAD)
    )
    assert tree_size() == THREADS * PER_THREAD
    assert verify_ledger(save_run=False).ok


# --- verify with a worker process ----------------------------------------------------------------


@pytest.fixture
def parallel_verify(clean_ledger_after, tmp_path, monkeypatch):
    """verify_ledger() forced onto its two-process path (threshold 1, small chunks; this
    process checks seq 0..11, the worker 12..39 of a 40-entry ledger); on the
    in-memory SQLite test database the worker reads a file copy taken after any tampering."""
    import multiprocessing
    import sqlite3

    from zhifa.ledger import verify as verify_module

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork start method")
    forked = []
    get_context = multiprocessing.get_context
    monkeypatch.setattr(
        multiprocessing,
        "get_context",
        lambda method=None: forked.append(method) or get_context(method),
    )

    def run():
        if connection.vendor == "sqlite":
            path = tmp_path / "copy.sqlite3"
            path.unlink(missing_ok=True)
            connection.ensure_connection()
            with sqlite3.connect(path) as target:
                connection.connection.backup(target)
            monkeypatch.setattr(
                verify_module, "_worker_db", lambda _: ("sqlite", {"database": str(path)})
            )
        forked.clear()
        result = verify_ledger(save_run=False, chunk=7, processes=2, parallel_min=1)
        assert forked == ["fork"], "the worker path was not taken"
        return result

    return run


@pytest.mark.django_db(transaction=True)
def test_verify_with_worker_intact(parallel_verify):
    add(25)
    make_checkpoint()
    add(15, start=25)
    make_checkpoint()
    result = parallel_verify()
    assert result.ok, result.failure
    assert (result.entries_checked, result.checkpoints_checked) == (40, 2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("sqls", "expected"),
    [
        # seq 30 is hashed by the worker (this process does 0..11)
        (["UPDATE ledger_ledgerentry SET payload = '{\"i\":99}' WHERE seq = 30"], "seq 30:"),
        (["UPDATE ledger_ledgerentry SET payload = '{\"i\":99}' WHERE seq = 5"], "seq 5:"),
        # the lowest failing seq wins: node (1, 10) completes at seq 21, before seq 30
        (
            [
                "UPDATE ledger_ledgerentry SET payload = '{\"i\":99}' WHERE seq = 30",
                (
                    'UPDATE ledger_ledgernode SET hash = %s WHERE level = 1 AND "index" = 10',
                    [bytes(32)],
                ),
            ],
            "seq 21:",
        ),
        (["DELETE FROM ledger_ledgerentry WHERE seq = 11"], "seq 11:"),
        (["DELETE FROM ledger_ledgerentry WHERE seq = 26"], "seq 26:"),
    ],
)
def test_verify_with_worker_detects_tampering(parallel_verify, tamper, sqls, expected):
    add(40)
    make_checkpoint()
    for sql in sqls:
        tamper(*sql) if isinstance(sql, tuple) else tamper(sql)
    result = parallel_verify()
    assert not result.ok
    assert str(result.failure).startswith(f"序号 / {expected}"), str(result.failure)


def test_verify_goes_on_alone_when_the_worker_fails(monkeypatch, tmp_path):
    import multiprocessing

    from zhifa.ledger import verify as verify_module

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork start method")
    add(30)
    make_checkpoint()
    missing = str(tmp_path / "no" / "such.sqlite3")
    monkeypatch.setattr(verify_module, "_worker_db", lambda _: ("sqlite", {"database": missing}))
    result = verify_ledger(save_run=False, chunk=7, processes=2, parallel_min=1)
    assert result.ok, result.failure
    assert (result.entries_checked, result.checkpoints_checked) == (30, 1)
    assert any("worker failed" in note for note in result.notes)
