"""Find citations of laws in text and link them to the library.

Handles 《中华人民共和国行政处罚法》第五十一条第一款, 《行政处罚法》第51条, 该法第三十二条 (该法 /
本法 / 同法 = the last law named), bare names (行政处罚法第三十七条, when the name is a law in
the library), lists and ranges (第三十二条、第三十三条; 第十五条第一款、第十六条第二款、第三款),
第（二）项 / 第(2)项, chapter prefixes (第二章第一条) and 之一 articles."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .models import Article, Law, name_key
from .numerals import cn_to_int

N = r"[零〇一二三四五六七八九两十百千万0-9０-９]+"
LAW_RE = re.compile(
    r"《(?P<name>[^《》\n]{1,80})》(?:[（(][^（）()\n]{1,24}[）)])?"
    r"|(?P<pronoun>该法|本法|同法|该条例|本条例|该规定|该办法)"
    rf"|(?P<bare>[\u4e00-\u9fff]{{2,40}}?(?:法|条例|规定|办法|细则))(?=(?:第{N}[编章节])*第{N}条)"
)
ITEM_RE = re.compile(
    rf"(?P<sep>[、，,]|和|及|以及|或者|或|至|到)?"
    rf"(?:第{N}[编章节])*"
    rf"(?:第(?P<art>{N})条(?:之(?P<suffix>{N}))?)?"
    rf"(?:第(?P<para>{N})款)?"
    rf"(?:第[（(]?(?P<item>{N})[）)]?项)?"
)
_CACHE_SECONDS = 30


@dataclass
class Citation:
    start: int  # the article reference, e.g. 第五十一条第一款
    end: int
    law_name: str  # as written, without 《》 (or 该法)
    law: Law | None
    article: int | None
    suffix: int = 0
    paragraph: int | None = None  # 款
    item: int | None = None  # 项
    article_obj: Article | None = None

    @property
    def text(self) -> str:  # pragma: no cover - convenience
        return f"{self.law_name}:{self.start}-{self.end}"


class _LawNames:
    """name_key / short title -> the law to link (the version in force, else the newest)."""

    def __init__(self):
        self.loaded_at = 0.0
        self.names: dict[str, int] = {}
        self.laws: dict[int, Law] = {}

    def get(self) -> dict[str, int]:
        if time.monotonic() - self.loaded_at > _CACHE_SECONDS:
            rows = Law.objects.order_by("in_force", "version_date").values_list(
                "pk", "name_key", "short_title"
            )
            names = {}
            for pk, key, short in rows:  # later rows (in force, newest) win
                names[key] = pk
                if short:
                    names[name_key(short)] = pk
            self.names = names
            self.loaded_at = time.monotonic()
        return self.names


_names = _LawNames()


def clear_cache() -> None:
    _names.loaded_at = 0.0


def _normalise(name: str) -> str:
    name = re.sub(r"[（(][^（）()]*[）)]$", "", name.strip())
    return name_key(name)


def _resolve(name: str, names: dict[str, int]) -> int | None:
    return names.get(_normalise(name))


def _num(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return cn_to_int(text)
    except ValueError:
        return None


def find_citations(text: str) -> list[Citation]:
    names = _names.get()
    found: list[Citation] = []
    last: tuple[str, int | None] | None = None  # the last law named (name, law id)
    pos = 0
    while True:
        match = LAW_RE.search(text, pos)
        if not match:
            break
        if match.group("name"):
            written = match.group("name").strip()
            law_id = _resolve(written, names)
            last = (written, law_id)
        elif match.group("pronoun"):
            if last is None:
                pos = match.end()
                continue
            written, law_id = match.group("pronoun"), last[1]
        else:
            bare = match.group("bare")
            law_id = None
            for i in range(len(bare) - 1):  # 依据行政处罚法 -> 行政处罚法
                law_id = _resolve(bare[i:], names)
                if law_id:
                    written = bare[i:]
                    break
            if law_id is None:
                pos = match.start() + 1
                continue
            last = (written, law_id)
        pos = match.end()
        current_article = None
        first = True
        while pos < len(text):
            item = ITEM_RE.match(text, pos)
            if not item or item.end() == pos:
                break
            if not (item.group("art") or item.group("para") or item.group("item")):
                break
            if first and item.group("sep"):
                break
            sep = item.group("sep")
            start = item.start() + (len(sep) if sep else 0)
            article = _num(item.group("art"))
            if article is None:
                if current_article is None:
                    break
                article = current_article[0]
                suffix = current_article[1]
            else:
                suffix = _num(item.group("suffix")) or 0
            current_article = (article, suffix)
            found.append(
                Citation(
                    start=start,
                    end=item.end(),
                    law_name=written,
                    law=law_id,  # replaced by the Law below
                    article=article,
                    suffix=suffix,
                    paragraph=_num(item.group("para")),
                    item=_num(item.group("item")),
                )
            )
            first = False
            pos = item.end()
    _attach(found)
    return found


def _attach(citations: list[Citation]) -> None:
    law_ids = {c.law for c in citations if c.law}
    if not law_ids:
        for c in citations:
            c.law = None
        return
    laws = Law.objects.in_bulk(law_ids)
    wanted = {(c.law, c.article, c.suffix) for c in citations if c.law}
    articles = {}
    rows = Article.objects.filter(law_id__in=law_ids).filter(number__in={a for _, a, _ in wanted})
    for art in rows.order_by("-ordering"):
        articles[(art.law_id, art.number, art.suffix)] = art
    for c in citations:
        key = (c.law, c.article, c.suffix)
        c.article_obj = articles.get(key)
        c.law = laws.get(c.law) if c.law else None


def linkify(text: str) -> SafeString:
    """The text, HTML-escaped, with every resolved article citation linked to its page."""
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    out = []
    pos = 0
    for c in find_citations(text):
        if c.article_obj is None or c.start < pos:
            continue
        out.append(escape(text[pos : c.start]))
        title = f"{c.law.title} {c.article_obj.label}"
        out.append(
            format_html(
                '<a class="cite" href="{}" title="{}">{}</a>',
                c.article_obj.get_absolute_url(),
                title,
                text[c.start : c.end],
            )
        )
        pos = c.end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above
