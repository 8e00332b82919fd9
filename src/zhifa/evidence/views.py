"""Evidence pages: upload (phone-friendly), the list for a subject, and verified download."""

from __future__ import annotations

import logging
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.core.models import Membership, Organization, Role, User
from zhifa.core.selectors import acting_organizations

from . import selectors, services, uploads
from .forms import EvidenceUploadForm

logger = logging.getLogger(__name__)

# The upload page is for the people who collect evidence in the field.
UPLOAD_PAGE_ROLES = (Role.OFFICER, Role.UNIT_HEAD, Role.BODY_HEAD)


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops receiving a file once it passes the evidence size limit, so an oversized upload
    is never written out in full to the server's temporary directory."""

    def __init__(self, request: HttpRequest, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args, **kwargs):
        self.received = 0
        return super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.evidence_too_large = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers build the file


def _upload_organizations(user: User):
    return acting_organizations(user, roles=set(UPLOAD_PAGE_ROLES)).select_related("parent")


def _role_for(user: User, organization: Organization) -> str:
    """The role the user acts under for this organisation (officer first)."""
    held = {
        role
        for role, path in Membership.objects.filter(
            user=user, role__in=services.UPLOAD_ROLES
        ).values_list("role", "organization__path")
        if organization.path.startswith(path)
    }
    for role in (*UPLOAD_PAGE_ROLES, Role.LEGAL_REVIEWER):
        if role in held:
            return role
    raise PermissionDenied("您不能为该组织登记证据。")


def _list_url(subject: str) -> str:
    return f"{reverse('evidence:list')}?{urlencode({'subject': subject})}"


@csrf_exempt  # checked by _upload below, after the size-limiting handler is in place
@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request, services.max_bytes()))
    return _upload(request)


@csrf_protect
def _upload(request: HttpRequest) -> HttpResponse:
    organizations = _upload_organizations(request.user)
    if not organizations.exists():
        raise PermissionDenied("只有执法人员可以上传证据。")
    subject = (request.POST.get("subject") or request.GET.get("subject") or "").strip()
    try:
        subject = services.clean_subject(subject)
    except ValidationError as exc:
        return render(
            request, "evidence/bad_subject.html", {"message": exc.messages[0]}, status=400
        )
    form = EvidenceUploadForm(
        request.POST or None,
        request.FILES or None,
        organizations=organizations,
        initial={"subject": subject, "organization": organizations.first()},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if getattr(request, "evidence_too_large", False):
            form.is_valid()
            form.errors.clear()
            form.add_error(None, f"文件超过大小上限（{services.human_size(services.max_bytes())}）")
        elif form.is_valid():
            organization = form.cleaned_data["organization"]
            upload = form.cleaned_data["upload"]
            try:
                record = services.store_evidence(
                    actor=request.user,
                    organization=organization,
                    subject=subject,
                    upload=upload,
                    filename=upload.name,
                    capture=form.capture(request.user.display_name),
                    role=_role_for(request.user, organization),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    f"证据“{record.original_filename}”已保存，SM3 摘要 {record.file.digest}。",
                )
                return redirect(_list_url(subject))
    context = {
        "form": form,
        "subject": subject,
        "list_url": _list_url(subject),
        "max_size": services.human_size(services.max_bytes()),
    }
    return render(request, "evidence/upload.html", context, status=status)


@login_required
@require_GET
def evidence_list(request: HttpRequest) -> HttpResponse:
    subject = (request.GET.get("subject") or "").strip()
    try:
        subject = services.clean_subject(subject)
    except ValidationError as exc:
        return render(
            request, "evidence/bad_subject.html", {"message": exc.messages[0]}, status=400
        )
    records = selectors.evidence_for(request.user, subject)
    can_upload = _upload_organizations(request.user).exists()
    return render(
        request,
        "evidence/list.html",
        {"subject": subject, "records": records, "can_upload": can_upload},
    )


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_record(request.user, pk)
    try:
        stream = services.open_evidence(record.file.digest)
    except services.EvidenceCorrupted as exc:
        logger.error("evidence record %s: %s", record.pk, exc)
        return render(
            request,
            "evidence/corrupted.html",
            {
                "record": record,
                "missing": isinstance(exc, services.EvidenceMissing),
                "digest": exc.digest,
            },
            status=409,
        )
    content_type = record.file.content_type
    if content_type == "text/plain":
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=record.original_filename,
        content_type=content_type,
    )
    response["Content-Length"] = str(record.file.size)
    response["X-Evidence-SM3"] = record.file.digest
    response["Cache-Control"] = "private, no-store"
    return response


# --- resumable uploads (JSON, for capture.js) -----------------------------------------------


def _json_error(message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _upload_errors(func):
    """Chinese refusals as JSON: the phone shows them and knows where to resume."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return func(request, *args, **kwargs)
        except uploads.ChunkRefused as exc:
            return _json_error(exc.messages[0], 409, received=exc.received, code=exc.code)
        except ValidationError as exc:
            return _json_error(exc.messages[0], 400)
        except PermissionDenied as exc:
            return _json_error(str(exc) or "您没有执行此操作的权限。", 403)

    return wrapper


@login_required
@require_http_methods(["POST"])
@_upload_errors
def upload_start(request: HttpRequest) -> HttpResponse:
    """POST organization, subject, filename, size[, chunk_size] → the session (201)."""
    organization = (
        acting_organizations(request.user).filter(pk=request.POST.get("organization") or 0).first()
    )
    if organization is None:
        raise PermissionDenied("您不能为该组织登记证据。")
    session = uploads.start_upload(
        request.user,
        organization=organization,
        subject=request.POST.get("subject", ""),
        filename=request.POST.get("filename", ""),
        total_size=request.POST.get("size"),
        chunk_size=request.POST.get("chunk_size"),
    )
    return JsonResponse(_session_json(session), status=201)


def _session_json(session) -> dict:
    data = uploads.as_json(session)
    data["chunk_url"] = reverse("evidence:upload_chunk", args=[session.pk])
    data["status_url"] = reverse("evidence:upload_status", args=[session.pk])
    data["finish_url"] = reverse("evidence:upload_finish", args=[session.pk])
    return data


@login_required
@require_GET
def upload_status(request: HttpRequest, pk) -> HttpResponse:
    """Where to resume after a reconnect."""
    return JsonResponse(_session_json(uploads.get_session(request.user, pk)))


@login_required
@require_http_methods(["PUT", "POST"])
@_upload_errors
def upload_chunk(request: HttpRequest, pk) -> HttpResponse:
    """The raw chunk as the body, ``?offset=N``; optional ``X-Chunk-SHA256``."""
    session = uploads.get_session(request.user, pk)
    # Read at most one byte more than a chunk: a longer body is refused, not buffered.
    data = request.read(session.chunk_size + 1)
    session = uploads.put_chunk(
        request.user,
        pk,
        offset=request.GET.get("offset"),
        data=data,
        sha256=request.headers.get("X-Chunk-SHA256"),
    )
    return JsonResponse(_session_json(session))


@login_required
@require_http_methods(["POST"])
@_upload_errors
def upload_finish(request: HttpRequest, pk) -> HttpResponse:
    """Assemble and store as evidence (a retry returns the same record)."""
    record = uploads.finish_upload(request.user, pk)
    return JsonResponse(
        {
            "evidence_id": record.pk,
            "digest": record.file.digest,
            "list_url": _list_url(record.subject),
        }
    )
