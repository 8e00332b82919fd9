"""The record pages on a phone: scoped access for every endpoint, the plain forms without JS,
and the chunked upload path capture.js takes."""

from __future__ import annotations

import base64
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Record, Service, Signature
from zhifa.evidence.models import EvidenceRecord
from zhifa.ledger.models import LedgerEntry

from . import records_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(cw, make_case, settings, tmp_path):
    return support.build(cw, make_case, settings, tmp_path)


def photo_record(s) -> Record:
    from zhifa.cases import records

    record = records.attach_media(
        s.world.users["officer"],
        s.case,
        kind="photo",
        upload=support.upload(support.png_bytes(), "IMG_1.png"),
        filename="IMG_1.png",
        officer_ids=s.two,
    )
    records.sign(
        s.world.users["officer"],
        record,
        signer_role="party",
        signer_name="岩应",
        image=support.upload(support.png_bytes(7), "sign.png"),
    )
    return record


def urls(s, record: Record) -> dict[str, str]:
    case = s.case.pk
    signature = record.signatures.get()
    return {
        "list": reverse("case_records:list", args=[case]),
        "capture": reverse("case_records:capture", args=[case]),
        "transcript_new": reverse("case_records:transcript_new", args=[case]),
        "service_new": reverse("case_records:service_new", args=[case]),
        "consent": reverse("case_records:consent", args=[case, s.party.pk]),
        "payments": reverse("case_records:payments", args=[case]),
        "detail": reverse("case_records:detail", args=[record.pk]),
        "media": reverse("case_records:media", args=[record.pk]),
        "signature_image": reverse("case_records:signature_image", args=[record.pk, signature.pk]),
        "sign": reverse("case_records:sign", args=[record.pk]),
    }


READ_PAGES = {"list", "payments", "detail", "media", "signature_image"}


def test_scoped_access_for_every_page(s, client_for):
    from django.test import Client

    pages = urls(s, photo_record(s))
    for name, url in pages.items():
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous["Location"], name
        assert client_for("marketofficer").get(url).status_code == 404, name  # other body
        assert client_for("officer").get(url).status_code == 200, name
        assert client_for("bodyhead").get(url).status_code == 200, name
        # The supervising justice office reads the record but writes nothing.
        expected = 200 if name in READ_PAGES else 403
        assert client_for("supervisor").get(url).status_code == expected, name
        assert client_for("reviewer").get(url).status_code == expected, name


def test_post_endpoints_are_scoped(s, client_for):
    from django.test import Client

    record = photo_record(s)
    before = (Record.objects.count(), Signature.objects.count(), LedgerEntry.objects.count())
    finish = reverse("case_records:capture_finish", args=[s.case.pk])
    refusal = reverse("case_records:refusal", args=[record.pk])
    data = {"signer_role": "party", "signer_name": "岩应", "witness": "岩三"}
    for url in (finish, refusal):
        assert Client().post(url, data).status_code == 302
        assert client_for("marketofficer").post(url, data).status_code == 404
        assert client_for("supervisor").post(url, data).status_code == 403
    assert client_for("officer").get(finish).status_code == 405
    after = (Record.objects.count(), Signature.objects.count(), LedgerEntry.objects.count())
    assert after == before


def test_missing_records_and_cases_are_404(s, client_for):
    client = client_for("officer")
    assert client.get(reverse("case_records:list", args=[999999])).status_code == 404
    assert client.get(reverse("case_records:detail", args=[999999])).status_code == 404
    assert client.get(reverse("case_records:consent", args=[s.case.pk, 999999])).status_code == 404


# ---------------------------------------------------------------- capture without JS


def test_capture_page_is_phone_ready(s, client_for):
    html = client_for("officer").get(reverse("case_records:capture", args=[s.case.pk])).content
    html = html.decode()
    assert 'accept="image/*" capture="environment"' in html
    assert 'accept="video/*" capture="environment"' in html
    assert "zhifa/capture.js" in html and 'enctype="multipart/form-data"' in html
    assert 'data-start-url="/evidence/uploads/"' in html
    assert '<script src="http' not in html  # no external assets


def test_photo_through_the_plain_form_and_shown(s, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("officer")
    response = client.post(
        reverse("case_records:capture", args=[s.case.pk]),
        {
            "kind": "photo",
            "file": SimpleUploadedFile("IMG_2.png", support.png_bytes(3)),
            "place": "芒洪村3组",
            "latitude": "23.5512",
            "longitude": "99.3981",
            "officers": s.two,
            "stage": s.case.stage,
        },
    )
    assert response.status_code == 302
    record = Record.objects.get(kind="photo")
    assert response["Location"] == reverse("case_records:detail", args=[record.pk])
    page = client.get(response["Location"]).content.decode()
    assert reverse("case_records:media", args=[record.pk]) in page and "<img" in page
    media = client.get(reverse("case_records:media", args=[record.pk]))
    assert b"".join(media.streaming_content) == support.png_bytes(3)
    assert media["X-Evidence-SM3"] == record.evidence.file.digest
    part = client.get(reverse("case_records:media", args=[record.pk]), HTTP_RANGE="bytes=0-7")
    assert part.status_code == 206 and part.content == support.png_bytes(3)[:8]
    assert part["Content-Range"].startswith("bytes 0-7/")


def test_corrupt_video_through_the_plain_form_is_refused(s, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for("officer").post(
        reverse("case_records:capture", args=[s.case.pk]),
        {
            "kind": "video",
            "file": SimpleUploadedFile("VID.mp4", support.truncated_mp4()),
            "officers": s.two,
        },
    )
    assert response.status_code == 400
    assert "视频文件已损坏或不完整" in response.content.decode()
    assert not Record.objects.exists() and not EvidenceRecord.objects.exists()


def test_one_officer_in_the_form_is_refused(s, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for("officer").post(
        reverse("case_records:capture", args=[s.case.pk]),
        {
            "kind": "photo",
            "file": SimpleUploadedFile("IMG.png", support.png_bytes()),
            "officers": [s.officers["officer"].pk],
        },
    )
    assert response.status_code == 400 and "第四十二条" in response.content.decode()
    assert not EvidenceRecord.objects.exists()


# ---------------------------------------------------------------- capture with capture.js


def chunked(client, s, data: bytes, filename: str, chunk: int = 64 * 1024) -> str:
    start = client.post(
        reverse("evidence:upload_start"),
        {
            "organization": s.world.orgs["daxing_team"].pk,
            "subject": s.case.subject,
            "filename": filename,
            "size": len(data),
            "chunk_size": chunk,
        },
    )
    assert start.status_code == 201, start.content.decode()
    session = start.json()
    for offset in range(0, len(data), chunk):
        put = client.put(
            f"{session['chunk_url']}?offset={offset}",
            data[offset : offset + chunk],
            content_type="application/octet-stream",
        )
        assert put.status_code == 200, put.content.decode()
    return session["id"]


def test_chunked_video_becomes_a_record_once(s, client_for):
    client = client_for("officer")
    data = support.mp4_bytes(200 * 1024)
    upload_id = chunked(client, s, data, "VID_3.mp4")
    finish = reverse("case_records:capture_finish", args=[s.case.pk])
    form = {"kind": "video", "upload_id": upload_id, "officers": s.two, "stage": "investigating"}
    first = client.post(finish, form)
    assert first.status_code == 200, first.content.decode()
    record = Record.objects.get()
    assert first.json()["url"] == reverse("case_records:detail", args=[record.pk])
    assert record.evidence.file.size == len(data)
    # The answer was lost and the phone sends the finish again: the same record.
    again = client.post(finish, form)
    assert again.json()["record_id"] == record.pk
    assert Record.objects.count() == 1 and EvidenceRecord.objects.count() == 1


def test_chunked_corrupt_video_is_refused(s, client_for):
    client = client_for("officer")
    upload_id = chunked(client, s, support.truncated_mp4(), "VID_4.mp4")
    response = client.post(
        reverse("case_records:capture_finish", args=[s.case.pk]),
        {"kind": "video", "upload_id": upload_id, "officers": s.two},
    )
    assert response.status_code == 400 and "已损坏" in response.json()["error"]
    assert not EvidenceRecord.objects.exists()


def test_upload_of_another_case_is_refused(s, client_for, make_case):
    client = client_for("officer")
    other = make_case("penalty_ordinary", "investigating")
    upload_id = chunked(client, s, support.png_bytes(), "IMG.png")
    response = client.post(
        reverse("case_records:capture_finish", args=[other.pk]),
        {"kind": "photo", "upload_id": upload_id, "officers": s.two},
    )
    assert response.status_code == 400 and "不属于本案" in response.json()["error"]


# ---------------------------------------------------------------- transcripts and signatures


def interview_form(s, **changes) -> dict:
    data = {
        "kind": "interview",
        "title": "询问笔录",
        "place": "大兴乡综合行政执法队询问室",
        "officers": s.two,
        "interviewee_name": "岩应",
        "interviewee_relation": "当事人",
        "interviewee_id_type": "citizen_id",
        "interviewee_id_number": support.PARTY_ID,
        "certificates_shown": "on",
        "rights_notified": "on",
        "qa-0-q": "你是否在芒洪村3组建房？",
        "qa-0-a": "是的。",
        "qa-1-q": "",
        "qa-1-a": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_interview_transcript_then_signature_on_screen(s, client_for):
    client = client_for("officer")
    url = reverse("case_records:transcript_new", args=[s.case.pk])
    page = client.get(url + "?kind=interview").content.decode()
    assert page.count("data-qa-row") == 6 and "再加一组问答" in page
    # Without JS the six rows shown are posted with "再加一组问答": seven come back.
    empty_rows = {f"qa-{n}-{p}": "" for n in range(2, 6) for p in "qa"}
    more = client.post(url, interview_form(s, more="1", **empty_rows))
    assert more.status_code == 200 and more.content.decode().count("data-qa-row") == 7
    assert not Record.objects.exists()
    response = client.post(url, interview_form(s))
    record = Record.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("case_records:sign", args=[record.pk])
    assert record.content["qa"] == [{"q": "你是否在芒洪村3组建房？", "a": "是的。"}]

    drawn = "data:image/png;base64," + base64.b64encode(support.png_bytes(9)).decode()
    signed = client.post(
        response["Location"],
        {"signer_role": "interviewee", "signer_name": "岩应", "signature_data": drawn},
    )
    assert signed.status_code == 302
    signature = Signature.objects.get()
    assert signature.image.file.content_type == "image/png"
    detail = client.get(reverse("case_records:detail", args=[record.pk])).content.decode()
    assert reverse("case_records:signature_image", args=[record.pk, signature.pk]) in detail


def test_transcript_without_notice_of_rights_is_refused(s, client_for):
    response = client_for("officer").post(
        reverse("case_records:transcript_new", args=[s.case.pk]),
        interview_form(s, rights_notified=None),
    )
    assert response.status_code == 400 and "申请回避的权利" in response.content.decode()
    assert not Record.objects.exists()


def test_bad_signature_data_and_refusal_without_proof(s, client_for):
    record = photo_record(s)
    client = client_for("officer")
    bad = client.post(
        reverse("case_records:sign", args=[record.pk]),
        {"signer_role": "witness", "signer_name": "岩三", "signature_data": "data:text/html,x"},
    )
    assert bad.status_code == 400 and "签名数据格式错误" in bad.content.decode()
    refusal = client.post(
        reverse("case_records:refusal", args=[record.pk]),
        {"signer_role": "witness", "signer_name": "岩三"},
    )
    assert refusal.status_code == 400 and "须有见证人" in refusal.content.decode()
    assert record.signatures.count() == 1


# ---------------------------------------------------------------- service and payment


def test_service_pages(s, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("officer")
    url = reverse("case_records:service_new", args=[s.case.pk])
    today = timezone.localdate().isoformat()
    base = {"party": s.party.pk, "document": "notice", "delivered_on": today}
    left = client.post(url, {**base, "mode": "left", "address": "芒洪村3组"})
    assert left.status_code == 400 and "第八十九条" in left.content.decode()
    electronic = client.post(url, {**base, "mode": "electronic"})
    assert electronic.status_code == 400 and "电子送达确认书" in electronic.content.decode()
    assert not Service.objects.exists()
    consent = client.post(
        reverse("case_records:consent", args=[s.case.pk, s.party.pk]),
        {
            "address": "yanying@example.com",
            "document": SimpleUploadedFile("c.png", support.png_bytes()),
        },
    )
    assert consent.status_code == 302
    served = client.post(url, {**base, "mode": "electronic"})
    assert served.status_code == 302
    assert Service.objects.get().address == "yanying@example.com"
    listing = client.get(reverse("case_records:list", args=[s.case.pk])).content.decode()
    assert "行政处罚事先告知书" in listing and "电子送达" in listing


def test_payment_page(cw, make_case, settings, tmp_path, client_for):
    from zhifa.cases import delivery

    s = support.build(cw, make_case, settings, tmp_path, stage="decided", fine="200")
    today = timezone.localdate()
    delivery.record_service(
        s.world.users["officer"],
        s.case,
        party=s.party,
        document="decision",
        mode="direct",
        delivered_on=today,
        recipient="岩应",
    )
    client = client_for("officer")
    url = reverse("case_records:payments", args=[s.case.pk])
    page = client.get(url).content.decode()
    assert "待缴纳" in page and "第七十二条" in page
    due = re.search(r"缴纳期限</dt><dd>(\S+)</dd>", page)
    assert due is not None
    too_much = client.post(url, {"amount": "200.01", "paid_on": today.isoformat()})
    assert too_much.status_code == 400 and "超过" in too_much.content.decode()
    paid = client.post(url, {"amount": "200", "paid_on": today.isoformat()})
    assert paid.status_code == 302
    assert "已缴清" in client.get(url).content.decode()
    assert client_for("supervisor").post(url, {"amount": "1", "paid_on": today}).status_code == 403
