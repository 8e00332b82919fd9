"""Article search over the whole library: FTS5 on SQLite, tsvector + GIN on PostgreSQL, both
over `Article.segmented` (rjieba words). A query that cites an article (行政处罚法第五十一条)
puts that article first."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article, Law
from .segment import fts5_match, highlight_words, pg_tsquery, query_terms

SNIPPET_CHARS = 120


@dataclass
class Hit:
    article: Article
    snippet_html: SafeString


PG_SQL = (
    "SELECT a.id FROM laws_article a JOIN laws_law l ON l.id = a.law_id, "
    "to_tsquery('simple', %s) q WHERE a.search_vector @@ q AND (%s = 0 OR a.law_id = %s) "
    "ORDER BY l.in_force DESC, ts_rank(a.search_vector, q) DESC, a.id LIMIT %s"
)
SQLITE_SQL = (
    "SELECT a.id FROM laws_article_fts f JOIN laws_article a ON a.id = f.rowid "
    "JOIN laws_law l ON l.id = a.law_id WHERE laws_article_fts MATCH %s "
    "AND (%s = 0 OR a.law_id = %s) ORDER BY l.in_force DESC, f.rank, a.id LIMIT %s"
)


def _matching_ids(terms, limit: int, law_id: int | None) -> list[int]:
    if connection.vendor == "postgresql":
        sql, match = PG_SQL, pg_tsquery(terms)
    else:
        sql, match = SQLITE_SQL, fts5_match(terms)
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, law_id or 0, law_id or 0, limit])
        return [row[0] for row in cursor.fetchall()]


def snippet(text: str, words: list[str], size: int = SNIPPET_CHARS) -> SafeString:
    """A window of the text around the first hit, escaped, hits wrapped in <mark>."""
    text = text.replace("\n", " ")
    words = sorted({w for w in words if w}, key=len, reverse=True)
    positions = [text.find(w) for w in words if w and w in text]
    first = min(positions) if positions else 0
    start = max(0, first - size // 3)
    end = min(len(text), start + size)
    window = text[start:end]
    pattern = "|".join(re.escape(w) for w in words if w)
    parts = re.split(f"({pattern})", window) if pattern else [window]
    html = "".join(
        f"<mark>{escape(p)}</mark>" if i % 2 == 1 else escape(p) for i, p in enumerate(parts)
    )
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - pieces escaped above


def search_articles(query: str, limit: int = 20, law: Law | int | None = None) -> list[Hit]:
    query = (query or "").strip()[:200]
    if not query:
        return []
    law_id = law.pk if isinstance(law, Law) else law
    ids: list[int] = []
    from .citations import find_citations

    for citation in find_citations(query):
        art = citation.article_obj
        if art is not None and (not law_id or art.law_id == law_id) and art.pk not in ids:
            ids.append(art.pk)
    terms = query_terms(query)
    if terms and len(ids) < limit:
        for pk in _matching_ids(terms, limit, law_id):
            if pk not in ids:
                ids.append(pk)
    ids = ids[:limit]
    articles = Article.objects.select_related("law").in_bulk(ids)
    words = highlight_words(query)
    words += [p for alternatives in terms for alt in alternatives[1:] for p in alt]
    return [Hit(articles[pk], snippet(articles[pk].text, words)) for pk in ids if pk in articles]
