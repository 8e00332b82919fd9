"""Evidence actions: store an upload (streamed, SM3-hashed, type-checked by content, stored once
per digest, recorded in the ledger), open a stored file with its digest verified, and re-verify
everything in storage. There is no update or delete: evidence, once recorded, stays."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from zhifa.core.models import Organization, Role, User
from zhifa.core.permissions import BUSINESS_ROLES
from zhifa.core.selectors import acting_organizations

from . import filetypes
from .models import EvidenceFile, EvidenceRecord, storage_name_for

CHUNK_SIZE = 1024 * 1024
DEFAULT_MAX_BYTES = 2 * 1024**3
EVENT_RECORDED = "evidence.recorded"
UPLOAD_ROLES = frozenset(BUSINESS_ROLES - {Role.SUPERVISOR})
MAX_CAPTURE_CHARS = 16 * 1024
_SPOOL_MEMORY = 8 * 1024 * 1024
_DIGEST = re.compile(r"[0-9a-f]{64}")
_SUBJECT = re.compile(r"[a-z][a-z0-9_]*:[A-Za-z0-9_.:/-]{1,180}")
_FILENAME_FORBIDDEN = set('<>:"|?*')

MSG_INTERRUPTED = "上传中断，文件未保存"
MSG_EMPTY = "文件为空"


class EvidenceCorrupted(Exception):
    """A stored evidence file no longer matches its SM3 digest (or is gone)."""

    reason = "文件内容与摘要不符 / content does not match its digest"

    def __init__(self, digest: str):
        self.digest = digest
        super().__init__(f"证据文件 {digest} 已损坏：{self.reason}")


class EvidenceMissing(EvidenceCorrupted):
    reason = "文件缺失 / missing"


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def human_size(n: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= factor:
            return f"{round(n / factor, 1):g} {unit}"
    return f"{n} 字节"


def tmp_dir() -> Path:
    path = Path(settings.DATA_DIR) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- input cleaning -------------------------------------------------------------------------


def sanitize_filename(name: str | None) -> str:
    """The name to show and to offer on download: no directories, control or format characters
    (e.g. right-to-left overrides), or characters Windows refuses; at most 200 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        ch
        for ch in name
        if not unicodedata.category(ch).startswith("C") and ch not in _FILENAME_FORBIDDEN
    )
    name = name.strip().strip(".").strip()
    if not name:
        return "未命名文件"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = f"{stem[: 199 - len(ext)]}.{ext}"
        else:
            name = name[:200]
    return name


def clean_subject(subject: str) -> str:
    subject = (subject or "").strip()
    if not _SUBJECT.fullmatch(subject):
        raise ValidationError("证据所属对象格式错误，应形如 case:123。", code="subject")
    return subject


def clean_capture(capture: dict | None) -> dict:
    """Capture metadata (time, place/GPS, device, officer …) as canonical-JSON-safe data."""
    from zhifa.ledger.canonical import CanonicalJSONError, canonical_json

    if capture is None:
        return {}
    if not isinstance(capture, dict) or not all(isinstance(k, str) for k in capture):
        raise ValidationError("采集信息格式错误：应为键值对。", code="capture")
    try:
        text = canonical_json(capture)
    except (CanonicalJSONError, TypeError, ValueError):
        raise ValidationError(
            "采集信息格式错误：只能包含文字、数字、是否和列表。", code="capture"
        ) from None
    if len(text) > MAX_CAPTURE_CHARS:
        raise ValidationError("采集信息过长。", code="capture")
    return capture


def check_can_record(actor: User | None, organization: Organization, role: str) -> None:
    """The actor acts on the organisation, under the role they claim."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("请先登录。")
    if not acting_organizations(actor).filter(pk=organization.pk).exists():
        raise PermissionDenied("您不能为该组织登记证据。")
    if role not in UPLOAD_ROLES or not (
        acting_organizations(actor, roles={role}).filter(pk=organization.pk).exists()
    ):
        raise PermissionDenied("您在该组织不具有所声明的角色，不能登记证据。")


# --- storing --------------------------------------------------------------------------------


def _rewind(upload: Any) -> None:
    seek = getattr(upload, "seek", None)
    if seek is None:
        return
    try:
        seekable = getattr(upload, "seekable", None)
        if seekable is None or seekable():
            seek(0)
    except (OSError, ValueError, AttributeError):
        pass  # a forward-only stream: read it from where it is


def _spool(upload: Any, limit: int) -> tuple[Path, str, int]:
    """Copy the upload to a temporary file in DATA_DIR/tmp, hashing as it goes. Returns the
    temp path, SM3 hex digest and size; on any failure the temp file is gone."""
    fd, name = tempfile.mkstemp(prefix="evidence-", suffix=".part", dir=tmp_dir())
    path = Path(name)
    hasher = hashlib.new("sm3")
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                _rewind(upload)
            except Exception as exc:
                raise ValidationError(MSG_INTERRUPTED, code="interrupted") from exc
            while True:
                try:
                    chunk = upload.read(CHUNK_SIZE)
                except Exception as exc:
                    raise ValidationError(MSG_INTERRUPTED, code="interrupted") from exc
                if not chunk:
                    break
                if not isinstance(chunk, bytes | bytearray | memoryview):
                    raise ValidationError("上传内容不是二进制文件，文件未保存", code="invalid")
                size += len(chunk)
                if size > limit:
                    raise ValidationError(
                        f"文件超过大小上限（{human_size(limit)}）", code="too_large"
                    )
                hasher.update(chunk)
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise ValidationError(
                        "服务器暂存文件失败，文件未保存，请稍后重试", code="server"
                    ) from exc
        if size == 0:
            raise ValidationError(MSG_EMPTY, code="empty")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, hasher.hexdigest(), size


class _TempBlob(File):
    """The spooled temp file, offered to the storage: FileSystemStorage moves it into place
    (a rename on the same disk); other storages (S3) stream it."""

    def __init__(self, path: Path):
        super().__init__(open(path, "rb"), name=path.name)  # closed by the caller
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def _hash_stored(name: str) -> tuple[str, int]:
    hasher = hashlib.new("sm3")
    size = 0
    with default_storage.open(name, "rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            hasher.update(chunk)
            size += len(chunk)
    return hasher.hexdigest(), size


def _write_blob(name: str, temp: Path, digest: str) -> bool:
    """Make sure the storage holds the content at ``name``; True if this call wrote it."""
    if default_storage.exists(name):
        try:
            if _hash_stored(name)[0] == digest:
                return False  # left by an earlier attempt, or restored by an operator
        except FileNotFoundError:
            pass
        default_storage.delete(name)  # a damaged leftover: the fresh upload replaces it
    blob = _TempBlob(temp)
    try:
        saved = default_storage.save(name, blob)
    finally:
        blob.close()
    if saved != name:  # someone wrote it between exists() and save(): keep theirs
        default_storage.delete(saved)
        return False
    return True


def _file_row(digest: str, size: int, content_type: str) -> tuple[EvidenceFile, bool]:
    # get_or_create inserts in a savepoint; if a concurrent upload of the same content wins
    # the insert, it waits for that transaction and then returns its row.
    return EvidenceFile.objects.get_or_create(
        digest=digest,
        defaults={
            "size": size,
            "content_type": content_type,
            "storage_name": storage_name_for(digest),
        },
    )


def store_evidence(
    *,
    actor: User,
    organization: Organization,
    subject: str,
    upload: IO[bytes] | Any,
    filename: str,
    capture: dict | None = None,
    role: str,
) -> EvidenceRecord:
    """Record an uploaded file as evidence for ``subject``.

    Raises PermissionDenied unless the actor acts on the organisation under ``role``, and
    ValidationError (Chinese message) for an empty, oversized, refused or interrupted upload;
    then nothing is stored and nothing recorded."""
    from zhifa.ledger import services as ledger

    check_can_record(actor, organization, role)
    subject = clean_subject(subject)
    filename = sanitize_filename(filename)
    capture = clean_capture(capture)

    temp, digest, size = _spool(upload, max_bytes())
    wrote = False
    name = storage_name_for(digest)
    try:
        content_type = filetypes.detect(temp)
        with transaction.atomic():
            file, created = _file_row(digest, size, content_type)
            entry = ledger.record(
                actor=actor,
                role=role,
                organization=organization,
                subject=subject,
                event_type=EVENT_RECORDED,
                payload={
                    "digest": digest,
                    "digest_algorithm": "SM3",
                    "size": size,
                    "content_type": file.content_type,
                    "filename": filename,
                    "capture": capture,
                    "uploader": actor.username,
                    "uploader_name": actor.display_name,
                    "first_upload": created,
                },
            )
            record = EvidenceRecord.objects.create(
                file=file,
                subject=subject,
                organization=organization,
                uploader=actor,
                role=role,
                original_filename=filename,
                capture=capture,
                ledger_seq=entry.seq,
            )
            # Last, under the row's lock: a concurrent upload of the same content waits for
            # this transaction, so it never sees a row whose blob might still be taken back.
            if created or not default_storage.exists(file.storage_name):
                name = file.storage_name
                wrote = True  # from here a failure may leave a partial blob: remove it
                wrote = _write_blob(name, temp, digest)
    except BaseException:
        if wrote:
            _delete_quietly(name)
        raise
    finally:
        temp.unlink(missing_ok=True)
    return record


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:  # noqa: S110 - best effort; the original error is what matters
        pass


# --- reading and verifying ------------------------------------------------------------------


def _check_digest(digest: str) -> str:
    digest = (digest or "").strip().lower()
    if not _DIGEST.fullmatch(digest):
        raise ValueError(f"not an SM3 hex digest: {digest!r}")
    return digest


def _name_for(digest: str) -> str:
    row = EvidenceFile.objects.filter(digest=digest).values_list("storage_name", flat=True)
    return row.first() or storage_name_for(digest)


def open_evidence(digest: str) -> IO[bytes]:
    """The stored content, read fully and checked against its digest before it is returned.

    Returns a file positioned at 0 (in memory up to 8 MiB, then in DATA_DIR/tmp); the caller
    closes it. Raises EvidenceMissing / EvidenceCorrupted naming the digest."""
    digest = _check_digest(digest)
    name = _name_for(digest)
    if not default_storage.exists(name):
        raise EvidenceMissing(digest)
    spooled = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY, dir=tmp_dir())
    hasher = hashlib.new("sm3")
    try:
        try:
            source = default_storage.open(name, "rb")
        except FileNotFoundError:
            raise EvidenceMissing(digest) from None
        with source:
            while chunk := source.read(CHUNK_SIZE):
                hasher.update(chunk)
                spooled.write(chunk)
        if hasher.hexdigest() != digest:
            raise EvidenceCorrupted(digest)
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    return spooled


def check_file(file: EvidenceFile) -> str | None:
    """One problem line for a stored file, or None when it is intact."""
    try:
        if not default_storage.exists(file.storage_name):
            return f"{file.digest}: {EvidenceMissing.reason}"
        digest, size = _hash_stored(file.storage_name)
    except FileNotFoundError:
        return f"{file.digest}: {EvidenceMissing.reason}"
    except OSError as exc:
        return f"{file.digest}: 无法读取 / unreadable ({exc.strerror or exc})"
    if digest != file.digest or size != file.size:
        return f"{file.digest}: {EvidenceCorrupted.reason}"
    return None


def verify_all_evidence() -> Iterator[str]:
    """Re-hash every stored evidence file (streamed); yield one line per missing or changed
    file. ``zhifa ledger verify --evidence`` runs it."""
    files = EvidenceFile.objects.order_by("pk").only("digest", "size", "storage_name")
    for file in files.iterator(chunk_size=500):
        problem = check_file(file)
        if problem is not None:
            yield problem
