"""The public portal: anonymous, read-only, published items only, masked data never shown,
odd search input never an error, officer verification with forged tokens refused and logged."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from zhifa.core.models import Role
from zhifa.publicity import services
from zhifa.publicity.models import PartyKind, Scan
from zhifa.publicity.views import home_cache_key
from zhifa.registry import services as registry_services
from zhifa.registry.cards import card_token
from zhifa.registry.models import EnforcementBody, Officer

from .conftest import SECRET_ID, secrets

pytestmark = pytest.mark.django_db


def get(url: str, status: int = 200):
    response = Client().get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def test_home_lists_published_items_and_is_cached_until_a_publication(daxing, published, facts):
    html = get("/public/").content.decode()
    assert published.title in html
    assert cache.get(home_cache_key()) is not None
    draft = services.draft_from_facts(None, facts(2, title="尚未发布的决定"))
    assert "尚未发布的决定" not in get("/public/").content.decode()
    services.review(None, draft)
    services.publish(daxing.users["bodyhead"], draft)
    assert "尚未发布的决定" in get("/public/").content.decode()  # a new key after publishing


def test_home_has_no_staff_navigation_and_links_complaints(daxing, published):
    html = get("/public/").content.decode()
    assert "sidenav" not in html and "退出" not in html
    assert "/public/complaints/" in html
    assert 'lang="zh-CN"' in html and 'for="q"' in html  # labelled search field


def test_publication_page_shows_masked_text_only(published):
    html = get(f"/public/p/{published.pk}/").content.decode()
    assert published.document_number in html and "岩某" in html
    for secret in secrets():
        assert secret not in html, secret


def test_unpublished_withdrawn_and_missing_items_are_404(daxing, published, facts):
    draft = services.draft_from_facts(None, facts(3))
    reviewed = services.review(None, services.draft_from_facts(None, facts(4)))
    minor = services.draft_from_facts(None, facts(5, party_is_minor=True))
    for pub in (draft, reviewed, minor):
        get(f"/public/p/{pub.pk}/", 404)
    services.withdraw(daxing.users["bodyhead"], published, "复议机关撤销原决定")
    get(f"/public/p/{published.pk}/", 404)
    get("/public/p/999999/", 404)
    html = get("/public/withdrawals/").content.decode()
    assert "复议机关撤销原决定" in html and published.document_number in html
    for secret in secrets():
        assert secret not in html


def test_portal_is_read_only(published):
    response = Client().post(f"/public/p/{published.pk}/", {"x": 1})
    assert response.status_code == 405
    assert Client().post("/public/search/", {"q": "x"}).status_code == 405


def test_search_by_keyword_body_category_and_dates(daxing, published, facts):
    other = services.draft_from_facts(
        None,
        facts(
            6,
            title="无证经营农药案",
            party_name="示例农资有限公司",
            party_kind=PartyKind.LEGAL,
            facts="示例农资有限公司经营限制使用农药。",
            category="licensing",
        ),
    )
    services.review(None, other)
    services.publish(None, other)
    html = get("/public/search/?q=砂石").content.decode()
    assert published.title in html and "无证经营农药案" not in html
    html = get("/public/search/?q=农药").content.decode()
    assert "无证经营农药案" in html and published.title not in html
    html = get("/public/search/?category=licensing").content.decode()
    assert "无证经营农药案" in html and published.title not in html
    org = daxing.orgs["daxing"].pk
    assert published.title in get(f"/public/search/?body={org}").content.decode()
    assert published.title not in get(f"/public/search/?body={org + 999}").content.decode()
    day = published.decided_on.isoformat()
    assert published.title in get(f"/public/search/?from={day}&to={day}").content.decode()
    assert published.title not in get("/public/search/?to=2000-01-01").content.decode()


def test_search_finds_nothing_by_masked_data(published):
    for secret in secrets():
        assert published.title not in get(f"/public/search/?q={secret}").content.decode()


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "'",
        "*",
        "AND",
        "OR NOT",
        "NEAR(",
        "a:b",
        "(((",
        "\\",
        "%",
        "_",
        "--",
        ";",
        "<script>alert(1)</script>",
        '砂石" OR 1=1 --',
        "\x00",
        "｛｝【】",
        "😀",
        "x" * 5000,
        "&&||!",
        "-",
        "^",
        "a*b",
        "NOT 砂石",
    ],
)
def test_search_with_odd_characters_never_errors(published, q):
    response = Client().get(
        "/public/search/",
        {"q": q, "body": "x", "from": "2026-13-45", "page": "-1", "category": "<b>"},
    )
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_body_page_from_the_register_with_history(daxing):
    org = daxing.orgs["daxing"]
    html = get(f"/public/bodies/{org.pk}/").content.decode()
    assert "大兴乡" in html and "李明" in html  # a valid certificate
    assert "罗春燕" not in html  # certificate expired
    assert "citizen" not in html
    for officer in Officer.objects.all():
        assert officer.citizen_id not in html
    assert "农村" in html or "行政检查事项清单" in html
    body = EnforcementBody.objects.get(organization=org)
    registry_services.update_body(None, body, supervision_phone="0883-0000999")
    html = get(f"/public/bodies/{org.pk}/").content.decode()
    assert "0883-0000999" in html
    history = get(f"/public/bodies/{org.pk}/history/").content.decode()
    assert history.count("<tr>") == 3  # header + two versions
    get("/public/bodies/999999/", 404)


def test_matter_page_with_flowchart(daxing):
    from zhifa.powers.models import Matter

    matter = Matter.objects.filter(power_list__organization=daxing.orgs["daxing"]).first()
    html = get(f"/public/matters/{matter.pk}/").content.decode()
    assert matter.name in html and "<svg" in html
    get("/public/matters/999999/", 404)


def test_verify_valid_officer(daxing):
    officer = Officer.objects.get(name="李明")
    html = get(f"/public/verify/{card_token(officer)}/").content.decode()
    assert "李明" in html and officer.certificate_no in html and "有效" in html
    assert officer.citizen_id not in html
    scan = Scan.objects.get()
    assert scan.valid and scan.certificate_valid and scan.officer == officer


def test_verify_expired_certificate_says_invalid(daxing):
    officer = Officer.objects.get(name="罗春燕")
    html = get(f"/public/verify/{card_token(officer)}/").content.decode()
    assert "无效" in html
    assert Scan.objects.get().certificate_valid is False


@pytest.mark.parametrize("token", ["forged", "eyJvIjoxfQ:abcdef", "x" * 300, "%00"])
def test_forged_token_refused_and_logged(daxing, token):
    html = get(f"/public/verify/{token}/", 404).content.decode()
    assert "二维码无效" in html
    assert Scan.objects.filter(valid=False).count() == 1


def test_tampered_token_refused(daxing):
    token = card_token(Officer.objects.get(name="李明"))
    value, sig = token.rsplit(":", 1)
    forged = sig[:-1] + ("B" if sig.endswith("A") else "A")  # never the signature itself
    get(f"/public/verify/{value}:{forged}/", 404)
    get(f"/public/verify/{token}/photo", 404)  # no photo on file


def test_ledger_page_shows_keys(daxing):
    from zhifa.ledger.services import make_checkpoint

    make_checkpoint()
    html = get("/public/ledger/").content.decode()
    assert "Ed25519" in html and "SM2" in html and "树大小" in html


def test_staff_only_data_absent(daxing, published):
    pages = [
        "/public/",
        f"/public/p/{published.pk}/",
        f"/public/bodies/{daxing.orgs['daxing'].pk}/",
        "/public/search/?q=砂石",
    ]
    for url in pages:
        html = get(url).content.decode()
        for staff in (
            "masked_counts",
            "已遮蔽",
            "待审核",
            "publicity_staff",
            "/publicity/",
            SECRET_ID,
        ):
            assert staff not in html, (url, staff)
    assert Role.OFFICER  # roles never shown: no membership data on public pages


def test_search_pages_newest_first(daxing, facts):
    # 25 matches: the first page comes from the newest rows, the second needs the next ones
    # (on PostgreSQL: the ordered pass, then the index pass).
    pubs = []
    for n in range(1, 26):
        pub = services.review(None, services.draft_from_facts(None, facts(100 + n)))
        pubs.append(services.publish(None, pub))
    first = get("/public/search/?q=砂石").content.decode()
    second = get("/public/search/?q=砂石&page=2").content.decode()
    newest = [p.document_number for p in reversed(pubs)]
    assert all(n in first for n in newest[:20]) and "下一页" in first
    assert all(n in second for n in newest[20:]) and "下一页" not in second
    assert newest[0] not in second
