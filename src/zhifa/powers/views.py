"""Power list and discretion pages: read-only, scoped (other bodies' lists give 404), business
roles only (admins 403). Thin: parse, call a selector, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from zhifa.core.permissions import has_perm
from zhifa.registry.selectors import readable_body_orgs
from zhifa.registry.views import business_view

from . import flowchart, selectors, services
from .models import Category, DiscretionImport


def _manageable(user) -> list:
    """The enforcement bodies whose lists, benchmarks and no-penalty items the user manages."""
    if not has_perm(user, "powers.manage"):
        return []
    return [
        org
        for org in readable_body_orgs(user).order_by("path")
        if org.is_enforcement_body and services.can_manage(user, org)
    ]


@business_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    lists = selectors.power_lists(request.user).order_by("organization__path", "-year", "-version")
    manageable = _manageable(request.user)
    return render(request, "powers/index.html", {"lists": lists, "manageable": manageable})


@business_view
@require_GET
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plist = selectors.get_power_list(request.user, pk)
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    search = request.GET.get("q", "")[:64]
    return render(
        request,
        "powers/list_detail.html",
        {
            "plist": plist,
            "matters": selectors.matters(request.user, plist, category=category, search=search),
            "categories": Category.choices,
            "selected": {"category": category, "q": search},
            "can_manage": services.can_manage(request.user, plist.organization),
        },
    )


@business_view
@require_GET
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    matter = selectors.get_matter(request.user, pk)
    return render(
        request,
        "powers/matter_detail.html",
        {
            "matter": matter,
            "articles": matter.legal_bases.select_related("law"),
            "svg": mark_safe(flowchart.svg_for(matter)),  # noqa: S308 - every label escaped
            "can_manage": services.can_manage(request.user, matter.power_list.organization),
        },
    )


@business_view
@require_GET
def discretion(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:64]
    basis = request.GET.get("basis", "")[:64]
    owner = request.GET.get("owner", "")
    if owner not in ("own", "reference"):
        owner = ""
    qs = selectors.benchmarks(request.user, search=q, basis=basis, owner=owner)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "powers/discretion.html",
        {
            "page": page,
            "selected": {"q": q, "basis": basis, "owner": owner},
            "query": query.urlencode(),
            "manageable": _manageable(request.user),
        },
    )


@business_view
@require_GET
def benchmark_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bench = selectors.get_benchmark(request.user, pk)
    can_edit = bench.organization is not None and services.can_manage(
        request.user, bench.organization
    )
    return render(
        request,
        "powers/benchmark_detail.html",
        {"bench": bench, "grades": bench.grades.all(), "can_edit": can_edit},
    )


@business_view
@require_GET
def no_penalty(request: HttpRequest) -> HttpResponse:
    list_name = request.GET.get("list", "")
    if list_name not in services.NO_PENALTY_LISTS:
        list_name = ""
    search = request.GET.get("q", "")[:64]
    manageable = _manageable(request.user)
    managed_ids = {org.pk for org in manageable}
    rows = [
        {"item": item, "can_edit": item.organization_id in managed_ids}
        for item in selectors.no_penalty_items(request.user, list_name=list_name, search=search)
    ]
    return render(
        request,
        "powers/no_penalty.html",
        {
            "rows": rows,
            "manageable": manageable,
            "lists": services.NO_PENALTY_LISTS,
            "selected": {"list": list_name, "q": search},
        },
    )


@business_view
@require_GET
def discretion_imports(request: HttpRequest) -> HttpResponse:
    """The reference tables' import reports: rows whose penalty could not be read (imported
    with their raw text) are listed, newest run first."""
    runs = DiscretionImport.objects.all()[:50]
    return render(request, "powers/discretion_imports.html", {"runs": runs})
