"""The law library: public reference data, readable by any authenticated user or client."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from zhifa.laws.models import Article, Law
from zhifa.laws.search import search_articles

from ..auth import require_scope
from ..schemas import ArticleOut, ErrorOut, LawDetailOut, LawOut, SearchHitOut

router = Router(tags=["法律法规"])


def article_out(a: Article) -> dict:
    return {
        "id": a.pk,
        "law_id": a.law_id,
        "label": a.label,
        "number": a.number,
        "suffix": a.suffix,
        "part": a.part,
        "subpart": a.subpart,
        "chapter": a.chapter,
        "section": a.section,
        "text": a.text,
    }


@router.get("/laws", response=list[LawOut])
@paginate(LimitOffsetPagination)
def list_laws(request: HttpRequest, q: str = "", level: str = "", in_force: bool | None = None):
    require_scope(request.auth, "read")
    qs = Law.objects.all()
    q = q.strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(short_title__icontains=q))
    if level:
        qs = qs.filter(level=level)
    if in_force is not None:
        qs = qs.filter(in_force=in_force)
    return qs


@router.get("/laws/search", response=list[SearchHitOut])
def search(request: HttpRequest, q: str, limit: int = 20, law: int | None = None):
    require_scope(request.auth, "read")
    hits = search_articles(q, limit=max(1, min(limit, 50)), law=law)
    return [
        {
            "article": article_out(h.article),
            "law_title": h.article.law.title,
            "snippet_html": str(h.snippet_html),
        }
        for h in hits
    ]


@router.get("/laws/{int:law_id}", response={200: LawDetailOut, 404: ErrorOut})
def get_law(request: HttpRequest, law_id: int):
    require_scope(request.auth, "read")
    return get_object_or_404(Law, pk=law_id)


@router.get("/laws/{int:law_id}/articles", response=list[ArticleOut])
@paginate(LimitOffsetPagination)
def law_articles(request: HttpRequest, law_id: int):
    require_scope(request.auth, "read")
    law = get_object_or_404(Law, pk=law_id)
    return [article_out(a) for a in law.articles.order_by("ordering")]


@router.get("/articles/{int:article_id}", response={200: ArticleOut, 404: ErrorOut})
def get_article(request: HttpRequest, article_id: int):
    require_scope(request.auth, "read")
    return article_out(get_object_or_404(Article, pk=article_id))
