"""Excel pages of a body's officers: the blank template, the export, and the import upload
(which shows the row-by-row problems, or the counts). Scoped like the other register pages:
the body must be readable (else 404) and managed by the user (else 403)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.core.excel import XLSX_CONTENT_TYPE

from . import selectors
from .excel import OFFICER_SHEET, export_officers, import_officers, template
from .views import _managed_body, _require_manage, business_view


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@business_view
@require_GET
def officer_template(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.get_body_org(request.user, org_id)
    _require_manage(request.user, org)
    return _xlsx(template(), "执法人员导入模板.xlsx")


@business_view
@require_GET
def officer_export(request: HttpRequest, org_id: int) -> HttpResponse:
    body = _managed_body(request, org_id)
    day = timezone.localdate().strftime("%Y%m%d")
    return _xlsx(export_officers(request.user, body), f"{body.organization.name}执法人员{day}.xlsx")


@business_view
@require_http_methods(["GET", "POST"])
def officer_import(request: HttpRequest, org_id: int) -> HttpResponse:
    body = _managed_body(request, org_id)
    context = {
        "org": body.organization,
        "back": reverse("registry:body_detail", args=[body.organization_id]),
        "max_mb": OFFICER_SHEET.max_bytes // (1024 * 1024),
        "max_rows": OFFICER_SHEET.max_rows,
    }
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        status = 400
        if upload is None:
            context["problem"] = "请选择要导入的 .xlsx 文件。"
        elif upload.size > OFFICER_SHEET.max_bytes:
            context["problem"] = f"文件过大：不能超过 {context['max_mb']} MB。"
        else:
            report = import_officers(request.user, body, upload.read())
            context["report"] = report
            if report.ok:
                status = 200
    return render(request, "registry/officer_import.html", context, status=status)


# Included from registry/urls.py inside the "registry" namespace.
urlpatterns = [
    path("bodies/<int:org_id>/officers/template.xlsx", officer_template, name="officer_template"),
    path("bodies/<int:org_id>/officers/export.xlsx", officer_export, name="officer_export"),
    path("bodies/<int:org_id>/officers/import/", officer_import, name="officer_import"),
]
