"""Upload, list and verified download through the web pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhifa.core.models import Role
from zhifa.evidence import services
from zhifa.evidence.models import EvidenceRecord
from zhifa.ledger.models import LedgerEntry

from .samples import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = "zhifa.evidence.tests.urls"


def stored(world, data=None, org="daxing_team"):
    import io

    return services.store_evidence(
        actor=world.users["officer"],
        organization=world.orgs[org],
        subject="case:7",
        upload=io.BytesIO(data or png_bytes()),
        filename="现场照片.png",
        role=Role.OFFICER,
    )


def test_upload_page_is_phone_ready(client_for, evidence_dirs):
    response = client_for("officer").get("/evidence/upload/?subject=case:7")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'accept="image/*,video/*,audio/*"' in html
    assert " capture" in html
    assert 'enctype="multipart/form-data"' in html


def test_officer_uploads_and_sees_it_listed(world, client_for, evidence_dirs):
    client = client_for("officer")
    response = client.post(
        "/evidence/upload/?subject=case:7",
        {
            "subject": "case:7",
            "organization": world.orgs["daxing_team"].pk,
            "capture_file": SimpleUploadedFile("IMG_1.png", png_bytes()),
            "captured_at": "2026-03-02T10:15",
            "place": "芒洪村",
            "latitude": "23.5512",
            "longitude": "99.3981",
        },
    )
    assert response.status_code == 302
    record = EvidenceRecord.objects.get()
    assert record.original_filename == "IMG_1.png"
    assert record.role == Role.OFFICER
    assert record.capture["place"] == "芒洪村"
    assert record.capture["gps"] == {"lat": "23.5512", "lon": "99.3981"}
    assert record.capture["officer"] == "李明"
    assert record.capture["time"].startswith("2026-03-02T10:15:00")
    listing = client.get(response["Location"])
    assert "IMG_1.png" in listing.content.decode()


def test_refused_upload_shows_chinese_error(world, client_for, evidence_dirs):
    response = client_for("officer").post(
        "/evidence/upload/",
        {
            "subject": "case:7",
            "organization": world.orgs["daxing_team"].pk,
            "document": SimpleUploadedFile("photo.png", b"\x7fELF" + b"\x00" * 100),
        },
    )
    assert response.status_code == 400
    assert "不支持的文件类型：可执行文件" in response.content.decode()
    assert EvidenceRecord.objects.count() == 0
    assert not LedgerEntry.objects.filter(event_type="evidence.recorded").exists()


def test_oversized_upload_stopped_while_receiving(
    world, client_for, evidence_dirs, settings, monkeypatch
):
    settings.EVIDENCE_MAX_BYTES = 1024

    def never(**kwargs):
        raise AssertionError("the upload handler should have stopped the file already")

    monkeypatch.setattr(services, "store_evidence", never)
    response = client_for("officer").post(
        "/evidence/upload/",
        {
            "subject": "case:7",
            "organization": world.orgs["daxing_team"].pk,
            "document": SimpleUploadedFile("big.png", png_bytes() + b"\x00" * 4096),
        },
    )
    assert response.status_code == 400
    assert "文件超过大小上限（1 KB）" in response.content.decode()
    assert EvidenceRecord.objects.count() == 0


def test_admin_cannot_open_upload_page(client_for, evidence_dirs):
    assert client_for("sysadmin").get("/evidence/upload/?subject=case:7").status_code == 403


def test_cannot_upload_for_another_body(world, client_for, evidence_dirs):
    response = client_for("marketofficer").post(
        "/evidence/upload/",
        {
            "subject": "case:7",
            "organization": world.orgs["daxing_team"].pk,  # not among their choices
            "document": SimpleUploadedFile("a.png", png_bytes()),
        },
    )
    assert response.status_code == 400
    assert EvidenceRecord.objects.count() == 0


def test_download_verified_for_same_body(world, client_for, evidence_dirs):
    record = stored(world)
    response = client_for("officer2").get(f"/evidence/{record.pk}/download")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["X-Evidence-SM3"] == record.file.digest
    assert "attachment" in response["Content-Disposition"]
    # the justice office supervises the township: it may read too
    assert client_for("supervisor").get(f"/evidence/{record.pk}/download").status_code == 200


def test_download_404_for_other_body_and_missing(world, client_for, evidence_dirs):
    record = stored(world)
    client = client_for("marketofficer")
    assert client.get(f"/evidence/{record.pk}/download").status_code == 404
    assert client.get(f"/evidence/{record.pk + 999}/download").status_code == 404
    assert client_for("sysadmin").get(f"/evidence/{record.pk}/download").status_code == 404
    listing = client.get("/evidence/?subject=case:7")
    assert "现场照片.png" not in listing.content.decode()


def test_corrupted_download_gives_chinese_409(world, client_for, evidence_dirs):
    _, files = evidence_dirs
    record = stored(world)
    (files / record.file.storage_name).write_bytes(png_bytes(red=7))
    response = client_for("officer").get(f"/evidence/{record.pk}/download")
    assert response.status_code == 409
    html = response.content.decode()
    assert "SM3 摘要不符" in html
    assert record.file.digest in html
