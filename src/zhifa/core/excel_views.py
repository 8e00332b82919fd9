"""The HTTP side of the Excel framework (core/excel.py), shared by every app's sheet pages:
a workbook as a download, and the upload page that runs an import and shows its report."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from .excel import XLSX_CONTENT_TYPE, ImportReport, SheetSpec


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A workbook as an attachment, never cached (it holds the body's data)."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def upload_page(
    request: HttpRequest,
    spec: SheetSpec,
    run: Callable[[bytes], ImportReport],
    context: dict,
    template: str,
) -> HttpResponse:
    """GET: the form. POST: run the import on the uploaded bytes and show its report (400 when
    nothing was imported: a missing or oversized file, or any problem in the sheet)."""
    context = {
        **context,
        "max_mb": spec.max_bytes // (1024 * 1024),
        "max_rows": spec.max_rows,
    }
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        status = 400
        if upload is None:
            context["problem"] = "请选择要导入的 .xlsx 文件。"
        elif upload.size > spec.max_bytes:
            context["problem"] = f"文件过大：不能超过 {context['max_mb']} MB。"
        else:
            report = run(upload.read())
            context["report"] = report
            if report.ok:
                status = 200
    return render(request, template, context, status=status)
