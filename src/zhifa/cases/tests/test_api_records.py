"""执法全过程记录 API (``zhifa.api.routers.case_records``): signatures and refusals, corrections,
service of documents and e-service consent, payments, resumable uploads. Each endpoint is
scoped (anonymous 401, another body's user 404, a supervisor, an administrator and any token
403 on writes, a read token reads), goes through its service (a refusal is a 400 with the
Chinese reason and changes nothing), and the upload path resumes, ignores a repeated chunk,
refuses a forged offset and stores the file under its SM3 digest."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.test import Client
from django.utils import timezone

from zhifa.cases import delivery, records
from zhifa.cases.models import Record, Service, Signature
from zhifa.core.calendar import seed_calendar_from_package
from zhifa.evidence.models import EvidenceFile, EvidenceRecord, UploadSession
from zhifa.evidence.uploads import MIN_CHUNK
from zhifa.exchange import services as exchange_services
from zhifa.ledger.models import LedgerEntry

from . import records_support as support

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
CHUNK = MIN_CHUNK  # 64 KB, the smallest chunk a session takes


@pytest.fixture
def s(cw, make_case, settings, tmp_path):
    return support.build(cw, make_case, settings, tmp_path)


@pytest.fixture
def token(world):
    def make(org_key: str, scopes: str = "read") -> Client:
        _, raw = exchange_services.issue_token(
            None, f"{org_key}-{scopes}", world.orgs[org_key], scopes
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


def interview(s) -> Record:
    return records.add_transcript(
        s.world.users["officer"],
        s.case,
        kind="interview",
        title="询问笔录",
        content={
            "interviewee": {"name": "岩应", "id_number": support.PARTY_ID},
            "qa": [{"q": "你是否在芒洪村3组建房？", "a": "是的。"}],
            "certificates_shown": True,
            "rights_notified": True,
        },
        place="大兴乡综合行政执法队询问室",
        officer_ids=s.two,
    )


def video(s) -> Record:
    return records.attach_media(
        s.world.users["officer"],
        s.case,
        kind="video",
        upload=support.upload(support.mp4_bytes(), "VID_1.mp4"),
        filename="VID_1.mp4",
        officer_ids=s.two,
    )


def png(name: str = "sign.png", red: int = 255) -> io.BytesIO:
    return support.upload(support.png_bytes(red), name)


def post_json(client: Client, url: str, body: dict):
    return client.post(url, body, content_type="application/json")


def today() -> str:
    return timezone.localdate().isoformat()


def counts() -> tuple[int, ...]:
    return (
        LedgerEntry.objects.count(),
        Record.objects.count(),
        Signature.objects.count(),
        Service.objects.count(),
        EvidenceRecord.objects.count(),
        UploadSession.objects.count(),
    )


# ---------------------------------------------------------------- OpenAPI


def test_openapi_lists_the_record_paths(db):
    spec = Client().get(f"{BASE}/openapi.json").json()
    paths = set(spec["paths"])
    # Each operation has its own id (client generators need them unique).
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    chunk = spec["paths"][f"{BASE}/uploads/{{upload_id}}/chunks"]
    assert set(chunk) == {"put", "post"}
    assert "application/octet-stream" in chunk["put"]["requestBody"]["content"]
    for path in [
        "/records/{record_id}",
        "/records/{record_id}/signatures",
        "/records/{record_id}/refusals",
        "/records/{record_id}/corrections",
        "/cases/{case_id}/services",
        "/cases/{case_id}/parties/{party_id}/e-service-consent",
        "/cases/{case_id}/payments",
        "/cases/{case_id}/uploads",
        "/uploads/{upload_id}",
        "/uploads/{upload_id}/chunks",
        "/cases/{case_id}/uploads/{upload_id}/finish",
    ]:
        assert BASE + path in paths, path


# ---------------------------------------------------------------- scoped access


def write_calls(s, record: Record, session_id: str) -> list[tuple[str, str, object]]:
    """(kind, url, body) of every write: valid requests, so only the caller decides."""
    c = f"{BASE}/cases/{s.case.pk}"
    r = f"{BASE}/records/{record.pk}"
    return [
        ("multipart", f"{r}/signatures", lambda: {"image": png(), **SIGNER}),
        ("json", f"{r}/refusals", {"signer_name": "岩应", "witness": "岩三"}),
        ("json", f"{r}/corrections", {"reason": "笔误", "title": "询问笔录（更正）"}),
        ("multipart", f"{c}/services", lambda: direct_service(s)),
        (
            "multipart",
            f"{c}/parties/{s.party.pk}/e-service-consent",
            lambda: {"address": "yanying@example.com", "document": png("c.png")},
        ),
        ("multipart", f"{c}/payments", lambda: {"amount": "1", "paid_on": today()}),
        ("json", f"{c}/uploads", {"filename": "a.png", "size": 100}),
        ("chunk", f"{BASE}/uploads/{session_id}/chunks?offset=0", None),
        ("json", f"{c}/uploads/{session_id}/finish", {"kind": "photo", "officer_ids": s.two}),
    ]


def read_calls(s, record: Record) -> list[str]:
    c = f"{BASE}/cases/{s.case.pk}"
    return [f"{BASE}/records/{record.pk}", f"{c}/services", f"{c}/payments"]


SIGNER = {"signer_role": "interviewee", "signer_name": "岩应"}


def direct_service(s) -> dict:
    return {
        "party_id": s.party.pk,
        "document": "notice",
        "mode": "direct",
        "delivered_on": today(),
        "recipient": "岩应",
    }


def call(client: Client, kind: str, url: str, body):
    if kind == "json":
        return post_json(client, url, body)
    if kind == "chunk":
        return client.put(url, b"x" * 100, content_type="application/octet-stream")
    return client.post(url, body())


@pytest.fixture
def scoped(s, client_for):
    """A transcript to sign or correct and an open upload session of 李明's."""
    record = interview(s)
    url = f"{BASE}/cases/{s.case.pk}/uploads"
    session = post_json(client_for("officer"), url, {"filename": "b.png", "size": 100}).json()
    return record, session["id"]


def test_anonymous_gets_401(s, scoped):
    record, session_id = scoped
    before = counts()
    for kind, url, body in write_calls(s, record, session_id):
        assert call(Client(), kind, url, body).status_code == 401, url
    for url in [*read_calls(s, record), f"{BASE}/uploads/{session_id}"]:
        assert Client().get(url).status_code == 401, url
    assert counts() == before


def test_another_bodys_officer_gets_404(s, scoped, client_for):
    record, session_id = scoped
    other = client_for("marketofficer")  # an officer of 县市场监督管理局
    before = counts()
    for kind, url, body in write_calls(s, record, session_id):
        response = call(other, kind, url, body)
        assert response.status_code == 404, (url, response.content.decode())
        assert response.json()["detail"].startswith("未找到")
    for url in [*read_calls(s, record), f"{BASE}/uploads/{session_id}"]:
        assert other.get(url).status_code == 404, url
    # A missing record and another body's one: the same answer.
    missing = other.get(f"{BASE}/records/999999").json()
    assert other.get(f"{BASE}/records/{record.pk}").json() == missing
    assert counts() == before


@pytest.mark.parametrize("username", ["supervisor", "reviewer", "sysadmin"])
def test_supervisor_reviewer_and_admin_cannot_write(s, scoped, client_for, username):
    record, session_id = scoped
    client = client_for(username)
    before = counts()
    for kind, url, body in write_calls(s, record, session_id):
        response = call(client, kind, url, body)
        assert response.status_code == 403, (url, response.content.decode())
        assert response.json()["detail"]
    assert counts() == before


def test_supervisor_reads(s, scoped, client_for):
    record, _ = scoped
    client = client_for("supervisor")  # 大兴乡司法所 supervises 大兴乡
    for url in read_calls(s, record):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("scopes", ["read", "read,cases.write"])
def test_tokens_read_but_never_write_the_record(s, scoped, token, scopes):
    record, session_id = scoped
    client = token("daxing", scopes)
    for url in read_calls(s, record):
        assert client.get(url).status_code == 200, url
    before = counts()
    for kind, url, body in write_calls(s, record, session_id):
        response = call(client, kind, url, body)
        assert response.status_code == 403, url
        assert "接口令牌" in response.json()["detail"]
    assert client.get(f"{BASE}/uploads/{session_id}").status_code == 403
    assert counts() == before


def test_token_without_read_scope_and_of_another_body(s, scoped, token):
    record, _ = scoped
    for url in read_calls(s, record):
        assert token("daxing", "registry.write").get(url).status_code == 403, url
        assert token("county_market").get(url).status_code == 404, url


# ---------------------------------------------------------------- signatures


def test_signature_on_screen(s, client_for):
    record = interview(s)
    client = client_for("officer")
    response = client.post(
        f"{BASE}/records/{record.pk}/signatures", {"image": png("手写签名.png"), **SIGNER}
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["signer_name"] == "岩应" and not data["refused"]
    assert data["image_digest"] == hashlib.new("sm3", support.png_bytes()).hexdigest()
    entry = LedgerEntry.objects.get(seq=data["ledger_seq"])
    assert entry.event_type == "cases.record_signed" and entry.subject == s.case.subject
    shown = client.get(f"{BASE}/records/{record.pk}").json()
    assert [x["id"] for x in shown["signatures"]] == [data["id"]]
    assert shown["superseded_by_id"] is None


def test_signature_must_be_an_image_and_by_the_right_person(s, client_for):
    record = interview(s)
    client = client_for("officer")
    url = f"{BASE}/records/{record.pk}/signatures"
    before = counts()
    mp4 = support.upload(support.mp4_bytes(), "sign.png")
    response = client.post(url, {"image": mp4, **SIGNER})
    assert response.status_code == 400 and "签名须为图片" in response.json()["detail"]
    response = client.post(url, {"image": png(), "signer_role": "party", "signer_name": "张三"})
    assert response.status_code == 400 and "不是本案当事人" in response.json()["detail"]
    response = client.post(url, {"signer_role": "party", "signer_name": "岩应"})  # no image
    assert response.status_code == 400
    assert counts() == before


def test_refusal_with_a_witness_or_a_video(s, client_for):
    record = interview(s)
    client = client_for("officer")
    url = f"{BASE}/records/{record.pk}/refusals"
    before = counts()
    response = post_json(client, url, {"signer_name": "岩应", "signer_role": "interviewee"})
    assert response.status_code == 400
    assert "须有见证人在场证明或者录音录像记录" in response.json()["detail"]
    assert counts() == before
    clip = video(s)
    response = post_json(
        client,
        url,
        {"signer_name": "岩应", "signer_role": "interviewee", "evidence_record_id": clip.pk},
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["refused"] and data["refusal_evidence_id"] == clip.evidence_id
    assert LedgerEntry.objects.get(seq=data["ledger_seq"]).event_type == "cases.signature_refused"
    response = post_json(client, url, {"signer_name": "岩应", "witness": "岩三"})
    assert response.status_code == 201 and response.json()["refusal_witness"] == "岩三"


def test_refusal_proof_of_another_case_is_not_found(s, client_for, make_case):
    record = interview(s)
    other = make_case("penalty_ordinary", "investigating")
    foreign = records.attach_media(
        s.world.users["officer"],
        other,
        kind="video",
        upload=support.upload(support.mp4_bytes(), "VID_2.mp4"),
        filename="VID_2.mp4",
        officer_ids=s.two,
    )
    response = post_json(
        client_for("officer"),
        f"{BASE}/records/{record.pk}/refusals",
        {"signer_name": "岩应", "evidence_record_id": foreign.pk},
    )
    assert response.status_code == 404
    assert not Signature.objects.exists()


# ---------------------------------------------------------------- corrections


def test_correction_supersedes_and_keeps_the_old_record(s, client_for):
    original = interview(s)
    client = client_for("officer")
    content = {**original.content, "qa": [{"q": "你是否在芒洪村3组建房？", "a": "是，2月开工。"}]}
    response = post_json(
        client,
        f"{BASE}/records/{original.pk}/corrections",
        {"reason": "被询问人核对后更正开工时间", "content": content},
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["supersedes_id"] == original.pk and data["id"] != original.pk
    assert data["content"]["qa"][0]["a"] == "是，2月开工。"
    original.refresh_from_db()
    assert original.content["qa"][0]["a"] == "是的。"  # history is never edited
    entry = LedgerEntry.objects.get(seq=data["ledger_seq"])
    assert entry.event_type == "cases.record_corrected"
    assert client.get(f"{BASE}/records/{original.pk}").json()["superseded_by_id"] == data["id"]


def test_correction_needs_a_reason_and_the_latest_version(s, client_for):
    original = interview(s)
    client = client_for("officer")
    url = f"{BASE}/records/{original.pk}/corrections"
    before = counts()
    response = post_json(client, url, {"reason": "  ", "title": "新标题"})
    assert response.status_code == 400 and "更正原因" in response.json()["detail"]
    response = post_json(client, url, {"reason": "x", "officer_ids": [s.two[0]]})
    assert response.status_code == 400 and "不得少于两人" in response.json()["detail"]
    assert counts() == before
    assert post_json(client, url, {"reason": "笔误", "title": "询问笔录（一）"}).status_code == 201
    again = post_json(client, url, {"reason": "再改", "title": "询问笔录（二）"})
    assert again.status_code == 400 and "已被更正过" in again.json()["detail"]


# ---------------------------------------------------------------- service of documents


def test_service_by_each_mode(s, client_for):
    client = client_for("officer")
    url = f"{BASE}/cases/{s.case.pk}/services"
    day = timezone.localdate() - datetime.timedelta(days=1)
    base = {"party_id": s.party.pk, "document": "notice", "delivered_on": day.isoformat()}
    direct = client.post(url, {**base, "mode": "direct", "recipient": "岩应"})
    assert direct.status_code == 201, direct.json()
    assert direct.json()["served_on"] == day.isoformat()
    left = client.post(
        url,
        {**base, "mode": "left", "address": "芒洪村3组", "proof": png("留置.png")},
    )
    assert left.status_code == 201, left.json()
    assert left.json()["proof_digest"] == hashlib.new("sm3", support.png_bytes()).hexdigest()
    post = client.post(url, {**base, "mode": "post", "address": "芒洪村3组"})
    assert post.status_code == 201 and post.json()["mode_label"] == "邮寄送达"
    entrusted = client.post(url, {**base, "mode": "entrusted", "recipient": "岩应之妻"})
    assert entrusted.status_code == 201
    announced = client.post(url, {**base, "mode": "announcement", "note": "下落不明，公告送达"})
    assert announced.status_code == 201
    assert announced.json()["served_on"] == (day + datetime.timedelta(days=30)).isoformat()
    listed = client.get(url).json()
    assert [x["mode"] for x in listed] == ["direct", "left", "post", "entrusted", "announcement"]
    entry = LedgerEntry.objects.get(seq=direct.json()["ledger_seq"])
    assert entry.event_type == "cases.service_recorded"


def test_service_refusals_cite_the_law(s, client_for, make_case):
    client = client_for("officer")
    url = f"{BASE}/cases/{s.case.pk}/services"
    base = {"party_id": s.party.pk, "document": "notice", "delivered_on": today()}
    before = counts()
    for body, reason in [
        ({"mode": "direct"}, "第八十七条"),
        ({"mode": "left", "address": "芒洪村3组"}, "第八十九条"),
        ({"mode": "electronic"}, "第六十一条第二款"),
        ({"mode": "announcement"}, "第九十五条"),
        ({"mode": "post"}, "邮寄地址"),
        ({"mode": "direct", "recipient": "岩应", "delivered_on": "明天"}, "送达"),
    ]:
        response = client.post(url, {**base, **body})
        assert response.status_code == 400, body
        assert reason in response.json()["detail"], (body, response.json())
    assert counts() == before
    # A party of another case: not found.
    stranger = make_case("penalty_ordinary", "investigating").parties.first()
    body = {**base, "party_id": stranger.pk, "mode": "direct", "recipient": stranger.name}
    assert client.post(url, body).status_code == 404
    assert client.post(url, {**base, "party_id": 999999, "mode": "post"}).status_code == 404


def test_electronic_service_after_consent(s, client_for):
    client = client_for("officer")
    consent_url = f"{BASE}/cases/{s.case.pk}/parties/{s.party.pk}/e-service-consent"
    wrong = client.post(
        consent_url,
        {"address": "yanying@example.com", "document": support.upload(b"hello", "c.txt")},
    )
    assert wrong.status_code == 400 and "确认书" in wrong.json()["detail"]
    consent = client.post(consent_url, {"address": "yanying@example.com", "document": png("c.png")})
    assert consent.status_code == 201, consent.json()
    assert consent.json()["e_service_address"] == "yanying@example.com"
    body = {
        "party_id": s.party.pk,
        "document": "notice",
        "mode": "electronic",
        "delivered_on": today(),
    }
    served = client.post(f"{BASE}/cases/{s.case.pk}/services", body)
    assert served.status_code == 201, served.json()
    assert served.json()["address"] == "yanying@example.com"


# ---------------------------------------------------------------- payments


@pytest.fixture
def decided(cw, make_case, settings, tmp_path):
    seed_calendar_from_package(2026, 2026)
    return support.build(cw, make_case, settings, tmp_path, stage="decided", fine="1000")


def test_payment_before_service_is_refused(decided, client_for):
    client = client_for("officer")
    url = f"{BASE}/cases/{decided.case.pk}/payments"
    status = client.get(url).json()
    assert status["status"] == "not_served" and status["outstanding"] == "1000.00"
    before = counts()
    response = client.post(url, {"amount": "100", "paid_on": today()})
    assert response.status_code == 400 and "第六十七条" in response.json()["detail"]
    assert counts() == before


def test_payment_figures_and_a_payment(decided, client_for):
    s = decided
    served = timezone.localdate()  # the decision was made today
    delivery.record_service(
        s.world.users["officer"],
        s.case,
        party=s.party,
        document="decision",
        mode="direct",
        delivered_on=served,
        recipient="岩应",
    )
    client = client_for("officer")
    url = f"{BASE}/cases/{s.case.pk}/payments"
    status = client.get(url).json()
    assert status["status"] == "due" and status["served_on"] == served.isoformat()
    assert status["fine"] == "1000.00" and status["surcharge"] == "0.00"
    assert any("第七十二条" in b for b in status["basis"])
    before = counts()
    too_much = client.post(url, {"amount": "1000.01", "paid_on": today()})
    assert too_much.status_code == 400 and "超过" in too_much.json()["detail"]
    bad = client.post(url, {"amount": "一百", "paid_on": today()})
    assert bad.status_code == 400 and "缴款金额格式错误" in bad.json()["detail"]
    assert counts() == before
    paid = client.post(url, {"amount": "400", "paid_on": today(), "receipt": png("回单.png")})
    assert paid.status_code == 201, paid.json()
    data = paid.json()
    assert data["status"]["paid"] == "400.00" and data["status"]["outstanding"] == "600.00"
    assert data["record"]["digest"] == hashlib.new("sm3", support.png_bytes()).hexdigest()
    assert LedgerEntry.objects.get(seq=data["record"]["ledger_seq"]).event_type == (
        "cases.payment_recorded"
    )
    # Long after the due date the surcharge is capped at the fine (第七十二条).
    later = client.get(f"{url}?on={(served + datetime.timedelta(days=200)).isoformat()}").json()
    assert later["status"] == "overdue" and later["surcharge_capped"]
    assert later["surcharge"] == "1000.00" and later["outstanding"] == "1600.00"
    assert later["due_on"] == status["due_on"]


# ---------------------------------------------------------------- resumable uploads


def start(client: Client, s, data: bytes, name: str, chunk: int = CHUNK):
    return post_json(
        client,
        f"{BASE}/cases/{s.case.pk}/uploads",
        {"filename": name, "size": len(data), "chunk_size": chunk},
    )


def put(client: Client, session: dict, offset: int, body: bytes, sha: str | None = None):
    return client.put(
        f"{session['chunk_url']}?offset={offset}",
        body,
        content_type="application/octet-stream",
        headers={"X-Chunk-SHA256": sha} if sha else None,
    )


def finish(client: Client, s, session: dict, kind: str = "video"):
    return post_json(
        client,
        f"{BASE}/cases/{s.case.pk}/uploads/{session['id']}/finish",
        {"kind": kind, "officer_ids": s.two, "place": "芒洪村3组"},
    )


def test_upload_resumes_ignores_repeats_and_refuses_forged_offsets(s, client_for):
    client = client_for("officer")
    data = support.mp4_bytes(3 * CHUNK)  # 4 chunks, the last a short one
    assert len(data) > 3 * CHUNK
    started = start(client, s, data, "VID_9.mp4")
    assert started.status_code == 201, started.json()
    session = started.json()
    assert session["received"] == 0 and session["chunk_size"] == CHUNK
    first = put(client, session, 0, data[:CHUNK])
    assert first.status_code == 200 and first.json()["received"] == CHUNK
    # The answer was lost and the phone sends the same chunk again: nothing changes.
    again = put(client, session, 0, data[:CHUNK])
    assert again.status_code == 200 and again.json()["received"] == CHUNK
    # The same offset with other content: refused.
    changed = put(client, session, 0, b"\x00" * CHUNK)
    assert changed.status_code == 400 and changed.json()["code"] == "conflict"
    # A gap and an offset off the chunk grid: refused, with where to resume.
    gap = put(client, session, 2 * CHUNK, data[2 * CHUNK : 3 * CHUNK])
    assert gap.status_code == 400 and gap.json()["received"] == CHUNK
    assert "不连续" in gap.json()["detail"]
    forged = put(client, session, CHUNK + 1, data[CHUNK + 1 : 2 * CHUNK + 1])
    assert forged.status_code == 400 and forged.json()["received"] == CHUNK
    # A chunk that arrives damaged (its SHA-256 does not match) and one cut off in transit.
    damaged = put(client, session, CHUNK, data[CHUNK : 2 * CHUNK], hashlib.sha256().hexdigest())
    assert damaged.status_code == 400 and damaged.json()["code"] == "digest"
    torn = put(client, session, CHUNK, data[CHUNK : CHUNK + 1000])
    assert torn.status_code == 400 and torn.json()["code"] == "length"
    # Too long a body is refused, not buffered.
    long = put(client, session, CHUNK, data[CHUNK : 3 * CHUNK])
    assert long.status_code == 400 and long.json()["code"] == "length"
    # Finishing too early says how far the upload got.
    early = finish(client, s, session)
    assert early.status_code == 400 and early.json()["received"] == CHUNK
    assert not Record.objects.exists()
    # After the interruption the phone asks where to resume and goes on from there.
    status = client.get(session["status_url"]).json()
    assert status["received"] == CHUNK and not status["complete"]
    offset = status["received"]
    while offset < len(data):
        sha = hashlib.sha256(data[offset : offset + CHUNK]).hexdigest()
        ok = put(client, session, offset, data[offset : offset + CHUNK], sha)
        assert ok.status_code == 200, ok.json()
        offset = ok.json()["received"]
    assert client.get(session["status_url"]).json()["complete"]
    done = finish(client, s, session)
    assert done.status_code == 201, done.json()
    record = done.json()
    assert record["kind"] == "video" and record["place"] == "芒洪村3组"
    assert record["digest"] == hashlib.new("sm3", data).hexdigest()
    stored = EvidenceFile.objects.get(digest=record["digest"])
    assert stored.size == len(data)
    assert LedgerEntry.objects.filter(seq=record["ledger_seq"], subject=s.case.subject).exists()
    # The finish is sent again after a lost answer: the same record, nothing new.
    retry = finish(client, s, session)
    assert retry.status_code == 201 and retry.json()["id"] == record["id"]
    assert Record.objects.count() == 1 and EvidenceRecord.objects.count() == 1
    finished = put(client, session, 0, data[:CHUNK])
    assert finished.status_code == 400 and finished.json()["code"] == "finished"


def test_chunks_larger_than_the_request_body_limit(s, client_for, settings):
    """A chunk is read from the stream, never as ``request.body``: a chunk over
    DATA_UPLOAD_MAX_MEMORY_SIZE passes (up to the 8 MB chunk limit)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
    client = client_for("officer")
    chunk = 512 * 1024
    data = support.mp4_bytes(chunk + 4096)
    session = start(client, s, data, "VID_big.mp4", chunk=chunk).json()
    assert put(client, session, 0, data[:chunk]).status_code == 200
    # POST takes a chunk as PUT does (a raw body, never parsed as a form).
    last = client.post(
        f"{session['chunk_url']}?offset={chunk}",
        data[chunk:],
        content_type="application/octet-stream",
    )
    assert last.status_code == 200 and last.json()["complete"]
    done = finish(client, s, session)
    assert done.status_code == 201, done.json()
    assert done.json()["digest"] == hashlib.new("sm3", data).hexdigest()


def test_upload_refusals(s, client_for, settings):
    client = client_for("officer")
    before = counts()
    url = f"{BASE}/cases/{s.case.pk}/uploads"
    big = post_json(client, url, {"filename": "a.mp4", "size": 10**12})
    assert big.status_code == 400 and "大小上限" in big.json()["detail"]
    tiny = post_json(client, url, {"filename": "a.mp4", "size": 100, "chunk_size": 1024})
    assert tiny.status_code == 400 and "分片大小" in tiny.json()["detail"]
    assert counts() == before
    # A damaged video is refused at the finish and nothing is stored.
    data = support.truncated_mp4()
    session = start(client, s, data, "VID_bad.mp4").json()
    assert put(client, session, 0, data).status_code == 200
    bad = finish(client, s, session)
    assert bad.status_code == 400 and "已损坏" in bad.json()["detail"]
    assert not EvidenceRecord.objects.exists() and not Record.objects.exists()
    # One officer present is not enough (行政处罚法第四十二条).
    response = post_json(
        client,
        f"{BASE}/cases/{s.case.pk}/uploads/{session['id']}/finish",
        {"kind": "photo", "officer_ids": [s.two[0]]},
    )
    assert response.status_code == 400 and "不得少于两人" in response.json()["detail"]


def test_upload_sessions_are_their_uploaders(s, client_for, make_case):
    officer = client_for("officer")
    data = support.png_bytes()
    session = start(officer, s, data, "IMG.png").json()
    # 王芳 works on the same case but the session is 李明's.
    colleague = client_for("officer2")
    assert colleague.get(session["status_url"]).status_code == 404
    assert put(colleague, session, 0, data).status_code == 404
    assert finish(colleague, s, session, kind="photo").status_code == 404
    assert officer.get(f"{BASE}/uploads/not-a-uuid").status_code == 404
    # Finished under another case of the same officer: refused.
    assert put(officer, session, 0, data).status_code == 200
    other = make_case("penalty_ordinary", "investigating")
    response = post_json(
        officer,
        f"{BASE}/cases/{other.pk}/uploads/{session['id']}/finish",
        {"kind": "photo", "officer_ids": s.two},
    )
    assert response.status_code == 400 and "不属于本案" in response.json()["detail"]
    assert not Record.objects.exists()


def test_session_writes_need_the_csrf_token(s, world, client_for):
    """Upload writes are unsafe requests like any other: without X-CSRFToken, 403."""
    session = start(client_for("officer"), s, support.png_bytes(), "IMG.png").json()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["officer"])
    record = interview(s)
    before = counts()
    started = post_json(client, f"{BASE}/cases/{s.case.pk}/uploads", {"filename": "a", "size": 9})
    assert started.status_code == 403 and "CSRF" in started.json()["detail"]
    chunk = put(client, session, 0, support.png_bytes())
    assert chunk.status_code == 403 and "CSRF" in chunk.json()["detail"]
    signed = client.post(f"{BASE}/records/{record.pk}/signatures", {"image": png(), **SIGNER})
    assert signed.status_code == 403
    assert counts() == before
    assert UploadSession.objects.get(pk=session["id"]).received == 0


def test_an_expired_upload_takes_no_chunk(s, client_for):
    client = client_for("officer")
    data = support.png_bytes()
    session = start(client, s, data, "IMG.png").json()
    UploadSession.objects.filter(pk=session["id"]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = put(client, session, 0, data)
    assert response.status_code == 400 and response.json()["code"] == "expired"
    assert "过期" in response.json()["detail"]
    assert UploadSession.objects.get(pk=session["id"]).received == 0


def test_request_body_limit_and_files(s, client_for, settings):
    """DATA_UPLOAD_MAX_MEMORY_SIZE caps a JSON body (a 400 in JSON, nothing changed) but not
    the file part of a multipart body: a signature scan larger than the limit is taken."""
    from zhifa.evidence.tests.samples import _chunk

    record = interview(s)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    client = client_for("officer")
    before = counts()
    response = post_json(
        client,
        f"{BASE}/records/{record.pk}/corrections",
        {"reason": "笔误", "title": "询问笔录", "place": "询" * 4096},
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "过大" in response.json()["detail"]
    assert counts() == before
    small = support.png_bytes()
    scan = small[:-12] + _chunk(b"tEXt", b"Comment\x00" + b"x" * 16384) + small[-12:]
    signed = client.post(
        f"{BASE}/records/{record.pk}/signatures",
        {"image": support.upload(scan, "签名页.png"), **SIGNER},
    )
    assert signed.status_code == 201, signed.json()
    assert signed.json()["image_digest"] == hashlib.new("sm3", scan).hexdigest()


def test_too_many_form_fields_is_a_json_400(s, client_for, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    response = client_for("officer").post(f"{BASE}/cases/{s.case.pk}/services", direct_service(s))
    assert response.status_code == 400 and response.json()["detail"] == "提交的字段或文件过多。"
    assert not Service.objects.exists()
