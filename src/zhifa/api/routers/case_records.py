"""执法全过程记录 API: signatures and refusals to sign, corrections, service of documents (送达)
and the party's consent to electronic service, payments of a fine and what is owed, and the
resumable upload a phone uses on a flaky network.

Every write calls exactly one service (``zhifa.cases.records``, ``delivery``, ``execution``,
``zhifa.evidence.uploads``); this module only parses the request and shapes the answer. Those
services take a user: the record is made by a named officer (or the head of the unit or body),
so a token gets 403 whatever its scopes, as for transcripts and files; a supervisor, a
reviewer or an administrator gets 403 too (no ``cases.handle``). Reads (the services, the
payment figures, one record with its signatures) follow the case reads of ``cases.py``: users
with a business role scoped by ``zhifa.cases.selectors``, tokens with ``read`` in their
organisation's subtree. A case or record outside the caller's scope and a missing one are the
same 404. A refusal by a service is a 400 with its Chinese reason and changes nothing; a
refused chunk also says how many bytes the server holds (``received``), where to resume.

Files come as multipart (signature image or scan, proof of service, consent, receipt): file
parts are streamed to disk by Django's upload handlers and do not count against
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB by default), which a base64 JSON body would. A chunk
is the raw request body, read with ``request.read`` (never ``request.body``, which refuses a
body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``), so chunks up to ``uploads.MAX_CHUNK`` (8 MB) pass
and at most one byte more than the session's chunk size is ever read."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from zhifa.cases import delivery, execution, selectors
from zhifa.cases import records as case_records
from zhifa.cases.models import Case, Party, Record, Service, ServiceMode, Signature, SignerRole
from zhifa.evidence import uploads
from zhifa.evidence.models import UploadSession

from ..schemas import ErrorOut
from .cases import ERRORS, RecordOut, _get_case, _reader, _user, record_out

router = Router(tags=["执法办案"])

RECORD_NOT_FOUND = "未找到该记录。"


# ---------------------------------------------------------------- schemas


class SignatureOut(Schema):
    id: int
    record_id: int
    signer_role: str
    signer_role_label: str
    signer_name: str
    refused: bool
    image_evidence_id: int | None
    image_digest: str | None
    refusal_witness: str
    refusal_evidence_id: int | None
    signed_at: datetime.datetime
    ledger_seq: int


class RecordDetailOut(RecordOut):
    superseded_by_id: int | None = Field(description="更正后的新记录（本记录已被更正时）")
    signatures: list[SignatureOut]


class RefusalIn(Schema):
    signer_name: str
    signer_role: str = Field(SignerRole.PARTY, description="party / interviewee / witness / …")
    witness: str = Field("", description="在场见证人姓名（与 evidence_record_id 至少其一）")
    evidence_record_id: int | None = Field(None, description="本案记录拒签过程的录音或录像记录")


class CorrectionIn(Schema):
    reason: str = Field(description="更正原因（必填）")
    title: str | None = None
    content: dict[str, Any] | None = Field(None, description="笔录的新内容；音像文书不能改内容")
    taken_at: datetime.datetime | None = None
    place: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    officer_ids: list[int] | None = None


class ServiceOut(Schema):
    id: int
    party_id: int
    party_name: str
    document: str
    document_title: str
    mode: str
    mode_label: str
    delivered_on: datetime.date
    served_on: datetime.date = Field(description="视为送达日期（公告送达为公告之日起三十日后）")
    recipient: str
    witness: str
    address: str
    note: str
    proof_evidence_id: int | None
    proof_digest: str | None
    created_at: datetime.datetime
    ledger_seq: int


class ConsentOut(Schema):
    party_id: int
    party_name: str
    e_service_address: str
    consent_evidence_id: int
    consent_digest: str


class PaymentItemOut(Schema):
    record_id: int
    amount: Decimal
    paid_on: datetime.date


class PaymentStatusOut(Schema):
    on: datetime.date = Field(description="计算所依据的日期")
    status: str = Field(description="no_fine / not_served / due / overdue / paid")
    label: str
    fine: Decimal | None
    served_on: datetime.date | None
    due_on: datetime.date | None
    days_late: int
    surcharge: Decimal = Field(description="截至 on 的加处罚款，不超过罚款数额")
    surcharge_capped: bool
    paid: Decimal
    outstanding: Decimal
    payments: list[PaymentItemOut]
    basis: list[str]


class PaymentOut(Schema):
    record: RecordOut
    status: PaymentStatusOut


class UploadStartIn(Schema):
    filename: str
    size: int = Field(description="文件总字节数")
    chunk_size: int | None = Field(None, description="分片字节数，64 KB 至 8 MB，默认 1 MB")


class UploadOut(Schema):
    id: str
    filename: str
    total_size: int
    chunk_size: int
    received: int = Field(description="服务器已收到的字节数：从这里继续上传")
    complete: bool
    finished: bool
    evidence_id: int | None
    expires_at: datetime.datetime
    chunk_url: str
    status_url: str


class ChunkErrorOut(ErrorOut):
    """A refusal; for a refused chunk (or a finish before the file is complete) also where to
    resume."""

    received: int | None = Field(None, description="服务器已收到的字节数：从这里继续上传")
    code: str | None = Field(None, description="offset / length / digest / conflict / …")


class UploadFinishIn(Schema):
    kind: str = Field(description="photo / audio / video / document")
    officer_ids: list[int] = Field(description="在场执法人员（本案承办人员，不少于两人）")
    title: str = ""
    place: str = ""
    stage: str | None = Field(None, description="所处环节，默认案件当前环节")
    taken_at: datetime.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


CHUNK_ERRORS = {400: ChunkErrorOut, 403: ErrorOut, 404: ErrorOut}


# ---------------------------------------------------------------- lookups and shapes


def _get_record(principal, record_id: int) -> Record:
    """A record of a case the caller reads; a missing one and one of another body's case are
    the same 404."""
    case_id = Record.objects.filter(pk=record_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404(RECORD_NOT_FOUND)
    try:
        case = _get_case(principal, case_id)
    except Http404:
        raise Http404(RECORD_NOT_FOUND) from None
    record = (
        Record.objects.select_related("evidence__file")
        .prefetch_related("officers")
        .get(pk=record_id)
    )
    record.case = case
    return record


def _get_party(case: Case, party_id: int) -> Party:
    party = Party.objects.filter(pk=party_id, case=case).first()
    if party is None:
        raise Http404("未找到该当事人。")
    return party


def signature_out(s: Signature) -> dict[str, Any]:
    return {
        "id": s.pk,
        "record_id": s.record_id,
        "signer_role": s.signer_role,
        "signer_role_label": s.get_signer_role_display(),
        "signer_name": s.signer_name,
        "refused": s.refused,
        "image_evidence_id": s.image_id,
        "image_digest": s.image.file.digest if s.image_id else None,
        "refusal_witness": s.refusal_witness,
        "refusal_evidence_id": s.refusal_evidence_id,
        "signed_at": s.signed_at,
        "ledger_seq": s.ledger_seq,
    }


def service_out(s: Service) -> dict[str, Any]:
    return {
        "id": s.pk,
        "party_id": s.party_id,
        "party_name": s.party.name,
        "document": s.document,
        "document_title": s.document_title,
        "mode": s.mode,
        "mode_label": ServiceMode(s.mode).label,
        "delivered_on": s.delivered_on,
        "served_on": s.served_on,
        "recipient": s.recipient,
        "witness": s.witness,
        "address": s.address,
        "note": s.note,
        "proof_evidence_id": s.proof_id,
        "proof_digest": s.proof.file.digest if s.proof_id else None,
        "created_at": s.created_at,
        "ledger_seq": s.ledger_seq,
    }


def status_out(st: execution.PaymentStatus, on: datetime.date) -> dict[str, Any]:
    return {
        "on": on,
        "status": st.status,
        "label": st.label,
        "fine": st.fine,
        "served_on": st.served_on,
        "due_on": st.due_on,
        "days_late": st.days_late,
        "surcharge": st.surcharge,
        "surcharge_capped": st.surcharge_capped,
        "paid": st.paid,
        "outstanding": st.outstanding,
        "payments": [
            {"record_id": p.record_id, "amount": p.amount, "paid_on": p.paid_on}
            for p in st.payments
        ],
        "basis": [execution.LAW_PAYMENT, execution.LAW_SURCHARGE],
    }


def upload_out(session: UploadSession) -> dict[str, Any]:
    out = uploads.as_json(session)
    out["expires_at"] = session.expires_at
    out["chunk_url"] = reverse("api:upload_chunk", args=[session.pk])
    out["status_url"] = reverse("api:upload_status", args=[session.pk])
    return out


def _chunk_refused(exc: uploads.ChunkRefused):
    return Status(400, {"detail": exc.messages[0], "received": exc.received, "code": exc.code})


# ---------------------------------------------------------------- records: read, sign, correct


@router.get("/records/{int:record_id}", response={200: RecordDetailOut, **ERRORS})
def get_record(request: HttpRequest, record_id: int):
    """One record with its signatures (and refusals to sign) and, when it has been corrected,
    the id of the record that replaced it."""
    _reader(request.auth)
    record = _get_record(request.auth, record_id)
    out = record_out(record)
    out["superseded_by_id"] = (
        Record.objects.filter(supersedes=record).values_list("pk", flat=True).first()
    )
    signatures = record.signatures.select_related("image__file").order_by("signed_at", "id")
    out["signatures"] = [signature_out(s) for s in signatures]
    return out


@router.post("/records/{int:record_id}/signatures", response={201: SignatureOut, **ERRORS})
def sign_record(
    request: HttpRequest,
    record_id: int,
    image: File[UploadedFile],
    signer_role: Form[str],
    signer_name: Form[str],
):
    """A signature (multipart): ``image`` = the PNG drawn on the screen (a canvas's
    ``toBlob``) or a scan of the signed page (image or PDF), ``signer_role``
    (party / interviewee / witness / officer), ``signer_name``. Kept in the evidence store by
    its SM3 digest."""
    user = _user(request.auth)
    record = _get_record(user, record_id)
    signature = case_records.sign(
        user,
        record,
        signer_role=signer_role,
        signer_name=signer_name,
        image=image,
        filename=image.name or "signature.png",
    )
    return Status(201, signature_out(signature))


@router.post("/records/{int:record_id}/refusals", response={201: SignatureOut, **ERRORS})
def refuse_signature(request: HttpRequest, record_id: int, payload: RefusalIn):
    """A refusal to sign, proved by a witness present (``witness``) or by an audio / video
    record of the same case (``evidence_record_id``); neither → 400."""
    user = _user(request.auth)
    record = _get_record(user, record_id)
    evidence = None
    if payload.evidence_record_id is not None:
        evidence = Record.objects.filter(pk=payload.evidence_record_id, case=record.case).first()
        if evidence is None:
            raise Http404("未找到该拒签音像记录。")
    signature = case_records.record_refusal(
        user,
        record,
        signer_name=payload.signer_name,
        signer_role=payload.signer_role,
        witness=payload.witness,
        evidence=evidence,
    )
    return Status(201, signature_out(signature))


@router.post("/records/{int:record_id}/corrections", response={201: RecordOut, **ERRORS})
def correct_record(request: HttpRequest, record_id: int, payload: CorrectionIn):
    """A correction: a new record replacing this one (``supersedes_id``), which stays as it
    was. ``reason`` is required; the fields not sent are kept. Only the latest version may be
    corrected, and the record's rules apply again (two certified officers, a transcript's
    content)."""
    user = _user(request.auth)
    record = _get_record(user, record_id)
    row = case_records.correct_record(
        user,
        record,
        reason=payload.reason,
        title=payload.title,
        content=payload.content,
        taken_at=payload.taken_at,
        place=payload.place,
        latitude=payload.latitude,
        longitude=payload.longitude,
        officer_ids=payload.officer_ids,
    )
    return Status(201, record_out(row))


# ---------------------------------------------------------------- service of documents


@router.get("/cases/{int:case_id}/services", response={200: list[ServiceOut], **ERRORS})
def list_services(request: HttpRequest, case_id: int):
    """The documents served on the case's parties, by delivery date."""
    _reader(request.auth)
    case = _get_case(request.auth, case_id)
    rows = case.services.select_related("party", "proof__file").order_by("delivered_on", "id")
    return [service_out(s) for s in rows]


@router.post("/cases/{int:case_id}/services", response={201: ServiceOut, **ERRORS})
def record_service(
    request: HttpRequest,
    case_id: int,
    party_id: Form[int],
    document: Form[str],
    mode: Form[str],
    delivered_on: Form[str],
    document_title: Form[str] = "",
    recipient: Form[str] = "",
    witness: Form[str] = "",
    address: Form[str] = "",
    note: Form[str] = "",
    proof: File[UploadedFile | None] = None,
):
    """Service of a document on a party (form or multipart). ``mode``: ``direct`` /
    ``entrusted`` (``recipient`` signs), ``left`` (``address`` and a ``witness`` or a photo /
    video ``proof``), ``post`` (``address``; ``delivered_on`` = the date on the return slip),
    ``electronic`` (only after the party's consent), ``announcement`` (``note`` = why and how;
    served 30 days after ``delivered_on``)."""
    user = _user(request.auth)
    case = selectors.get_case(user, case_id)
    service = delivery.record_service(
        user,
        case,
        party=_get_party(case, party_id),
        document=document,
        document_title=document_title,
        mode=mode,
        delivered_on=delivered_on,
        recipient=recipient,
        witness=witness,
        address=address,
        proof_upload=proof,
        note=note,
    )
    service = Service.objects.select_related("party", "proof__file").get(pk=service.pk)
    return Status(201, service_out(service))


@router.post(
    "/cases/{int:case_id}/parties/{int:party_id}/e-service-consent",
    response={201: ConsentOut, **ERRORS},
)
def record_e_service_consent(
    request: HttpRequest,
    case_id: int,
    party_id: int,
    document: File[UploadedFile],
    address: Form[str],
):
    """The party's signed 电子送达确认书 (multipart ``document``: scan, PDF or OFD) and the
    address they confirmed (e-mail, fax …); electronic service is refused without it."""
    user = _user(request.auth)
    case = selectors.get_case(user, case_id)
    party = delivery.record_e_service_consent(
        user, _get_party(case, party_id), document, address=address
    )
    return Status(
        201,
        {
            "party_id": party.pk,
            "party_name": party.name,
            "e_service_address": party.e_service_address,
            "consent_evidence_id": party.e_service_consent_id,
            "consent_digest": party.e_service_consent.file.digest,
        },
    )


# ---------------------------------------------------------------- payments


@router.get("/cases/{int:case_id}/payments", response={200: PaymentStatusOut, **ERRORS})
def payment_status(request: HttpRequest, case_id: int, on: datetime.date | None = None):
    """The fine on ``on`` (today by default): the last day to pay, the late surcharge to that
    day (3 % a day, never more than the fine), paid, outstanding, and the payments."""
    _reader(request.auth)
    case = _get_case(request.auth, case_id)
    return status_out(execution.payment_status(case, on), on or _today())


@router.post("/cases/{int:case_id}/payments", response={201: PaymentOut, **ERRORS})
def record_payment(
    request: HttpRequest,
    case_id: int,
    amount: Form[str],
    paid_on: Form[str],
    receipt: File[UploadedFile | None] = None,
):
    """A payment (form or multipart): ``amount`` (yuan), ``paid_on``, optional ``receipt``
    (bank receipt, PDF or image). More than is owed on that day → 400."""
    user = _user(request.auth)
    case = selectors.get_case(user, case_id)
    row = execution.record_payment(user, case, amount, paid_on, receipt_upload=receipt)
    row = (
        Record.objects.select_related("evidence__file").prefetch_related("officers").get(pk=row.pk)
    )
    today = _today()
    return Status(
        201,
        {"record": record_out(row), "status": status_out(execution.payment_status(case), today)},
    )


def _today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------- resumable uploads


@router.post("/cases/{int:case_id}/uploads", response={201: UploadOut, **ERRORS})
def start_upload(request: HttpRequest, case_id: int, payload: UploadStartIn):
    """Open a resumable upload for a photo / audio / video / document of the case; a file
    over the evidence size limit is refused before a byte is sent. The session is the
    caller's own (another user's is 404) and expires after a day."""
    user = _user(request.auth)
    case = selectors.get_case(user, case_id)
    # Where the capture page registers the file: the writer's role on the case, and the unit
    # (or body) the evidence belongs to.
    role = case_records.acting_role(user, case)
    session = uploads.start_upload(
        user,
        organization=case_records.evidence_organization(user, case, role),
        subject=case.subject,
        filename=payload.filename,
        total_size=payload.size,
        chunk_size=payload.chunk_size,
    )
    return Status(201, upload_out(session))


@router.get("/uploads/{upload_id}", response={200: UploadOut, **ERRORS}, url_name="upload_status")
def upload_status(request: HttpRequest, upload_id: str):
    """Where to resume: ``received`` bytes are on the server."""
    user = _user(request.auth)
    return upload_out(uploads.get_session(user, upload_id))


_CHUNK_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    },
    "parameters": [
        {
            "name": "X-Chunk-SHA256",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "本分片的 SHA-256（十六进制）；不符则拒收，请重发该分片",
        }
    ],
}


@router.put(
    "/uploads/{upload_id}/chunks",
    response={200: UploadOut, **CHUNK_ERRORS},
    url_name="upload_chunk",
    openapi_extra=_CHUNK_OPENAPI,
)
def put_chunk(request: HttpRequest, upload_id: str, offset: str):
    """One chunk as the raw body (``Content-Type: application/octet-stream``) at ``?offset=``
    (a multiple of the chunk size), optional header ``X-Chunk-SHA256``. The same chunk sent
    again is a no-op (200); a gap, a forged offset, a wrong length or changed content is a
    400 with ``received``."""
    user = _user(request.auth)
    session = uploads.get_session(user, upload_id)
    # At most one byte more than a chunk: a longer body is refused, not buffered.
    data = request.read(session.chunk_size + 1)
    try:
        session = uploads.put_chunk(
            user,
            upload_id,
            offset=offset,
            data=data,
            sha256=request.headers.get("X-Chunk-SHA256"),
        )
    except uploads.ChunkRefused as exc:
        return _chunk_refused(exc)
    return upload_out(session)


@router.post(
    "/uploads/{upload_id}/chunks",
    response={200: UploadOut, **CHUNK_ERRORS},
    openapi_extra=_CHUNK_OPENAPI,
)
def post_chunk(request: HttpRequest, upload_id: str, offset: str):
    """The same as PUT, for clients that can only POST."""
    return put_chunk(request, upload_id, offset)


@router.post(
    "/cases/{int:case_id}/uploads/{upload_id}/finish",
    response={201: RecordOut, **CHUNK_ERRORS},
)
def finish_upload(request: HttpRequest, case_id: int, upload_id: str, payload: UploadFinishIn):
    """Make the uploaded file a record of the case (the same checks as ``…/evidence``: type
    by content, damaged audio / video refused, two certified officers). Sent again after a
    lost answer, it returns the same record."""
    user = _user(request.auth)
    case = selectors.get_case(user, case_id)
    try:
        row = case_records.attach_uploaded(
            user,
            case,
            upload_id,
            kind=payload.kind,
            taken_at=payload.taken_at,
            place=payload.place,
            latitude=payload.latitude,
            longitude=payload.longitude,
            officer_ids=payload.officer_ids,
            stage=payload.stage,
            title=payload.title,
        )
    except uploads.ChunkRefused as exc:
        return _chunk_refused(exc)
    row = (
        Record.objects.select_related("evidence__file").prefetch_related("officers").get(pk=row.pk)
    )
    return Status(201, record_out(row))
