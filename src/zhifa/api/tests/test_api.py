import re

import pytest
from django.test import Client

from zhifa.exchange import services as exchange_services
from zhifa.exchange.models import ApiClient
from zhifa.laws.models import Article, Law
from zhifa.ledger.models import LedgerEntry
from zhifa.registry.models import Officer, TrainingRecord

BASE = "/api/v1"


def _urls(world):
    """Every read endpoint: (url for 大兴乡's data, url for 市场监督管理局's data or None)."""
    daxing, market = world.orgs["daxing"], world.orgs["county_market"]
    li = Officer.objects.get(name="李明")
    sun = Officer.objects.get(name="孙磊")
    law = Law.objects.get()
    article = Article.objects.filter(law=law).first()
    return {
        "bodies": f"{BASE}/bodies",
        "body": (f"{BASE}/bodies/{daxing.pk}", f"{BASE}/bodies/{market.pk}"),
        "officers": f"{BASE}/officers",
        "officer": (f"{BASE}/officers/{li.pk}", f"{BASE}/officers/{sun.pk}"),
        "laws": f"{BASE}/laws",
        "law": f"{BASE}/laws/{law.pk}",
        "articles": f"{BASE}/laws/{law.pk}/articles",
        "article": f"{BASE}/articles/{article.pk}",
        "search": f"{BASE}/laws/search?q=过期食品",
    }


def _flat(urls):
    for value in urls.values():
        yield from (value if isinstance(value, tuple) else (value,))


# ---------------------------------------------------------------- OpenAPI and docs


def test_openapi_lists_paths(db):
    response = Client().get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    for path in [
        "/bodies",
        "/bodies/{org_id}",
        "/officers",
        "/officers/{officer_id}",
        "/officers/{officer_id}/trainings",
        "/laws",
        "/laws/search",
        "/laws/{law_id}",
        "/laws/{law_id}/articles",
        "/articles/{article_id}",
        "/power-lists",
        "/power-lists/{list_id}",
        "/power-lists/{list_id}/matters",
        "/matters/{matter_id}",
        "/benchmarks",
        "/benchmarks/{benchmark_id}",
    ]:
        assert BASE + path in paths


def test_docs_page_uses_no_external_assets(db):
    response = Client().get(f"{BASE}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower() or "redoc" in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "cdn" not in html.lower()


# ---------------------------------------------------------------- scoped reads


def test_anonymous_gets_401_everywhere(api_world):
    for url in _flat(_urls(api_world)):
        response = Client().get(url)
        assert response.status_code == 401, url
        assert response.json()["detail"]


def test_daxing_officer_reads_daxing(api_world, client_for):
    urls = _urls(api_world)
    client = client_for("officer")
    for url in _flat(urls):
        if url in (urls["body"][1], urls["officer"][1]):
            continue
        assert client.get(url).status_code == 200, url
    names = {o["name"] for o in client.get(urls["officers"]).json()["items"]}
    assert "李明" in names and "孙磊" not in names
    bodies = client.get(urls["bodies"]).json()["items"]
    assert [b["name"] for b in bodies] == [api_world.orgs["daxing"].name]


def test_other_organisation_gets_404(api_world, client_for):
    urls = _urls(api_world)
    daxing = client_for("officer")
    market = client_for("marketofficer")
    for pair in (urls["body"], urls["officer"]):
        assert daxing.get(pair[1]).status_code == 404
        assert market.get(pair[0]).status_code == 404
        assert market.get(pair[1]).status_code == 200
        missing = pair[0].rsplit("/", 1)[0] + "/999999"
        assert market.get(missing).json() == daxing.get(missing).json()
        assert daxing.get(missing).status_code == 404
    names = {o["name"] for o in market.get(urls["officers"]).json()["items"]}
    assert names == {"孙磊"}


def test_officer_citizen_id_masked(api_world, client_for, daxing_officer):
    data = client_for("officer").get(f"{BASE}/officers/{daxing_officer.pk}").json()
    assert data["citizen_id"] != daxing_officer.citizen_id
    assert "*" in data["citizen_id"]


def test_officer_filters(api_world, client_for, daxing_officer):
    client = client_for("officer")
    unit = api_world.orgs["daxing_office"].pk
    items = client.get(f"{BASE}/officers", {"unit": unit}).json()["items"]
    assert {o["name"] for o in items} == {"刘洋"}
    items = client.get(f"{BASE}/officers", {"q": "李明"}).json()["items"]
    assert [o["id"] for o in items] == [daxing_officer.pk]
    items = client.get(f"{BASE}/officers", {"status": "revoked"}).json()["items"]
    assert items == []


@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditadmin"])
def test_admins_see_no_business_data(api_world, client_for, username):
    """Decision: administrators hold no business role, so business lists are empty and each
    business object is 404, as for any other reader outside its scope. Laws are public."""
    urls = _urls(api_world)
    client = client_for(username)
    assert client.get(urls["bodies"]).json()["count"] == 0
    assert client.get(urls["officers"]).json()["count"] == 0
    for url in (*urls["body"], *urls["officer"]):
        assert client.get(url).status_code == 404
    for key in ("laws", "law", "articles", "article", "search"):
        assert client.get(urls[key]).status_code == 200


def test_token_client_reads_its_subtree_only(api_world, token_for, bearer):
    urls = _urls(api_world)
    client = bearer(token_for("daxing"))
    for url in _flat(urls):
        expected = 404 if url in (urls["body"][1], urls["officer"][1]) else 200
        assert client.get(url).status_code == expected, url
    names = {o["name"] for o in client.get(urls["officers"]).json()["items"]}
    assert "李明" in names and "孙磊" not in names


def test_unit_client_reads_its_body(api_world, token_for, bearer):
    urls = _urls(api_world)
    client = bearer(token_for("daxing_team"))
    assert client.get(urls["body"][0]).status_code == 200
    assert client.get(urls["body"][1]).status_code == 404


def test_revoked_and_unknown_tokens_get_401(api_world, token_for, bearer):
    urls = _urls(api_world)
    raw = token_for("daxing")
    exchange_services.revoke(None, ApiClient.objects.get(name="daxing-read"))
    for client in (bearer(raw), bearer("zf_unknown"), bearer("garbage")):
        for url in _flat(urls):
            assert client.get(url).status_code == 401, url


def test_token_without_read_scope_gets_403(api_world, token_for, bearer):
    client = bearer(token_for("daxing", "registry.write"))
    assert client.get(f"{BASE}/bodies").status_code == 403


def test_search_finds_article(api_world, client_for):
    hits = client_for("officer").get(f"{BASE}/laws/search", {"q": "过期食品"}).json()
    assert hits and hits[0]["article"]["label"] == "第二条"
    assert hits[0]["law_title"] == "中华人民共和国示例管理法"


# ---------------------------------------------------------------- writes


def _officer_payload(world, **extra):
    from .conftest import _citizen_id

    return {
        "organization_id": world.orgs["daxing_team"].pk,
        "name": "新队员",
        "gender": "female",
        "citizen_id": _citizen_id("19900202", 555),
        "certificate_no": "53092688880001",
        "certificate_issued_on": "2025-01-01",
        "certificate_expires_on": "2030-01-01",
        **extra,
    }


def test_token_write_with_scope_appends_ledger(api_world, token_for, bearer, daxing_officer):
    client = bearer(token_for("daxing", "read,registry.write"))
    before = LedgerEntry.objects.count()
    response = client.post(
        f"{BASE}/officers", _officer_payload(api_world), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    officer = Officer.objects.get(pk=response.json()["id"])
    assert officer.name == "新队员"
    # One entry per change, naming the client itself as the actor.
    assert LedgerEntry.objects.count() == before + 1
    entry = LedgerEntry.objects.order_by("-pk").first()
    client_row = ApiClient.objects.get(name="daxing-read,registry.write")
    assert entry.event_type == "registry.officer_created"
    assert entry.actor_id is None and entry.role == "api_client"
    assert entry.actor_label == f"api:{client_row.pk} daxing-read,registry.write"
    response = client.post(
        f"{BASE}/officers/{daxing_officer.pk}/trainings",
        {"date": "2026-03-01", "title": "行政处罚法培训", "hours": "4.5"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert TrainingRecord.objects.filter(officer=daxing_officer, title="行政处罚法培训").exists()
    response = client.patch(
        f"{BASE}/officers/{daxing_officer.pk}", {"post": "副队长"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["post"] == "副队长"


def test_token_write_without_scope_403(api_world, token_for, bearer, daxing_officer):
    client = bearer(token_for("daxing", "read"))
    before = LedgerEntry.objects.count()
    response = client.post(
        f"{BASE}/officers", _officer_payload(api_world), content_type="application/json"
    )
    assert response.status_code == 403
    assert "registry.write" in response.json()["detail"]
    response = client.patch(
        f"{BASE}/officers/{daxing_officer.pk}", {"post": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert LedgerEntry.objects.count() == before


def test_token_write_to_other_organisation_404(api_world, token_for, bearer, market_officer):
    client = bearer(token_for("daxing", "read,registry.write"))
    payload = _officer_payload(api_world, organization_id=api_world.orgs["county_market"].pk)
    response = client.post(f"{BASE}/officers", payload, content_type="application/json")
    assert response.status_code == 404
    response = client.patch(
        f"{BASE}/officers/{market_officer.pk}", {"post": "x"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_session_writes_follow_roles(api_world, client_for, daxing_officer):
    url = f"{BASE}/officers/{daxing_officer.pk}"
    body = {"post": "副队长"}
    assert Client().patch(url, body, content_type="application/json").status_code == 401
    # An officer reads but may not manage the register.
    response = client_for("officer").patch(url, body, content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"]
    assert (
        client_for("marketofficer").patch(url, body, content_type="application/json").status_code
        == 404
    )
    assert (
        client_for("sysadmin").patch(url, body, content_type="application/json").status_code == 404
    )
    response = client_for("bodyhead").patch(url, body, content_type="application/json")
    assert response.status_code == 200 and response.json()["post"] == "副队长"
    assert LedgerEntry.objects.filter(event_type="registry.officer_updated").exists()


def test_validation_errors_are_400_in_chinese(api_world, client_for, daxing_officer):
    client = client_for("bodyhead")
    response = client.post(
        f"{BASE}/officers",
        _officer_payload(api_world, citizen_id="123"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert re.search(r"[\u4e00-\u9fff]", response.json()["detail"])
    response = client.post(
        f"{BASE}/officers/{daxing_officer.pk}/trainings",
        {"date": "2026-03-01", "title": "x", "hours": "-1"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "学时" in response.json()["detail"]
    response = client.post(f"{BASE}/officers", {"name": 1}, content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]


def test_session_post_without_csrf_refused(api_world, daxing_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(api_world.users["bodyhead"])
    url = f"{BASE}/officers/{daxing_officer.pk}/trainings"
    body = {"date": "2026-03-01", "title": "培训", "hours": "2"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not TrainingRecord.objects.filter(title="培训").exists()
    # Reads need no CSRF token; with the token the write goes through.
    assert client.get(f"{BASE}/officers/{daxing_officer.pk}").status_code == 200
    client.get("/login/")
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else None
    if token is None:
        from django.middleware.csrf import _get_new_csrf_string

        token = _get_new_csrf_string()
        client.cookies["csrftoken"] = token
    response = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
