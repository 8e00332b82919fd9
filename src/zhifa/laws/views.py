"""The law library pages: list + search, the reader with its table of contents, one article.
Law texts are public reference data: any signed-in user reads them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Article, Law, Level
from .search import search_articles


@login_required
def index(request):
    query = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    law_id = request.GET.get("law", "")
    law = Law.objects.filter(pk=law_id).first() if law_id.isdigit() else None
    context = {"query": query, "level": level, "levels": Level.choices, "law": law}
    if query:
        context["hits"] = search_articles(query, limit=50, law=law)
    else:
        laws = Law.objects.all()
        if level in Level.values:
            laws = laws.filter(level=level)
        context["page"] = Paginator(laws.order_by("-in_force", "name_key"), 50).get_page(
            request.GET.get("page")
        )
    template = "laws/_results.html" if request.headers.get("HX-Request") else "laws/index.html"
    return render(request, template, context)


def _toc(articles):
    """Headings in reading order: (level, text, anchor of the first article under it)."""
    toc = []
    seen = ("", "", "", "")
    for art in articles:
        current = (art.part, art.subpart, art.chapter, art.section)
        for depth, (old, new) in enumerate(zip(seen, current, strict=True)):
            changed_above = seen[:depth] != current[:depth]
            if new and (new != old or changed_above):
                toc.append({"depth": depth, "text": new, "anchor": art.anchor, "article": art})
        seen = current
    return toc


@login_required
def law_detail(request, pk):
    law = get_object_or_404(Law, pk=pk)
    articles = list(law.articles.all())
    toc = _toc(articles)
    starts = {id(entry["article"]): [] for entry in toc}
    for entry in toc:
        starts[id(entry["article"])].append(entry)
    rows = [{"article": art, "headings": starts.get(id(art), [])} for art in articles]
    versions = Law.objects.filter(title=law.title).exclude(pk=law.pk).order_by("-version_date")
    return render(
        request,
        "laws/law_detail.html",
        {"law": law, "rows": rows, "toc": toc, "versions": versions},
    )


@login_required
def article_detail(request, pk):
    article = get_object_or_404(Article.objects.select_related("law"), pk=pk)
    siblings = Article.objects.filter(law=article.law)
    prev = siblings.filter(ordering__lt=article.ordering).order_by("-ordering").first()
    nxt = siblings.filter(ordering__gt=article.ordering).order_by("ordering").first()
    other_versions = (
        Article.objects.filter(
            law__title=article.law.title, number=article.number, suffix=article.suffix
        )
        .exclude(law=article.law)
        .select_related("law")
        .order_by("-law__version_date")
    )
    return render(
        request,
        "laws/article_detail.html",
        {"article": article, "prev": prev, "next": nxt, "other_versions": other_versions},
    )
