from django.test import Client
from django.urls import reverse

from zhifa.laws import services
from zhifa.laws.models import Article, Law
from zhifa.laws.search import search_articles, snippet


def test_search_finds_words_and_highlights(library):
    hits = search_articles("无证经营")
    assert hits
    assert all("无证" in h.article.text and "经营" in h.article.text for h in hits)
    assert "<mark>" in str(hits[0].snippet_html)


def test_search_matches_a_word_inside_a_longer_one(db, tmp_path):
    # 行政处罚 (one word for rjieba) also finds 行政处罚法, cut as a single longer word.
    path = tmp_path / "示例法(2020-01-01).md"
    path.write_text("# 示例法\n\n<!-- INFO END -->\n\n第一条 依照行政处罚法处理。\n", "utf-8")
    services.import_path(path)
    (hit,) = search_articles("行政处罚")
    assert hit.article.number == 1
    assert "<mark>行政处罚</mark>法" in str(hit.snippet_html)


def test_search_limit_law_filter_and_empty(library):
    law = Law.objects.get(short_title="森林法")
    hits = search_articles("罚款", limit=5, law=law)
    assert 0 < len(hits) <= 5 and all(h.article.law_id == law.pk for h in hits)
    assert search_articles("   ") == []
    assert search_articles("完全不存在的词语组合喵喵") == []


def test_search_puts_a_cited_article_first(library):
    hits = search_articles("行政处罚法第五十一条")
    assert hits[0].article.label == "第五十一条"
    assert hits[0].article.law.short_title == "行政处罚法"


def test_search_prefers_the_version_in_force(library):
    hits = search_articles("不正当竞争", law=None, limit=3)
    assert hits and hits[0].article.law.in_force


def test_search_is_safe_with_query_syntax(library):
    for query in ['"', "AND OR NOT", "罚款 -(", "a:b", "* ^ NEAR(", "'; DROP TABLE"]:
        search_articles(query)


def test_snippet_escapes():
    html = str(snippet("<b>罚款</b>五万元", ["罚款"]))
    assert html == "&lt;b&gt;<mark>罚款</mark>&lt;/b&gt;五万元"


def test_pages_need_login(library):
    law = Law.objects.first()
    art = law.articles.first()
    for url in (reverse("laws:index"), law.get_absolute_url(), art.get_absolute_url()):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_pages_for_any_signed_in_user(library, world):
    client = Client()
    client.force_login(next(iter(world.users.values())))
    page = client.get(reverse("laws:index"))
    assert page.status_code == 200 and "法律法规" in page.content.decode()
    results = client.get(reverse("laws:index"), {"q": "罚款"}, HTTP_HX_REQUEST="true")
    body = results.content.decode()
    assert results.status_code == 200 and "<mark>罚款</mark>" in body and "<html" not in body
    law = Law.objects.get(short_title="行政处罚法")
    reader = client.get(law.get_absolute_url()).content.decode()
    assert 'id="a51"' in reader and "第五章 行政处罚的决定" in reader and 'href="#a1"' in reader
    art = Article.objects.get(law=law, number=51)
    detail = client.get(art.get_absolute_url()).content.decode()
    assert "第五十一条" in detail and "第五十二条 →" in detail
    assert client.get(reverse("laws:law", args=[999999])).status_code == 404
    assert client.get(reverse("laws:article", args=[999999])).status_code == 404
