"""Reads of the publicity app.

Public reads (the portal, the feeds) see only what is published and still within its retention
period: an unpublished, withdrawn, not-published or expired item is absent, the same 404 as a
number that never existed. Staff reads go through the core scoping (missing and forbidden both
404)."""

from __future__ import annotations

import datetime
import hashlib
import json
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhifa.core.models import Organization, User
from zhifa.laws.segment import fts5_match, pg_tsquery, query_terms
from zhifa.powers.models import DiscretionBenchmark, ListStatus, Matter, PowerList
from zhifa.registry.models import EnforcementBody, Officer, OfficerStatus
from zhifa.registry.selectors import readable_body_orgs

from .models import FeedEntry, PubCategory, Publication, PubStatus

PAGE_SIZE = 20
MAX_QUERY = 100


@dataclass
class PublicItem:
    """A published item as the portal shows it, read with one hand-written query: on the hot
    pages (search, publication) the ORM's query compilation cost more than the query."""

    pk: int
    organization_id: int
    body_name: str
    category: str
    title: str
    document_number: str
    party_display: str
    party_code: str
    conclusion: str
    facts: str
    legal_basis: str
    penalty: str
    decided_on: datetime.date
    published_at: datetime.datetime

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)


CATEGORY_LABELS = dict(PubCategory.choices)
_ITEM_COLUMNS = (
    "p.id, p.organization_id, o.name, p.category, p.title, p.document_number, "
    "p.party_display, p.party_code, p.conclusion, p.facts, p.legal_basis, p.penalty, "
    "p.decided_on, p.published_at"
)
_LIST_COLUMNS = (
    "p.id, p.organization_id, o.name, p.category, p.title, p.document_number, "
    "p.party_display, '', '', '', '', '', p.decided_on, p.published_at"
)


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _as_datetime(value) -> datetime.datetime:
    if isinstance(value, str):  # SQLite: naive text in UTC
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


def _items(
    where: str, params: list, columns: str = _ITEM_COLUMNS, tail: str = ""
) -> list[PublicItem]:
    sql = (
        f"SELECT {columns} FROM {Publication._meta.db_table} p "  # noqa: S608 - fixed names
        f"JOIN {Organization._meta.db_table} o ON o.id = p.organization_id "
        f"WHERE p.status = %s AND (p.retain_until IS NULL OR p.retain_until > %s) AND {where}"
        f" {tail}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [PubStatus.PUBLISHED, timezone.localdate(), *params])
        rows = cursor.fetchall()
    return [
        PublicItem(*row[:12], decided_on=_as_date(row[12]), published_at=_as_datetime(row[13]))
        for row in rows
    ]


def get_public_item(pk: int) -> PublicItem:
    items = _items("p.id = %s", [pk])
    if not items:
        raise Http404("未找到该公示信息。")
    return items[0]


def public_publications(today: datetime.date | None = None) -> QuerySet[Publication]:
    today = today or timezone.localdate()
    return Publication.objects.filter(status=PubStatus.PUBLISHED).filter(
        Q(retain_until__isnull=True) | Q(retain_until__gt=today)
    )


def get_public_publication(pk: int) -> Publication:
    pub = public_publications().select_related("organization").filter(pk=pk).first()
    if pub is None:
        raise Http404("未找到该公示信息。")
    return pub


def latest_publications(limit: int = PAGE_SIZE) -> list[PublicItem]:
    return _items(
        "1 = 1", [limit], _LIST_COLUMNS, tail="ORDER BY p.published_at DESC, p.id DESC LIMIT %s"
    )


def body_options() -> list[tuple[int, str]]:
    """(organisation id, name) of the bodies, for the search form; cached a few minutes (a
    new body appearing in the list a little later harms no one)."""
    from django.core.cache import cache

    options = cache.get("publicity:body-options")
    if options is None:
        options = list(
            EnforcementBody.objects.order_by("organization__path").values_list(
                "organization_id", "organization__name"
            )
        )
        cache.set("publicity:body-options", options, 300)
    return options


def feed_version() -> int:
    """The last feed row's id: it grows with every publication and withdrawal, so a cache key
    carrying it is invalidated by them, in every worker process (a per-process cache such as
    LocMemCache cannot be told to drop a key by another process). Remembered for
    FEED_VERSION_TTL seconds in the process, so the cached home page costs no database round
    trip; a publication shows on the home page of the other workers within that time, at once
    in the worker that made it (the services call :func:`forget_feed_version`)."""
    now = time.monotonic()
    value, expires = _feed_version
    if value is None or now >= expires:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {FeedEntry._meta.db_table}")  # noqa: S608
            (value,) = cursor.fetchone()
        value = value or 0
        _feed_version[:] = [value, now + FEED_VERSION_TTL]
    return value


FEED_VERSION_TTL = 1.0
_feed_version: list = [None, 0.0]


def forget_feed_version() -> None:
    _feed_version[:] = [None, 0.0]


def public_withdrawals(limit: int = 50) -> QuerySet[Publication]:
    """Withdrawal notices: the document number, the body, the date and the reason; never the
    withdrawn content."""
    return (
        Publication.objects.filter(status=PubStatus.WITHDRAWN)
        .select_related("organization")
        .only(
            "id",
            "document_number",
            "title",
            "organization__name",
            "withdrawn_at",
            "withdrawal_reason",
            "revoked_on",
        )
        .order_by("-withdrawn_at", "-id")[:limit]
    )


def public_bodies() -> QuerySet[EnforcementBody]:
    return EnforcementBody.objects.select_related("organization", "organization__region").order_by(
        "organization__path"
    )


def get_public_body(org_id: int) -> EnforcementBody:
    body = public_bodies().filter(organization_id=org_id).first()
    if body is None:
        raise Http404("未找到该执法主体。")
    return body


# ------------------------------------------------------------------ search


@dataclass
class SearchQuery:
    q: str = ""
    body: int | None = None
    category: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    page: int = 1


# PostgreSQL: how many of the newest decisions the first, ordered pass looks at.
PG_RECENT_WINDOW = 5000
# PostgreSQL orders keyword results by decision date (then id): the date is what the reader's
# date bounds are about, and the (status, decided_on, id) index walked backwards serves both
# "newest first" and "newest before <to>" from the first row in range.
_PG_ORDER = "decided_on DESC, id DESC"


def _pg_search(tsquery: str, where: list[str], params: list, limit: int, offset: int) -> list:
    """Two passes, because one plan cannot serve both kinds of word. A common word (罚款 is in
    every decision) matches most rows: the GIN bitmap then fetches and sorts hundreds of
    thousands of rows for 21 of them, while walking the newest decisions in the date index
    finds them at once, also under an old upper date bound (the walk starts at that date; the
    id order this replaced had to skip every newer row first: 0.7 s for 罚款 before mid-2022
    at 1M rows). A rare word is the opposite: walking the index would scan the whole table. So:
    first the newest PG_RECENT_WINDOW decisions in range; if they hold the page, done;
    otherwise the word is rare there and the GIN index is the right plan."""
    table = Publication._meta.db_table
    conditions = " AND ".join(where)
    first = (
        f"SELECT s.id FROM (SELECT p.id, p.decided_on, p.search_vector FROM {table} p "  # noqa: S608
        f"WHERE {conditions} ORDER BY p.decided_on DESC, p.id DESC LIMIT %s) s "
        f"WHERE s.search_vector @@ to_tsquery('simple', %s) ORDER BY {_PG_ORDER} "
        "LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(first, [*params, PG_RECENT_WINDOW, tsquery, limit, offset])
        ids = [row[0] for row in cursor.fetchall()]
        if len(ids) == limit:
            return ids
        # MATERIALIZED keeps the planner from walking the date index here too (it cannot tell
        # a rare word from a common one and would scan a million rows for a word found nowhere).
        second = (
            f"WITH m AS MATERIALIZED (SELECT p.id, p.decided_on FROM {table} p "  # noqa: S608
            f"WHERE p.search_vector @@ to_tsquery('simple', %s) AND {conditions}) "
            f"SELECT id FROM m ORDER BY {_PG_ORDER} LIMIT %s OFFSET %s"
        )
        cursor.execute(second, [tsquery, *params, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def search(query: SearchQuery) -> tuple[list[PublicItem], bool]:
    """One page of published items, newest record first, and whether there is a next page.
    Keywords are cut into words with rjieba (the law library's approach): FTS5 on SQLite,
    tsvector on PostgreSQL; punctuation and operators never reach the match syntax (the terms
    are quoted phrases of alphanumeric words)."""
    today = timezone.localdate()
    where = ["p.status = %s", "(p.retain_until IS NULL OR p.retain_until > %s)"]
    params: list = [PubStatus.PUBLISHED, today]
    if query.body:
        where.append("p.organization_id = %s")
        params.append(query.body)
    if query.category:
        where.append("p.category = %s")
        params.append(query.category)
    if query.date_from:
        where.append("p.decided_on >= %s")
        params.append(query.date_from)
    if query.date_to:
        where.append("p.decided_on <= %s")
        params.append(query.date_to)
    terms = query_terms(query.q[:MAX_QUERY]) if query.q.strip() else []
    offset = (max(query.page, 1) - 1) * PAGE_SIZE
    table = Publication._meta.db_table
    limit = PAGE_SIZE + 1
    if terms and connection.vendor == "postgresql":
        ids = _pg_search(pg_tsquery(terms), where, params, limit, offset)
    else:
        if terms:
            if query.date_to and query.date_to < today - datetime.timedelta(days=30):
                # FTS5 walks its rowids downwards and would skip every newer match before the
                # first one in range (seconds for 罚款 before mid-2022 at 1M rows); no row in
                # range has an id above this bound, and FTS5 starts its walk there. The bound
                # costs a range of the date index (INDEXED BY: left alone, SQLite walks the id
                # index instead), so a recent upper date, which skips little, goes without it.
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT MAX(id) FROM {table} INDEXED BY pub_status_decided_id "  # noqa: S608
                        "WHERE status = %s AND decided_on <= %s",
                        [PubStatus.PUBLISHED, query.date_to],
                    )
                    (bound,) = cursor.fetchone()
                if bound is None:
                    return [], False
                where.append("f.rowid <= %s")
                params.append(bound)
            sql = (
                f"SELECT p.id FROM publicity_publication_fts f JOIN {table} p ON p.id = f.rowid "  # noqa: S608
                "WHERE publicity_publication_fts MATCH %s AND "
                + " AND ".join(where)
                + " ORDER BY f.rowid DESC LIMIT %s OFFSET %s"
            )
            params = [fts5_match(terms), *params]
        elif query.q.strip():
            return [], False  # only punctuation: nothing to look for
        else:
            sql = (
                f"SELECT p.id FROM {table} p WHERE "  # noqa: S608
                + " AND ".join(where)
                + " ORDER BY p.id DESC LIMIT %s OFFSET %s"
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit, offset])
            ids = [row[0] for row in cursor.fetchall()]
    more = len(ids) > PAGE_SIZE
    ids = ids[:PAGE_SIZE]
    if not ids:
        return [], more
    marks = ", ".join(["%s"] * len(ids))
    rows = {i.pk: i for i in _items(f"p.id IN ({marks})", ids, _LIST_COLUMNS)}
    return [rows[i] for i in ids if i in rows], more


# ------------------------------------------------------------------ feeds


def feed_entries(since: int = 0, limit: int = 100) -> list[FeedEntry]:
    """Feed rows after the cursor, in order. `entry.visible` says whether the publication's
    content may be served: a publication entry whose item was since withdrawn or expired is
    kept in the sequence (the cursor stays dense) but without its content."""
    rows = list(
        FeedEntry.objects.filter(id__gt=since)
        .select_related("publication", "publication__organization")
        .order_by("id")[:limit]
    )
    return _mark_visible(rows)


def latest_feed(limit: int = 50) -> list[FeedEntry]:
    """The newest feed rows whose content may be shown (for the Atom feed)."""
    rows = list(
        FeedEntry.objects.select_related("publication", "publication__organization").order_by(
            "-id"
        )[: limit * 2]
    )
    return [e for e in _mark_visible(rows) if e.visible or e.kind == "withdrawn"][:limit]


def _mark_visible(rows: list[FeedEntry]) -> list[FeedEntry]:
    today = timezone.localdate()
    for entry in rows:
        pub = entry.publication
        entry.visible = (
            entry.kind == "published"
            and pub.status == PubStatus.PUBLISHED
            and (pub.retain_until is None or pub.retain_until > today)
        )
    return rows


# ------------------------------------------------------------------ 事前公示


def _published_list(org: Organization) -> PowerList | None:
    return (
        PowerList.objects.filter(organization=org, status=ListStatus.PUBLISHED)
        .order_by("-year", "-version")
        .first()
    )


def public_matters(org: Organization) -> QuerySet[Matter]:
    plist = _published_list(org)
    if plist is None:
        return Matter.objects.none()
    return Matter.objects.filter(power_list=plist).prefetch_related("legal_bases__law")


def get_public_matter(pk: int) -> Matter:
    """A matter of a body's current published power list (drafts and old versions: 404)."""
    matter = (
        Matter.objects.filter(pk=pk, power_list__status=ListStatus.PUBLISHED)
        .select_related("power_list__organization", "responsible_unit")
        .first()
    )
    if matter is None or _published_list(matter.power_list.organization) != matter.power_list:
        raise Http404("未找到该事项。")
    return matter


def valid_officers(body: EnforcementBody, today: datetime.date) -> QuerySet[Officer]:
    """Officers in post whose certificate is valid today: the ones the public may meet."""
    return (
        Officer.objects.filter(
            body=body, status=OfficerStatus.ACTIVE, certificate_expires_on__gte=today
        )
        .select_related("organization")
        .order_by("organization__path", "name", "id")
    )


def public_profile(body: EnforcementBody, today: datetime.date | None = None) -> dict:
    """The body's 事前公示 as plain data: what the page shows and what a snapshot keeps. No
    identity numbers, no staff-only fields."""
    today = today or timezone.localdate()
    org = body.organization
    plist = _published_list(org)
    matters = list(public_matters(org)) if plist else []
    benchmarks = DiscretionBenchmark.objects.filter(organization=org).order_by("source", "id")
    return {
        "body": {
            "name": org.name,
            "uscc": body.uscc,
            "kind": body.get_kind_display(),
            "head": body.head_name,
            "address": body.address,
            "phone": body.phone,
            "supervision_phone": body.supervision_phone,
            "categories": list(body.categories or []),
            "area": body.area,
        },
        "officers": [
            {
                "name": o.name,
                "unit": o.organization.name,
                "certificate_no": o.certificate_no,
                "categories": list(o.certificate_categories or []),
                "expires": o.certificate_expires_on.isoformat(),
            }
            for o in valid_officers(body, today)
        ],
        "power_list": (
            {"id": plist.pk, "title": str(plist), "year": plist.year, "version": plist.version}
            if plist
            else None
        ),
        "matters": [
            {
                "id": m.pk,
                "code": m.code,
                "name": m.name,
                "category": m.get_category_display(),
                "basis": m.basis_text,
                "inspection": m.on_inspection_list,
            }
            for m in matters
        ],
        "benchmarks": [
            {"id": b.pk, "item": b.item_no, "violation": b.violation, "basis": b.legal_basis}
            for b in benchmarks
        ],
    }


def profile_digest(content: dict) -> str:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def body_history(org: Organization):
    from .models import BodySnapshot

    return (
        BodySnapshot.objects.filter(organization=org)
        .order_by("-id")
        .only("id", "taken_at", "changed", "digest")
    )


# ------------------------------------------------------------------ staff


def staff_publications(user: User) -> QuerySet[Publication]:
    """Publications of the bodies the user reads: where they act or supervise, and the body
    their unit belongs to (an officer of the enforcement team reads the township's items),
    the registry's rule."""
    return Publication.objects.filter(
        organization__in=readable_body_orgs(user).values("pk")
    ).select_related("organization")


def get_staff_publication(user: User, pk: int) -> Publication:
    pub = staff_publications(user).filter(pk=pk).first()
    if pub is None:
        raise Http404("未找到该公示信息。")
    return pub
