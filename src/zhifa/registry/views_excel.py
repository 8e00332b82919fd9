"""Excel pages of a body's officers: the blank template, the export, and the import upload
(which shows the row-by-row problems, or the counts). Scoped like the other register pages:
the body must be readable (else 404) and managed by the user (else 403)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.core.excel_views import upload_page, xlsx_response

from . import selectors
from .excel import OFFICER_SHEET, export_officers, import_officers, template
from .views import _managed_body, _require_manage, business_view


@business_view
@require_GET
def officer_template(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.get_body_org(request.user, org_id)
    _require_manage(request.user, org)
    return xlsx_response(template(), "执法人员导入模板.xlsx")


@business_view
@require_GET
def officer_export(request: HttpRequest, org_id: int) -> HttpResponse:
    body = _managed_body(request, org_id)
    day = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        export_officers(request.user, body), f"{body.organization.name}执法人员{day}.xlsx"
    )


@business_view
@require_http_methods(["GET", "POST"])
def officer_import(request: HttpRequest, org_id: int) -> HttpResponse:
    body = _managed_body(request, org_id)
    return upload_page(
        request,
        OFFICER_SHEET,
        lambda data: import_officers(request.user, body, data),
        {
            "org": body.organization,
            "back": reverse("registry:body_detail", args=[body.organization_id]),
        },
        "registry/officer_import.html",
    )


# Included from registry/urls.py inside the "registry" namespace.
urlpatterns = [
    path("bodies/<int:org_id>/officers/template.xlsx", officer_template, name="officer_template"),
    path("bodies/<int:org_id>/officers/export.xlsx", officer_export, name="officer_export"),
    path("bodies/<int:org_id>/officers/import/", officer_import, name="officer_import"),
]
