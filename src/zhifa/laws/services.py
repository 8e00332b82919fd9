"""Importing laws: the one way rows get into the library, and the one place the SQLite FTS5
index is written (PostgreSQL's tsvector is a generated column and follows by itself).

Law texts are public reference data loaded by the operator (`zhifa laws import`, `zhifa demo`),
not business records: no permission check and no ledger entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from .bundle import BUNDLE_PATH, read_bundle
from .models import Article, Law, name_key
from .parser import ParsedLaw, collect
from .segment import segment


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    articles: int = 0  # articles written (new and updated laws)
    files: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def laws(self) -> int:
        return self.created + self.updated + self.unchanged


def _fts_enabled() -> bool:
    return connection.vendor == "sqlite"


def _fts_delete(law: Law) -> None:
    if _fts_enabled():
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM laws_article_fts WHERE rowid IN "
                "(SELECT id FROM laws_article WHERE law_id = %s)",
                [law.pk],
            )


def _fts_insert(articles: list[Article]) -> None:
    if _fts_enabled() and articles:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO laws_article_fts(rowid, segmented) VALUES (%s, %s)",
                [(a.pk, a.segmented) for a in articles],
            )


def _law_fields(parsed: ParsedLaw) -> dict:
    return {
        "short_title": parsed.short_title[:300],
        "name_key": name_key(parsed.title)[:300],
        "level": parsed.level,
        "issuing_body": parsed.issuing_body[:200],
        "source_file": parsed.source_file[:500],
        "history": parsed.history,
        "article_count": len(parsed.articles),
    }


@transaction.atomic
def save_law(parsed: ParsedLaw) -> tuple[Law, str]:
    """Create or replace one law version. Returns (law, "created" | "updated" | "unchanged")."""
    digest = parsed.digest()
    version = dt.date.fromisoformat(parsed.version_date) if parsed.version_date else None
    law = Law.objects.filter(title=parsed.title, version_date=version).first()
    if law is not None and law.digest == digest:
        return law, "unchanged"
    if law is None:
        law = Law.objects.create(
            title=parsed.title, version_date=version, digest=digest, **_law_fields(parsed)
        )
        outcome = "created"
    else:
        _fts_delete(law)
        law.articles.all().delete()
        for name, value in _law_fields(parsed).items():
            setattr(law, name, value)
        law.digest = digest
        law.save()
        outcome = "updated"
    articles = [
        Article(
            law=law,
            ordering=i,
            number=a.number,
            suffix=a.suffix,
            label=a.label[:40],
            part=a.part[:200],
            subpart=a.subpart[:200],
            chapter=a.chapter[:200],
            section=a.section[:200],
            text=a.text,
            segmented=segment(a.text),
        )
        for i, a in enumerate(parsed.articles, start=1)
    ]
    Article.objects.bulk_create(articles, batch_size=500)
    _fts_insert(articles)
    return law, outcome


def refresh_in_force(titles: Iterable[str] | None = None) -> None:
    """The newest version of each law is the one in force (changes only rows that differ)."""
    qs = Law.objects.all() if titles is None else Law.objects.filter(title__in=list(titles))
    newest: dict[str, tuple] = {}
    rows = list(qs.values_list("pk", "title", "version_date", "in_force"))
    for pk, title, version, _ in rows:
        key = (version or dt.date.min, pk)
        if title not in newest or key > newest[title]:
            newest[title] = key
    on = [pk for pk, title, _, flag in rows if newest[title][1] == pk and not flag]
    off = [pk for pk, title, _, flag in rows if newest[title][1] != pk and flag]
    if on:
        Law.objects.filter(pk__in=on).update(in_force=True)
    if off:
        Law.objects.filter(pk__in=off).update(in_force=False)


def import_parsed(
    laws: Iterable[ParsedLaw], progress: Callable[[int, ParsedLaw, str], None] | None = None
) -> ImportResult:
    result = ImportResult()
    titles = set()
    for i, parsed in enumerate(laws, start=1):
        law, outcome = save_law(parsed)
        setattr(result, outcome, getattr(result, outcome) + 1)
        if outcome != "unchanged":
            result.articles += len(parsed.articles)
            titles.add(law.title)
        if progress:
            progress(i, parsed, outcome)
    if titles:
        refresh_in_force(titles)
    return result


def import_path(path: Path, progress=None) -> ImportResult:
    """Import a Markdown file or every Markdown file under a folder (idempotent)."""
    collected = collect(Path(path))
    result = import_parsed(collected.laws, progress)
    result.files = collected.files
    result.skipped = collected.skipped
    return result


def import_bundled(path: Path | None = None, progress=None) -> ImportResult:
    """Import the corpus shipped with zhifa (built by scripts/pack_laws.py)."""
    return import_parsed(read_bundle(path or BUNDLE_PATH), progress)


def rebuild_search_index() -> int:
    """Rewrite the SQLite FTS5 table from laws_article.segmented (repair tool)."""
    if not _fts_enabled():
        return 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM laws_article_fts")
        cursor.execute(
            "INSERT INTO laws_article_fts(rowid, segmented) SELECT id, segmented FROM laws_article"
        )
        return cursor.rowcount
