"""执法办案 API: list and read cases, the actions allowed now (with the reason for those that are
not), registration, transitions, and the full-process record (transcripts, media files).

Reads: signed-in users with a business role, scoped like the case pages
(``zhifa.cases.selectors``), and API clients with the ``read`` scope (cases of their
organisation's subtree). Registration and actions: a signed-in officer or head, or an API
client whose token has ``cases.write`` (``zhifa.cases.services`` keeps it inside its
organisation's subtree, never lets it approve, and names it in the ledger). Transcripts and
files are made by a named officer (``zhifa.cases.records`` takes a user): a token gets 403.
A refusal by a service is a 400 with its Chinese reason and changes nothing. Missing and not
readable are both 404. Signatures, corrections, service, payments and resumable uploads:
``case_records.py``."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.dateparse import parse_datetime
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from zhifa.cases import records as case_records
from zhifa.cases import selectors, services
from zhifa.cases.models import Case, Category, Record
from zhifa.cases.procedures import PROCEDURES
from zhifa.core.masking import mask_citizen_id
from zhifa.core.models import Organization, User
from zhifa.core.permissions import has_perm
from zhifa.exchange.models import ApiClient
from zhifa.powers.models import Matter

from .. import scope as api_scope
from ..auth import require_scope
from ..schemas import ErrorOut

router = Router(tags=["执法办案"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
NOT_FOUND = "未找到该案件。"


# ---------------------------------------------------------------- schemas


class PartyIn(Schema):
    kind: str = Field(description="natural 自然人 / legal 法人 / other 其他组织")
    name: str
    id_number: str = Field("", description="公民身份号码或统一社会信用代码（校验位检查）")
    legal_representative: str = ""
    address: str = ""
    phone: str = ""


class CaseIn(Schema):
    organization_id: int = Field(description="执法主体（组织 id）")
    unit_id: int | None = Field(None, description="承办机构（本主体的内设机构）")
    matter_id: int = Field(description="权责清单事项 id（须为本主体现行清单中的事项）")
    procedure: str = Field(description="penalty_ordinary / penalty_simplified / inspection / …")
    title: str
    source: str = Field(description="inspection / complaint / transfer / application / other")
    parties: list[PartyIn]
    officer_ids: list[int] = Field(description="承办执法人员 id，第一位为主办")
    summary: str = ""
    place: str = ""
    occurred_on: datetime.date | None = None
    discovered_on: datetime.date | None = None
    act_continuing_until: datetime.date | None = None


class TransitionIn(Schema):
    action: str
    data: dict[str, Any] = Field(default_factory=dict)
    expected_stage: str | None = Field(
        None, description="提交时看到的环节；案件已变化则拒绝（请刷新后重试）"
    )


class TranscriptIn(Schema):
    kind: str = Field(
        description="interview 询问笔录 / on_site 现场检查笔录 / sampling 抽样取证凭证"
    )
    title: str
    content: dict[str, Any]
    place: str
    officer_ids: list[int]
    taken_at: datetime.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class PartyOut(Schema):
    id: int
    seq: int
    kind: str
    name: str
    id_number: str
    is_minor: bool


class CaseOfficerOut(Schema):
    officer_id: int
    name: str
    lead: bool
    recused: bool


class DeadlineOut(Schema):
    kind: str
    label: str
    basis: str
    starts_on: datetime.date
    due_on: datetime.date
    working_days: bool
    status: str


class StepOut(Schema):
    action: str
    from_stage: str
    to_stage: str
    actor: str
    role: str
    at: datetime.datetime
    ledger_seq: int


class CaseSummaryOut(Schema):
    id: int
    number: str
    title: str
    category: str
    procedure: str
    procedure_label: str
    stage: str
    stage_label: str
    organization_id: int
    organization_name: str
    unit_id: int | None
    unit_name: str | None
    matter_id: int
    matter_code: str
    matter_name: str
    filed_on: datetime.date | None
    decision_due_on: datetime.date | None
    decided_on: datetime.date | None
    closed_on: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CaseOut(CaseSummaryOut):
    source: str
    summary: str
    place: str
    occurred_on: datetime.date | None
    discovered_on: datetime.date | None
    served_on: datetime.date | None
    archived_at: datetime.datetime | None
    requires_review: bool
    requires_deliberation: bool
    notified_penalty: dict[str, Any]
    decided_penalty: dict[str, Any]
    fine_amount: Decimal | None
    decision_number: str
    parties: list[PartyOut]
    officers: list[CaseOfficerOut]
    deadlines: list[DeadlineOut]
    steps: list[StepOut]


class FieldOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[list[str]]
    help: str


class ActionOut(Schema):
    action: str
    label: str
    allowed: bool
    reason: str | None
    target: str | None
    target_label: str | None
    help: str
    fields: list[FieldOut]


class ActionsOut(Schema):
    stage: str
    stage_label: str
    actions: list[ActionOut]


class RecordOut(Schema):
    id: int
    kind: str
    stage: str
    title: str
    content: dict[str, Any]
    taken_at: datetime.datetime
    place: str
    latitude: Decimal | None
    longitude: Decimal | None
    officer_ids: list[int]
    evidence_id: int | None
    digest: str | None
    supersedes_id: int | None
    ledger_seq: int


# ---------------------------------------------------------------- reading


def _reader(principal) -> None:
    """Who may read cases at all: a token with ``read``, or a user with a business role (the
    three administrators see no business data)."""
    require_scope(principal, "read")
    if isinstance(principal, User) and not has_perm(principal, "business.view"):
        raise PermissionDenied("您没有查阅案件的权限。")


def _handler(principal):
    """Who may register a case and perform its actions: a signed-in user with
    ``cases.handle``, or an API client whose token has ``cases.write`` (the service keeps it
    inside its organisation's subtree and refuses it every head's approval)."""
    if isinstance(principal, ApiClient):
        require_scope(principal, services.API_SCOPE)
        return principal
    return _user(principal)


def _user(principal) -> User:
    """Writes are acts of a named person; the services check the rest (role, assignment,
    recusal, certificates)."""
    if isinstance(principal, ApiClient):
        raise PermissionDenied("执法记录须由执法人员本人登录制作，接口令牌不能代为记录。")
    if not has_perm(principal, "cases.handle"):
        raise PermissionDenied("您没有办理案件的权限。")
    return principal


def _client_cases(client: ApiClient) -> QuerySet[Case]:
    # Id lists without redundant branches, as for users (selectors.organisation_cases).
    return Case.objects.filter(
        selectors.organisation_cases(api_scope.readable_organizations(client))
    )


def _get_case(principal, case_id: int) -> Case:
    if isinstance(principal, ApiClient):
        case = (
            _client_cases(principal)
            .select_related("matter", "unit", "organization")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            raise Http404(NOT_FOUND)
        return case
    return selectors.get_case(principal, case_id)


def summary_out(case: Case) -> dict[str, Any]:
    procedure = PROCEDURES[case.procedure]
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "category": case.category,
        "procedure": case.procedure,
        "procedure_label": procedure.label,
        "stage": case.stage,
        "stage_label": procedure.stage_label(case.stage),
        "organization_id": case.organization_id,
        "organization_name": case.organization.name,
        "unit_id": case.unit_id,
        "unit_name": case.unit.name if case.unit_id else None,
        "matter_id": case.matter_id,
        "matter_code": case.matter.code,
        "matter_name": case.matter.name,
        "filed_on": case.filed_on,
        "decision_due_on": case.decision_due_on,
        "decided_on": case.decided_on,
        "closed_on": case.closed_on,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


def case_out(case: Case) -> dict[str, Any]:
    out = summary_out(case)
    out.update(
        source=case.source,
        summary=case.summary,
        place=case.place,
        occurred_on=case.occurred_on,
        discovered_on=case.discovered_on,
        served_on=case.served_on,
        archived_at=case.archived_at,
        requires_review=case.requires_review,
        requires_deliberation=case.requires_deliberation,
        notified_penalty=case.notified_penalty,
        decided_penalty=case.decided_penalty,
        fine_amount=case.fine_amount,
        decision_number=case.decision_number,
        # ID numbers masked as on every page (GB/T 35273); the full number stays in the file.
        parties=[
            {
                "id": p.pk,
                "seq": p.seq,
                "kind": p.kind,
                "name": p.name,
                "id_number": mask_citizen_id(p.id_number) if p.kind == "natural" else p.id_number,
                "is_minor": p.is_minor,
            }
            for p in case.parties.all()
        ],
        officers=[
            {
                "officer_id": o.officer_id,
                "name": o.officer.name,
                "lead": o.lead,
                "recused": o.recused,
            }
            for o in case.case_officers.select_related("officer")
        ],
        deadlines=[
            {
                "kind": d.kind,
                "label": d.label,
                "basis": d.basis,
                "starts_on": d.starts_on,
                "due_on": d.due_on,
                "working_days": d.working_days,
                "status": d.status,
            }
            for d in case.deadlines.all()
        ],
        steps=[
            {
                "action": s.action,
                "from_stage": s.from_stage,
                "to_stage": s.to_stage,
                "actor": s.actor.display_name if s.actor_id else s.actor_label or "系统",
                "role": s.role,
                "at": s.at,
                "ledger_seq": s.ledger_seq,
            }
            for s in selectors.steps_of(case)
        ],
    )
    return out


def actions_out(principal, case: Case) -> dict[str, Any]:
    procedure = PROCEDURES[case.procedure]
    # A token without cases.write, or a reader, is told why by the service's own check.
    states = services.allowed_actions(principal, case)
    return {
        "stage": case.stage,
        "stage_label": procedure.stage_label(case.stage),
        "actions": [
            {
                "action": s.action,
                "label": s.label,
                "allowed": s.allowed,
                "reason": s.reason,
                "target": s.target,
                "target_label": procedure.stage_label(s.target) if s.target else None,
                "help": s.help,
                "fields": [
                    {
                        "name": f.name,
                        "label": f.label,
                        "kind": f.kind,
                        "required": f.required,
                        "choices": [list(c) for c in f.choices],
                        "help": f.help,
                    }
                    for f in s.fields
                ],
            }
            for s in states
        ],
    }


def record_out(r: Record) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "stage": r.stage,
        "title": r.title,
        "content": r.content,
        "taken_at": r.taken_at,
        "place": r.place,
        "latitude": r.latitude,
        "longitude": r.longitude,
        "officer_ids": [o.pk for o in r.officers.all()],
        "evidence_id": r.evidence_id,
        "digest": r.evidence.file.digest if r.evidence_id else None,
        "supersedes_id": r.supersedes_id,
        "ledger_seq": r.ledger_seq,
    }


@router.get("/cases", response=list[CaseSummaryOut])
@paginate(LimitOffsetPagination)
def list_cases(
    request: HttpRequest,
    scope: str = "all",
    category: str = "",
    procedure: str = "",
    stage: str = "",
    overdue: bool = False,
    q: str = "",
):
    """Cases the caller reads, newest first. ``scope``: ``all`` (default), ``mine`` (assigned
    to me or registered by me), ``unit`` (handled by my units); tokens read ``all``."""
    principal = request.auth
    _reader(principal)
    if scope not in selectors.SCOPES:
        raise Http404("未知的列表范围。")
    if category and category not in Category.values:
        return []
    filters = {
        "category": category or None,
        "procedure": procedure or None,
        "stage": stage or None,
        "overdue": overdue,
        "q": q,
    }
    if isinstance(principal, ApiClient):
        qs = selectors.filter_cases(_client_cases(principal), **filters)
    else:
        qs = selectors.cases_for(principal, scope=scope, **filters)
    return _Summaries(qs)


class _Summaries:
    """A queryset seen through summary_out: the paginator counts and slices the query (one
    COUNT and one LIMIT query), and only the page is turned into dicts."""

    def __init__(self, qs: QuerySet[Case]) -> None:
        self.qs = qs

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return [summary_out(c) for c in self.qs[item]]


@router.get("/cases/{int:case_id}", response={200: CaseOut, **ERRORS})
def get_case(request: HttpRequest, case_id: int):
    _reader(request.auth)
    return case_out(_get_case(request.auth, case_id))


@router.get("/cases/{int:case_id}/actions", response={200: ActionsOut, **ERRORS})
def list_actions(request: HttpRequest, case_id: int):
    """Every action out of the current stage: whether the caller may do it now, and if not,
    why; and the fields each action asks for."""
    _reader(request.auth)
    return actions_out(request.auth, _get_case(request.auth, case_id))


@router.get("/cases/{int:case_id}/records", response={200: list[RecordOut], **ERRORS})
def list_records(request: HttpRequest, case_id: int):
    _reader(request.auth)
    case = _get_case(request.auth, case_id)
    rows = case.records.select_related("evidence__file").prefetch_related("officers")
    return [record_out(r) for r in rows.order_by("taken_at", "id")]


# ---------------------------------------------------------------- writing


@router.post("/cases", response={201: CaseOut, **ERRORS})
def create_case(request: HttpRequest, payload: CaseIn):
    user = _handler(request.auth)
    # The body in whose name the case is handled (a unit's officer reads its body), and a unit
    # inside it; the service checks the actor's role there.
    body = api_scope.get_body_org(user, payload.organization_id)
    unit = None
    if payload.unit_id is not None:
        unit = Organization.objects.filter(pk=payload.unit_id, path__startswith=body.path).first()
        if unit is None:
            raise Http404("未找到该承办机构。")
    # Only the body's own matters; the service checks it is on the list in force.
    matter = Matter.objects.filter(pk=payload.matter_id, power_list__organization=body).first()
    if matter is None:
        raise Http404("未找到该事项。")
    case = services.register_case(
        user,
        organization=body,
        unit=unit,
        matter=matter,
        procedure=payload.procedure,
        title=payload.title,
        source=payload.source,
        parties=[p.dict() for p in payload.parties],
        officer_ids=payload.officer_ids,
        summary=payload.summary,
        place=payload.place,
        occurred_on=payload.occurred_on,
        discovered_on=payload.discovered_on,
        act_continuing_until=payload.act_continuing_until,
    )
    return Status(201, case_out(_get_case(user, case.pk)))


@router.post("/cases/{int:case_id}/transitions", response={200: CaseOut, **ERRORS})
def perform_transition(request: HttpRequest, case_id: int, payload: TransitionIn):
    """Perform one action (``GET …/actions`` lists them with their fields). Refused (400 with
    the reason) when the action is not allowed in this stage, a rule of law forbids it, or the
    stage is no longer ``expected_stage``."""
    actor = _handler(request.auth)
    case = _get_case(actor, case_id)
    services.perform(
        actor, case, payload.action, payload.data, expected_stage=payload.expected_stage
    )
    return case_out(_get_case(actor, case_id))


@router.post("/cases/{int:case_id}/records", response={201: RecordOut, **ERRORS})
def add_transcript(request: HttpRequest, case_id: int, payload: TranscriptIn):
    """A structured transcript: 询问笔录 (``content``: interviewee, qa [{q, a}],
    certificates_shown, rights_notified), 现场检查笔录 (present, findings) or 抽样取证凭证
    (goods_name, specification, batch, producer, base_quantity, base_unit, sample_quantity,
    sample_unit, holder, holder_relation, present, sealed, seal, disposal test / evidence,
    testing_body, test_purpose, return_note, certificates_shown; only while evidence is
    collected, 行政处罚法第五十六条); at least two certified officers present."""
    user = _user(request.auth)
    case = selectors.get_case(user, case_id)
    row = case_records.add_transcript(
        user,
        case,
        kind=payload.kind,
        title=payload.title,
        content=payload.content,
        taken_at=payload.taken_at,
        place=payload.place,
        latitude=payload.latitude,
        longitude=payload.longitude,
        officer_ids=payload.officer_ids,
    )
    return Status(201, record_out(row))


@router.post("/cases/{int:case_id}/evidence", response={201: RecordOut, **ERRORS})
def attach_evidence(
    request: HttpRequest,
    case_id: int,
    file: File[UploadedFile],
    kind: Form[str],
    officer_ids: Form[str],
    title: Form[str] = "",
    place: Form[str] = "",
    stage: Form[str] = "",
    taken_at: Form[str] = "",
    latitude: Form[str] = "",
    longitude: Form[str] = "",
):
    """A photo, audio, video or document (multipart): stored in the evidence store by SM3
    digest, its type checked by content, a damaged audio/video refused. ``officer_ids``: the
    officers present, comma-separated."""
    user = _user(request.auth)
    case = selectors.get_case(user, case_id)
    try:
        ids = [int(x) for x in officer_ids.replace("，", ",").split(",") if x.strip()]
    except ValueError:
        ids = [0]  # refused by the service as "not an officer of the case"
    when = parse_datetime(taken_at.strip().replace(" ", "T")) if taken_at.strip() else None
    if taken_at.strip() and when is None:
        raise ValidationError("记录时间格式有误（如 2026-03-02 14:30）。")
    row = case_records.attach_media(
        user,
        case,
        kind=kind,
        upload=file,
        filename=file.name or "upload",
        taken_at=when,
        place=place,
        latitude=latitude or None,
        longitude=longitude or None,
        officer_ids=ids,
        stage=stage or None,
        title=title,
    )
    return Status(201, record_out(row))
