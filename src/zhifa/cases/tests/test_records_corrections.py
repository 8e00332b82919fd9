"""The correction page (更正记录): a correction is a new record superseding the old one
(``records.correct_record``); the old one is never edited. Scoped access, the prefilled form,
the required reason, the links both ways, and a forged POST on a superseded record."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from zhifa.cases import records
from zhifa.cases.models import Record
from zhifa.ledger.models import LedgerEntry

from . import records_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(cw, make_case, settings, tmp_path):
    return support.build(cw, make_case, settings, tmp_path)


def interview(s) -> Record:
    return records.add_transcript(
        s.world.users["officer"],
        s.case,
        kind="interview",
        title="询问笔录（岩应）",
        place="大兴乡综合行政执法队询问室",
        officer_ids=s.two,
        content={
            "interviewee": {
                "name": "岩应",
                "id_number": support.PARTY_ID,
                "relation": "当事人",
                "address": "大兴乡芒洪村3组（虚构）",
            },
            "qa": [{"q": "房屋何时开工？", "a": "今年三月。"}],
            "certificates_shown": True,
            "rights_notified": True,
        },
    )


def form_data(record: Record, **changes) -> dict:
    data = {
        "reason": "被询问人核对笔录时指出开工时间记录有误",
        "title": record.title,
        "place": record.place,
        "officers": [str(pk) for pk in record.officers.values_list("pk", flat=True)],
        "interviewee_name": "岩应",
        "interviewee_relation": "当事人",
        "interviewee_id_type": "citizen_id",
        "interviewee_id_number": support.PARTY_ID,
        "interviewee_address": "大兴乡芒洪村3组（虚构）",
        "certificates_shown": "on",
        "rights_notified": "on",
        "qa-0-q": "房屋何时开工？",
        "qa-0-a": "今年四月。",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def url(record: Record) -> str:
    return reverse("case_records:correct", args=[record.pk])


def detail(record: Record) -> str:
    return reverse("case_records:detail", args=[record.pk])


def counts() -> tuple[int, int]:
    return Record.objects.count(), LedgerEntry.objects.count()


def test_scoped_access(s, client_for):
    record = interview(s)
    anonymous = Client().get(url(record))
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    before = counts()
    # Another body's officer: the record does not exist for them.
    other = client_for("marketofficer")
    assert other.get(url(record)).status_code == 404
    assert other.post(url(record), form_data(record)).status_code == 404
    # The supervising justice office and the body's legal reviewer read the record, write none:
    # no link on the record, and the page and a POST refused.
    for reader in ("supervisor", "reviewer"):
        client = client_for(reader)
        page = client.get(detail(record))
        assert page.status_code == 200 and url(record) not in page.content.decode(), reader
        assert client.get(url(record)).status_code == 403, reader
        assert client.post(url(record), form_data(record)).status_code == 403, reader
    assert counts() == before
    # An officer of the case sees the link and the form, prefilled with the record.
    officer = client_for("officer")
    assert url(record) in officer.get(detail(record)).content.decode()
    page = officer.get(url(record))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="询问笔录（岩应）"' in html and "今年三月。" in html
    assert 'value="大兴乡综合行政执法队询问室"' in html and "更正原因" in html
    assert 'name="viewport"' in html  # the phone layout of every record page


def test_a_correction_is_a_new_record_and_the_old_one_is_kept(s, client_for):
    record = interview(s)
    officer = client_for("officer")
    response = officer.post(url(record), form_data(record))
    assert response.status_code == 302
    correction = Record.objects.get(supersedes=record)
    assert response["Location"] == detail(correction)
    assert correction.content["qa"][0]["a"] == "今年四月。"
    record.refresh_from_db()
    assert record.content["qa"][0]["a"] == "今年三月。"  # history is never edited
    entry = LedgerEntry.objects.get(seq=correction.ledger_seq)
    assert entry.event_type == "cases.record_corrected"
    assert json.loads(entry.payload)["reason"] == "被询问人核对笔录时指出开工时间记录有误"
    # The old record says 已更正 and links to the correction; the correction links back.
    old = officer.get(detail(record)).content.decode()
    assert "已更正" in old and detail(correction) in old
    assert url(record) not in old  # only the latest version is corrected
    new = officer.get(detail(correction)).content.decode()
    assert detail(record) in new and "被询问人核对笔录时指出开工时间记录有误" in new
    assert url(correction) in new


def test_the_reason_is_required(s, client_for):
    record = interview(s)
    before = counts()
    response = client_for("officer").post(url(record), form_data(record, reason=""))
    assert response.status_code == 400
    assert counts() == before


def test_a_forged_post_on_a_superseded_record_is_refused(s, client_for):
    record = interview(s)
    officer = client_for("officer")
    assert officer.post(url(record), form_data(record)).status_code == 302
    before = counts()
    page = officer.get(url(record)).content.decode()
    assert "该记录已被更正，请更正" in page
    forged = officer.post(url(record), form_data(record, **{"qa-0-a": "去年。"}))
    assert forged.status_code == 400
    assert "该记录已被更正过，请更正最新的版本。" in forged.content.decode()
    assert counts() == before


def test_a_service_refusal_comes_back_on_the_form(s, client_for):
    """The service's own checks apply again: two officers present (行政处罚法第四十二条)."""
    record = interview(s)
    before = counts()
    one = [str(s.officers["officer"].pk)]
    response = client_for("officer").post(url(record), form_data(record, officers=one))
    assert response.status_code == 400
    assert "在场执法人员不得少于两人。依据" in response.content.decode()
    assert counts() == before


def test_a_photo_is_corrected_in_its_place_not_its_file(s, client_for):
    record = records.attach_media(
        s.world.users["officer"],
        s.case,
        kind="photo",
        upload=support.upload(support.png_bytes(), "IMG_1.png"),
        filename="IMG_1.png",
        place="村口",
        officer_ids=s.two,
    )
    officer = client_for("officer")
    page = officer.get(url(record)).content.decode()
    assert "问答" not in page and 'value="村口"' in page
    data = {
        "reason": "地点记录有误",
        "title": record.title,
        "place": "芒洪村3组村口",
        "officers": [str(pk) for pk in s.two],
    }
    assert officer.post(url(record), data).status_code == 302
    correction = Record.objects.get(supersedes=record)
    assert correction.place == "芒洪村3组村口"
    assert correction.evidence_id == record.evidence_id and correction.content == record.content
