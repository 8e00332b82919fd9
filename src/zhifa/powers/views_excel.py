"""Excel pages: a power list's matter sheet and a body's discretion benchmark sheet (blank
template, export, upload with the row-by-row report or the counts). For those who manage the
body (``powers.manage``: body head, unit head over it); other bodies' lists give 404, an
officer 403. The imports are all or nothing (zhifa.powers.excel)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.core.excel_views import upload_page, xlsx_response
from zhifa.registry.views import business_view

from . import excel, selectors
from .models import DiscretionBenchmark, ListStatus
from .views_discretion import _managed_body
from .views_edit import _managed_list


def _day() -> str:
    return timezone.localdate().strftime("%Y%m%d")


# ---------------------------------------------------------------- matters of a power list


@business_view
@require_GET
def matter_template(request: HttpRequest, pk: int) -> HttpResponse:
    _managed_list(request, pk)
    return xlsx_response(excel.matter_template(), "权力事项导入模板.xlsx")


@business_view
@require_GET
def matter_export(request: HttpRequest, pk: int) -> HttpResponse:
    plist = _managed_list(request, pk)
    name = f"{plist.organization.name}{plist.year}年权责清单第{plist.version}版{_day()}.xlsx"
    return xlsx_response(excel.export_matters(plist), name)


@business_view
@require_http_methods(["GET", "POST"])
def matter_import(request: HttpRequest, pk: int) -> HttpResponse:
    plist = _managed_list(request, pk)
    hint = (
        "按事项编码识别事项：新编码添加为新事项，清单中已有的编码更新该事项。"
        if plist.status == ListStatus.DRAFT
        else excel.PUBLISHED_REFUSED
    )
    return upload_page(
        request,
        excel.MATTER_SHEET,
        lambda data: excel.import_matters(request.user, plist, data),
        {
            "title": "导入权力事项",
            "subtitle": str(plist),
            "hint": hint,
            "template_url": reverse("powers:matter_template", args=[plist.pk]),
            "unit": "项事项",
            "back": plist.get_absolute_url(),
        },
        "powers/import.html",
    )


# ---------------------------------------------------------------- a body's benchmarks


@business_view
@require_GET
def benchmark_template(request: HttpRequest, org_id: int) -> HttpResponse:
    _managed_body(request, org_id)
    return xlsx_response(excel.benchmark_template(), "裁量基准导入模板.xlsx")


@business_view
@require_GET
def benchmark_export(request: HttpRequest, org_id: int) -> HttpResponse:
    org = _managed_body(request, org_id)
    qs = DiscretionBenchmark.objects.filter(organization=org)
    return xlsx_response(excel.export_benchmarks(qs), f"{org.name}裁量基准{_day()}.xlsx")


@business_view
@require_http_methods(["GET", "POST"])
def benchmark_import(request: HttpRequest, org_id: int) -> HttpResponse:
    org = _managed_body(request, org_id)
    return upload_page(
        request,
        excel.BENCHMARK_SHEET,
        lambda data: excel.import_benchmarks(request.user, org, data),
        {
            "title": "导入裁量基准",
            "subtitle": org.name,
            "hint": "每个裁量档次一行，按“来源表＋序号”识别裁量基准：新的登记为本机关的裁量基准，"
            "已有的更新其内容和档次。参考表（其他地区的裁量基准）只能查阅，不能通过导入修改。",
            "template_url": reverse("powers:benchmark_template", args=[org.pk]),
            "unit": "项裁量基准",
            "back": reverse("powers:discretion"),
        },
        "powers/import.html",
    )


@business_view
@require_GET
def discretion_export(request: HttpRequest) -> HttpResponse:
    """What the benchmark list shows (same filters), in the import layout: any reader may take a
    reference table, rename its 来源表 and import it as their body's own."""
    owner = request.GET.get("owner", "")
    qs = selectors.benchmarks(
        request.user,
        search=request.GET.get("q", "")[:64],
        basis=request.GET.get("basis", "")[:64],
        owner=owner if owner in ("own", "reference") else "",
    )
    return xlsx_response(excel.export_benchmarks(qs), f"裁量基准{_day()}.xlsx")


# Included from powers/urls.py inside the "powers" namespace.
urlpatterns = [
    path("discretion/export.xlsx", discretion_export, name="discretion_export"),
    path("lists/<int:pk>/matters/template.xlsx", matter_template, name="matter_template"),
    path("lists/<int:pk>/matters/export.xlsx", matter_export, name="matter_export"),
    path("lists/<int:pk>/matters/import/", matter_import, name="matter_import"),
    path(
        "bodies/<int:org_id>/discretion/template.xlsx",
        benchmark_template,
        name="benchmark_template",
    ),
    path("bodies/<int:org_id>/discretion/export.xlsx", benchmark_export, name="benchmark_export"),
    path("bodies/<int:org_id>/discretion/import/", benchmark_import, name="benchmark_import"),
]
