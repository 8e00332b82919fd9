"""Service of documents: each mode's legal condition, broken and met."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhifa.cases import delivery
from zhifa.cases.models import Party, Service
from zhifa.evidence.models import EvidenceRecord
from zhifa.ledger.models import LedgerEntry

from . import records_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(cw, make_case, settings, tmp_path):
    return support.build(cw, make_case, settings, tmp_path)


def serve(s, user="officer", **kwargs):
    values = {
        "party": s.party,
        "document": "decision",
        "mode": "direct",
        "delivered_on": timezone.localdate() - datetime.timedelta(days=3),
        "recipient": "岩应",
    }
    values.update(kwargs)
    return delivery.record_service(s.world.users[user], s.case, **values)


def counts():
    return (
        Service.objects.count(),
        EvidenceRecord.objects.count(),
        LedgerEntry.objects.count(),
        list(Party.objects.values_list("e_service_consent", "e_service_address")),
    )


def refused(s, match: str, exc=ValidationError, **kwargs):
    before = counts()
    with pytest.raises(exc) as info:
        serve(s, **kwargs)
    text = " ".join(getattr(info.value, "messages", [str(info.value)]))
    assert match in text, text
    assert counts() == before
    return text


def test_direct_service_is_served_on_the_signing_date(s):
    day = timezone.localdate() - datetime.timedelta(days=3)
    service = serve(s, delivered_on=day)
    assert service.served_on == day and service.recipient == "岩应"
    assert delivery.first_served_on(s.case) == day
    entry = LedgerEntry.objects.get(seq=service.ledger_seq)
    assert entry.event_type == "cases.service_recorded" and entry.subject == s.case.subject
    assert json.loads(entry.payload)["served_on"] == day.isoformat()


def test_direct_service_needs_the_recipient(s):
    text = refused(s, recipient="", match="送达回证上签收")
    assert "第八十七条" in text


def test_direct_service_needs_a_date_not_in_the_future(s):
    refused(s, delivered_on=None, match="请填写送达")
    refused(s, delivered_on=timezone.localdate() + datetime.timedelta(days=1), match="不能晚于今天")


def test_wrong_party_is_refused(s, make_case):
    other = make_case("penalty_ordinary").parties.get()
    refused(s, party=other, match="不是本案当事人")


def test_decision_is_not_served_before_it_is_made(cw, make_case, settings, tmp_path):
    s = support.build(cw, make_case, settings, tmp_path, stage="decided", fine="200")
    yesterday = s.case.decided_on - datetime.timedelta(days=1)
    refused(s, delivered_on=yesterday, match="早于处罚决定作出日期")
    assert serve(s, delivered_on=s.case.decided_on).served_on == s.case.decided_on


def test_left_at_the_address_needs_a_witness_or_a_photo(s):
    text = refused(s, mode="left", recipient="", address="芒洪村3组", match="见证人")
    assert "第八十九条" in text and "拍照、录像" in text
    by_witness = serve(s, mode="left", recipient="", address="芒洪村3组", witness="村民小组长岩三")
    assert by_witness.witness == "村民小组长岩三" and by_witness.proof is None
    by_photo = serve(
        s,
        mode="left",
        recipient="",
        address="芒洪村3组",
        proof_upload=support.upload(support.png_bytes(), "留置现场.png"),
    )
    assert by_photo.proof.file.content_type == "image/png"
    assert by_photo.proof.subject == s.case.subject


def test_left_at_the_address_proof_must_be_photo_or_video(s):
    refused(
        s,
        mode="left",
        recipient="",
        address="芒洪村3组",
        proof_upload=support.upload("送达情况说明".encode(), "说明.txt"),
        match="照片或录像",
    )
    refused(
        s,
        mode="left",
        recipient="",
        address="芒洪村3组",
        proof_upload=support.upload(support.truncated_mp4(), "留置.mp4"),
        match="已损坏",
    )


def test_the_witness_of_a_refusal_is_not_the_party(s):
    refused(s, mode="left", recipient="", address="芒洪村3组", witness="岩应", match="见证人不能是")


def test_electronic_service_needs_signed_consent(s):
    text = refused(s, mode="electronic", recipient="", match="未签订电子送达确认书")
    assert "第六十一条第二款" in text
    delivery.record_e_service_consent(
        s.world.users["officer"],
        s.party,
        support.upload(support.png_bytes(), "确认书.png"),
        address="yanying@example.com",
    )
    s.party.refresh_from_db()
    assert s.party.e_service_consent is not None
    service = serve(s, mode="electronic", recipient="")
    assert service.address == "yanying@example.com"
    assert service.served_on == service.delivered_on


def test_consent_needs_a_document_and_an_address(s):
    user = s.world.users["officer"]
    before = counts()
    with pytest.raises(ValidationError, match="电子送达地址"):
        delivery.record_e_service_consent(
            user, s.party, support.upload(support.png_bytes(), "c.png"), address=""
        )
    with pytest.raises(ValidationError, match="扫描图片、PDF"):
        delivery.record_e_service_consent(
            user, s.party, support.upload(support.mp4_bytes(), "c.mp4"), address="a@example.com"
        )
    assert counts() == before


def test_post_is_served_on_the_receipt_date(s):
    day = timezone.localdate() - datetime.timedelta(days=1)
    refused(s, mode="post", recipient="", match="邮寄地址")
    service = serve(s, mode="post", recipient="岩应", address="芒洪村3组", delivered_on=day)
    assert service.served_on == day


def test_announcement_is_deemed_served_after_30_days(s):
    published = datetime.date(2026, 3, 2)
    text = refused(s, mode="announcement", recipient="", delivered_on=published, match="原因和经过")
    assert "第九十五条" in text
    service = serve(
        s,
        mode="announcement",
        recipient="",
        delivered_on=published,
        note="当事人下落不明，经村委会确认已外出务工，无法联系",
    )
    assert service.served_on == datetime.date(2026, 4, 1)
    assert delivery.served_on_for("announcement", published) == datetime.date(2026, 4, 1)


def test_unknown_document_or_mode_is_refused(s):
    refused(s, document="memo", match="请选择送达的文书")
    refused(s, mode="pigeon", match="请选择送达方式")


@pytest.mark.parametrize("user", ["reviewer", "supervisor", "marketofficer"])
def test_only_case_handlers_record_service(s, user):
    refused(s, user=user, match="", exc=PermissionDenied)
