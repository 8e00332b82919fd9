"""The public portal at /public/: read-only (the one form is the party's rating of an act),
anonymous, no staff navigation. Everything shown comes from the public selectors: published,
unexpired, masked."""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import feedgenerator, timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.ledger.keys import load_keys
from zhifa.ledger.services import latest_checkpoint, tree_size
from zhifa.powers import flowchart
from zhifa.registry.cards import read_card_token
from zhifa.registry.rules import certificate_status

from . import selectors, services, stats
from .models import PubCategory, ScanKind
from .tokens import read_act_token

HOME_TTL = 3600

REMEDIES = [
    "对行政处罚、行政许可等决定不服的，可以自知道该决定之日起六十日内依法申请行政复议"
    "（《中华人民共和国行政复议法》第二十条），或者自知道或者应当知道作出行政行为之日起六个月内"
    "依法提起行政诉讼（《中华人民共和国行政诉讼法》第四十六条）。具体复议机关和诉讼法院以决定书"
    "告知的为准。",
    "对执法人员的执法行为有意见的，可以拨打本主体公布的监督电话，或者在线投诉举报。",
]


def _url(name: str, fallback: str) -> str:
    # The complaint pages belong to the supervision app; until they exist, the plain path.
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


@lru_cache(maxsize=1)
def _links() -> dict[str, str]:
    """The portal's links, reversed once per process (URLs do not change while it runs)."""
    return {
        "complaint_url": _url("complaints:new", "/public/complaints/"),
        "lookup_url": _url("complaints:lookup", "/public/complaints/"),
        "home_url": reverse("publicity:home"),
        "search_url": reverse("publicity:search"),
        "stats_url": reverse("publicity:stats"),
        "bodies_url": reverse("publicity:bodies"),
        "withdrawals_url": reverse("publicity:withdrawals"),
        "ledger_url": reverse("publicity:ledger"),
        "atom_url": reverse("publicity:atom"),
        # "/public/p/" and "/public/bodies/": item links without a reverse() per row.
        "pub_prefix": reverse("publicity:publication", args=[1])[:-2],
        "body_prefix": reverse("publicity:body", args=[1])[:-2],
    }


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, {**_links(), **context}, status=status)


def home_cache_key() -> str:
    return f"publicity:home:{selectors.feed_version()}:{timezone.localdate().isoformat()}"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The portal home, rendered once and cached until the next publication or withdrawal (the
    key carries the feed's last id) or the next day (retention cut-offs move with the date)."""
    key = home_cache_key()
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "public/home.html",
            {
                **_links(),
                "latest": selectors.latest_publications(),
                "categories": PubCategory.choices,
                "bodies": selectors.body_options(),
            },
        )
        cache.set(key, html, HOME_TTL)
    return HttpResponse(html)


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None


def _int(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    get = request.GET
    category = get.get("category", "")
    query = selectors.SearchQuery(
        q=get.get("q", "")[: selectors.MAX_QUERY],
        body=_int(get.get("body", "")),
        category=category if category in PubCategory.values else "",
        date_from=_date(get.get("from", "")),
        date_to=_date(get.get("to", "")),
        page=min(_int(get.get("page", "")) or 1, 500),
    )
    results, more = selectors.search(query)
    params = get.copy()
    params.pop("page", None)
    return _page(
        request,
        "public/search.html",
        {
            "query": query,
            "results": results,
            "more": more,
            "base_qs": params.urlencode(),
            "categories": PubCategory.choices,
            "bodies": selectors.body_options(),
        },
    )


@require_GET
def publication(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, "public/publication.html", {"pub": selectors.get_public_item(pk)})


@require_GET
def annual_stats(request: HttpRequest) -> HttpResponse:
    """年度数据: per body, the decisions made in the chosen year (R-06 tables), numbers only."""
    years = stats.years()
    year = _int(request.GET.get("year", ""))
    if year is None or year not in years:
        year = years[0] if years else timezone.localdate().year
    rows = stats.annual(year)
    return _page(
        request,
        "public/stats.html",
        {
            "year": year,
            "years": years,
            "rows": rows,
            "total": stats.totals(rows),
            "penalty_headers": stats.PENALTY_HEADERS,
            "category_headers": [PubCategory(c).label for c in stats.OTHER_CATEGORIES],
        },
    )


@require_GET
def withdrawals(request: HttpRequest) -> HttpResponse:
    return _page(request, "public/withdrawals.html", {"items": selectors.public_withdrawals()})


@require_GET
def bodies(request: HttpRequest) -> HttpResponse:
    return _page(request, "public/bodies.html", {"bodies": selectors.public_bodies()})


@require_GET
def body(request: HttpRequest, org_id: int) -> HttpResponse:
    body = selectors.get_public_body(org_id)
    content = selectors.public_profile(body)
    # The page is built from the live register; a changed profile is kept as a new version.
    services.snapshot_body(body.organization, content, selectors.profile_digest(content))
    return _page(
        request,
        "public/body.html",
        {
            "body": body,
            "profile": content,
            "inspection": [m for m in content["matters"] if m["inspection"]],
            "remedies": REMEDIES,
            "history": selectors.body_history(body.organization)[:1],
        },
    )


@require_GET
def body_history(request: HttpRequest, org_id: int) -> HttpResponse:
    body = selectors.get_public_body(org_id)
    return _page(
        request,
        "public/body_history.html",
        {"body": body, "history": selectors.body_history(body.organization)[:100]},
    )


@require_GET
def matter(request: HttpRequest, pk: int) -> HttpResponse:
    matter = selectors.get_public_matter(pk)
    return _page(
        request,
        "public/matter.html",
        {
            "matter": matter,
            "articles": matter.legal_bases.select_related("law"),
            "svg": mark_safe(flowchart.svg_for(matter)),  # noqa: S308 - labels escaped
        },
    )


def _ua(request: HttpRequest) -> str:
    return request.headers.get("User-Agent", "")


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    officer = read_card_token(token)
    if officer is None:
        services.record_scan(ScanKind.OFFICER, valid=False, user_agent=_ua(request))
        return _page(request, "public/verify_invalid.html", {}, status=404)
    today = timezone.localdate()
    state = certificate_status(officer, today)
    valid = officer.status == "active" and state != "expired"
    services.record_scan(
        ScanKind.OFFICER,
        valid=True,
        officer=officer,
        certificate_valid=valid,
        user_agent=_ua(request),
    )
    return _page(
        request,
        "public/verify.html",
        {"officer": officer, "valid": valid, "today": today, "token": token},
    )


@require_GET
def verify_photo(request: HttpRequest, token: str) -> HttpResponse:
    officer = read_card_token(token)
    if officer is None or not officer.photo:
        raise Http404("未找到照片。")
    stream = default_storage.open(officer.photo.name, "rb")
    content_type = "image/png" if officer.photo.name.endswith(".png") else "image/jpeg"
    response = FileResponse(stream, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_http_methods(["GET", "POST"])
def act(request: HttpRequest, token: str) -> HttpResponse:
    case = read_act_token(token)
    if case is None:
        services.record_scan(ScanKind.ACT, valid=False, user_agent=_ua(request))
        return _page(request, "public/verify_invalid.html", {}, status=404)
    error = done = ""
    if request.method == "POST":
        try:
            services.rate_act(case, request.POST.get("score"), request.POST.get("comment", ""))
            done = "感谢您的评价。"
        except ValidationError as exc:
            error = "；".join(exc.messages)
    else:
        services.record_scan(ScanKind.ACT, valid=True, case=case, user_agent=_ua(request))
    officers = [
        co.officer
        for co in case.case_officers.filter(recused=False).select_related(
            "officer", "officer__organization"
        )
    ]
    return _page(
        request,
        "public/act.html",
        {
            "case": case,
            "officers": officers,
            "error": error,
            "done": done,
            "when": case.filed_on or timezone.localtime(case.created_at).date(),
        },
        status=400 if error else 200,
    )


@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    keys = load_keys()
    return _page(
        request,
        "public/ledger.html",
        {
            "checkpoint": latest_checkpoint(),
            "size": tree_size(),
            "keys": keys,
            "ed25519_key": keys.ed25519_verifier.to_string(),
        },
    )


@require_GET
def atom(request: HttpRequest) -> HttpResponse:
    """Atom feed of the latest publications and withdrawals (masked text only)."""
    feed = feedgenerator.Atom1Feed(
        title="行政执法公示",
        link=request.build_absolute_uri(reverse("publicity:home")),
        description="行政执法决定公示与撤回",
        language="zh-CN",
        feed_url=request.build_absolute_uri(),
    )
    for entry in selectors.latest_feed(50):
        pub = entry.publication
        if entry.kind == "withdrawn":
            title = f"【撤回】{pub.document_number}"
            text = (
                f"{pub.organization.name}撤回{pub.document_number}。理由：{pub.withdrawal_reason}"
            )
            link = reverse("publicity:withdrawals")
        else:
            title = f"{pub.document_number} {pub.title}"
            text = f"{pub.organization.name}：{pub.party_display}。{pub.conclusion}"
            link = reverse("publicity:publication", args=[pub.pk])
        feed.add_item(
            title=title,
            link=request.build_absolute_uri(link),
            description=text,
            unique_id=f"tag:zhifa,{entry.at:%Y-%m-%d}:feed/{entry.pk}",
            updateddate=entry.at,
            pubdate=entry.at,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response
