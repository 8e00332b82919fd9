"""The public pages: the form with its human check, CSRF and rate limit; the lookup that shows
status and reply only and answers every wrong number the same way."""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from zhifa.ledger.models import LedgerEntry
from zhifa.supervision import services
from zhifa.supervision.models import Complaint

from .conftest import TEXT, solve

pytestmark = pytest.mark.django_db

NEW = "/public/complaints/"
LOOKUP = "/public/complaints/lookup/"


def form_data(world, client, **fields):
    token, answer = solve(client.get(NEW).content.decode())
    data = {
        "body": world.orgs["daxing"].pk,
        "category": "conduct",
        "text": TEXT,
        "contact_name": "",
        "contact_phone": "",
        "challenge": token,
        "answer": answer,
    }
    data.update(fields)
    return data


def test_urls_are_named():
    assert reverse("complaints:new") == NEW
    assert reverse("complaints:lookup") == LOOKUP


def test_form_page_is_public_and_accessible(world):
    html = Client().get(NEW).content.decode()
    assert "投诉举报" in html and "csrfmiddlewaretoken" in html
    assert world.orgs["daxing"].name in html
    assert world.orgs["daxing_justice"].name not in html  # not an enforcement body
    # The question is a label of its input: read by screen readers, no script needed.
    assert '<label for="id_answer">验证题：' in html
    assert "<script" not in html
    # In the portal's shell, which links both complaint pages.
    assert "行政执法公示平台" in html and f'href="{LOOKUP}"' in html


def test_submit_shows_tracking_number(world):
    client = Client()
    response = client.post(NEW, form_data(world, client))
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.tracking_no in response.content.decode()
    assert complaint.anonymous


def test_script_tags_stored_inert_and_rendered_escaped(world, client_for):
    client = Client()
    text = '<script>alert("x")</script><img src=x onerror=alert(1)> 执法人员乱收费。'
    assert client.post(NEW, form_data(world, client, text=text)).status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.text == text  # kept as typed: it is evidence of what was written
    html = client_for("supervisor").get(f"/supervision/complaints/{complaint.pk}/").content
    html = html.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    services.accept(world.users["supervisor"], complaint)
    services.reply(world.users["supervisor"], complaint, "<b>已处理</b>，请知悉。谢谢监督。")
    html = client.post(LOOKUP, {"number": complaint.tracking_no}).content.decode()
    assert "&lt;b&gt;已处理&lt;/b&gt;" in html and "<b>已处理" not in html


def test_huge_text_refused_nothing_saved(world):
    client = Client()
    response = client.post(NEW, form_data(world, client, text="很" * 100_000))
    assert response.status_code == 400
    assert "不能超过2000个字" in response.content.decode()
    assert not Complaint.objects.exists()


def test_bad_phone_refused_and_input_kept(world):
    client = Client()
    response = client.post(NEW, form_data(world, client, contact_phone="12345"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "手机号码格式错误" in html and TEXT in html
    assert solve(html)[1]  # a new question to answer, with its label
    assert not Complaint.objects.exists()


def test_wrong_answer_refused(world):
    client = Client()
    data = form_data(world, client)
    data["answer"] = str(int(data["answer"]) + 1)
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert "验证题答案不正确" in response.content.decode()
    assert not Complaint.objects.exists()


def test_forged_token_refused(world):
    client = Client()
    forged = signing.dumps({"a": 1, "b": 1, "op": "+", "t": 0, "n": "x"}, salt="other")
    response = client.post(NEW, form_data(world, client, challenge=forged, answer="2"))
    assert response.status_code == 400 and "验证题无效" in response.content.decode()
    assert not Complaint.objects.exists()


def test_token_used_once(world):
    client = Client()
    data = form_data(world, client)
    assert client.post(NEW, data).status_code == 200
    again = client.post(NEW, data)
    assert again.status_code == 400 and "验证题已失效" in again.content.decode()
    assert Complaint.objects.count() == 1


def test_too_fast_refused(world, settings):
    settings.COMPLAINT_MIN_SECONDS = 60
    client = Client()
    response = client.post(NEW, form_data(world, client))
    assert response.status_code == 400 and "提交过快" in response.content.decode()
    assert not Complaint.objects.exists()


def test_csrf_required(world):
    client = Client(enforce_csrf_checks=True)
    data = form_data(world, client)
    assert client.post(NEW, data).status_code == 403
    assert not Complaint.objects.exists()
    data["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
    assert client.post(NEW, data).status_code == 200
    assert Complaint.objects.count() == 1


def test_flooding_refused_per_ip(world, settings):
    settings.COMPLAINT_RATE_SUBMIT = (3, 3600)
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert client.post(NEW, form_data(world, client)).status_code == 200
    response = client.post(NEW, form_data(world, client))
    assert response.status_code == 429
    assert re.search(r"操作过于频繁，请于 \d+ 分钟后再试", response.content.decode())
    assert Complaint.objects.count() == 3
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert other.post(NEW, form_data(world, other)).status_code == 200


def test_lookup_shows_status_and_reply_only(world, make_complaint):
    c = make_complaint(case_reference="耿大兴罚〔2026〕7号")
    client = Client()
    html = client.post(LOOKUP, {"number": c.tracking_no}).content.decode()
    assert "已收到" in html and "尚未答复" in html
    for hidden in ("周小梅", "138", TEXT[:8], "大兴乡", "耿大兴罚", "执法态度"):
        assert hidden not in html, hidden
    services.accept(world.users["supervisor"], c)
    services.reply(world.users["supervisor"], c, "经核查，已责令整改，感谢监督。")
    typed = c.tracking_no.lower().replace("-", " ")
    html = client.post(LOOKUP, {"number": typed}).content.decode()
    assert "已办结" in html and "经核查，已责令整改" in html


def test_wrong_numbers_all_get_the_same_answer(world, make_complaint):
    c = make_complaint()
    last = c.tracking_no[-1]
    typo = c.tracking_no[:-1] + ("0" if last != "0" else "1")
    unknown = c.tracking_no[:9] + "ZZZZ-ZZZZ-ZZZ"
    unknown += next(ch for ch in "0123456789ABCDEFGHJKMNPQRSTVWXYZ" if tracking_ok(unknown + ch))
    client = Client()
    bodies = set()
    for number in (typo, unknown, "abc", "<script>alert(1)</script>", "9" * 60):
        response = client.post(LOOKUP, {"number": number})
        assert response.status_code == 404
        html = response.content.decode()
        assert "未找到该投诉，请核对查询码。" in html and "<script>alert" not in html
        bodies.add(html.count("未找到"))
    assert bodies == {1}


def tracking_ok(number):
    from zhifa.supervision.tracking import normalise

    return normalise(number) is not None


def test_lookup_flooding_refused(world, make_complaint, settings):
    settings.COMPLAINT_RATE_LOOKUP = (5, 600)
    c = make_complaint()
    client = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(5):
        client.post(LOOKUP, {"number": "20260302-AAAA-AAAA-AAAA"})
    response = client.post(LOOKUP, {"number": c.tracking_no})
    assert response.status_code == 429 and "操作过于频繁" in response.content.decode()
    assert "已收到" not in response.content.decode()


def test_submission_ledger_entry_from_the_page(world):
    client = Client()
    before = LedgerEntry.objects.count()
    client.post(NEW, form_data(world, client, contact_phone="13800000002"))
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert LedgerEntry.objects.count() == before + 1
    assert entry.actor_label == "public" and "13800000002" not in entry.payload


def test_body_over_the_upload_limit_refused(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    client = Client()
    response = client.post(NEW, form_data(world, client, text="很" * 200_000))
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_ipv6_counted_per_64_block(world, make_complaint, settings):
    settings.COMPLAINT_RATE_LOOKUP = (2, 600)
    c = make_complaint()
    for suffix in ("1", "2"):
        Client(REMOTE_ADDR=f"2001:db8:1:2::{suffix}").post(LOOKUP, {"number": "x"})
    response = Client(REMOTE_ADDR="2001:db8:1:2::3").post(LOOKUP, {"number": c.tracking_no})
    assert response.status_code == 429
    other = Client(REMOTE_ADDR="2001:db8:1:3::1").post(LOOKUP, {"number": c.tracking_no})
    assert other.status_code == 200


def test_rates_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from zhifa.supervision import guard

    assert guard.rate("submit") == guard.DEFAULT_RATES["submit"]
    monkeypatch.setenv("ZHIFA_COMPLAINT_RATE_SUBMIT", "2/60")
    assert guard.rate("submit") == (2, 60)
    monkeypatch.setenv("ZHIFA_COMPLAINT_RATE_SUBMIT", "many")
    with pytest.raises(ImproperlyConfigured):
        guard.rate("submit")
