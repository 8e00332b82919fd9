"""Case pages: the lists (mine, my unit's, overdue, all readable), the new-case form, the case
page with every next action as a form generated from its FieldSpecs, and the case file
download. Reads go through ``selectors`` (a missing and a forbidden case both 404); every
change is one service call (``services.register_case``, ``services.perform``,
``archive.write_case_file``) whose Chinese refusal is shown on the page with nothing changed."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhifa.core.masking import mask_address, mask_citizen_id, mask_phone
from zhifa.core.permissions import memberships_of, require, role_over
from zhifa.evidence.models import EvidenceRecord
from zhifa.evidence.services import EvidenceCorrupted, tmp_dir
from zhifa.ledger.selectors import TimelineItem, timeline_items
from zhifa.registry.models import Officer, OfficerStatus

from . import archive, deadlines, selectors, services
from .deadlines import deadline_views
from .forms import (
    PARTY_FIELDS,
    ActionForm,
    CaseForm,
    FilterForm,
    filing_places,
    filled_parties,
    party_rows,
    place_key,
)
from .models import Case, CaseOfficer, PartyKind
from .procedures import PROCEDURES
from .procedures.base import APPROVERS

PER_PAGE = 20
LISTS = {
    "mine": ("我的案件", "mine"),
    "unit": ("本单位案件", "unit"),
    "overdue": ("超期案件", "all"),
    "all": ("可查阅的全部案件", "all"),
}


# ---------------------------------------------------------------- lists


@login_required
@require_GET
def case_list(request: HttpRequest, which: str = "mine") -> HttpResponse:
    require(request.user, "business.view")
    title, scope = LISTS[which]
    filters = FilterForm(request.GET or None)
    values = filters.values()
    qs = selectors.cases_for(
        request.user,
        scope=scope,
        category=values.get("category"),
        procedure=values.get("procedure"),
        stage=values.get("stage"),
        overdue=which == "overdue",
        q=values.get("q"),
        registered_from=values.get("date_from"),
        registered_to=values.get("date_to"),
    )
    today = timezone.localdate()
    # Day 75 of the 90-day limit is a warning, not a missed deadline: tagged apart.
    qs = qs.annotate(
        is_overdue=deadlines.late(today),
        is_warned=deadlines.late(today, warning=True),
    ).prefetch_related("parties")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "case": case,
            "stage_label": PROCEDURES[case.procedure].stage_label(case.stage),
            "overdue": case.is_overdue,
            "warned": case.is_warned,
        }
        for case in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "title": title,
            "which": which,
            "lists": [(k, v[0]) for k, v in LISTS.items()],
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_file": _can_file(request),
        },
    )


def _can_file(request: HttpRequest) -> bool:
    return any(
        m.role in ("officer", "unit_head", "body_head") for m in memberships_of(request.user)
    )


# ---------------------------------------------------------------- new case


def _officers_for(places) -> list[Officer]:
    bodies = {body.pk for body, _ in places}
    return list(
        Officer.objects.filter(body__organization_id__in=bodies, status=OfficerStatus.ACTIVE)
        .select_related("body")
        .order_by("name", "pk")
    )


def _matters_for(places, today: datetime.date) -> list:
    matters = []
    for body in {body for body, _ in places}:
        plist = services.matter_in_force(body, today)
        if plist is not None:
            matters.extend(plist.matters.order_by("code"))
    return matters


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "cases.handle")
    today = timezone.localdate()
    places = filing_places(memberships_of(request.user))
    if not places:
        raise PermissionDenied("您不在任何执法主体或执法机构中任职，不能登记案件。")
    matters = _matters_for(places, today)
    officers = _officers_for(places)
    data = request.POST if request.method == "POST" else None
    initial = {}
    mine = Officer.objects.filter(user=request.user).first()
    if mine is not None:
        initial = {"officers": [str(mine.pk)], "lead": str(mine.pk)}
    form = CaseForm(data, places=places, matters=matters, officers=officers, initial=initial)
    rows = party_rows(data)
    error = None
    if data is not None:
        try:
            case = _register(request, form, places, matters, rows)
        except ValidationError as e:
            error = e.messages[0]
        else:
            messages.success(request, f"案件已登记，案号 {case.number}。")
            return redirect("cases:detail", case.pk)
    return render(
        request,
        "cases/new.html",
        {"form": form, "party_rows": rows, "party_kinds": PartyKind.choices, "error": error},
        status=400 if error else 200,
    )


def _register(request: HttpRequest, form: CaseForm, places, matters, rows) -> Case:
    """The form's raw values to ``services.register_case``; the service validates."""
    post = request.POST
    by_key = {place_key(body, unit): (body, unit) for body, unit in places}
    body, unit = by_key.get(post.get("place_key", ""), (None, None))
    if body is None:
        raise services.CaseActionRefused("请选择执法主体及承办机构。")
    matter = next((m for m in matters if str(m.pk) == post.get("matter")), None)
    if matter is None:
        raise services.CaseActionRefused("请从本执法主体现行的权责清单中选择执法事项。")
    officer_ids = [v for v in post.getlist("officers") if v]
    lead = post.get("lead", "")
    if lead and lead in officer_ids:
        officer_ids.remove(lead)
        officer_ids.insert(0, lead)
    return services.register_case(
        request.user,
        organization=body,
        unit=unit,
        matter=matter,
        procedure=post.get("procedure", ""),
        title=post.get("title", ""),
        source=post.get("source", ""),
        parties=filled_parties(rows),
        officer_ids=officer_ids,
        summary=post.get("summary", ""),
        place=post.get("place", ""),
        occurred_on=post.get("occurred_on") or None,
        discovered_on=post.get("discovered_on") or None,
        act_continuing_until=post.get("act_continuing_until") or None,
    )


# ---------------------------------------------------------------- case page


def _is_head(user, case: Case) -> bool:
    try:
        role_over(user, case.unit or case.organization, "cases.approve", APPROVERS, "")
    except PermissionDenied:
        return False
    return True


def _sees_ids(user, case: Case, rows: list[CaseOfficer]) -> bool:
    """Handlers need the parties' full ID numbers (documents, service); readers do not."""
    if any(r.officer.user_id == user.pk and not r.recused for r in rows):
        return True
    return _is_head(user, case)


def _detail_context(
    request: HttpRequest,
    case: Case,
    *,
    failed: str | None = None,
    error: str | None = None,
    bound: ActionForm | None = None,
) -> dict[str, Any]:
    user = request.user
    procedure = PROCEDURES[case.procedure]
    officer_rows = list(case.case_officers.select_related("officer"))
    full_ids = _sees_ids(user, case, officer_rows)
    parties = []
    for p in case.parties.all():
        number, phone, address = p.id_number, p.phone, p.address
        if not full_ids:
            phone = mask_phone(phone) if phone else ""
            if p.kind == PartyKind.NATURAL:  # a person's, not an organisation's public data
                number = mask_citizen_id(number)
                address = mask_address(address) if address else ""
        parties.append({"party": p, "id_number": number, "phone": phone, "address": address})
    can_handle = _may_handle(user)
    actions, blocked = [], []
    for state in services.allowed_actions(user, case):
        if state.allowed and can_handle:
            form = bound if (bound is not None and bound.action == state.action) else None
            form = form or ActionForm(state.action, state.fields, case)
            actions.append(
                {
                    "state": state,
                    "form": form,
                    "error": error if failed == state.action else None,
                    "open": failed == state.action,
                }
            )
        else:
            blocked.append(state)
    extra = _timeline_notes(case)
    items = [{"item": i, "note": extra.get(i.seq, "")} for i in _timeline(case)]
    records = list(case.records.order_by("-taken_at", "-id")[:50])
    return {
        "case": case,
        "procedure": procedure,
        "stage_label": procedure.stage_label(case.stage),
        "terminal": procedure.stage(case.stage).terminal,
        "parties": parties,
        "full_ids": full_ids,
        "officers": officer_rows,
        "actions": actions,
        "blocked": blocked,
        "read_only": not can_handle,
        "deadlines": deadline_views(case),
        "timeline": items,
        "records": records,
        "services": list(case.services.select_related("party")),
        "documents": [
            (step, archive.document_title(step)) for step in case.steps.order_by("at", "id")
        ],
        "export_problem": archive.export_problem(user, case),
        "is_head": can_handle and _is_head(user, case),
        "open_case": not procedure.stage(case.stage).terminal and not case.closed_on,
        "party_kinds": PartyKind.choices,
        "assignable": _assignable(case, officer_rows) if can_handle else [],
        "review": apps.is_installed("zhifa.review"),
        "error": error if failed is None else None,
    }


def _assignable(case: Case, rows: list[CaseOfficer]) -> list[Officer]:
    taken = {r.officer_id for r in rows}
    return [
        o
        for o in Officer.objects.filter(
            body__organization_id=case.organization_id, status=OfficerStatus.ACTIVE
        ).order_by("name", "pk")
        if o.pk not in taken
    ]


def _timeline(case: Case) -> list[TimelineItem]:
    """Every ledger entry of the case, oldest first. The ledger's own ``timeline`` keeps the
    entries of organisations the user reads; an officer of the handling unit reads the case
    (entries carry the body) and so its whole history: access was checked by get_case."""
    return timeline_items(selectors.timeline(case).select_related("organization"))


def _timeline_notes(case: Case) -> dict[int, str]:
    """What each ledger entry of the case was about, in words (the action, the record...)."""
    notes = {s.ledger_seq: s.data.get("label", s.action) for s in case.steps.all()}
    notes.update({r.ledger_seq: r.title for r in case.records.all()})
    notes.update(
        {s.ledger_seq: f"{s.document_title} · {s.get_mode_display()}" for s in case.services.all()}
    )
    for ev in EvidenceRecord.objects.filter(subject=case.subject).only(
        "ledger_seq", "original_filename"
    ):
        notes.setdefault(ev.ledger_seq, ev.original_filename)
    return notes


def _may_handle(user) -> bool:
    """Supervisors and legal reviewers read cases; only handlers see action forms."""
    try:
        require(user, "cases.handle")
    except PermissionDenied:
        return False
    return True


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case(request.user, pk)
    return render(request, "cases/detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int) -> HttpResponse:
    """One view for every action of every procedure: the form posts its action and the stage
    it was shown in; ``services.perform`` refuses a stale form, an action not allowed now, a
    guard of law, and bad values alike, with nothing changed."""
    case = selectors.get_case(request.user, pk)
    require(request.user, "cases.handle")
    action = request.POST.get("action", "")
    procedure = PROCEDURES[case.procedure]
    transition = next((t for t in procedure.transitions if t.action == action), None)
    if transition is None:
        return _refused(request, case, None, "未知的办案操作。")
    form = ActionForm(action, transition.form_fields, case, request.POST)
    try:
        case = services.perform(
            request.user,
            case,
            action,
            form.raw_data(request.POST),
            expected_stage=request.POST.get("expected_stage") or "",
        )
    except ValidationError as e:
        allowed_here = procedure.transition(case.stage, action) is not None
        return _refused(request, case, action if allowed_here else None, e.messages[0], form)
    messages.success(
        request, f"已完成“{transition.label}”，案件当前环节：{procedure.stage_label(case.stage)}。"
    )
    return redirect("cases:detail", case.pk)


def _refused(
    request: HttpRequest,
    case: Case,
    action: str | None,
    message: str,
    form: ActionForm | None = None,
) -> HttpResponse:
    case = Case.objects.select_related("matter", "unit", "organization").get(pk=case.pk)
    context = _detail_context(request, case, failed=action, error=message, bound=form)
    if action is None or not any(a["state"].action == action for a in context["actions"]):
        context["error"] = message  # shown at the top when the form is no longer on the page
    return render(request, "cases/detail.html", context, status=400)


CHANGES = ("party", "officer", "recusal", "extension")


@login_required
@require_POST
def case_change(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """The changes beside the stage graph: add a party, assign an officer, a recusal (回避)
    and the extension of the decision limit, each one service call."""
    case = selectors.get_case(request.user, pk)
    if what not in CHANGES:
        raise Http404("未知的操作。")
    require(request.user, "cases.handle")
    post = request.POST
    try:
        if what == "party":
            row = {f: post.get(f"party-{f}", "") for f in PARTY_FIELDS}
            party = services.add_party(request.user, case, row)
            done = f"已增加当事人{party.name}。"
        elif what == "officer":
            officer = _body_officer(case, post.get("officer"))
            services.assign_officer(request.user, case, officer, lead=bool(post.get("lead")))
            done = f"已指派{officer.name}为承办人员。"
        elif what == "recusal":
            officer = _body_officer(case, post.get("officer"))
            services.declare_conflict(
                request.user,
                case,
                officer,
                post.get("reason", ""),
                applied_by=post.get("applied_by", ""),
            )
            done = f"{officer.name}已回避。"
        else:
            services.extend_decision_deadline(
                request.user, case, post.get("days", ""), post.get("reason", "")
            )
            done = "办案期限已延长。"
    except ValidationError as e:
        return _refused(request, case, None, e.messages[0])
    messages.success(request, done)
    return redirect("cases:detail", case.pk)


def _body_officer(case: Case, value: str | None) -> Officer:
    officer = (
        Officer.objects.filter(pk=value, body__organization_id=case.organization_id).first()
        if (value or "").isdigit()
        else None
    )
    if officer is None:
        raise services.CaseActionRefused("所选执法人员不存在或不属于本执法主体。")
    return officer


@login_required
@require_GET
def case_document(request: HttpRequest, pk: int, step_id: int) -> HttpResponse:
    """The document of one step (notice, decision ...), printable, as it goes in the case
    file."""
    case = selectors.get_case(request.user, pk)
    step = case.steps.select_related("actor").filter(pk=step_id).first()
    if step is None:
        raise Http404("未找到该文书。")
    return render(request, "cases/archive/document.html", archive.document_context(case, step))


@login_required
@require_POST
def case_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the case file (案卷 ZIP). POST: each export is a ledger entry."""
    case = selectors.get_case(request.user, pk)
    problem = archive.export_problem(request.user, case)
    if problem:
        raise PermissionDenied(problem)
    spool = open(tmp_dir() / f"casefile-{case.pk}-{timezone.now():%Y%m%d%H%M%S%f}.zip", "w+b")  # noqa: SIM115
    try:
        made = archive.write_case_file(request.user, case, spool)
    except EvidenceCorrupted as exc:
        spool.close()
        _unlink(spool.name)
        return _refused(request, case, None, f"证据文件校验未通过，不能生成案卷：{exc}")
    except BaseException:
        spool.close()
        _unlink(spool.name)
        raise
    spool.seek(0)
    # The temporary file is gone once the response closes it (unlinked now on POSIX).
    _unlink(spool.name)
    return FileResponse(
        spool, as_attachment=True, filename=made.filename, content_type="application/zip"
    )


def _unlink(name: str) -> None:
    import os

    try:
        os.unlink(name)
    except OSError:
        pass


def case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


__all__ = [
    "case_action",
    "case_detail",
    "case_document",
    "case_file",
    "case_list",
    "case_new",
    "case_url",
]
