"""The full-process record of a case (执法全过程记录): transcripts, photos / audio / video with
time, place (GPS when the phone gives it) and the officers present, signatures and refusals to
sign, corrections. Every write is a service here: permission, checks, the row and its ledger
entry (subject ``case:<id>``) in one transaction. History is never edited: a correction is a new
Record pointing at the one it replaces (``supersedes``).

Who may write: an officer assigned to the case and not recused, the head of the handling unit,
or the head of the body. ``has_av_record(case, stage)`` answers the guard for the stages where
audio-video is mandatory (查封扣押、强制拆除, 国办发〔2018〕118号 §(八))."""

from __future__ import annotations

import datetime
import hashlib
import os
import struct
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhifa.core.models import Membership, Organization, Role, User
from zhifa.core.permissions import require
from zhifa.core.selectors import acting_organizations
from zhifa.core.validators import validate_citizen_id
from zhifa.evidence import filetypes
from zhifa.evidence import services as evidence_store
from zhifa.evidence.models import EvidenceRecord
from zhifa.ledger import events
from zhifa.ledger import services as ledger
from zhifa.ledger.canonical import canonical_json
from zhifa.registry.models import Officer

from . import rules
from .models import Case, CaseOfficer, Party, Record, RecordKind, Signature, SignerRole

__all__ = [
    "EVENTS",
    "MEDIA_KINDS",
    "TRANSCRIPT_KINDS",
    "acting_role",
    "add_transcript",
    "attach_media",
    "attach_uploaded",
    "correct_record",
    "evidence_organization",
    "has_av_record",
    "is_superseded",
    "record_refusal",
    "register_events",
    "sign",
]

HANDLE_PERM = "cases.handle"
HEAD_ROLES = (Role.BODY_HEAD, Role.UNIT_HEAD)

EVENT_RECORD_ADDED = "cases.record_added"
EVENT_RECORD_CORRECTED = "cases.record_corrected"
EVENT_SIGNED = "cases.record_signed"
EVENT_SIGN_REFUSED = "cases.signature_refused"
EVENT_SERVICE = "cases.service_recorded"
EVENT_E_CONSENT = "cases.e_service_consent"
EVENT_PAYMENT = "cases.payment_recorded"
EVENTS = {
    EVENT_RECORD_ADDED: "添加执法记录",
    EVENT_RECORD_CORRECTED: "更正执法记录",
    EVENT_SIGNED: "记录签名",
    EVENT_SIGN_REFUSED: "拒绝签名",
    EVENT_SERVICE: "文书送达",
    EVENT_E_CONSENT: "电子送达确认",
    EVENT_PAYMENT: "罚款缴纳",
}

# The structured records made on a form (add_transcript): the two transcripts and the
# 抽样取证凭证 (sampling, 行政处罚法第五十六条).
TRANSCRIPT_KINDS = (RecordKind.INTERVIEW, RecordKind.ON_SITE, RecordKind.SAMPLING)
MEDIA_KINDS = (RecordKind.PHOTO, RecordKind.AUDIO, RecordKind.VIDEO, RecordKind.DOCUMENT)
AV_KINDS = (RecordKind.AUDIO, RecordKind.VIDEO)

LAW_TWO_OFFICERS = (
    "《中华人民共和国行政处罚法》第四十二条第一款：“行政处罚应当由具有行政执法资格的执法人员实施。"
    "执法人员不得少于两人，法律另有规定的除外。”"
)
LAW_SHOW_CERTIFICATE = (
    "《中华人民共和国行政处罚法》第五十五条第一款：“执法人员在调查或者进行检查时，"
    "应当主动向当事人或者有关人员出示执法证件。”"
)
LAW_SAMPLING = (
    "《中华人民共和国行政处罚法》第五十六条：“行政机关在收集证据时，可以采取抽样取证的方法；"
    "在证据可能灭失或者以后难以取得的情况下，经行政机关负责人批准，可以先行登记保存……”"
)
# Where evidence is collected, so where a sample may be taken: the investigation of an
# ordinary penalty case, and an inspection from its notice until it is recorded.
SAMPLING_STAGES = {
    "penalty_ordinary": ("investigating",),
    "inspection": ("notified", "inspected"),
}
SAMPLE_DISPOSALS = {"test": "送检", "evidence": "留存作为证据"}
_MAX_QUANTITY = Decimal("1e12")
# A phone's clock may run a little ahead of the server's.
_CLOCK_SKEW = datetime.timedelta(minutes=10)
_MAX_TEXT = 20000

_PHOTO_TYPES = ("image/",)
_AUDIO_TYPES = ("audio/", "video/webm", "video/mp4", "video/3gpp", "video/x-matroska")
_VIDEO_TYPES = ("video/",)
_DOCUMENT_TYPES = (
    "application/pdf",
    "application/ofd",
    "application/vnd.openxmlformats-officedocument.",
    "text/plain",
    "image/",
)
_ACCEPTED = {
    RecordKind.PHOTO: (_PHOTO_TYPES, "照片须为图片文件（JPEG、PNG、HEIC 等）"),
    RecordKind.AUDIO: (_AUDIO_TYPES, "录音须为音频文件"),
    RecordKind.VIDEO: (_VIDEO_TYPES, "录像须为视频文件（MP4、MOV、3GP、WebM 等）"),
    RecordKind.DOCUMENT: (_DOCUMENT_TYPES, "文书或材料须为 PDF、OFD、Word/Excel、纯文本或扫描图片"),
}
_SIGNATURE_TYPES = ("image/", "application/pdf")


def register_events() -> None:
    """Ledger event types of the full-process record (also called from the cases AppConfig)."""
    for name, label in EVENTS.items():
        events.register(name, label, schema_version=1)


register_events()  # idempotent; the services below must never meet an unregistered type


# --------------------------------------------------------------------------- who may write


def acting_role(actor: User | None, case: Case) -> str:
    """The role under which the actor writes the record of this case, or PermissionDenied
    with the reason: the head of the body or of the handling unit, or an officer assigned to
    the case who has not been recused (行政处罚法第四十三条)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("请先登录。")
    require(actor, HANDLE_PERM)
    held = list(
        Membership.objects.filter(user=actor, role__in=(*HEAD_ROLES, Role.OFFICER)).values_list(
            "role", "organization__path"
        )
    )
    # Nobody recused acts on the case, whatever their role (行政处罚法第四十三条).
    assignment = (
        CaseOfficer.objects.filter(case=case, officer__user=actor).select_related("officer")
    ).first()
    if assignment is not None and assignment.recused:
        raise PermissionDenied(
            f"您已回避本案（{assignment.recusal_reason or '已决定回避'}），不能再参与本案办理"
            "（《中华人民共和国行政处罚法》第四十三条）。"
        )
    body_path = case.organization.path
    unit_path = case.unit.path if case.unit_id else None
    for role, path in held:
        if role == Role.BODY_HEAD and body_path.startswith(path):
            return role
    for role, path in held:
        if role == Role.UNIT_HEAD and unit_path and unit_path.startswith(path):
            return role
    if assignment is not None and any(
        role == Role.OFFICER and path.startswith(body_path) for role, path in held
    ):
        return Role.OFFICER
    raise PermissionDenied("您不是本案的承办人员，也不是本单位负责人，不能记录本案。")


def evidence_organization(actor: User, case: Case, role: str) -> Organization:
    """Where the actor's evidence for this case is registered: the handling unit when the
    actor acts on it (so the unit's officers can read it), else the body."""
    acting = acting_organizations(actor, roles={role})
    for org in (case.unit, case.organization):
        if org is not None and acting.filter(pk=org.pk).exists():
            return org
    own = acting.filter(path__startswith=case.organization.path).order_by("path").first()
    if own is None:
        raise PermissionDenied("您不能为本案登记证据。")
    return own


def _check_open(case: Case) -> None:
    if case.archived_at is not None:
        raise ValidationError("案件已归档，不能再添加或更正记录。", code="archived")


# --------------------------------------------------------------------------- field checks


def _text(value: Any, label: str, *, required: bool = True, max_length: int = 300) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(f"请填写{label}。", code="required")
    if len(text) > max_length:
        raise ValidationError(f"{label}过长（最多 {max_length} 字）。", code="too_long")
    return text


def _taken_at(value: datetime.datetime | None) -> datetime.datetime:
    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + _CLOCK_SKEW:
        raise ValidationError("记录时间不能晚于当前时间。", code="future")
    return value


def _gps(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    if latitude in (None, "") or longitude in (None, ""):
        raise ValidationError("经度和纬度须同时提供。", code="gps")
    try:
        lat = Decimal(str(latitude)).quantize(Decimal("0.000001"))
        lon = Decimal(str(longitude)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationError("经纬度格式错误。", code="gps") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError("经纬度超出范围。", code="gps")
    return lat, lon


def _officers(case: Case, officer_ids: Iterable[Any], on: datetime.date) -> list[Officer]:
    """The officers present: at least two, each assigned to the case and not recused, in post,
    with a 行政执法证 valid on the day and covering the matter's field (行政处罚法第四十二条)."""
    try:
        ids = sorted({int(i) for i in officer_ids or ()})
    except (TypeError, ValueError):
        raise ValidationError("在场执法人员选择有误。", code="officers") from None
    if len(ids) < 2:
        raise ValidationError(f"在场执法人员不得少于两人。依据{LAW_TWO_OFFICERS}", code="officers")
    assignments = {
        a.officer_id: a
        for a in CaseOfficer.objects.filter(case=case, officer_id__in=ids).select_related("officer")
    }
    chosen: list[Officer] = []
    for pk in ids:
        assignment = assignments.get(pk)
        if assignment is None:
            name = Officer.objects.filter(pk=pk).values_list("name", flat=True).first()
            raise ValidationError(
                f"{name or '所选人员'}不是本案承办人员，不能作为在场执法人员。", code="officers"
            )
        officer = assignment.officer
        if assignment.recused:
            raise ValidationError(f"{officer.name}已回避本案，不能参与。", code="recused")
        # Status, certificate validity and field: the cases rule (rules.officer_problem).
        problem = rules.officer_problem(officer, case, on)
        if problem:
            raise ValidationError(
                f"{problem}，不能作为在场执法人员。{rules.OFFICERS_BASIS}。", code="certificate"
            )
        chosen.append(officer)
    return chosen


def _interview_content(content: dict) -> dict:
    """询问笔录: who was interviewed (identity checked), the question/answer pairs, and that the
    officers showed their certificates and told the rights to state, defend and ask for
    recusal."""
    person = content.get("interviewee") or {}
    name = _text(person.get("name"), "被询问人姓名", max_length=64)
    id_type = person.get("id_type") or "citizen_id"
    if id_type == "citizen_id":
        id_number = validate_citizen_id(person.get("id_number"))
    else:
        id_number = _text(person.get("id_number"), "被询问人证件号码", max_length=32)
    interviewee = {
        "name": name,
        "id_type": "citizen_id" if id_type == "citizen_id" else "other",
        "id_number": id_number,
        "relation": _text(person.get("relation"), "与案件关系", required=False, max_length=64),
        "phone": _text(person.get("phone"), "联系电话", required=False, max_length=32),
        "address": _text(person.get("address"), "住址", required=False),
    }
    pairs = []
    for n, row in enumerate(content.get("qa") or (), start=1):
        q = str((row or {}).get("q") or "").strip()
        a = str((row or {}).get("a") or "").strip()
        if not q and not a:
            continue  # an empty row left on the form
        if not q or not a:
            raise ValidationError(f"第 {n} 组问答不完整：问和答都要填写。", code="qa")
        if len(q) + len(a) > _MAX_TEXT:
            raise ValidationError(f"第 {n} 组问答过长。", code="qa")
        pairs.append({"q": q, "a": a})
    if not pairs:
        raise ValidationError("询问笔录至少要有一组问答。", code="qa")
    if content.get("certificates_shown") is not True:
        raise ValidationError(
            f"询问前须出示执法证件并在笔录中记明。依据{LAW_SHOW_CERTIFICATE}", code="certificates"
        )
    if content.get("rights_notified") is not True:
        raise ValidationError(
            "询问前须告知被询问人享有陈述、申辩的权利和申请回避的权利，并在笔录中记明"
            "（《中华人民共和国行政处罚法》第四十三条第二款：“当事人认为执法人员与案件有直接利害关系"
            "或者有其他关系可能影响公正执法的，有权申请回避。”）。",
            code="rights",
        )
    return {
        "interviewee": interviewee,
        "qa": pairs,
        "certificates_shown": True,
        "rights_notified": True,
    }


def _present(content: dict, missing: str) -> list[str]:
    """The people present at a scene, as a list or one comma-separated line; ``missing`` is
    the refusal when nobody is named."""
    present = content.get("present") or []
    if isinstance(present, str):
        present = [p for p in (s.strip() for s in present.replace("，", ",").split(",")) if p]
    if not isinstance(present, list):
        raise ValidationError("在场人员格式错误。", code="present")
    present = [_text(p, "在场人员", max_length=64) for p in present]
    if not present:
        raise ValidationError(missing, code="present")
    return present


def _on_site_content(content: dict) -> dict:
    """现场检查（勘验）笔录: the people present and what was found."""
    present = _present(content, "请填写在场人员（当事人或见证人；未到场的写明情况）。")
    findings = _text(content.get("findings"), "检查情况", max_length=_MAX_TEXT)
    return {"present": present, "findings": findings}


def _quantity(value: Any, unit: Any, label: str) -> tuple[Decimal, str]:
    """A positive quantity with its unit (千克、件、瓶…)."""
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValidationError(f"请填写{label}。", code="quantity")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{label}须为数字（如 2 或 0.5）。", code="quantity") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError(f"{label}须为大于零的数字。", code="quantity")
    if amount >= _MAX_QUANTITY:
        raise ValidationError(f"{label}过大。", code="quantity")
    unit_text = _text(unit, f"{label}的计量单位（如千克、件、瓶）", max_length=16)
    return amount, unit_text


def _plain(amount: Decimal) -> str:
    """2.500 -> "2.5", 1E+2 -> "100": the quantity as people write it."""
    return format(amount.normalize(), "f")


def _sampling_content(content: dict) -> dict:
    """抽样取证凭证: what was sampled (name, specification, batch or production date, producer),
    the base quantity and the quantity sampled with their units, from whom (the holder) and
    who was present, how the samples were sealed, what becomes of them (sent for testing, with
    the testing body and purpose, or kept as evidence), and whether they are returned or paid
    for. The officers show their certificates (行政处罚法第五十五条)."""
    goods_name = _text(content.get("goods_name"), "抽样物品名称", max_length=100)
    base, base_unit = _quantity(content.get("base_quantity"), content.get("base_unit"), "抽样基数")
    sample, sample_unit = _quantity(
        content.get("sample_quantity"), content.get("sample_unit"), "抽取样品数量"
    )
    if base_unit == sample_unit and sample > base:
        raise ValidationError(
            f"抽取样品数量（{_plain(sample)}{sample_unit}）不能超过抽样基数"
            f"（{_plain(base)}{base_unit}）。",
            code="sample_above_base",
        )
    holder = _text(content.get("holder"), "被抽样人（物品持有人）姓名或名称", max_length=64)
    present = _present(
        content, "请填写抽样时的在场人员（当事人、持有人或见证人；未到场的写明情况）。"
    )
    sealed = content.get("sealed") is True
    seal = _text(content.get("seal"), "封样情况", required=sealed, max_length=300)
    disposal = content.get("disposal")
    if disposal not in SAMPLE_DISPOSALS:
        raise ValidationError("请选择样品的处理方式：送检或留存作为证据。", code="disposal")
    testing = disposal == "test"
    testing_body = _text(content.get("testing_body"), "检验检测机构", required=testing)
    test_purpose = _text(content.get("test_purpose"), "检验项目或目的", required=testing)
    if content.get("certificates_shown") is not True:
        raise ValidationError(
            f"抽样前须出示执法证件并在抽样取证凭证中记明。依据{LAW_SHOW_CERTIFICATE}",
            code="certificates",
        )
    return {
        "goods_name": goods_name,
        "specification": _text(content.get("specification"), "规格型号", required=False),
        "batch": _text(content.get("batch"), "批号或生产日期", required=False, max_length=100),
        "producer": _text(content.get("producer"), "生产者", required=False),
        "base_quantity": _plain(base),
        "base_unit": base_unit,
        "sample_quantity": _plain(sample),
        "sample_unit": sample_unit,
        "holder": holder,
        "holder_relation": _text(
            content.get("holder_relation"), "持有人与案件关系", required=False, max_length=64
        ),
        "present": present,
        "sealed": sealed,
        "seal": seal,
        "disposal": disposal,
        "testing_body": testing_body if testing else "",
        "test_purpose": test_purpose if testing else "",
        "return_note": _text(
            content.get("return_note"), "样品退还或者付费说明", required=False, max_length=500
        ),
        "certificates_shown": True,
    }


def _check_sampling_stage(case: Case) -> None:
    """A sample is taken while evidence is collected: 调查取证 of an ordinary penalty case, or
    an inspection between its notice and its record."""
    from .procedures import PROCEDURES

    stages = SAMPLING_STAGES.get(case.procedure, ())
    if case.stage in stages:
        return
    procedure = PROCEDURES.get(case.procedure)
    current = procedure.stage_label(case.stage) if procedure is not None else case.stage
    allowed = "普通程序行政处罚案件的调查取证环节，或者行政检查的实施检查时"
    raise ValidationError(
        f"本案当前环节为“{current}”，不能抽样取证：抽样取证只能在收集证据时进行（{allowed}）。"
        f"依据{LAW_SAMPLING}",
        code="stage",
    )


def _content_digest(content: dict) -> str:
    return hashlib.new("sm3", canonical_json(content)).hexdigest()


# --------------------------------------------------------------------------- media checks


def _ensure_type(kind: str, content_type: str) -> None:
    accepted, message = _ACCEPTED[kind]
    if not content_type.startswith(accepted):
        raise ValidationError(f"{message}，所选文件为 {content_type}，未保存。", code="kind")


def _read_vint(fh: IO[bytes], *, keep_marker: bool) -> int | None:
    first = fh.read(1)
    if not first:
        return None
    b = first[0]
    length = 1
    while length <= 8 and not b & (0x80 >> (length - 1)):
        length += 1
    if length > 8:
        return None
    rest = fh.read(length - 1)
    if len(rest) != length - 1:
        return None
    value = b if keep_marker else b & (0xFF >> length)
    for byte in rest:
        value = (value << 8) | byte
    return value


def _bmff_intact(fh: IO[bytes], size: int) -> bool:
    """Top-level boxes of an MP4 / MOV / 3GP tile the file exactly and include the movie
    header ('moov'): a truncated or damaged file fails."""
    offset, seen = 0, set()
    while offset < size:
        fh.seek(offset)
        header = fh.read(8)
        if len(header) < 8:
            return False
        box_size, box_type = struct.unpack(">I4s", header)
        if box_size == 1:
            large = fh.read(8)
            if len(large) < 8:
                return False
            box_size = struct.unpack(">Q", large)[0]
        elif box_size == 0:
            box_size = size - offset
        if box_size < 8 or offset + box_size > size:
            return False
        seen.add(box_type)
        offset += box_size
    return b"moov" in seen


def _ebml_intact(fh: IO[bytes], size: int) -> bool:
    """WebM / Matroska: the EBML header parses and a Segment follows; a Segment of known
    length must fit the file (recorders may leave it 'unknown' while streaming)."""
    fh.seek(0)
    if _read_vint(fh, keep_marker=True) != 0x1A45DFA3:
        return False
    header_size = _read_vint(fh, keep_marker=False)
    if header_size is None:
        return False
    fh.seek(fh.tell() + header_size)
    if _read_vint(fh, keep_marker=True) != 0x18538067:
        return False
    start = fh.tell()
    first = fh.read(1)
    if not first:
        return False
    fh.seek(start)
    length_bytes = 1
    while length_bytes <= 8 and not first[0] & (0x80 >> (length_bytes - 1)):
        length_bytes += 1
    segment = _read_vint(fh, keep_marker=False)
    if segment is None:
        return False
    unknown = (1 << (7 * length_bytes)) - 1
    return segment == unknown or fh.tell() + segment <= size


def _riff_intact(fh: IO[bytes], size: int) -> bool:
    fh.seek(4)
    declared = struct.unpack("<I", fh.read(4))[0]
    return declared + 8 <= size and size >= 12


def check_media(path: str | Path, kind: str) -> str:
    """The content type of the file at ``path`` if it may be recorded as ``kind``; otherwise a
    ValidationError in Chinese (wrong kind of file, or a damaged audio / video)."""
    content_type = filetypes.detect(path)
    _ensure_type(kind, content_type)
    size = os.path.getsize(path)
    intact = True
    with open(path, "rb") as fh:
        if content_type in ("video/mp4", "video/quicktime", "video/3gpp", "audio/mp4"):
            intact = _bmff_intact(fh, size)
        elif content_type in ("video/webm", "video/x-matroska"):
            intact = _ebml_intact(fh, size)
        elif content_type in ("video/x-msvideo", "audio/wav"):
            intact = _riff_intact(fh, size)
    if not intact:
        label = "录音" if kind == RecordKind.AUDIO else "视频"
        raise ValidationError(
            f"{label}文件已损坏或不完整（文件结构无法解析），未保存。请重新上传原始文件。",
            code="corrupt",
        )
    return content_type


@contextmanager
def _spooled(upload: Any) -> Iterator[Path]:
    """The upload copied to DATA_DIR/tmp (size limit and empty file refused as the evidence
    store does), so it can be inspected before anything is stored."""
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > evidence_store.max_bytes():
        raise ValidationError(
            f"文件超过大小上限（{evidence_store.human_size(evidence_store.max_bytes())}），未保存。",
            code="too_large",
        )
    path, _digest, _size = evidence_store._spool(upload, evidence_store.max_bytes())
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _store(
    actor: User, case: Case, role: str, path: Path, filename: str, capture: dict
) -> EvidenceRecord:
    with open(path, "rb") as fh:
        return evidence_store.store_evidence(
            actor=actor,
            organization=evidence_organization(actor, case, role),
            subject=case.subject,
            upload=fh,
            filename=filename,
            capture=capture,
            role=role,
        )


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class _Fields:
    title: str
    taken_at: datetime.datetime
    place: str
    latitude: Decimal | None
    longitude: Decimal | None
    officers: list[Officer]


def _fields(
    case: Case,
    *,
    title: Any,
    taken_at: datetime.datetime | None,
    place: Any,
    latitude: Any,
    longitude: Any,
    officer_ids: Iterable[Any],
    place_required: bool,
) -> _Fields:
    when = _taken_at(taken_at)
    lat, lon = _gps(latitude, longitude)
    return _Fields(
        title=_text(title, "标题", max_length=200),
        taken_at=when,
        place=_text(place, "地点", required=place_required),
        latitude=lat,
        longitude=lon,
        officers=_officers(case, officer_ids, timezone.localtime(when).date()),
    )


def _write_record(
    actor: User,
    role: str,
    case: Case,
    *,
    kind: str,
    stage: str,
    fields: _Fields,
    content: dict,
    evidence_record: EvidenceRecord | None = None,
    supersedes: Record | None = None,
    reason: str = "",
    event_type: str | None = None,
    extra: dict | None = None,
) -> Record:
    payload: dict[str, Any] = {
        "kind": kind,
        "stage": stage,
        "title": fields.title,
        "content_sm3": _content_digest(content),
        "taken_at": fields.taken_at.isoformat(),
        "place": fields.place,
        "officers": [
            {"id": o.pk, "name": o.name, "certificate_no": o.certificate_no}
            for o in fields.officers
        ],
    }
    if fields.latitude is not None:
        payload["gps"] = {"lat": str(fields.latitude), "lon": str(fields.longitude)}
    if evidence_record is not None:
        payload["evidence_id"] = evidence_record.pk
        payload["digest"] = evidence_record.file.digest
    if supersedes is not None:
        payload["supersedes"] = supersedes.pk
        payload["reason"] = reason
    payload.update(extra or {})
    if event_type is None:
        event_type = EVENT_RECORD_CORRECTED if supersedes else EVENT_RECORD_ADDED
    entry = ledger.record(
        actor=actor,
        role=role,
        organization=case.organization,
        subject=case.subject,
        event_type=event_type,
        payload=payload,
    )
    record = Record.objects.create(
        case=case,
        kind=kind,
        stage=stage,
        title=fields.title,
        content=content,
        evidence=evidence_record,
        taken_at=fields.taken_at,
        place=fields.place,
        latitude=fields.latitude,
        longitude=fields.longitude,
        created_by=actor,
        supersedes=supersedes,
        ledger_seq=entry.seq,
    )
    record.officers.set(fields.officers)
    return record


def _transcript_content(kind: str, content: dict | None) -> dict:
    if kind not in TRANSCRIPT_KINDS:
        raise ValidationError("记录类型只能是询问笔录、现场检查笔录或抽样取证凭证。", code="kind")
    if not isinstance(content, dict):
        raise ValidationError("笔录内容格式错误。", code="content")
    if kind == RecordKind.INTERVIEW:
        return _interview_content(content)
    if kind == RecordKind.SAMPLING:
        return _sampling_content(content)
    return _on_site_content(content)


def add_transcript(
    actor: User,
    case: Case,
    *,
    kind: str,
    title: str,
    content: dict,
    taken_at: datetime.datetime | None = None,
    place: str = "",
    latitude: Any = None,
    longitude: Any = None,
    officer_ids: Iterable[Any] = (),
) -> Record:
    """A 询问笔录 (``content``: ``interviewee`` {name, id_type, id_number, relation, phone,
    address}, ``qa`` [{q, a}], ``certificates_shown``, ``rights_notified``), a 现场检查笔录
    (``present`` [names], ``findings``) or a 抽样取证凭证 (``goods_name``, ``specification``,
    ``batch``, ``producer``, ``base_quantity`` / ``base_unit``, ``sample_quantity`` /
    ``sample_unit``, ``holder``, ``holder_relation``, ``present``, ``sealed``, ``seal``,
    ``disposal`` test / evidence, ``testing_body``, ``test_purpose``, ``return_note``,
    ``certificates_shown``; only while evidence is collected, 行政处罚法第五十六条), taken
    with at least two certified officers."""
    with transaction.atomic():
        role = acting_role(actor, case)
        _check_open(case)
        if kind == RecordKind.SAMPLING:
            _check_sampling_stage(case)
        clean = _transcript_content(kind, content)
        fields = _fields(
            case,
            title=title,
            taken_at=taken_at,
            place=place,
            latitude=latitude,
            longitude=longitude,
            officer_ids=officer_ids,
            place_required=True,
        )
        return _write_record(
            actor, role, case, kind=kind, stage=case.stage, fields=fields, content=clean
        )


def _capture(fields: _Fields, kind: str, stage: str) -> dict:
    capture: dict[str, Any] = {
        "time": timezone.localtime(fields.taken_at).isoformat(),
        "kind": kind,
        "stage": stage,
        "officers": [o.name for o in fields.officers],
    }
    if fields.place:
        capture["place"] = fields.place
    if fields.latitude is not None:
        capture["gps"] = {"lat": str(fields.latitude), "lon": str(fields.longitude)}
    return capture


def _media_title(kind: str, title: Any) -> str:
    return str(title or "").strip() or RecordKind(kind).label


def _stage(case: Case, stage: str | None) -> str:
    """The stage a record belongs to: the case's current one unless given; one of its
    procedure's stages."""
    from .procedures import PROCEDURES

    code = _text(stage or case.stage, "所处环节", max_length=48)
    procedure = PROCEDURES.get(case.procedure)
    if procedure is not None and code not in {s.code for s in procedure.stages}:
        raise ValidationError(f"所处环节“{code}”不是本案办案程序的环节。", code="stage")
    return code


def stage_label(case: Case, code: str) -> str:
    from .procedures import PROCEDURES

    procedure = PROCEDURES.get(case.procedure)
    return procedure.stage_label(code) if procedure is not None else code


def _media_checks(
    actor: User,
    case: Case,
    kind: str,
    stage: str | None,
    title: str,
    taken_at: datetime.datetime | None,
    place: str,
    latitude: Any,
    longitude: Any,
    officer_ids: Iterable[Any],
) -> tuple[str, str, _Fields]:
    """What a media record needs before its file is touched, for a direct upload and a
    resumable one alike: the kind, the writer's role, an open case, the stage and the fields."""
    if kind not in MEDIA_KINDS:
        raise ValidationError("记录类型只能是照片、录音、录像或文书材料。", code="kind")
    role = acting_role(actor, case)
    _check_open(case)
    stage = _stage(case, stage)
    fields = _fields(
        case,
        title=_media_title(kind, title),
        taken_at=taken_at,
        place=place,
        latitude=latitude,
        longitude=longitude,
        officer_ids=officer_ids,
        place_required=False,
    )
    return role, stage, fields


def attach_media(
    actor: User,
    case: Case,
    *,
    kind: str,
    upload: IO[bytes] | Any,
    filename: str,
    taken_at: datetime.datetime | None = None,
    place: str = "",
    latitude: Any = None,
    longitude: Any = None,
    officer_ids: Iterable[Any] = (),
    stage: str | None = None,
    title: str = "",
) -> Record:
    """A photo, audio, video or document through the evidence store (type checked by
    content, size limit, damaged audio / video refused), then its Record. Nothing is stored
    when anything is refused."""
    role, stage, fields = _media_checks(
        actor, case, kind, stage, title, taken_at, place, latitude, longitude, officer_ids
    )
    with _spooled(upload) as path:
        check_media(path, kind)
        with transaction.atomic():
            stored = _store(actor, case, role, path, filename, _capture(fields, kind, stage))
            return _write_record(
                actor,
                role,
                case,
                kind=kind,
                stage=stage,
                fields=fields,
                content={"filename": stored.original_filename},
                evidence_record=stored,
            )


def attach_uploaded(
    actor: User,
    case: Case,
    session_id: Any,
    *,
    kind: str,
    taken_at: datetime.datetime | None = None,
    place: str = "",
    latitude: Any = None,
    longitude: Any = None,
    officer_ids: Iterable[Any] = (),
    stage: str | None = None,
    title: str = "",
) -> Record:
    """The same as attach_media for a file that arrived through a resumable upload session
    (zhifa.evidence.uploads). Retrying after a lost answer returns the record already made:
    a flaky network never gives a duplicate."""
    from zhifa.evidence import uploads

    role, stage, fields = _media_checks(
        actor, case, kind, stage, title, taken_at, place, latitude, longitude, officer_ids
    )
    with transaction.atomic():
        session = uploads.lock_session(actor, session_id)
        if session.subject != case.subject:
            raise ValidationError("该上传不属于本案。", code="subject")
        if session.evidence_id is not None:
            done = Record.objects.filter(case=case, evidence_id=session.evidence_id).first()
            if done is not None:
                return done
            # Finished elsewhere (the plain evidence endpoint): its content was never checked
            # as a case record.
            raise ValidationError("该上传已作为其他证据登记，请重新上传。", code="finished")
        stored = uploads.finish(
            actor,
            session,
            validate=lambda path: check_media(path, kind),
            capture=_capture(fields, kind, stage),
        )
        return _write_record(
            actor,
            role,
            case,
            kind=kind,
            stage=stage,
            fields=fields,
            content={"filename": stored.original_filename},
            evidence_record=stored,
        )


def is_superseded(record: Record) -> bool:
    return Record.objects.filter(supersedes=record).exists()


def correct_record(
    actor: User,
    record: Record,
    *,
    reason: str,
    title: str | None = None,
    content: dict | None = None,
    taken_at: datetime.datetime | None = None,
    place: str | None = None,
    latitude: Any = None,
    longitude: Any = None,
    officer_ids: Iterable[Any] | None = None,
) -> Record:
    """A correction: a new Record with ``supersedes`` = the old one, which stays unchanged.
    Only the latest version of a record can be corrected; the same checks apply again."""
    with transaction.atomic():
        record = (
            Record.objects.select_for_update(of=("self",)).select_related("case").get(pk=record.pk)
        )
        case = record.case
        role = acting_role(actor, case)
        _check_open(case)
        reason = _text(reason, "更正原因")
        if is_superseded(record):
            raise ValidationError("该记录已被更正过，请更正最新的版本。", code="superseded")
        if record.kind in TRANSCRIPT_KINDS:
            clean = _transcript_content(record.kind, content or record.content)
        elif content is not None and content != record.content:
            raise ValidationError("音像和文书记录只能更正时间、地点和在场人员。", code="content")
        else:
            clean = record.content
        keep_gps = latitude is None and longitude is None
        fields = _fields(
            case,
            title=title if title is not None else record.title,
            taken_at=taken_at or record.taken_at,
            place=place if place is not None else record.place,
            latitude=record.latitude if keep_gps else latitude,
            longitude=record.longitude if keep_gps else longitude,
            officer_ids=(
                officer_ids
                if officer_ids is not None
                else record.officers.values_list("pk", flat=True)
            ),
            place_required=record.kind in TRANSCRIPT_KINDS,
        )
        return _write_record(
            actor,
            role,
            case,
            kind=record.kind,
            stage=record.stage,
            fields=fields,
            content=clean,
            evidence_record=record.evidence,
            supersedes=record,
            reason=reason,
        )


# --------------------------------------------------------------------------- signatures


def _signer(record: Record, signer_role: str, signer_name: Any) -> str:
    if signer_role not in SignerRole.values:
        raise ValidationError("签名人身份有误。", code="signer_role")
    name = _text(signer_name, "签名人姓名", max_length=64)
    if signer_role == SignerRole.PARTY:
        names = set()
        for party in Party.objects.filter(case=record.case_id):
            names.add(party.name)
            if party.legal_representative:
                names.add(party.legal_representative)
        if name not in names:
            raise ValidationError(
                f"“{name}”不是本案当事人（或其法定代表人、负责人），不能以当事人身份签名。",
                code="wrong_party",
            )
    if signer_role == SignerRole.INTERVIEWEE:
        expected = (record.content.get("interviewee") or {}).get("name")
        if record.kind != RecordKind.INTERVIEW or name != expected:
            raise ValidationError(
                f"“{name}”不是本笔录的被询问人，不能以被询问人身份签名。", code="wrong_signer"
            )
    if signer_role == SignerRole.HOLDER:
        if record.kind != RecordKind.SAMPLING or name != record.content.get("holder"):
            raise ValidationError(
                f"“{name}”不是本抽样取证凭证记载的被抽样人（持有人），不能以持有人身份签名。",
                code="wrong_signer",
            )
    return name


def _signable(record: Record) -> Record:
    record = Record.objects.select_for_update(of=("self",)).select_related("case").get(pk=record.pk)
    if is_superseded(record):
        raise ValidationError("该记录已被更正，请在更正后的记录上签名。", code="superseded")
    return record


def sign(
    actor: User,
    record: Record,
    *,
    signer_role: str,
    signer_name: str,
    image: IO[bytes] | Any,
    filename: str = "signature.png",
) -> Signature:
    """A signature on a record: a PNG drawn on the screen or a scan (image or PDF), kept in
    the evidence store."""
    with transaction.atomic():
        record = _signable(record)
        case = record.case
        role = acting_role(actor, case)
        _check_open(case)
        name = _signer(record, signer_role, signer_name)
        if Signature.objects.filter(
            record=record, signer_role=signer_role, signer_name=name, refused=False
        ).exists():
            raise ValidationError(f"{name}已在该记录上签名。", code="duplicate")
        with _spooled(image) as path:
            content_type = filetypes.detect(path)
            if not content_type.startswith(_SIGNATURE_TYPES):
                raise ValidationError("签名须为图片（屏幕手写签名或扫描件）。", code="image")
            stored = _store(
                actor,
                case,
                role,
                path,
                filename,
                {"signature_of": record.pk, "signer": name, "signer_role": signer_role},
            )
        entry = ledger.record(
            actor=actor,
            role=role,
            organization=case.organization,
            subject=case.subject,
            event_type=EVENT_SIGNED,
            payload={
                "record_id": record.pk,
                "signer_role": signer_role,
                "signer_name": name,
                "evidence_id": stored.pk,
                "digest": stored.file.digest,
            },
        )
        return Signature.objects.create(
            record=record,
            signer_role=signer_role,
            signer_name=name,
            image=stored,
            ledger_seq=entry.seq,
        )


def record_refusal(
    actor: User,
    record: Record,
    *,
    signer_name: str,
    signer_role: str = SignerRole.PARTY,
    witness: str | None = None,
    evidence: Record | None = None,
) -> Signature:
    """A refusal to sign, proved by a witness's name or by an audio / video record of the same
    case; refused without either."""
    with transaction.atomic():
        record = _signable(record)
        case = record.case
        role = acting_role(actor, case)
        _check_open(case)
        name = _signer(record, signer_role, signer_name)
        witness = _text(witness, "见证人", required=False, max_length=64)
        proof = None
        if evidence is not None:
            if evidence.case_id != case.pk or evidence.kind not in AV_KINDS:
                raise ValidationError("拒签证明须为本案的录音或录像记录。", code="refusal_proof")
            proof = evidence.evidence
        if not witness and proof is None:
            raise ValidationError(
                f"{name}拒绝签名的，须有见证人在场证明或者录音录像记录，二者至少其一，"
                "否则不能登记拒签。",
                code="refusal_proof",
            )
        if witness and witness == name:
            raise ValidationError("拒签的见证人不能是拒签人本人。", code="refusal_proof")
        if Signature.objects.filter(
            record=record, signer_role=signer_role, signer_name=name
        ).exists():
            raise ValidationError(f"{name}在该记录上已有签名或拒签登记。", code="duplicate")
        entry = ledger.record(
            actor=actor,
            role=role,
            organization=case.organization,
            subject=case.subject,
            event_type=EVENT_SIGN_REFUSED,
            payload={
                "record_id": record.pk,
                "signer_role": signer_role,
                "signer_name": name,
                "witness": witness,
                "evidence_record_id": evidence.pk if evidence is not None else None,
            },
        )
        return Signature.objects.create(
            record=record,
            signer_role=signer_role,
            signer_name=name,
            refused=True,
            refusal_witness=witness,
            refusal_evidence=proof,
            ledger_seq=entry.seq,
        )


# --------------------------------------------------------------------------- guards and reads


def has_av_record(case: Case, stage: str) -> bool:
    """An audio or video record of the case for ``stage`` exists: the guard that keeps 查封扣押
    and 强制拆除 from completing without one (a media record's stage is the case's stage when
    it was taken, unless the officer names another stage of the procedure)."""
    return Record.objects.filter(case=case, stage=stage, kind__in=AV_KINDS).exists()


def current_records(case: Case):
    """The case's records, latest versions only (corrected ones hidden), oldest first."""
    replaced = Record.objects.filter(case=case, supersedes__isnull=False).values("supersedes")
    return (
        Record.objects.filter(case=case)
        .exclude(pk__in=replaced)
        .select_related("evidence__file", "created_by")
        .prefetch_related("officers", "signatures")
        .order_by("taken_at", "id")
    )
