"""Records services: transcripts, media, signatures, refusals, corrections, the A/V guard."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhifa.cases import records
from zhifa.cases.models import CaseOfficer, Record, Signature
from zhifa.evidence.models import EvidenceFile, EvidenceRecord
from zhifa.ledger.models import LedgerEntry

from . import records_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(cw, make_case, settings, tmp_path):
    return support.build(cw, make_case, settings, tmp_path)


def interview(**changes) -> dict:
    content = {
        "interviewee": {
            "name": "岩应",
            "id_type": "citizen_id",
            "id_number": support.PARTY_ID,
            "relation": "当事人",
        },
        "qa": [
            {
                "q": "我们是大兴乡综合行政执法队的执法人员，这是我们的执法证件，你看清楚了吗？",
                "a": "看清楚了。",
            },
            {"q": "你在芒洪村3组建房是否取得乡村建设规划许可证？", "a": "没有办。"},
            {"q": "", "a": ""},
        ],
        "certificates_shown": True,
        "rights_notified": True,
    }
    content.update(changes)
    return content


def add_interview(s, user="officer", officer_ids=None, **changes):
    return records.add_transcript(
        s.world.users[user],
        s.case,
        kind="interview",
        title="询问笔录（岩应）",
        content=interview(**changes),
        place="大兴乡综合行政执法队询问室",
        officer_ids=s.two if officer_ids is None else officer_ids,
        latitude="23.551200",
        longitude="99.398100",
    )


def payload(entry: LedgerEntry) -> dict:
    return json.loads(entry.payload)


def counts():
    return (
        Record.objects.count(),
        Signature.objects.count(),
        EvidenceRecord.objects.count(),
        EvidenceFile.objects.count(),
        LedgerEntry.objects.count(),
    )


def refused(fn, *args, match: str, exc=ValidationError, **kwargs):
    before = counts()
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    text = (
        " ".join(info.value.messages)
        if isinstance(info.value, ValidationError)
        else str(info.value)
    )
    assert match in text, text
    assert counts() == before  # nothing half-saved
    return text


# ---------------------------------------------------------------- transcripts


def test_interview_transcript_is_recorded_with_its_ledger_entry(s):
    before = LedgerEntry.objects.count()
    record = add_interview(s)
    assert record.kind == "interview" and record.stage == "investigating"
    assert record.content["qa"] == [
        {"q": interview()["qa"][0]["q"], "a": "看清楚了。"},
        {"q": "你在芒洪村3组建房是否取得乡村建设规划许可证？", "a": "没有办。"},
    ]
    assert record.content["certificates_shown"] and record.content["rights_notified"]
    assert set(record.officers.values_list("name", flat=True)) == {"李明", "王芳"}
    assert str(record.latitude) == "23.551200"
    entry = LedgerEntry.objects.get(seq=record.ledger_seq)
    assert LedgerEntry.objects.count() == before + 1
    assert entry.event_type == "cases.record_added"
    assert entry.subject == s.case.subject
    # The ledger keeps a digest of the content, not the interviewee's identity number.
    assert support.PARTY_ID not in entry.payload
    assert payload(entry)["content_sm3"] == records._content_digest(record.content)


def test_one_officer_is_refused_citing_article_42(s):
    refused(add_interview, s, officer_ids=[s.officers["officer"].pk], match="第四十二条")


def test_non_certified_officer_is_refused(s):
    ids = [s.officers["officer"].pk, s.officers["expired"].pk]
    refused(add_interview, s, officer_ids=ids, match="何晓东的行政执法证已于")


def test_officer_not_on_the_case_is_refused(s):
    ids = [s.officers["officer"].pk, s.officers["outsider"].pk]
    refused(add_interview, s, officer_ids=ids, match="岩温香不是本案承办人员")


def test_recused_officer_cannot_be_present(s):
    ids = [s.officers["officer"].pk, s.officers["recused"].pk]
    refused(add_interview, s, officer_ids=ids, match="杨德福已回避")


def test_interview_must_record_certificates_shown(s):
    refused(add_interview, s, certificates_shown=False, match="第五十五条")


def test_interview_must_record_rights_notified(s):
    refused(add_interview, s, rights_notified=False, match="申请回避的权利")


def test_interviewee_identity_number_is_checked(s):
    person = {"name": "岩应", "id_type": "citizen_id", "id_number": "530926198803041214"}
    refused(add_interview, s, interviewee=person, match="校验位")


def test_interview_needs_complete_questions_and_answers(s):
    refused(add_interview, s, qa=[{"q": "你叫什么名字？", "a": ""}], match="第 1 组问答不完整")
    refused(add_interview, s, qa=[], match="至少要有一组问答")


def test_on_site_transcript(s):
    record = records.add_transcript(
        s.world.users["officer2"],
        s.case,
        kind="on_site",
        title="现场检查笔录",
        content={
            "present": "岩应，村民小组长岩三（见证人）",
            "findings": "现场在建砖混结构房屋一栋。",
        },
        place="大兴乡芒洪村3组",
        officer_ids=s.two,
    )
    assert record.content["present"] == ["岩应", "村民小组长岩三（见证人）"]
    refused(
        records.add_transcript,
        s.world.users["officer2"],
        s.case,
        kind="on_site",
        title="现场检查笔录",
        content={"present": ["岩应"], "findings": " "},
        place="芒洪村",
        officer_ids=s.two,
        match="请填写检查情况",
    )


def test_future_time_and_half_gps_are_refused(s):
    later = timezone.now() + datetime.timedelta(hours=2)
    refused(
        records.add_transcript,
        s.world.users["officer"],
        s.case,
        kind="on_site",
        title="现场检查笔录",
        content={"present": ["岩应"], "findings": "在建房屋一栋"},
        place="芒洪村",
        officer_ids=s.two,
        taken_at=later,
        match="不能晚于当前时间",
    )
    refused(
        records.add_transcript,
        s.world.users["officer"],
        s.case,
        kind="on_site",
        title="现场检查笔录",
        content={"present": ["岩应"], "findings": "在建房屋一栋"},
        place="芒洪村",
        officer_ids=s.two,
        latitude="23.5",
        match="经度和纬度须同时提供",
    )


# ---------------------------------------------------------------- who may write


def test_heads_may_record(s):
    assert add_interview(s, user="unithead").created_by == s.world.users["unithead"]
    record = records.add_transcript(
        s.world.users["bodyhead"],
        s.case,
        kind="on_site",
        title="现场检查笔录",
        content={"present": ["岩应"], "findings": "在建房屋一栋"},
        place="芒洪村",
        officer_ids=s.two,
    )
    assert LedgerEntry.objects.get(seq=record.ledger_seq).role == "body_head"


@pytest.mark.parametrize("user", ["reviewer", "supervisor", "marketofficer", "sysadmin"])
def test_others_may_not_record(s, user):
    refused(add_interview, s, user=user, match="", exc=PermissionDenied)


def test_recused_actor_is_refused(s):
    CaseOfficer.objects.filter(case=s.case, officer=s.officers["officer2"]).update(
        recused=True, recusal_reason="与当事人系同学"
    )
    text = refused(add_interview, s, user="officer2", match="回避", exc=PermissionDenied)
    assert "与当事人系同学" in text


def test_archived_case_takes_no_record(s):
    s.case.archived_at = timezone.now()
    s.case.save()
    refused(add_interview, s, match="已归档")


# ---------------------------------------------------------------- media


def attach(s, data, name, kind="photo", user="officer", **kwargs):
    return records.attach_media(
        s.world.users[user],
        s.case,
        kind=kind,
        upload=support.upload(data, name),
        filename=name,
        place="芒洪村3组",
        latitude="23.5512",
        longitude="99.3981",
        officer_ids=s.two,
        **kwargs,
    )


def test_photo_goes_through_the_evidence_store(s):
    record = attach(s, support.png_bytes(), "IMG_0001.png")
    assert record.kind == "photo" and record.evidence is not None
    ev = record.evidence
    assert ev.subject == s.case.subject
    assert ev.organization == s.world.orgs["daxing_team"]
    assert ev.file.content_type == "image/png"
    assert ev.capture["gps"] == {"lat": "23.551200", "lon": "99.398100"}
    assert ev.capture["officers"] == ["李明", "王芳"]
    assert payload(LedgerEntry.objects.get(seq=record.ledger_seq))["digest"] == ev.file.digest


def test_corrupt_video_is_refused_and_nothing_stored(s, tmp_path):
    refused(attach, s, support.truncated_mp4(), "VID_0001.mp4", kind="video", match="已损坏")
    assert not [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    assert not [p for p in (tmp_path / "tmp").rglob("*") if p.is_file()]  # no leftovers


def test_oversized_video_is_refused_and_nothing_stored(s, settings):
    settings.EVIDENCE_MAX_BYTES = 2048
    refused(attach, s, support.mp4_bytes(8192), "VID_0002.mp4", kind="video", match="大小上限")


def test_file_of_the_wrong_kind_is_refused(s):
    refused(attach, s, support.mp4_bytes(), "not-a-photo.jpg", kind="photo", match="照片须为图片")
    refused(attach, s, b"\x7fELF" + b"\x00" * 64, "v.mp4", kind="video", match="可执行文件")


def test_video_and_browser_audio_are_accepted(s):
    video = attach(s, support.mp4_bytes(), "VID_0003.mp4", kind="video")
    audio = attach(s, support.webm_bytes(), "recording.webm", kind="audio")
    assert video.evidence.file.content_type == "video/mp4"
    assert audio.evidence.file.content_type == "video/webm"


def test_av_guard(s):
    assert s.case.stage == "investigating"
    assert not records.has_av_record(s.case, "investigating")
    attach(s, support.png_bytes(), "IMG_0002.png", kind="photo")
    assert not records.has_av_record(s.case, "investigating")  # a photo is not audio-video
    attach(s, support.mp4_bytes(), "VID_0004.mp4", kind="video")
    assert records.has_av_record(s.case, "investigating")
    assert not records.has_av_record(s.case, "concluded")
    attach(s, support.webm_bytes(), "rec.webm", kind="audio", stage="registered")
    assert records.has_av_record(s.case, "registered")


def test_stage_must_be_one_of_the_procedure(s):
    refused(
        attach,
        s,
        support.png_bytes(),
        "IMG.png",
        stage="seal_seize",
        match="不是本案办案程序的环节",
    )


# ---------------------------------------------------------------- signatures


def test_signatures_on_screen(s):
    record = add_interview(s)
    sig = records.sign(
        s.world.users["officer"],
        record,
        signer_role="interviewee",
        signer_name="岩应",
        image=support.upload(support.png_bytes(), "sign.png"),
    )
    assert sig.image.file.content_type == "image/png" and not sig.refused
    assert LedgerEntry.objects.get(seq=sig.ledger_seq).event_type == "cases.record_signed"
    refused(
        records.sign,
        s.world.users["officer"],
        record,
        signer_role="interviewee",
        signer_name="岩应",
        image=support.upload(support.png_bytes(1), "sign.png"),
        match="已在该记录上签名",
    )


def test_wrong_party_cannot_sign_as_party(s):
    record = add_interview(s)
    refused(
        records.sign,
        s.world.users["officer"],
        record,
        signer_role="party",
        signer_name="张三",
        image=support.upload(support.png_bytes(), "sign.png"),
        match="不是本案当事人",
    )
    refused(
        records.sign,
        s.world.users["officer"],
        record,
        signer_role="interviewee",
        signer_name="岩三",
        image=support.upload(support.png_bytes(), "sign.png"),
        match="不是本笔录的被询问人",
    )


def test_signature_must_be_an_image(s):
    record = add_interview(s)
    refused(
        records.sign,
        s.world.users["officer"],
        record,
        signer_role="party",
        signer_name="岩应",
        image=support.upload(support.mp4_bytes(), "sign.png"),
        match="签名须为图片",
    )


def test_refusal_to_sign_needs_a_witness_or_av_record(s):
    record = add_interview(s)
    refused(
        records.record_refusal,
        s.world.users["officer"],
        record,
        signer_name="岩应",
        match="须有见证人在场证明或者录音录像记录",
    )
    photo = attach(s, support.png_bytes(), "IMG_0003.png")
    refused(
        records.record_refusal,
        s.world.users["officer"],
        record,
        signer_name="岩应",
        evidence=photo,
        match="须为本案的录音或录像",
    )
    refusal = records.record_refusal(
        s.world.users["officer"], record, signer_name="岩应", witness="岩三"
    )
    assert refusal.refused and refusal.refusal_witness == "岩三" and refusal.image is None


def test_refusal_proved_by_video(s):
    record = add_interview(s)
    video = attach(s, support.mp4_bytes(), "VID_0005.mp4", kind="video")
    refusal = records.record_refusal(
        s.world.users["officer"], record, signer_name="岩应", evidence=video
    )
    assert refusal.refusal_evidence == video.evidence
    entry = LedgerEntry.objects.get(seq=refusal.ledger_seq)
    assert entry.event_type == "cases.signature_refused"


# ---------------------------------------------------------------- corrections


def test_correction_is_a_new_record_and_history_stays(s):
    original = add_interview(s)
    corrected = records.correct_record(
        s.world.users["officer"],
        original,
        reason="被询问人核对后更正第二问的回答",
        content=interview(
            qa=[
                {"q": "你看清楚我们的执法证件了吗？", "a": "看清楚了。"},
                {"q": "是否取得乡村建设规划许可证？", "a": "去年申请过，还没批下来。"},
            ]
        ),
    )
    original.refresh_from_db()
    assert corrected.supersedes == original
    assert original.content["qa"][1]["a"] == "没有办。"  # unchanged
    entry = LedgerEntry.objects.get(seq=corrected.ledger_seq)
    assert entry.event_type == "cases.record_corrected"
    assert payload(entry)["supersedes"] == original.pk
    assert list(records.current_records(s.case)) == [corrected]
    refused(
        records.correct_record,
        s.world.users["officer"],
        original,
        reason="再次更正",
        match="已被更正过",
    )
    refused(
        records.sign,
        s.world.users["officer"],
        original,
        signer_role="party",
        signer_name="岩应",
        image=support.upload(support.png_bytes(), "sign.png"),
        match="已被更正",
    )


def test_correction_keeps_the_rules(s):
    original = add_interview(s)
    refused(
        records.correct_record,
        s.world.users["officer"],
        original,
        reason="改在场人员",
        officer_ids=[s.officers["officer"].pk],
        match="第四十二条",
    )
    refused(records.correct_record, s.world.users["officer"], original, reason="", match="更正原因")
