"""Pages: scoped access for every page (anonymous → login, admins → 403, another body's officer
→ 404, the body's own officer → 200), filters, the card with its QR, and the forms."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from zhifa.ledger.models import LedgerEntry
from zhifa.registry import cards
from zhifa.registry.models import LegalAdviser, LegalReviewer, Officer, TrainingRecord

from .conftest import citizen_id

pytestmark = pytest.mark.django_db


def page_urls(world, demo):
    officer = Officer.objects.get(certificate_no="53092600002")
    reviewer = LegalReviewer.objects.filter(active=True).first()
    adviser = LegalAdviser.objects.first()
    org = world.orgs["daxing"].pk
    return {
        "get": [
            "/registry/",
            f"/registry/bodies/{org}/",
            "/registry/officers/",
            f"/registry/officers/{officer.pk}/",
        ],
        "manage": [
            f"/registry/bodies/{org}/profile/",
            f"/registry/bodies/{org}/reviewers/new/",
            f"/registry/bodies/{org}/advisers/new/",
            f"/registry/advisers/{adviser.pk}/edit/",
            f"/registry/reviewers/{reviewer.pk}/withdraw/",
            f"/registry/officers/{officer.pk}/edit/",
            f"/registry/officers/{officer.pk}/training/new/",
        ],
        "scoped": [
            f"/registry/bodies/{org}/",
            f"/registry/officers/{officer.pk}/",
            f"/registry/officers/{officer.pk}/photo",
            f"/registry/bodies/{org}/profile/",
            f"/registry/bodies/{org}/reviewers/new/",
            f"/registry/bodies/{org}/advisers/new/",
            f"/registry/advisers/{adviser.pk}/edit/",
            f"/registry/reviewers/{reviewer.pk}/withdraw/",
            f"/registry/officers/{officer.pk}/edit/",
            f"/registry/officers/{officer.pk}/training/new/",
        ],
    }


def test_anonymous_is_sent_to_login(world, demo):
    urls = page_urls(world, demo)
    for url in urls["get"] + urls["manage"] + ["/registry/officers/new/"]:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert "/login" in response["Location"], url


@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditadmin"])
def test_administrators_get_403(world, demo, client_for, username):
    client = client_for(username)
    urls = page_urls(world, demo)
    for url in urls["get"] + urls["manage"] + ["/registry/officers/new/"]:
        assert client.get(url).status_code == 403, url


def test_other_body_officer_gets_404_for_daxing_objects(world, demo, client_for):
    client = client_for("marketofficer")
    for url in page_urls(world, demo)["scoped"]:
        assert client.get(url).status_code == 404, url
    listing = client.get("/registry/officers/").content.decode()
    assert "李明" not in listing
    assert "大兴乡" not in client.get("/registry/").content.decode()


def test_daxing_officer_reads_everything_and_manages_nothing(world, demo, client_for):
    client = client_for("officer")
    urls = page_urls(world, demo)
    for url in urls["get"]:
        assert client.get(url).status_code == 200, url
    for url in urls["manage"] + ["/registry/officers/new/"]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("username", ["supervisor", "countysupervisor", "reviewer", "bodyhead"])
def test_other_business_roles_of_daxing_read(world, demo, client_for, username):
    client = client_for(username)
    for url in page_urls(world, demo)["get"]:
        assert client.get(url).status_code == 200, url


def test_body_head_manages_every_page(world, demo, client_for):
    client = client_for("bodyhead")
    for url in page_urls(world, demo)["manage"] + ["/registry/officers/new/"]:
        assert client.get(url).status_code == 200, url


def test_unit_head_manages_officers_not_the_body(world, demo, client_for):
    client = client_for("unithead")
    urls = page_urls(world, demo)
    officer = Officer.objects.get(certificate_no="53092600002")
    assert client.get(f"/registry/officers/{officer.pk}/edit/").status_code == 200
    assert client.get("/registry/officers/new/").status_code == 200
    assert client.get(urls["manage"][0]).status_code == 403
    reviewer_officer = Officer.objects.get(certificate_no="53092600008")  # in 党政综合办公室
    assert client.get(f"/registry/officers/{reviewer_officer.pk}/edit/").status_code == 403


def test_nav_item_for_business_roles_only(world, client_for):
    assert "执法主体与人员" in client_for("officer").get("/").content.decode()
    assert "执法主体与人员" not in client_for("sysadmin").get("/").content.decode()


def test_body_page_shows_profile_units_and_warnings(world, demo, client_for):
    html = client_for("officer").get(f"/registry/bodies/{world.orgs['daxing'].pk}/").content
    html = html.decode()
    for text in ("统一社会信用代码", "大兴乡综合行政执法队", "刘洋", "周文斌", "何晓东", "罗春燕"):
        assert text in html
    assert "已过期或将在 30 日内到期" in html
    assert "法制审核人员配备不足" not in html
    # Withdraw both reviewers: the page warns.
    for r in LegalReviewer.objects.all():
        r.active = False
        r.save()
    html = client_for("officer").get(f"/registry/bodies/{world.orgs['daxing'].pk}/").content
    assert "法制审核人员配备不足" in html.decode()


def test_officer_list_filters_and_search(world, demo, client_for):
    client = client_for("supervisor")
    html = client.get("/registry/officers/").content.decode()
    assert "李明" in html and "刘洋" in html
    li = Officer.objects.get(certificate_no="53092600002")
    assert li.citizen_id not in html and li.masked_citizen_id in html
    expired = client.get("/registry/officers/?cert=expired").content.decode()
    assert "罗春燕" in expired and "李明" not in expired and "何晓东" not in expired
    expiring = client.get("/registry/officers/?cert=expiring").content.decode()
    assert "何晓东" in expiring and "罗春燕" not in expiring
    unit = client.get(f"/registry/officers/?unit={world.orgs['daxing_office'].pk}").content
    assert "刘洋" in unit.decode() and "李明" not in unit.decode()
    found = client.get("/registry/officers/?q=53092600003").content.decode()
    assert "王芳" in found and "李明" not in found
    assert "王芳" in client.get("/registry/officers/?q=王").content.decode()
    Officer.objects.filter(pk=li.pk).update(status="suspended")
    suspended = client.get("/registry/officers/?status=suspended").content.decode()
    assert "李明" in suspended and "王芳" not in suspended
    assert client.get("/registry/officers/?cert=bogus&unit=x").status_code == 200


def test_officer_card_has_qr_to_verification_url(world, demo, client_for):
    officer = Officer.objects.get(certificate_no="53092600002")
    html = client_for("officer").get(f"/registry/officers/{officer.pk}/").content.decode()
    assert "<svg" in html and "执法证核验二维码" in html
    token = cards.card_token(officer)
    assert f"http://testserver/public/verify/{token}/" in html
    assert officer.citizen_id not in html
    assert "行政处罚法专题" in html and "学时" in html


def test_officer_create_and_edit_through_forms(world, demo, client_for, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client = client_for("unithead")
    data = {
        "organization": world.orgs["daxing_team"].pk,
        "name": "陶明亮",
        "gender": "male",
        "post": "执法队员",
        "citizen_id": citizen_id(55),
        "certificate_no": "53092609999",
        "certificate_categories": "综合行政执法、农业农村",
        "certificate_issued_on": "2025-01-01",
        "certificate_expires_on": "2030-12-31",
        "status": "active",
        "legal_qualification_no": "",
        "photo": SimpleUploadedFile("me.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
    }
    entries = LedgerEntry.objects.count()
    response = client.post("/registry/officers/new/", data)
    assert response.status_code == 302, response.content.decode()
    officer = Officer.objects.get(certificate_no="53092609999")
    assert officer.certificate_categories == ["综合行政执法", "农业农村"]
    assert LedgerEntry.objects.count() == entries + 1
    photo = client.get(f"/registry/officers/{officer.pk}/photo")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    # Duplicate certificate number: a Chinese error, nothing saved.
    data["photo"] = ""
    response = client.post("/registry/officers/new/", data)
    assert response.status_code == 400
    assert "已被登记" in response.content.decode()
    edit = {**data, "post": "副队长"}
    response = client.post(f"/registry/officers/{officer.pk}/edit/", edit)
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.post == "副队长" and officer.photo
    response = client.post(
        f"/registry/officers/{officer.pk}/training/new/",
        {"date": "2026-02-01", "title": "执法文书制作", "hours": "3.5"},
    )
    assert response.status_code == 302
    assert TrainingRecord.objects.get(officer=officer).hours == 3.5


def test_reviewer_form_refuses_unqualified_first_timer(world, demo, client_for):
    client = client_for("bodyhead")
    wang = Officer.objects.get(certificate_no="53092600003")
    url = f"/registry/bodies/{world.orgs['daxing'].pk}/reviewers/new/"
    response = client.post(
        url, {"person": f"o{wang.pk}", "appointed_on": "2026-03-01", "first_time": "on"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "未取得法律职业资格" in html and "第五十八条第二款" in html
    assert not LegalReviewer.objects.filter(officer=wang).exists()
    response = client.post(url, {"person": f"o{wang.pk}", "appointed_on": "2026-03-01"})
    assert response.status_code == 302
    assert LegalReviewer.objects.filter(officer=wang, active=True).exists()


def test_body_profile_form(world, demo, client_for):
    client = client_for("bodyhead")
    url = f"/registry/bodies/{world.orgs['daxing'].pk}/profile/"
    form = client.get(url).content.decode()
    assert "0883-0000101" in form
    from zhifa.registry.demo import BODY

    data = {**BODY, "categories": "乡村建设规划、农业农村", "head_name": "张伟"}
    data["uscc"] = BODY["uscc"][:-1] + ("0" if BODY["uscc"][-1] != "0" else "1")
    response = client.post(url, data)
    assert response.status_code == 400 and "校验位" in response.content.decode()
    data["uscc"] = BODY["uscc"]
    assert client.post(url, data).status_code == 302
    assert demo.__class__.objects.get().categories == ["乡村建设规划", "农业农村"]


def test_demo_is_idempotent_and_links_users(world, demo):
    from zhifa.registry.demo import build_registry_demo

    entries = LedgerEntry.objects.count()
    build_registry_demo(world)
    assert LedgerEntry.objects.count() == entries
    assert Officer.objects.count() == 8
    for username in ("officer", "officer2", "unithead", "reviewer"):
        assert world.users[username].officer_record is not None
    today = timezone.localdate()
    states = {o.name: o.certificate_expires_on for o in Officer.objects.all()}
    assert states["何晓东"] > today and states["罗春燕"] < today
    reviewers = LegalReviewer.objects.filter(active=True)
    assert reviewers.count() == 2
    assert reviewers.get(officer__isnull=False).officer.user == world.users["reviewer"]


def test_body_head_edits_an_adviser(world, demo, client_for):
    import json

    adviser = LegalAdviser.objects.get()
    client = client_for("bodyhead")
    url = f"/registry/advisers/{adviser.pk}/edit/"
    assert url in client.get(f"/registry/bodies/{world.orgs['daxing'].pk}/").content.decode()
    form = client.get(url).content.decode()
    assert adviser.practising_certificate_no in form
    data = {
        "name": adviser.name,
        "law_firm": adviser.law_firm_id,
        "practising_certificate_no": "",
        "active": "on",
    }
    response = client.post(url, data)  # the certificate number is required: nothing saved
    assert response.status_code == 400
    before = adviser.practising_certificate_no
    adviser.refresh_from_db()
    assert adviser.practising_certificate_no == before
    response = client.post(url, {**data, "practising_certificate_no": "15309201810000099"})
    assert response.status_code == 302
    adviser.refresh_from_db()
    assert adviser.practising_certificate_no == "15309201810000099" and adviser.active
    data = {**data, "practising_certificate_no": "15309201810000099"}
    del data["active"]
    response = client.post(url, data)
    assert response.status_code == 302  # unticked 在聘: the adviser leaves
    adviser.refresh_from_db()
    assert not adviser.active
    entries = LedgerEntry.objects.filter(
        event_type="registry.adviser_updated", actor__isnull=False
    ).order_by("seq")
    payloads = [json.loads(e.payload) for e in entries]
    assert [p["changed"] for p in payloads] == [["practising_certificate_no"], ["active"]]
    assert payloads[0]["before"]["practising_certificate_no"] == before
    assert payloads[1]["after"] == {"active": False}
    assert {e.actor for e in entries} == {world.users["bodyhead"]}


def test_supervisor_sees_reviewer_shortage_and_expiring_certificates(
    world, body, make_officer, client_for
):
    """The ratio rule (≥ 5 % and ≥ 1) and certificate expiry, shown to the supervising justice
    bureau on the register's first page; fixed by appointing a qualified reviewer."""
    import datetime

    from zhifa.registry import services

    today = timezone.localdate()
    officer = make_officer(
        has_legal_qualification=True,
        legal_qualification_no="A20190001",
        certificate_expires_on=today + datetime.timedelta(days=10),
    )
    client = client_for("countysupervisor")
    page = client.get("/registry/").content.decode()
    assert "法制审核人员配备不足" in page and "应至少配备 1 名" in page
    assert "执法证已过期或将在 30 日内到期" in page and "1 名在岗执法人员" in page
    # another body's officer sees neither
    other = client_for("marketofficer").get("/registry/").content.decode()
    assert "配备不足" not in other and "1 名在岗执法人员" not in other
    services.appoint_reviewer(None, body, officer=officer, appointed_on=today, first_time=True)
    assert "法制审核人员配备不足" not in client.get("/registry/").content.decode()
