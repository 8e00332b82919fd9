"""抽样取证凭证 (sampling, 行政处罚法第五十六条) as a record of the full-process record: the
service (content checks, two certified officers, only while evidence is collected, nothing
saved on a refusal), signatures of the holder, corrections, the pages (scoped, phone form,
detail with the link to upload the test report), the API and the case file."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from zhifa.cases import archive, records
from zhifa.cases.models import Record, Signature
from zhifa.ledger.models import LedgerEntry

from . import records_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(cw, make_case, settings, tmp_path):
    return support.build(cw, make_case, settings, tmp_path)


def sampling(**changes) -> dict:
    content = {
        "goods_name": "散装白酒",
        "specification": "52%vol",
        "batch": "2026-10-08",
        "producer": "",
        "base_quantity": "50",
        "base_unit": "千克",
        "sample_quantity": "2.000",
        "sample_unit": "千克",
        "holder": "岩应",
        "holder_relation": "当事人",
        "present": ["岩应", "岩三"],
        "sealed": True,
        "seal": "封条 FY-001，岩应与执法人员共同签封",
        "disposal": "test",
        "testing_body": "普洱市产品质量检验检测中心（虚构）",
        "test_purpose": "甲醇含量",
        "return_note": "检验后剩余样品退还",
        "certificates_shown": True,
    }
    content.update(changes)
    return content


def add_sampling(s, case=None, user="officer", officer_ids=None, **changes) -> Record:
    return records.add_transcript(
        s.world.users[user],
        case or s.case,
        kind="sampling",
        title="抽样取证凭证（散装白酒）",
        content=sampling(**changes),
        place="芒洪村3组岩应小卖部",
        officer_ids=s.two if officer_ids is None else officer_ids,
        latitude="23.551200",
        longitude="99.398100",
    )


def counts() -> tuple[int, int, int]:
    return Record.objects.count(), Signature.objects.count(), LedgerEntry.objects.count()


def refused(s, match: str, case=None, **kwargs) -> str:
    from django.core.exceptions import ValidationError

    before = counts()
    with pytest.raises(ValidationError) as info:
        add_sampling(s, case=case, **kwargs)
    text = " ".join(info.value.messages)
    assert match in text, text
    assert counts() == before  # nothing saved
    return text


# ---------------------------------------------------------------- service


def test_sampling_record_with_its_ledger_entry(s):
    before = LedgerEntry.objects.count()
    record = add_sampling(s)
    assert record.kind == "sampling" and record.stage == "investigating"
    assert record.get_kind_display() == "抽样取证凭证"
    content = record.content
    assert content["goods_name"] == "散装白酒" and content["sample_quantity"] == "2"
    assert content["base_quantity"] == "50" and content["base_unit"] == "千克"
    assert content["present"] == ["岩应", "岩三"] and content["sealed"] is True
    assert content["disposal"] == "test" and content["testing_body"].startswith("普洱市")
    assert sorted(o.pk for o in record.officers.all()) == sorted(s.two)
    assert str(record.latitude) == "23.551200"
    entry = LedgerEntry.objects.get(seq=record.ledger_seq)
    assert LedgerEntry.objects.count() == before + 1
    assert entry.event_type == "cases.record_added"
    assert json.loads(entry.payload)["kind"] == "sampling"


def test_kept_as_evidence_needs_no_testing_body(s, client_for):
    record = add_sampling(s, disposal="evidence", testing_body="", test_purpose="", sealed=False)
    assert record.content["disposal"] == "evidence" and record.content["testing_body"] == ""
    detail = client_for("officer").get(reverse("case_records:detail", args=[record.pk]))
    html = detail.content.decode()
    assert "留存作为证据" in html and "未封样" in html
    assert "上传检验检测报告" not in html  # nothing is sent for testing


def test_one_officer_is_refused(s):
    text = refused(s, "不得少于两人", officer_ids=[s.officers["officer"].pk])
    assert "第四十二条" in text


def test_expired_certificate_is_refused(s):
    refused(
        s, "不能作为在场执法人员", officer_ids=[s.officers["officer"].pk, s.officers["expired"].pk]
    )


def test_sample_above_base_in_the_same_unit_is_refused(s):
    refused(s, "抽取样品数量（60千克）不能超过抽样基数（50千克）", sample_quantity="60")
    # Another unit cannot be compared: 3 瓶 of 50 千克 is accepted.
    assert add_sampling(s, sample_quantity="3", sample_unit="瓶").content["sample_unit"] == "瓶"


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"goods_name": " "}, "请填写抽样物品名称"),
        ({"base_quantity": "0"}, "抽样基数须为大于零的数字"),
        ({"sample_quantity": "-1"}, "抽取样品数量须为大于零的数字"),
        ({"sample_quantity": "两瓶"}, "抽取样品数量须为数字"),
        ({"base_quantity": "NaN"}, "抽样基数须为大于零的数字"),
        ({"base_unit": ""}, "请填写抽样基数的计量单位"),
        ({"holder": ""}, "请填写被抽样人"),
        ({"present": []}, "请填写抽样时的在场人员"),
        ({"sealed": True, "seal": ""}, "请填写封样情况"),
        ({"disposal": ""}, "请选择样品的处理方式"),
        ({"disposal": "test", "testing_body": ""}, "请填写检验检测机构"),
        ({"disposal": "test", "test_purpose": ""}, "请填写检验项目或目的"),
        ({"certificates_shown": False}, "第五十五条"),
    ],
)
def test_missing_or_bad_content_is_refused(s, changes, match):
    refused(s, match, **changes)


def test_wrong_stage_is_refused(cw, make_case, settings, tmp_path):
    s = support.build(cw, make_case, settings, tmp_path, stage="concluded")
    text = refused(s, "不能抽样取证")
    assert "调查终结" in text and "第五十六条" in text


def test_closed_case_is_refused(s, make_case):
    closed = make_case("inspection", "closed")
    refused(s, "不能抽样取证", case=closed)


def test_inspection_under_way_may_sample(s, make_case):
    inspection = make_case("inspection", "notified")
    record = add_sampling(s, case=inspection)
    assert record.stage == "notified"


def test_supervisor_and_reviewer_are_refused(s):
    from django.core.exceptions import PermissionDenied

    before = counts()
    for user in ("supervisor", "reviewer"):
        with pytest.raises(PermissionDenied):
            add_sampling(s, user=user)
    assert counts() == before


def test_holder_signs_and_another_name_cannot(s):
    from django.core.exceptions import ValidationError

    record = add_sampling(s)
    officer = s.world.users["officer"]
    with pytest.raises(ValidationError, match="不是本抽样取证凭证记载的被抽样人"):
        records.sign(
            officer,
            record,
            signer_role="holder",
            signer_name="岩三",
            image=support.upload(support.png_bytes(), "s.png"),
        )
    signature = records.sign(
        officer,
        record,
        signer_role="holder",
        signer_name="岩应",
        image=support.upload(support.png_bytes(), "s.png"),
    )
    assert signature.get_signer_role_display() == "被抽样人（持有人）"
    # The holder role belongs to sampling records only.
    interview = records.add_transcript(
        officer,
        s.case,
        kind="on_site",
        title="现场检查笔录",
        content={"present": ["岩应"], "findings": "现场存放散装白酒约 50 千克。"},
        place="芒洪村3组",
        officer_ids=s.two,
    )
    with pytest.raises(ValidationError, match="被抽样人"):
        records.record_refusal(officer, interview, signer_role="holder", signer_name="岩应")


def test_recused_officer_cannot_be_present(s):
    recused = s.officers["recused"]
    refused(s, "已回避本案", officer_ids=[s.officers["officer"].pk, recused.pk])


def test_api_holder_signs_the_sampling_record(s, client_for):
    record = add_sampling(s)
    url = f"/api/v1/records/{record.pk}/signatures"
    image = support.upload(support.png_bytes(), "sign.png")
    wrong = client_for("officer").post(
        url, {"image": image, "signer_role": "holder", "signer_name": "岩三"}
    )
    assert wrong.status_code == 400 and "被抽样人" in wrong.json()["detail"]
    assert not Signature.objects.exists()
    image = support.upload(support.png_bytes(), "sign.png")
    signed = client_for("officer").post(
        url, {"image": image, "signer_role": "holder", "signer_name": "岩应"}
    )
    assert signed.status_code == 201, signed.content
    assert Signature.objects.get().signer_role == "holder"


def test_holder_refuses_before_a_witness(s):
    record = add_sampling(s)
    refusal = records.record_refusal(
        s.world.users["officer"],
        record,
        signer_role="holder",
        signer_name="岩应",
        witness="岩三",
    )
    assert refusal.refused and refusal.refusal_witness == "岩三"


def test_correction_keeps_the_old_and_checks_again(s):
    from django.core.exceptions import ValidationError

    record = add_sampling(s)
    officer = s.world.users["officer"]
    before = counts()
    with pytest.raises(ValidationError, match="不能超过抽样基数"):
        records.correct_record(
            officer, record, reason="改数量", content=sampling(sample_quantity="51")
        )
    assert counts() == before
    fixed = records.correct_record(
        officer, record, reason="核对后样品为 1.5 千克", content=sampling(sample_quantity="1.5")
    )
    assert fixed.supersedes == record and fixed.content["sample_quantity"] == "1.5"
    record.refresh_from_db()
    assert record.content["sample_quantity"] == "2"


# ---------------------------------------------------------------- pages


def form_data(s, **changes) -> dict:
    data = {
        "kind": "sampling",
        "title": "抽样取证凭证（散装白酒）",
        "place": "芒洪村3组岩应小卖部",
        "officers": [str(pk) for pk in s.two],
        "goods_name": "散装白酒",
        "specification": "52%vol",
        "base_quantity": "50",
        "base_unit": "千克",
        "sample_quantity": "2",
        "sample_unit": "千克",
        "holder": "岩应",
        "holder_relation": "当事人",
        "present": "岩应，岩三",
        "sealed": "on",
        "seal": "封条 FY-001",
        "disposal": "test",
        "testing_body": "普洱市产品质量检验检测中心（虚构）",
        "test_purpose": "甲醇含量",
        "certificates_shown": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_sampling_page_then_holder_signs_and_detail_shows_it(s, client_for):
    client = client_for("officer")
    listing = client.get(reverse("case_records:list", args=[s.case.pk])).content.decode()
    url = reverse("case_records:transcript_new", args=[s.case.pk])
    assert f"{url}?kind=sampling" in listing and "抽样取证" in listing
    page = client.get(url + "?kind=sampling").content.decode()
    assert 'name="goods_name"' in page and 'name="sample_quantity"' in page
    assert 'inputmode="decimal"' in page and "保存抽样取证凭证" in page
    assert 'name="qa-0-q"' not in page  # not the interview's rows
    assert "{#" not in page and "The fields of a record" not in page  # template comments

    response = client.post(url, form_data(s))
    record = Record.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("case_records:sign", args=[record.pk])
    assert record.kind == "sampling" and record.content["present"] == ["岩应", "岩三"]

    sign_page = client.get(response["Location"]).content.decode()
    assert 'value="holder" selected' in sign_page and 'value="岩应"' in sign_page
    drawn = "data:image/png;base64," + base64.b64encode(support.png_bytes(9)).decode()
    signed = client.post(
        response["Location"],
        {"signer_role": "holder", "signer_name": "岩应", "signature_data": drawn},
    )
    assert signed.status_code == 302 and Signature.objects.get().signer_role == "holder"

    detail = client.get(reverse("case_records:detail", args=[record.pk])).content.decode()
    assert "散装白酒" in detail and "50 千克" in detail and "2 千克" in detail
    assert "已当场封样：封条 FY-001" in detail and "甲醇含量" in detail
    capture = reverse("case_records:capture", args=[s.case.pk])
    assert f"{capture}?kind=document&amp;title=" in detail and "上传检验检测报告" in detail
    # The link opens the capture page with the document kind and the report's title preset.
    report = client.get(
        capture, {"kind": "document", "title": "检验检测报告（抽样取证凭证（散装白酒））"}
    ).content.decode()
    assert '<option value="document" selected>' in report
    assert 'value="检验检测报告（抽样取证凭证（散装白酒））"' in report


def test_sampling_page_refusal_keeps_the_form_and_saves_nothing(s, client_for):
    client = client_for("officer")
    url = reverse("case_records:transcript_new", args=[s.case.pk])
    before = counts()
    response = client.post(url, form_data(s, sample_quantity="80"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "不能超过抽样基数" in html and 'value="散装白酒"' in html
    one = client.post(url, form_data(s, officers=[str(s.two[0])]))
    assert one.status_code == 400 and "不得少于两人" in one.content.decode()
    missing = client.post(url, form_data(s, goods_name=""))
    assert missing.status_code == 400 and "请填写抽样物品名称" in missing.content.decode()
    assert counts() == before


def test_sampling_page_is_scoped(s, client_for):
    url = reverse("case_records:transcript_new", args=[s.case.pk]) + "?kind=sampling"
    record = add_sampling(s)
    detail = reverse("case_records:detail", args=[record.pk])
    correct = reverse("case_records:correct", args=[record.pk])
    before = counts()
    assert Client().get(url).status_code == 302  # to the login page
    for page in (url, detail, correct):
        assert client_for("marketofficer").get(page).status_code == 404  # another body
    assert client_for("marketofficer").post(url, form_data(s)).status_code == 404
    assert client_for("supervisor").get(url).status_code == 403
    assert client_for("supervisor").post(url, form_data(s)).status_code == 403
    assert client_for("supervisor").get(correct).status_code == 403
    supervisor_view = client_for("supervisor").get(detail)
    assert supervisor_view.status_code == 200  # reads, but no link to write
    assert "上传检验检测报告" not in supervisor_view.content.decode()
    assert counts() == before


def test_correction_page_for_sampling(s, client_for):
    record = add_sampling(s)
    client = client_for("officer")
    url = reverse("case_records:correct", args=[record.pk])
    page = client.get(url).content.decode()
    assert 'value="散装白酒"' in page and 'value="岩应，岩三"' in page
    assert 'name="findings"' not in page and 'name="interviewee_name"' not in page
    data = form_data(s, sample_quantity="1.5", reason="核对后更正样品数量")
    del data["kind"]
    response = client.post(url, data)
    assert response.status_code == 302
    fixed = Record.objects.get(supersedes=record)
    assert fixed.content["sample_quantity"] == "1.5" and fixed.kind == "sampling"


# ---------------------------------------------------------------- API and case file


def test_api_accepts_sampling_and_refuses_a_sample_above_the_base(s, client_for):
    client = client_for("officer")
    url = f"/api/v1/cases/{s.case.pk}/records"
    body = {
        "kind": "sampling",
        "title": "抽样取证凭证（散装白酒）",
        "place": "芒洪村3组岩应小卖部",
        "officer_ids": s.two,
        "content": sampling(),
    }
    before = counts()
    bad = client.post(
        url, {**body, "content": sampling(sample_quantity="60")}, content_type="application/json"
    )
    assert bad.status_code == 400 and "不能超过抽样基数" in bad.json()["detail"]
    assert (
        client_for("supervisor").post(url, body, content_type="application/json").status_code == 403
    )
    other = client_for("marketofficer").post(url, body, content_type="application/json")
    assert other.status_code == 404
    assert counts() == before
    made = client.post(url, body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["kind"] == "sampling" and made.json()["content"]["sample_unit"] == "千克"


def test_case_file_lists_the_sampling_record(s):
    record = add_sampling(s)
    buffer = io.BytesIO()
    archive.write_case_file(s.world.users["unithead"], s.case, buffer)
    with zipfile.ZipFile(buffer) as zf:
        names = [n for n in zf.namelist() if n.startswith("records/") and "抽样取证凭证" in n]
        assert len(names) == 1
        html = zf.read(names[0]).decode()
    assert record.title in html
    for text in ("抽样物品名称", "散装白酒", "抽样基数", "抽取样品数量", "被抽样人（持有人）"):
        assert text in html, text
    assert "样品处理</th><td>送检" in html and "检验检测机构" in html
