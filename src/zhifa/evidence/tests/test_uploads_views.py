"""The resumable upload endpoints (JSON for capture.js): scoped access and refusals."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from zhifa.evidence.models import EvidenceRecord, UploadSession

from .test_uploads import CHUNK, content

pytestmark = pytest.mark.django_db


def start(client, world, data: bytes, org="daxing_team", **extra):
    return client.post(
        reverse("evidence:upload_start"),
        {
            "organization": world.orgs[org].pk,
            "subject": "case:7",
            "filename": "VID_1.png",
            "size": len(data),
            "chunk_size": CHUNK,
            **extra,
        },
    )


def put(client, session: dict, offset: int, data: bytes):
    return client.put(
        f"{session['chunk_url']}?offset={offset}", data, content_type="application/octet-stream"
    )


def test_upload_through_the_endpoints(world, client_for, evidence_dirs):
    client = client_for("officer")
    data = content()
    response = start(client, world, data)
    assert response.status_code == 201
    session = response.json()
    assert session["received"] == 0 and session["chunk_size"] == CHUNK
    for offset in range(0, len(data), CHUNK):
        answer = put(client, session, offset, data[offset : offset + CHUNK])
        assert answer.status_code == 200
    # After a reconnect the phone asks where to resume.
    status = client.get(session["status_url"]).json()
    assert status["received"] == len(data) and status["complete"]
    done = client.post(session["finish_url"])
    assert done.status_code == 200
    again = client.post(session["finish_url"])
    assert again.json()["evidence_id"] == done.json()["evidence_id"]
    assert EvidenceRecord.objects.count() == 1


def test_forged_offset_gets_409_with_where_to_resume(world, client_for, evidence_dirs):
    client = client_for("officer")
    data = content()
    session = start(client, world, data).json()
    assert put(client, session, 0, data[:CHUNK]).status_code == 200
    gap = put(client, session, 2 * CHUNK, data[2 * CHUNK :])
    assert gap.status_code == 409
    assert gap.json()["received"] == CHUNK and "分片不连续" in gap.json()["error"]
    forged = put(client, session, 0, b"\x01" * CHUNK)
    assert forged.status_code == 409 and forged.json()["code"] == "conflict"
    too_long = put(client, session, CHUNK, data[CHUNK : 2 * CHUNK] + b"x")
    assert too_long.status_code == 409 and too_long.json()["code"] == "length"
    assert UploadSession.objects.get().received == CHUNK


def test_oversized_total_refused_at_start(world, client_for, evidence_dirs, settings):
    settings.EVIDENCE_MAX_BYTES = 4 * CHUNK
    response = start(client_for("officer"), world, b"", size=4 * CHUNK + 1)
    assert response.status_code == 400 and "大小上限" in response.json()["error"]
    assert not UploadSession.objects.exists()


def test_scoped_access(world, client_for, evidence_dirs):
    data = content()
    session = start(client_for("officer"), world, data).json()
    endpoints = [
        ("get", session["status_url"]),
        ("put", f"{session['chunk_url']}?offset=0"),
        ("post", session["finish_url"]),
    ]
    # Anonymous: to the login page, for the start too.
    assert Client().post(reverse("evidence:upload_start")).status_code == 302
    for method, url in endpoints:
        assert getattr(Client(), method)(url).status_code == 302
    # Another user, even of the same unit, does not see the session.
    for user in ("officer2", "unithead", "marketofficer"):
        for method, url in endpoints:
            assert getattr(client_for(user), method)(url).status_code == 404, (user, url)
    missing = reverse("evidence:upload_status", args=[uuid.uuid4()])
    assert client_for("officer").get(missing).status_code == 404
    # Wrong role or other organisation: refused at the start.
    assert start(client_for("supervisor"), world, data, org="daxing").status_code == 403
    assert start(client_for("marketofficer"), world, data).status_code == 403
    assert start(client_for("sysadmin"), world, data).status_code == 403
    assert UploadSession.objects.count() == 1
    assert UploadSession.objects.get().received == 0
