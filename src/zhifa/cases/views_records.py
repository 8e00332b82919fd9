"""Pages of the full-process record, made for a phone in the field: the case's records, capture
of photos / video / audio (chunked, resumable upload with capture.js; a plain form without JS),
transcripts, signatures on screen, service of documents and payments. Reads are scoped through
``cases.selectors.get_case`` (404 when missing or forbidden); every write is a service call."""

from __future__ import annotations

import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhifa.evidence import services as evidence_store
from zhifa.evidence import uploads
from zhifa.ledger.models import LedgerEntry

from . import delivery, execution, records
from .forms_records import (
    QA_ROWS,
    ConsentForm,
    CorrectionForm,
    MediaForm,
    PaymentForm,
    RefusalForm,
    ServiceForm,
    SignForm,
    TranscriptForm,
)
from .models import Case, Party, Record, RecordKind
from .selectors import get_case

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def _page(request: HttpRequest, body: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, "cases/records/page.html", {"body": body, **context}, status=status)


def _writer(request: HttpRequest, case: Case) -> str:
    """The role the user writes under; 403 with the reason for readers who may not write."""
    return records.acting_role(request.user, case)


def _can_write(request: HttpRequest, case: Case) -> bool:
    try:
        _writer(request, case)
    except PermissionDenied:
        return False
    return True


def _record(request: HttpRequest, record_id: int) -> Record:
    record = Record.objects.filter(pk=record_id).only("pk", "case_id").first()
    if record is None:
        raise Http404("未找到该记录。")
    case = get_case(request.user, record.case_id)
    record = (
        Record.objects.select_related("evidence__file", "created_by", "supersedes")
        .prefetch_related("officers")
        .get(pk=record_id)
    )
    record.case = case
    return record


def _refusal(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


# --------------------------------------------------------------------------- lists and detail


@login_required
@require_GET
def record_list(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case(request.user, case_id)
    items = list(records.current_records(case))
    for item in items:
        item.stage_label = records.stage_label(case, item.stage)
    services = case.services.select_related("party", "proof__file").order_by("delivered_on", "id")
    return _page(
        request,
        "cases/records/list.html",
        {
            "case": case,
            "records": items,
            "services": services,
            "payment": execution.payment_status(case),
            "can_write": _can_write(request, case),
            "parties": case.parties.all(),
        },
    )


@login_required
@require_GET
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record(request, record_id)
    history = []
    earlier = record.supersedes
    while earlier is not None:
        history.append(earlier)
        earlier = earlier.supersedes
    newer = Record.objects.filter(supersedes=record).first()
    record.stage_label = records.stage_label(record.case, record.stage)
    return _page(
        request,
        "cases/records/detail.html",
        {
            "case": record.case,
            "record": record,
            "signatures": record.signatures.select_related("image__file", "refusal_evidence"),
            "history": history,
            "newer": newer,
            "correction_reason": _correction_reason(record),
            "media": _media_kind(record),
            "can_write": _can_write(request, record.case) and newer is None,
            "report_title": f"检验检测报告（{record.title}）",
        },
    )


def _correction_reason(record: Record) -> str:
    """The reason a correction gave, as its ledger entry keeps it (the record row holds none)."""
    if record.supersedes_id is None:
        return ""
    entry = LedgerEntry.objects.filter(seq=record.ledger_seq).only("payload").first()
    if entry is None:
        return ""
    return str(json.loads(entry.payload).get("reason") or "")


# --------------------------------------------------------------------------- corrections


@login_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, record_id: int) -> HttpResponse:
    """更正记录: a new record superseding this one (``records.correct_record``); the old one
    is never edited. Only who may write on the case; the latest version only."""
    record = _record(request, record_id)
    case = record.case
    _writer(request, case)
    newer = Record.objects.filter(supersedes=record).first()
    form = CorrectionForm(request.POST or None, record=record)
    status = 200
    transcript = form.transcript
    rows = form.qa_rows() if request.method == "POST" else list(record.content.get("qa") or [])
    if request.method == "POST" and "more" in request.POST:
        # One more question row without JS: the same form again, unbound, nothing checked yet.
        rows.append({"q": "", "a": ""})
        values = {k: v if k == "officers" else v[0] for k, v in request.POST.lists()}
        form = CorrectionForm(record=record, initial=values)
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                correction = records.correct_record(
                    request.user,
                    record,
                    reason=data["reason"],
                    title=data["title"],
                    content=form.content(),
                    taken_at=data.get("taken_at"),
                    place=data.get("place", ""),
                    latitude=data.get("latitude"),
                    longitude=data.get("longitude"),
                    officer_ids=form.officer_ids(),
                )
            except ValidationError as exc:
                _refusal(form, exc)
            else:
                messages.success(request, "更正已保存为新记录，原记录保留不变。")
                return redirect("case_records:detail", correction.pk)
    if record.kind == "interview":
        while len(rows) < QA_ROWS:
            rows.append({"q": "", "a": ""})
    return _page(
        request,
        "cases/records/correct_form.html",
        {
            "case": case,
            "record": record,
            "form": form,
            "newer": newer,
            "transcript": transcript,
            "rows": rows,
            "title": f"更正：{record.title}",
        },
        status,
    )


def _media_kind(record: Record) -> str | None:
    if record.evidence is None:
        return None
    content_type = record.evidence.file.content_type
    if content_type.startswith("image/") and content_type not in ("image/heic", "image/heif"):
        return "image"
    if record.kind == RecordKind.AUDIO or content_type.startswith("audio/"):
        return "audio"
    if content_type.startswith("video/"):
        return "video"
    return "file"


@login_required
@require_GET
def record_media(request: HttpRequest, record_id: int, signature_id: int | None = None):
    """The record's file (or a signature image), checked against its digest, inline so a
    photo shows and a video plays; a single byte range is served for phones' players."""
    record = _record(request, record_id)
    evidence = record.evidence
    if signature_id is not None:
        signature = get_object_or_404(record.signatures, pk=signature_id, image__isnull=False)
        evidence = signature.image
    if evidence is None:
        raise Http404("该记录没有文件。")
    try:
        stream = evidence_store.open_evidence(evidence.file.digest)
    except evidence_store.EvidenceCorrupted:
        return HttpResponse("证据文件已损坏或缺失，请联系管理员。", status=409)
    size = evidence.file.size
    content_type = evidence.file.content_type
    if content_type == "text/plain":
        content_type = "text/plain; charset=utf-8"
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:
            start, end = max(0, size - int(last)), size - 1
        if start > end or start >= size:
            stream.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        stream.seek(start)
        data = stream.read(end - start + 1)
        stream.close()
        response = HttpResponse(data, status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(stream, content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = "inline"
    response["X-Evidence-SM3"] = evidence.file.digest
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------- capture


def _capture_context(request: HttpRequest, case: Case, form) -> dict:
    role = _writer(request, case)
    organization = records.evidence_organization(request.user, case, role)
    return {
        "case": case,
        "form": form,
        "organization": organization,
        "max_size": evidence_store.human_size(evidence_store.max_bytes()),
        "chunk_size": uploads.DEFAULT_CHUNK,
    }


@login_required
@require_http_methods(["GET", "POST"])
def capture(request: HttpRequest, case_id: int) -> HttpResponse:
    """Photos, video, audio and documents. Without JS the file comes in this POST; with
    capture.js it goes through the resumable upload API and then ``capture_finish``."""
    case = get_case(request.user, case_id)
    _writer(request, case)
    initial = {"stage": case.stage}
    # A link may preset the kind and title, e.g. the test report of a sampling record.
    if request.GET.get("kind") in records.MEDIA_KINDS:
        initial["kind"] = request.GET["kind"]
    if request.GET.get("title"):
        initial["title"] = request.GET["title"][:200]
    form = MediaForm(
        request.POST or None,
        request.FILES or None,
        case=case,
        actor=request.user,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid() and request.FILES.get("file"):
        upload = request.FILES["file"]
        try:
            record = records.attach_media(
                request.user,
                case,
                kind=form.cleaned_data["kind"],
                upload=upload,
                filename=upload.name,
                taken_at=form.cleaned_data.get("taken_at"),
                place=form.cleaned_data.get("place", ""),
                latitude=form.cleaned_data.get("latitude"),
                longitude=form.cleaned_data.get("longitude"),
                officer_ids=form.officer_ids(),
                stage=form.cleaned_data.get("stage") or case.stage,
                title=form.cleaned_data.get("title", ""),
            )
        except ValidationError as exc:
            _refusal(form, exc)
        else:
            messages.success(request, f"“{record.title}”已保存。")
            return redirect("case_records:detail", record.pk)
    status = 400 if request.method == "POST" else 200
    return _page(
        request, "cases/records/capture.html", _capture_context(request, case, form), status
    )


@login_required
@require_POST
def capture_finish(request: HttpRequest, case_id: int) -> HttpResponse:
    """capture.js: the file arrived through an upload session; make it a record (JSON)."""
    case = get_case(request.user, case_id)
    try:
        _writer(request, case)
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    form = MediaForm(request.POST, case=case)
    if not form.is_valid():
        errors = [e for field in form.errors.values() for e in field]
        return JsonResponse({"error": "；".join(errors)}, status=400)
    try:
        record = records.attach_uploaded(
            request.user,
            case,
            request.POST.get("upload_id"),
            kind=form.cleaned_data["kind"],
            taken_at=form.cleaned_data.get("taken_at"),
            place=form.cleaned_data.get("place", ""),
            latitude=form.cleaned_data.get("latitude"),
            longitude=form.cleaned_data.get("longitude"),
            officer_ids=form.officer_ids(),
            stage=form.cleaned_data.get("stage") or case.stage,
            title=form.cleaned_data.get("title", ""),
        )
    except uploads.ChunkRefused as exc:
        return JsonResponse(
            {"error": exc.messages[0], "received": exc.received, "code": exc.code}, status=409
        )
    except ValidationError as exc:
        return JsonResponse({"error": "；".join(exc.messages)}, status=400)
    messages.success(request, f"“{record.title}”已保存。")
    return JsonResponse(
        {"record_id": record.pk, "url": reverse("case_records:detail", args=[record.pk])}
    )


# --------------------------------------------------------------------------- transcripts


@login_required
@require_http_methods(["GET", "POST"])
def transcript_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case(request.user, case_id)
    _writer(request, case)
    kind = request.POST.get("kind") or request.GET.get("kind") or RecordKind.INTERVIEW
    if kind not in records.TRANSCRIPT_KINDS:
        kind = RecordKind.INTERVIEW
    label = RecordKind(kind).label
    form = TranscriptForm(
        request.POST or None,
        case=case,
        actor=request.user,
        initial={"kind": kind, "title": label, "place": case.place},
    )
    status = 200
    rows = form.qa_rows() if request.method == "POST" else []
    if request.method == "POST" and "more" in request.POST:
        # One more question row without JS: the same form again, unbound, nothing checked yet.
        rows.append({"q": "", "a": ""})
        values = {k: v if k == "officers" else v[0] for k, v in request.POST.lists()}
        form = TranscriptForm(case=case, initial=values)
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                record = records.add_transcript(
                    request.user,
                    case,
                    kind=kind,
                    title=form.cleaned_data["title"],
                    content=form.content(),
                    taken_at=form.cleaned_data.get("taken_at"),
                    place=form.cleaned_data["place"],
                    latitude=form.cleaned_data.get("latitude"),
                    longitude=form.cleaned_data.get("longitude"),
                    officer_ids=form.officer_ids(),
                )
            except ValidationError as exc:
                _refusal(form, exc)
            else:
                who = "被抽样人（持有人）" if kind == RecordKind.SAMPLING else "被询问人或在场人员"
                messages.success(request, f"{label}已保存，请{who}签名。")
                return redirect("case_records:sign", record.pk)
    while len(rows) < QA_ROWS:
        rows.append({"q": "", "a": ""})
    return _page(
        request,
        "cases/records/transcript_form.html",
        {"case": case, "form": form, "kind": kind, "label": label, "rows": rows},
        status,
    )


# --------------------------------------------------------------------------- signatures


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record(request, record_id)
    _writer(request, record.case)
    initial = {}
    interviewee = (record.content or {}).get("interviewee") or {}
    if interviewee.get("name"):
        initial = {"signer_role": "interviewee", "signer_name": interviewee["name"]}
    elif record.kind == RecordKind.SAMPLING and record.content.get("holder"):
        initial = {"signer_role": "holder", "signer_name": record.content["holder"]}
    form = SignForm(request.POST or None, request.FILES or None, initial=initial)
    refusal = RefusalForm(None, record=record, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                records.sign(
                    request.user,
                    record,
                    signer_role=form.cleaned_data["signer_role"],
                    signer_name=form.cleaned_data["signer_name"],
                    image=form.cleaned_data["image"],
                    filename=getattr(form.cleaned_data["image"], "name", "signature.png"),
                )
            except ValidationError as exc:
                _refusal(form, exc)
            else:
                messages.success(request, f"{form.cleaned_data['signer_name']}的签名已保存。")
                return redirect("case_records:detail", record.pk)
    return _page(
        request,
        "cases/records/sign.html",
        {"case": record.case, "record": record, "form": form, "refusal": refusal},
        status,
    )


@login_required
@require_POST
def refusal(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record(request, record_id)
    _writer(request, record.case)
    form = RefusalForm(request.POST, record=record)
    if form.is_valid():
        try:
            records.record_refusal(
                request.user,
                record,
                signer_role=form.cleaned_data["signer_role"],
                signer_name=form.cleaned_data["signer_name"],
                witness=form.cleaned_data.get("witness"),
                evidence=form.cleaned_data.get("evidence"),
            )
        except ValidationError as exc:
            _refusal(form, exc)
        else:
            messages.success(request, "拒签情况已记录。")
            return redirect("case_records:detail", record.pk)
    return _page(
        request,
        "cases/records/sign.html",
        {"case": record.case, "record": record, "form": SignForm(), "refusal": form},
        400,
    )


# --------------------------------------------------------------------------- service


@login_required
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case(request.user, case_id)
    _writer(request, case)
    form = ServiceForm(request.POST or None, request.FILES or None, case=case)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                service = delivery.record_service(
                    request.user,
                    case,
                    party=data["party"],
                    document=data["document"],
                    document_title=data.get("document_title", ""),
                    mode=data["mode"],
                    delivered_on=data["delivered_on"],
                    recipient=data.get("recipient", ""),
                    witness=data.get("witness", ""),
                    address=data.get("address", ""),
                    proof_upload=data.get("proof"),
                    note=data.get("note", ""),
                )
            except ValidationError as exc:
                _refusal(form, exc)
            else:
                messages.success(
                    request,
                    f"{service.document_title}已登记送达，"
                    f"送达日期 {service.served_on:%Y年%m月%d日}。",
                )
                return redirect("case_records:list", case.pk)
    return _page(
        request,
        "cases/records/service_form.html",
        {"case": case, "form": form, "parties": case.parties.all()},
        status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, case_id: int, party_id: int) -> HttpResponse:
    case = get_case(request.user, case_id)
    _writer(request, case)
    party = get_object_or_404(Party, pk=party_id, case=case)
    form = ConsentForm(
        request.POST or None, request.FILES or None, initial={"address": party.e_service_address}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                delivery.record_e_service_consent(
                    request.user,
                    party,
                    form.cleaned_data["document"],
                    address=form.cleaned_data["address"],
                )
            except ValidationError as exc:
                _refusal(form, exc)
            else:
                messages.success(request, f"{party.name}的电子送达确认书已登记。")
                return redirect("case_records:service_new", case.pk)
    return _page(
        request,
        "cases/records/consent.html",
        {"case": case, "party": party, "form": form},
        status,
    )


# --------------------------------------------------------------------------- execution


@login_required
@require_http_methods(["GET", "POST"])
def payments(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case(request.user, case_id)
    can_write = _can_write(request, case)
    form = PaymentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        _writer(request, case)
        status = 400
        if form.is_valid():
            try:
                execution.record_payment(
                    request.user,
                    case,
                    form.cleaned_data["amount"],
                    form.cleaned_data["paid_on"],
                    receipt_upload=form.cleaned_data.get("receipt"),
                )
            except ValidationError as exc:
                _refusal(form, exc)
            else:
                messages.success(request, "缴款已登记。")
                return redirect("case_records:payments", case.pk)
    return _page(
        request,
        "cases/records/payments.html",
        {
            "case": case,
            "form": form,
            "status": execution.payment_status(case),
            "can_write": can_write,
            "basis": [execution.LAW_PAYMENT, execution.LAW_SURCHARGE],
        },
        status,
    )
