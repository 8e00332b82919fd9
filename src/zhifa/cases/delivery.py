"""Service of documents (送达). 行政处罚法第六十一条 sends a decision served off the spot to the
民事诉讼法's rules; this module holds them, each with the refusal when it is not met:

* direct (直接送达): the recipient signs the proof of service; the date they sign is the date of
  service (民事诉讼法第八十七条);
* left at the address (留置送达): a witness, or a photo / video of the service (第八十九条);
* post (邮寄送达): the receipt date on the return slip (第九十一条);
* electronic (电子送达): only with the party's signed consent (行政处罚法第六十一条第二款);
  the date it reaches the party's system (民事诉讼法第九十条);
* announcement (公告送达): deemed served 30 days after publication, reason recorded (第九十五条).

``Service.served_on`` is the date the law deems the document served; the later deadlines (the
15 days to pay a fine, the periods to apply for review or sue) count from it."""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhifa.core.models import User
from zhifa.evidence.models import EvidenceRecord
from zhifa.ledger import services as ledger

from . import records
from .models import Case, Party, Service, ServiceMode

__all__ = [
    "ANNOUNCEMENT_DAYS",
    "DOCUMENTS",
    "first_served_on",
    "record_e_service_consent",
    "record_service",
    "served_on_for",
]

ANNOUNCEMENT_DAYS = 30

# The documents served on a party, by the code the procedures use.
DOCUMENTS = {
    "decision": "行政处罚决定书",
    "notice": "行政处罚事先告知书",
    "hearing_notice": "听证通知书",
    "correction_order": "责令（限期）改正通知书",
    "inspection_notice": "行政检查通知书",
    "inspection_feedback": "行政检查结果告知书",
    "measure_decision": "查封（扣押）决定书",
    "measure_extension": "延长查封（扣押）期限决定书",
    "measure_release": "解除查封（扣押）决定书",
    "reminder": "催告书",
    "enforcement_decision": "行政强制执行决定书",
    "licence_acceptance": "受理通知书",
    "licence_correction": "补正材料通知书",
    "licence_decision": "行政许可决定书",
    "other": "其他文书",
}

LAW_DIRECT = (
    "《中华人民共和国民事诉讼法》第八十七条：“送达诉讼文书必须有送达回证，由受送达人在送达回证上"
    "记明收到日期，签名或者盖章。受送达人在送达回证上的签收日期为送达日期。”"
)
LAW_LEFT = (
    "《中华人民共和国民事诉讼法》第八十九条：“……由送达人、见证人签名或者盖章，把诉讼文书留在"
    "受送达人的住所；也可以把诉讼文书留在受送达人的住所，并采用拍照、录像等方式记录送达过程，"
    "即视为送达。”"
)
LAW_ELECTRONIC = (
    "《中华人民共和国行政处罚法》第六十一条第二款：“当事人同意并签订确认书的，行政机关可以采用"
    "传真、电子邮件等方式，将行政处罚决定书等送达当事人。”"
)
LAW_ANNOUNCEMENT = (
    "《中华人民共和国民事诉讼法》第九十五条：“……自发出公告之日起，经过三十日，即视为送达。"
    "公告送达，应当在案卷中记明原因和经过。”"
)


def served_on_for(mode: str, delivered_on: datetime.date) -> datetime.date:
    """The date a document counts as served: 30 days after an announcement is published
    (民事诉讼法第九十五条), otherwise the day it was delivered (signed for, left, received by
    post or reached the party's electronic system)."""
    if mode == ServiceMode.ANNOUNCEMENT:
        return delivered_on + datetime.timedelta(days=ANNOUNCEMENT_DAYS)
    return delivered_on


def first_served_on(case: Case, document: str = "decision") -> datetime.date | None:
    """When the case's ``document`` was first served on a party: where the deadlines start."""
    return (
        Service.objects.filter(case=case, document=document)
        .order_by("served_on")
        .values_list("served_on", flat=True)
        .first()
    )


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime.date):
        raise ValidationError("请填写送达（签收、公告）日期。", code="date")
    if value > timezone.localdate():
        raise ValidationError("送达日期不能晚于今天。", code="future")
    return value


def _store_proof(
    actor: User, case: Case, role: str, proof: tuple[Any, str], mode: str, party: Party
) -> EvidenceRecord:
    """Store the proof of service (a signed 送达回证 scan, a return slip, or a photo / video of
    leaving the document)."""
    upload, filename = proof
    with records._spooled(upload) as path:
        from zhifa.evidence import filetypes

        content_type = filetypes.detect(path)
        if mode == ServiceMode.LEFT and not content_type.startswith(("image/", "video/")):
            raise ValidationError(
                "留置送达的证明须为照片或录像（记录送达过程）。", code="proof_type"
            )
        if content_type.startswith("video/"):
            records.check_media(path, "video")
        return records._store(
            actor,
            case,
            role,
            path,
            filename,
            {"service_of": party.name, "mode": mode},
        )


def record_service(
    actor: User,
    case: Case,
    *,
    party: Party,
    document: str,
    document_title: str = "",
    mode: str,
    delivered_on: Any,
    recipient: str = "",
    witness: str = "",
    address: str = "",
    proof_upload: IO[bytes] | Any = None,
    note: str = "",
) -> Service:
    """Record that ``document`` was served on ``party`` in ``mode``; refused, with nothing
    stored, when the mode's legal conditions are not met."""
    with transaction.atomic():
        role = records.acting_role(actor, case)
        records._check_open(case)
        if party.case_id != case.pk:
            raise ValidationError(
                f"“{party.name}”不是本案当事人，不能作为本案文书的受送达人。", code="wrong_party"
            )
        if document not in DOCUMENTS:
            raise ValidationError("请选择送达的文书。", code="document")
        title = records._text(document_title or DOCUMENTS[document], "文书名称", max_length=200)
        if mode not in ServiceMode.values:
            raise ValidationError("请选择送达方式。", code="mode")
        delivered = _date(delivered_on)
        if document == "decision" and case.decided_on and delivered < case.decided_on:
            raise ValidationError(
                f"送达日期（{delivered}）早于处罚决定作出日期（{case.decided_on}）。", code="date"
            )
        recipient = records._text(recipient, "签收人", required=False, max_length=64)
        witness = records._text(witness, "见证人", required=False, max_length=64)
        address = records._text(address, "送达地址", required=False)
        note = records._text(note, "备注", required=False)
        proof = None
        if proof_upload is not None:
            proof = (proof_upload, str(getattr(proof_upload, "name", None) or "送达凭证"))

        if mode in (ServiceMode.DIRECT, ServiceMode.ENTRUSTED) and not recipient:
            raise ValidationError(
                f"直接送达须由受送达人（或同住成年家属、收件人）在送达回证上签收，请填写签收人和签收"
                f"日期。依据{LAW_DIRECT}",
                code="recipient",
            )
        if mode == ServiceMode.LEFT:
            if not address:
                raise ValidationError("留置送达须写明留置文书的住所地址。", code="address")
            if not witness and proof is None:
                raise ValidationError(
                    f"留置送达须有见证人到场签名，或以拍照、录像记录送达过程。依据{LAW_LEFT}",
                    code="left_proof",
                )
            if witness and witness in (party.name, recipient):
                raise ValidationError("留置送达的见证人不能是受送达人本人。", code="left_proof")
        if mode == ServiceMode.POST and not address:
            raise ValidationError(
                "邮寄送达须填写邮寄地址，签收日期以回执上注明的为准。", code="address"
            )
        if mode == ServiceMode.ELECTRONIC:
            party = Party.objects.select_for_update().get(pk=party.pk)
            if party.e_service_consent_id is None:
                raise ValidationError(
                    f"“{party.name}”未签订电子送达确认书，不能电子送达。依据{LAW_ELECTRONIC}",
                    code="no_consent",
                )
            address = address or party.e_service_address
            if not address:
                raise ValidationError("请填写当事人确认的电子送达地址。", code="address")
        if mode == ServiceMode.ANNOUNCEMENT and not note:
            raise ValidationError(
                f"公告送达须记明原因和经过（如受送达人下落不明）。依据{LAW_ANNOUNCEMENT}",
                code="announcement_reason",
            )

        served = served_on_for(mode, delivered)
        stored = _store_proof(actor, case, role, proof, mode, party) if proof else None
        entry = ledger.record(
            actor=actor,
            role=role,
            organization=case.organization,
            subject=case.subject,
            event_type=records.EVENT_SERVICE,
            payload={
                "party_id": party.pk,
                "party": party.name,
                "document": document,
                "document_title": title,
                "mode": mode,
                "delivered_on": delivered.isoformat(),
                "served_on": served.isoformat(),
                "recipient": recipient,
                "witness": witness,
                "proof_digest": stored.file.digest if stored else None,
            },
        )
        return Service.objects.create(
            case=case,
            party=party,
            document=document,
            document_title=title,
            mode=mode,
            delivered_on=delivered,
            served_on=served,
            recipient=recipient,
            witness=witness,
            address=address,
            proof=stored,
            note=note,
            created_by=actor,
            ledger_seq=entry.seq,
        )


def record_e_service_consent(
    actor: User,
    party: Party,
    upload: IO[bytes] | Any,
    *,
    address: str,
    filename: str = "电子送达确认书",
) -> Party:
    """The party's signed confirmation that documents may be served electronically (行政处罚法
    第六十一条第二款), kept as evidence, with the address they gave."""
    with transaction.atomic():
        party = (
            Party.objects.select_for_update(of=("self",))
            .select_related("case__organization")
            .get(pk=party.pk)
        )
        case = party.case
        role = records.acting_role(actor, case)
        records._check_open(case)
        address = records._text(address, "电子送达地址（电子邮箱或传真号码等）", max_length=200)
        if upload is None:
            raise ValidationError(
                f"请上传当事人签署的电子送达确认书。依据{LAW_ELECTRONIC}", code="consent"
            )
        name = getattr(upload, "name", None) or filename
        with records._spooled(upload) as path:
            from zhifa.evidence import filetypes

            content_type = filetypes.detect(path)
            if not content_type.startswith(("image/", "application/pdf", "application/ofd")):
                raise ValidationError("确认书须为扫描图片、PDF 或 OFD 文件。", code="consent")
            stored = records._store(actor, case, role, path, str(name), {"consent_of": party.name})
        ledger.record(
            actor=actor,
            role=role,
            organization=case.organization,
            subject=case.subject,
            event_type=records.EVENT_E_CONSENT,
            payload={
                "party_id": party.pk,
                "party": party.name,
                "address": address,
                "evidence_id": stored.pk,
                "digest": stored.file.digest,
                "replaces": party.e_service_consent_id,
            },
        )
        party.e_service_consent = stored
        party.e_service_address = address
        party.save(update_fields=["e_service_consent", "e_service_address"])
        return party
