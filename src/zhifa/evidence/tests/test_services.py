"""store_evidence / open_evidence / verify_all_evidence against a real (temporary) storage."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhifa.core.models import Role
from zhifa.evidence import services
from zhifa.evidence.models import EvidenceFile, EvidenceRecord, storage_name_for
from zhifa.ledger.models import LedgerEntry

from .samples import docx_bytes, png_bytes, zip_bytes

pytestmark = pytest.mark.django_db

CAPTURE = {
    "time": "2026-03-02T10:15:00+08:00",
    "place": "大兴乡芒洪村",
    "gps": {"lat": "23.5512", "lon": "99.3981"},
    "device": "执法记录仪 DSJ-01",
    "officer": "李明",
}


def sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def store(world, data, *, user="officer", org="daxing_team", filename="现场照片.png", **kw):
    kw.setdefault("role", Role.OFFICER)
    upload = data if hasattr(data, "read") else io.BytesIO(data)
    return services.store_evidence(
        actor=world.users[user],
        organization=world.orgs[org],
        subject=kw.pop("subject", "case:123"),
        upload=upload,
        filename=filename,
        **kw,
    )


def blobs(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def leftovers(tmp):
    return sorted(tmp.iterdir()) if tmp.exists() else []


def assert_nothing_stored(evidence_dirs, ledger_before):
    tmp, files = evidence_dirs
    assert leftovers(tmp) == []
    assert blobs(files) == []
    assert EvidenceFile.objects.count() == 0
    assert EvidenceRecord.objects.count() == 0
    assert LedgerEntry.objects.count() == ledger_before


def test_store_png_blob_record_and_ledger(world, evidence_dirs):
    tmp, files = evidence_dirs
    data = png_bytes()
    record = store(world, data, capture=CAPTURE)

    digest = sm3(data)
    blob = files / "evidence" / "sm3" / digest[:2] / digest[2:4] / digest
    assert blob.read_bytes() == data
    assert record.file.digest == digest
    assert record.file.size == len(data)
    assert record.file.content_type == "image/png"
    assert record.file.storage_name == storage_name_for(digest)
    assert record.subject == "case:123"
    assert record.organization == world.orgs["daxing_team"]
    assert record.uploader == world.users["officer"]
    assert record.original_filename == "现场照片.png"
    assert record.capture == CAPTURE
    assert leftovers(tmp) == []

    entry = LedgerEntry.objects.get(seq=record.ledger_seq)
    assert entry.event_type == "evidence.recorded"
    assert entry.subject == "case:123"
    assert entry.role == Role.OFFICER
    assert entry.organization_id == world.orgs["daxing_team"].pk
    payload = json.loads(entry.payload)
    assert payload["digest"] == digest
    assert payload["size"] == len(data)
    assert payload["content_type"] == "image/png"
    assert payload["filename"] == "现场照片.png"
    assert payload["capture"] == CAPTURE
    assert payload["uploader"] == "officer"


def test_uploaded_file_object_is_accepted(world, evidence_dirs):
    data = png_bytes()
    upload = SimpleUploadedFile("IMG_0001.PNG", data, content_type="application/octet-stream")
    upload.read(10)  # a form or a caller may have peeked: the whole file is still stored
    record = store(world, upload, filename=upload.name)
    assert record.file.digest == sm3(data)
    assert record.file.size == len(data)


def test_same_content_twice_one_blob_two_records(world, evidence_dirs):
    _, files = evidence_dirs
    data = png_bytes()
    first = store(world, data, filename="a.png")
    second = store(world, data, user="officer2", filename="b.png", subject="case:124")

    assert len(blobs(files)) == 1
    assert EvidenceFile.objects.count() == 1
    assert first.file_id == second.file_id
    assert EvidenceRecord.objects.count() == 2
    assert first.ledger_seq != second.ledger_seq
    payloads = [
        json.loads(e.payload)
        for e in LedgerEntry.objects.filter(event_type="evidence.recorded").order_by("seq")
    ]
    assert [p["first_upload"] for p in payloads] == [True, False]
    assert {p["digest"] for p in payloads} == {sm3(data)}


def test_over_the_limit_refused_and_nothing_left(world, evidence_dirs, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024  # 1 MB
    before = LedgerEntry.objects.count()
    reads = []

    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def read(self, n=-1):
            reads.append(n)
            return b"\x89PNG\r\n\x1a\n" + b"\x00" * (n - 8)

    with pytest.raises(ValidationError) as exc:
        store(world, Endless())
    assert exc.value.messages == ["文件超过大小上限（1 MB）"]
    assert len(reads) <= 2  # aborted as soon as the limit was passed
    assert_nothing_stored(evidence_dirs, before)


def test_exactly_at_the_limit_is_accepted(world, evidence_dirs, settings):
    data = png_bytes()
    settings.EVIDENCE_MAX_BYTES = len(data)
    assert store(world, data).file.size == len(data)


def test_default_limit_message_is_2_gb(settings):
    assert services.human_size(services.DEFAULT_MAX_BYTES) == "2 GB"
    del settings.EVIDENCE_MAX_BYTES  # absent setting: the 2 GB default applies
    assert services.max_bytes() == 2 * 1024**3


def test_empty_refused_and_nothing_left(world, evidence_dirs):
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        store(world, b"")
    assert exc.value.messages == ["文件为空"]
    assert_nothing_stored(evidence_dirs, before)


@pytest.mark.parametrize(
    "data",
    [b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120, b"MZ\x90\x00" + b"\x00" * 120],
    ids=["elf", "pe"],
)
def test_executable_refused(world, evidence_dirs, data):
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        store(world, data, filename="photo.png")
    assert exc.value.messages == ["不支持的文件类型：可执行文件"]
    assert_nothing_stored(evidence_dirs, before)


def test_zip_with_path_traversal_refused(world, evidence_dirs):
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        store(world, zip_bytes({"../evil": b"x", "word/document.xml": b"<w/>"}), filename="a.docx")
    assert exc.value.messages == ["压缩包中含有非法路径"]
    assert_nothing_stored(evidence_dirs, before)


def test_generic_zip_refused(world, evidence_dirs):
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        store(world, zip_bytes({"notes.txt": b"hello"}), filename="notes.docx")
    assert exc.value.messages == ["不支持的文件类型：压缩包"]
    assert_nothing_stored(evidence_dirs, before)


def test_docx_accepted(world, evidence_dirs):
    record = store(world, docx_bytes(), filename="询问笔录.docx")
    assert record.file.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


def test_interrupted_upload_clear_error_nothing_left(world, evidence_dirs):
    before = LedgerEntry.objects.count()

    class Dropped(io.RawIOBase):
        calls = 0

        def readable(self):
            return True

        def read(self, n=-1):
            self.calls += 1
            if self.calls > 1:
                raise OSError("connection reset by peer")
            return png_bytes() + b"\x00" * 1000

    with pytest.raises(ValidationError) as exc:
        store(world, Dropped())
    assert exc.value.messages == ["上传中断，文件未保存"]
    assert_nothing_stored(evidence_dirs, before)


def test_failure_after_blob_written_removes_it(world, evidence_dirs, monkeypatch):
    before = LedgerEntry.objects.count()
    real = services._write_blob

    def write_then_fail(*args):
        real(*args)
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_write_blob", write_then_fail)
    with pytest.raises(RuntimeError):
        store(world, png_bytes())
    assert_nothing_stored(evidence_dirs, before)


def test_orphan_blob_reused_or_replaced(world, evidence_dirs):
    _, files = evidence_dirs
    data = png_bytes()
    blob = files / storage_name_for(sm3(data))
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"damaged leftover")  # e.g. an outer transaction rolled back long ago
    store(world, data)
    assert blob.read_bytes() == data
    assert len(blobs(files)) == 1


def test_missing_blob_healed_by_reupload(world, evidence_dirs):
    _, files = evidence_dirs
    data = png_bytes()
    record = store(world, data)
    (files / record.file.storage_name).unlink()
    store(world, data)
    assert (files / record.file.storage_name).read_bytes() == data


def test_user_not_acting_on_org_is_refused(world, evidence_dirs):
    before = LedgerEntry.objects.count()
    with pytest.raises(PermissionDenied):
        store(world, png_bytes(), user="marketofficer")  # county market officer, daxing team
    with pytest.raises(PermissionDenied):
        store(world, png_bytes(), user="supervisor", role=Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        store(world, png_bytes(), user="sysadmin", org="county_gov", role=Role.SYSTEM_ADMIN)
    with pytest.raises(PermissionDenied):  # acts on the team, but not as the role it claims
        store(world, png_bytes(), role=Role.BODY_HEAD)
    assert_nothing_stored(evidence_dirs, before)


def test_filename_sanitised_and_subject_checked(world, evidence_dirs):
    record = store(world, png_bytes(), filename="..\\..\\C:/tmp/\u202egnp.exe\x00.png")
    assert record.original_filename == "gnp.exe.png"
    assert services.sanitize_filename("..") == "未命名文件"
    assert services.sanitize_filename("a" * 300 + ".jpeg").endswith(".jpeg")
    assert len(services.sanitize_filename("a" * 300 + ".jpeg")) == 200
    with pytest.raises(ValidationError):
        store(world, png_bytes(), subject="case 123; drop")


def test_capture_must_be_json(world, evidence_dirs):
    with pytest.raises(ValidationError, match="采集信息"):
        store(world, png_bytes(), capture={"gps": float("nan")})
    with pytest.raises(ValidationError, match="采集信息"):
        store(world, png_bytes(), capture={"when": object()})


def test_open_evidence_returns_verified_content(world, evidence_dirs):
    data = png_bytes()
    record = store(world, data)
    with services.open_evidence(record.file.digest) as fh:
        assert fh.read() == data


def test_changed_blob_detected_on_open_and_by_verify_all(world, evidence_dirs):
    _, files = evidence_dirs
    good = store(world, png_bytes(red=1))
    bad = store(world, png_bytes(red=2))
    gone = store(world, png_bytes(red=3))
    (files / bad.file.storage_name).write_bytes(png_bytes(red=9))  # tampered on disk
    (files / gone.file.storage_name).unlink()

    with pytest.raises(services.EvidenceCorrupted) as exc:
        services.open_evidence(bad.file.digest)
    assert bad.file.digest in str(exc.value)
    with pytest.raises(services.EvidenceMissing):
        services.open_evidence(gone.file.digest)
    with services.open_evidence(good.file.digest) as fh:
        assert fh.read() == png_bytes(red=1)

    problems = list(services.verify_all_evidence())
    assert problems == [
        f"{bad.file.digest}: 文件内容与摘要不符 / content does not match its digest",
        f"{gone.file.digest}: 文件缺失 / missing",
    ]
    assert leftovers(evidence_dirs[0]) == []


def test_verify_all_clean_store_yields_nothing(world, evidence_dirs):
    store(world, png_bytes())
    store(world, docx_bytes(), filename="b.docx")
    assert list(services.verify_all_evidence()) == []
