"""Resumable uploads: start, chunks in order (retries are no-ops, gaps and forgeries refused),
finish through the evidence store (same content stored once), purge of stale sessions."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from zhifa.evidence import uploads
from zhifa.evidence.models import EvidenceFile, EvidenceRecord, UploadSession
from zhifa.ledger.models import LedgerEntry

from .samples import png_bytes

pytestmark = pytest.mark.django_db

CHUNK = uploads.MIN_CHUNK


def content(n_chunks: float = 2.5) -> bytes:
    """A PNG padded past a few chunks (type detection reads only the head)."""
    head = png_bytes()
    return head + bytes(range(256)) * int((n_chunks * CHUNK - len(head)) // 256 + 1)


def start(world, data: bytes, user="officer", org="daxing_team", **kwargs):
    values = {
        "organization": world.orgs[org],
        "subject": "case:7",
        "filename": "VID_现场.png",
        "total_size": len(data),
        "chunk_size": CHUNK,
    }
    values.update(kwargs)
    return uploads.start_upload(world.users[user], **values)


def send_all(world, session, data: bytes, user="officer"):
    for offset in range(0, len(data), session.chunk_size):
        session = uploads.put_chunk(
            world.users[user], session.pk, offset=offset, data=data[offset : offset + CHUNK]
        )
    return session


def test_whole_upload_becomes_evidence_once(
    world, evidence_dirs, django_capture_on_commit_callbacks
):
    data = content()
    session = start(world, data)
    assert (session.received, session.chunk_size, session.role) == (0, CHUNK, "officer")
    session = send_all(world, session, data)
    assert session.received == len(data) and len(session.chunk_digests) == 3
    with django_capture_on_commit_callbacks(execute=True):
        record = uploads.finish_upload(world.users["officer"], session.pk)
    assert record.file.size == len(data)
    assert record.file.digest == hashlib.new("sm3", data).hexdigest()
    assert record.subject == "case:7" and record.original_filename == "VID_现场.png"
    assert not uploads.part_path(session).exists()
    # A finish retried after a lost answer gives the same record, not a second one.
    again = uploads.finish_upload(world.users["officer"], session.pk)
    assert again.pk == record.pk and EvidenceRecord.objects.count() == 1
    # The same content uploaded again is stored once (one file, two records).
    second = send_all(world, start(world, data), data)
    uploads.finish_upload(world.users["officer"], second.pk)
    assert EvidenceFile.objects.count() == 1 and EvidenceRecord.objects.count() == 2


def test_resending_a_received_chunk_is_a_no_op(world, evidence_dirs):
    data = content()
    session = start(world, data)
    user = world.users["officer"]
    uploads.put_chunk(user, session.pk, offset=0, data=data[:CHUNK])
    session = uploads.put_chunk(user, session.pk, offset=0, data=data[:CHUNK])
    assert session.received == CHUNK and len(session.chunk_digests) == 1
    assert uploads.part_path(session).stat().st_size == CHUNK


def refused_chunk(world, session, match: str, **kwargs):
    before = UploadSession.objects.values_list("received", "chunk_digests").get(pk=session.pk)
    size = uploads.part_path(session).stat().st_size
    with pytest.raises(uploads.ChunkRefused, match=match) as info:
        uploads.put_chunk(world.users["officer"], session.pk, **kwargs)
    after = UploadSession.objects.values_list("received", "chunk_digests").get(pk=session.pk)
    assert after == before and uploads.part_path(session).stat().st_size == size
    assert info.value.received == before[0]  # where the client should resume


def test_forged_offsets_and_chunks_are_refused(world, evidence_dirs):
    data = content()
    session = start(world, data)
    uploads.put_chunk(world.users["officer"], session.pk, offset=0, data=data[:CHUNK])
    # A gap: the third chunk before the second.
    refused_chunk(world, session, "分片不连续", offset=2 * CHUNK, data=data[2 * CHUNK :])
    # Off the chunk grid, negative, past the end.
    refused_chunk(world, session, "无效", offset=CHUNK + 1, data=data[CHUNK : 2 * CHUNK])
    refused_chunk(world, session, "无效", offset=-CHUNK, data=data[:CHUNK])
    refused_chunk(world, session, "无效", offset=len(data) + CHUNK, data=b"x")
    refused_chunk(world, session, "格式错误", offset="abc", data=data[:CHUNK])
    # Wrong length.
    refused_chunk(world, session, "分片大小错误", offset=CHUNK, data=data[CHUNK : 2 * CHUNK - 1])
    # A different content where a chunk was already received.
    refused_chunk(world, session, "内容与本次发送的不同", offset=0, data=b"\x00" * CHUNK)
    # Damaged in transfer: the digest the client sent does not match.
    refused_chunk(
        world,
        session,
        "校验失败",
        offset=CHUNK,
        data=data[CHUNK : 2 * CHUNK],
        sha256="0" * 64,
    )
    ok = uploads.put_chunk(
        world.users["officer"],
        session.pk,
        offset=CHUNK,
        data=data[CHUNK : 2 * CHUNK],
        sha256=hashlib.sha256(data[CHUNK : 2 * CHUNK]).hexdigest(),
    )
    assert ok.received == 2 * CHUNK


def test_finish_before_the_end_is_refused(world, evidence_dirs):
    data = content()
    session = start(world, data)
    uploads.put_chunk(world.users["officer"], session.pk, offset=0, data=data[:CHUNK])
    before = LedgerEntry.objects.count()
    with pytest.raises(uploads.ChunkRefused, match="尚未传完"):
        uploads.finish_upload(world.users["officer"], session.pk)
    assert EvidenceRecord.objects.count() == 0 and LedgerEntry.objects.count() == before


def test_refused_content_is_not_stored(world, evidence_dirs):
    data = b"\x7fELF" + b"\x00" * (CHUNK + 10)
    session = send_all(world, start(world, data, filename="x.mp4"), data)
    with pytest.raises(ValidationError, match="可执行文件"):
        uploads.finish_upload(world.users["officer"], session.pk)
    assert EvidenceFile.objects.count() == 0


def test_oversized_total_is_refused_at_start(world, evidence_dirs, settings):
    settings.EVIDENCE_MAX_BYTES = 10 * CHUNK
    with pytest.raises(ValidationError, match="大小上限"):
        start(world, b"", total_size=10 * CHUNK + 1)
    with pytest.raises(ValidationError, match="文件为空"):
        start(world, b"", total_size=0)
    with pytest.raises(ValidationError, match="分片大小应在"):
        start(world, content(), chunk_size=1024)
    assert UploadSession.objects.count() == 0


def test_uploader_must_record_evidence_for_the_organisation(world, evidence_dirs):
    data = content()
    for user, org in (
        ("officer", "county_market"),
        ("supervisor", "daxing"),
        ("sysadmin", "daxing"),
    ):
        with pytest.raises(PermissionDenied):
            start(world, data, user=user, org=org)
    assert UploadSession.objects.count() == 0


def test_only_the_uploader_sees_the_session(world, evidence_dirs):
    data = content()
    session = start(world, data)
    for user in ("officer2", "unithead"):
        with pytest.raises(Http404):
            uploads.put_chunk(world.users[user], session.pk, offset=0, data=data[:CHUNK])
        with pytest.raises(Http404):
            uploads.get_session(world.users[user], session.pk)
    with pytest.raises(Http404):
        uploads.get_session(world.users["officer"], "not-a-uuid")


def test_expired_sessions_refuse_chunks_and_are_purged(world, evidence_dirs):
    data = content()
    session = start(world, data)
    uploads.put_chunk(world.users["officer"], session.pk, offset=0, data=data[:CHUNK])
    fresh = start(world, data)
    UploadSession.objects.filter(pk=session.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(uploads.ChunkRefused, match="已过期"):
        uploads.put_chunk(world.users["officer"], session.pk, offset=CHUNK, data=data[CHUNK:])
    assert uploads.purge_stale() == 1
    assert not uploads.part_path(session).exists()
    assert list(UploadSession.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_periodic_task_purges(world, evidence_dirs):
    from zhifa.evidence.tasks import purge_stale_uploads

    session = start(world, content())
    UploadSession.objects.filter(pk=session.pk).update(expires_at=timezone.now())
    assert purge_stale_uploads.call_local() == 1
    assert UploadSession.objects.count() == 0
