"""Resumable uploads for phones on a flaky network.

start → chunks at fixed offsets, in order (re-sending a chunk already received is a no-op when
its content is the same; a gap, a forged offset or a changed chunk is refused) → finish, which
hands the assembled file to :func:`zhifa.evidence.services.store_evidence` (so the same content
is stored once by its digest, and a finish retried after a lost answer returns the same
record). The parts live in DATA_DIR/uploads; sessions expire after a day and are purged by the
periodic task in ``tasks.py``. Upload sessions are transient: the ledger entry is the one
store_evidence writes when the file becomes evidence."""

from __future__ import annotations

import datetime
import hashlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from zhifa.core.models import Membership, Organization, Role, User

from . import services
from .models import EvidenceRecord, UploadSession

DEFAULT_CHUNK = 1024 * 1024
MIN_CHUNK = 64 * 1024
MAX_CHUNK = 8 * 1024 * 1024
SESSION_TTL = datetime.timedelta(hours=24)
MAX_OPEN_SESSIONS = 20
_ROLE_ORDER = (Role.OFFICER, Role.UNIT_HEAD, Role.BODY_HEAD, Role.LEGAL_REVIEWER)


class ChunkRefused(ValidationError):
    """A chunk that does not continue the upload; ``received`` says where to resume."""

    def __init__(self, message: str, received: int, code: str = "offset"):
        super().__init__(message, code=code)
        self.received = received


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def part_path(session: UploadSession) -> Path:
    return uploads_dir() / f"{session.pk}.part"


def role_for(actor: User, organization: Organization) -> str:
    """The role the actor records evidence under for this organisation (officer first)."""
    held = {
        role
        for role, path in Membership.objects.filter(
            user=actor, role__in=services.UPLOAD_ROLES
        ).values_list("role", "organization__path")
        if organization.path.startswith(path)
    }
    for role in _ROLE_ORDER:
        if role in held:
            return role
    raise PermissionDenied("您不能为该组织登记证据。")


def start_upload(
    actor: User,
    *,
    organization: Organization,
    subject: str,
    filename: str,
    total_size: Any,
    chunk_size: Any = None,
) -> UploadSession:
    """Open a session; the uploader must be allowed to record evidence for the organisation,
    and a file over the evidence size limit is refused before a byte is sent."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("请先登录。")
    role = role_for(actor, organization)
    services.check_can_record(actor, organization, role)
    subject = services.clean_subject(subject)
    filename = services.sanitize_filename(filename)
    try:
        total = int(total_size)
        chunk = int(chunk_size) if chunk_size not in (None, "") else DEFAULT_CHUNK
    except (TypeError, ValueError):
        raise ValidationError("文件大小或分片大小格式错误。", code="size") from None
    if total <= 0:
        raise ValidationError(services.MSG_EMPTY, code="empty")
    limit = services.max_bytes()
    if total > limit:
        raise ValidationError(
            f"文件超过大小上限（{services.human_size(limit)}），不能上传。", code="too_large"
        )
    if not MIN_CHUNK <= chunk <= MAX_CHUNK:
        raise ValidationError(
            f"分片大小应在 {services.human_size(MIN_CHUNK)} 至 "
            f"{services.human_size(MAX_CHUNK)} 之间。",
            code="chunk_size",
        )
    now = timezone.now()
    open_sessions = UploadSession.objects.filter(
        created_by=actor, finished_at__isnull=True, expires_at__gt=now
    ).count()
    if open_sessions >= MAX_OPEN_SESSIONS:
        raise ValidationError("未完成的上传过多，请先完成或等待其过期。", code="too_many")
    session = UploadSession.objects.create(
        organization=organization,
        subject=subject,
        filename=filename,
        role=role,
        total_size=total,
        chunk_size=chunk,
        created_by=actor,
        created_at=now,
        expires_at=now + SESSION_TTL,
    )
    part_path(session).touch()
    return session


def _session_id(session_id: Any) -> uuid.UUID:
    try:
        return session_id if isinstance(session_id, uuid.UUID) else uuid.UUID(str(session_id))
    except (TypeError, ValueError):
        raise Http404("未找到该上传。") from None


def get_session(actor: User, session_id: Any) -> UploadSession:
    """The actor's own session; anyone else's, and a missing one, are both 404."""
    session = UploadSession.objects.filter(pk=_session_id(session_id), created_by=actor).first()
    if session is None:
        raise Http404("未找到该上传。")
    return session


def lock_session(actor: User, session_id: Any) -> UploadSession:
    """The actor's session, locked for the caller's transaction."""
    session = (
        UploadSession.objects.select_for_update()
        .filter(pk=_session_id(session_id), created_by=actor)
        .first()
    )
    if session is None:
        raise Http404("未找到该上传。")
    return session


def _check_live(session: UploadSession) -> None:
    if session.finished_at is not None:
        raise ChunkRefused("该上传已完成。", session.received, code="finished")
    if session.expires_at <= timezone.now():
        raise ChunkRefused("上传已过期，请重新上传。", session.received, code="expired")


def put_chunk(
    actor: User, session_id: Any, *, offset: Any, data: bytes, sha256: str | None = None
) -> UploadSession:
    """Append one chunk at ``offset``. The same chunk sent again is a no-op; a gap, an offset
    off the chunk grid, a wrong length or a changed chunk is refused and nothing changes."""
    with transaction.atomic():
        session = lock_session(actor, session_id)
        _check_live(session)
        received = session.received
        try:
            offset = int(offset)
        except (TypeError, ValueError):
            raise ChunkRefused("分片位置格式错误。", received) from None
        if offset < 0 or offset >= session.total_size or offset % session.chunk_size:
            raise ChunkRefused(
                f"分片位置 {offset} 无效：应为分片大小 {session.chunk_size} 的整数倍，"
                "且小于文件大小。",
                received,
            )
        if offset > received:
            raise ChunkRefused(
                f"分片不连续：服务器已收到 {received} 字节，请从该位置继续上传。", received
            )
        expected = min(session.chunk_size, session.total_size - offset)
        if len(data) != expected:
            raise ChunkRefused(
                f"分片大小错误：位置 {offset} 的分片应为 {expected} 字节，收到 {len(data)} 字节。",
                received,
                code="length",
            )
        digest = hashlib.sha256(data).hexdigest()
        if sha256 and sha256.strip().lower() != digest:
            raise ChunkRefused("分片校验失败（传输中损坏），请重新发送该分片。", received, "digest")
        index = offset // session.chunk_size
        if offset < received:
            if session.chunk_digests[index] != digest:
                raise ChunkRefused(
                    "该位置的分片已接收，且内容与本次发送的不同，已拒绝。", received, "conflict"
                )
            return session  # a retry of a chunk whose answer was lost
        path = part_path(session)
        with open(path, "r+b" if path.exists() else "w+b") as fh:
            # Anything past `received` is a torn earlier write: this chunk replaces it.
            fh.truncate(offset)
            fh.seek(offset)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        session.received = offset + len(data)
        session.chunk_digests = [*session.chunk_digests, digest]
        session.save(update_fields=["received", "chunk_digests"])
        return session


class _PartFile:
    """The part file, cut to the bytes the session accounts for."""

    def __init__(self, path: Path, size: int):
        self._fh = open(path, "rb")  # noqa: SIM115 - closed by finish()
        self._left = size

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        n = self._left if n is None or n < 0 else min(n, self._left)
        data = self._fh.read(n)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._fh.close()


def finish(
    actor: User,
    session: UploadSession,
    *,
    validate: Callable[[Path], Any] | None = None,
    capture: dict | None = None,
) -> EvidenceRecord:
    """Hand the complete file to the evidence store; call inside a transaction with the
    session locked (``lock_session``). ``validate(path)`` may refuse the content first (e.g. a
    damaged video). A finished session returns its evidence record again."""
    if session.evidence_id is not None:
        return session.evidence
    _check_live(session)
    if session.received != session.total_size:
        raise ChunkRefused(
            f"文件尚未传完：已收到 {session.received} / {session.total_size} 字节。",
            session.received,
            code="incomplete",
        )
    path = part_path(session)
    if not path.exists() or path.stat().st_size < session.total_size:
        raise ChunkRefused("服务器上的分片已丢失，请重新上传。", 0, code="lost")
    if validate is not None:
        if path.stat().st_size > session.total_size:
            with open(path, "r+b") as fh:
                fh.truncate(session.total_size)
        validate(path)
    source = _PartFile(path, session.total_size)
    try:
        record = services.store_evidence(
            actor=actor,
            organization=session.organization,
            subject=session.subject,
            upload=source,
            filename=session.filename,
            capture=capture,
            role=session.role,
        )
    finally:
        source.close()
    session.evidence = record
    session.finished_at = timezone.now()
    session.save(update_fields=["evidence", "finished_at"])
    # The blob is in the store now; the part is no longer needed (even if this transaction
    # were rolled back, the client would have to upload again, which it can).
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return record


def finish_upload(actor: User, session_id: Any, *, capture: dict | None = None) -> EvidenceRecord:
    """finish() in its own transaction, for the plain evidence endpoint."""
    with transaction.atomic():
        return finish(actor, lock_session(actor, session_id), capture=capture)


def purge_stale(now: datetime.datetime | None = None) -> int:
    """Delete expired sessions and their parts (finished ones keep nothing on disk). Returns
    how many sessions were removed."""
    now = now or timezone.now()
    stale = list(UploadSession.objects.filter(expires_at__lte=now).values_list("pk", flat=True))
    for pk in stale:
        (uploads_dir() / f"{pk}.part").unlink(missing_ok=True)
    UploadSession.objects.filter(pk__in=stale).delete()
    return len(stale)


def as_json(session: UploadSession) -> dict[str, Any]:
    return {
        "id": str(session.pk),
        "filename": session.filename,
        "total_size": session.total_size,
        "chunk_size": session.chunk_size,
        "received": session.received,
        "complete": session.received == session.total_size,
        "finished": session.finished_at is not None,
        "evidence_id": session.evidence_id,
        "expires_at": session.expires_at.isoformat(),
    }
