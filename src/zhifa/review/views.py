"""Review pages: the work queue, a case's review (determination, submission, assignment,
history, deliberation), the reviewer's checklist page, the printable 法制审核意见书, the
catalogue and its editor, and the statistics. Thin: read through the scoped selectors (other
bodies' objects give 404), change through the services (their refusals are shown on the form,
status 400, nothing changed)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhifa.cases.procedures import PROCEDURES
from zhifa.core.permissions import has_perm
from zhifa.registry.views import business_view

from . import catalogue as cat
from . import selectors, services
from .checklist import CHECKLIST_LABELS, MATERIAL_LABELS, required_materials
from .forms import (
    AssignForm,
    CatalogueSettingsForm,
    CircumstancesForm,
    DeliberationForm,
    OpinionForm,
    ReasonForm,
    RuleFormSet,
    SubmitForm,
    rule_initial,
)
from .models import PartyScope, RequestStatus, RuleKind
from .stats import review_statistics


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {
        "today": timezone.localdate(),
        "perms_stats": has_perm(request.user, "review.stats"),
        **context,
    }
    return render(request, template, context, status=status)


def _run(form: Form, action: Callable[[], Any]) -> Any:
    """Run the service when the form is valid; its refusal becomes a form error."""
    if not form.is_valid():
        return None
    try:
        return action()
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
    return None


@business_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _render(request, "review/index.html", {"sections": selectors.queue(request.user)})


# ---------------------------------------------------------------- a case's review


def _case_context(request: HttpRequest, case, **forms_: Form) -> dict[str, Any]:
    user = request.user
    determination = selectors.determination_of(case)
    review = selectors.requests_for(user).filter(case=case).first()
    rounds = list(selectors.rounds_of(review)) if review else []
    open_round = next((r for r in rounds if not r.opinion), None)
    preview = None if determination else cat.evaluate(case)
    facts = cat.facts_of(case)
    required = required_materials(case.category, facts.hearing_held)
    can_submit = (
        not case.decided_on
        and services.can_submit(user, case)
        and (
            review is None
            or review.status == RequestStatus.RETURNED
            or (review.status == RequestStatus.PASSED and services.review_outdated(case))
        )
    )
    last_materials = rounds[-1].materials if rounds else {}
    procedure = PROCEDURES.get(case.procedure)
    context: dict[str, Any] = {
        "case": case,
        "stage_label": procedure.stage_label(case.stage) if procedure else case.stage,
        "determination": determination,
        "determination_text": cat.describe(determination or preview),
        "preview": preview,
        "review": review,
        "rounds": rounds,
        "open_round": open_round,
        "deliberations": list(selectors.deliberations_of(case)),
        "material_labels": MATERIAL_LABELS,
        "checklist_labels": CHECKLIST_LABELS,
        "can_submit": can_submit,
        "can_determine": determination is None
        and not case.decided_on
        and services.can_submit(user, case),
        "can_assign": open_round is not None and services.can_assign(user, case.organization),
        "can_manage": not case.decided_on and services.can_manage(user, case.organization),
        "gate": services.decision_gate(case),
    }
    if context["can_determine"]:
        context["determine_form"] = forms_.get("determine_form") or CircumstancesForm()
    if can_submit:
        context["submit_form"] = forms_.get("submit_form") or SubmitForm(
            organization_id=case.organization_id,
            required=required,
            initial={f"m_{k}": v for k, v in last_materials.items()},
        )
    if context["can_assign"]:
        context["assign_form"] = forms_.get("assign_form") or AssignForm(
            organization_id=case.organization_id
        )
    if context["can_manage"]:
        context["extend_form"] = forms_.get("extend_form") or ReasonForm(prefix="extend")
        context["deliberate_form"] = forms_.get("deliberate_form") or ReasonForm(prefix="dl")
    return context


def _case_page(request: HttpRequest, case, status: int = 200, **forms_: Form) -> HttpResponse:
    return _render(
        request, "review/case.html", _case_context(request, case, **forms_), status=status
    )


def _back_to_case(case) -> HttpResponse:
    return redirect(reverse("review:case", args=[case.pk]))


@business_view
@require_GET
def case_review(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, selectors.get_case(request.user, case_id))


@business_view
@require_POST
def determine(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.get_case(request.user, case_id)
    form = CircumstancesForm(request.POST)
    if _run(form, lambda: services.determine(request.user, case, form.circumstances())):
        messages.success(request, "已作出重大执法决定判定。")
        return _back_to_case(case)
    return _case_page(request, case, 400, determine_form=form)


@business_view
@require_POST
def submit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.get_case(request.user, case_id)
    facts = cat.facts_of(case)
    form = SubmitForm(
        request.POST,
        organization_id=case.organization_id,
        required=required_materials(case.category, facts.hearing_held),
    )
    done = _run(
        form,
        lambda: services.submit(
            request.user,
            case,
            materials=form.materials(),
            statement=form.cleaned_data["statement"],
            voluntary=form.cleaned_data["voluntary"],
            reviewer=form.cleaned_data["reviewer"],
        ),
    )
    if done:
        messages.success(request, f"已提交法制审核（第{done.number}轮），审核期限至{done.due_on}。")
        return _back_to_case(case)
    return _case_page(request, case, 400, submit_form=form)


@business_view
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_request(request.user, pk)
    form = AssignForm(request.POST, organization_id=review.organization_id)
    if _run(
        form, lambda: services.assign_reviewer(request.user, review, form.cleaned_data["reviewer"])
    ):
        messages.success(request, "已指定审核人员。")
        return _back_to_case(review.case)
    return _case_page(request, review.case, 400, assign_form=form)


@business_view
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = selectors.get_round(request.user, pk)
    case = review_round.request.case
    form = ReasonForm(request.POST, prefix="extend")
    if _run(
        form, lambda: services.extend_round(request.user, review_round, form.cleaned_data["reason"])
    ):
        messages.success(request, "审核期限已延长。")
        return _back_to_case(case)
    return _case_page(request, case, 400, extend_form=form)


@business_view
@require_POST
def require_deliberation(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.get_case(request.user, case_id)
    form = ReasonForm(request.POST, prefix="dl")
    if _run(
        form, lambda: services.require_deliberation(request.user, case, form.cleaned_data["reason"])
    ):
        messages.success(request, "已决定提交集体讨论。")
        return _back_to_case(case)
    return _case_page(request, case, 400, deliberate_form=form)


@business_view
@require_http_methods(["GET", "POST"])
def deliberation(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.get_case(request.user, case_id)
    if not services.can_manage(request.user, case.organization):
        raise PermissionDenied("只有本执法主体的主要负责人可以登记集体讨论。")
    form = DeliberationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        done = _run(
            form,
            lambda: services.record_deliberation(
                request.user,
                case,
                held_at=form.cleaned_data["held_at"],
                place=form.cleaned_data["place"],
                chair=form.cleaned_data["chair"],
                recorder=form.cleaned_data["recorder"],
                attendees=form.attendees(),
                conclusion=form.cleaned_data["conclusion"],
                conclusion_text=form.cleaned_data["conclusion_text"],
                minutes=form.cleaned_data["minutes"],
            ),
        )
        if done:
            messages.success(request, "集体讨论已登记。")
            return _back_to_case(case)
    return _render(
        request, "review/deliberation_form.html", {"case": case, "form": form}, status=status
    )


# ---------------------------------------------------------------- the reviewer's page


@business_view
@require_http_methods(["GET", "POST"])
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_request(request.user, pk)
    rounds = list(selectors.rounds_of(review))
    open_round = next((r for r in rounds if not r.opinion), None)
    can_review = open_round is not None and has_perm(request.user, "review.perform")
    form = OpinionForm(request.POST or None) if can_review else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("本案当前没有待您审核的材料。")
        status = 400
        done = _run(
            form,
            lambda: services.give_opinion(
                request.user,
                open_round,
                opinion=form.cleaned_data["opinion"],
                findings=form.findings(),
                problems=form.cleaned_data["problems"],
                summary=form.cleaned_data["summary"],
            ),
        )
        if done:
            messages.success(request, f"已出具审核意见：{done.get_opinion_display()}。")
            return redirect(reverse("review:opinion_document", args=[done.pk]))
    return _render(
        request,
        "review/request.html",
        {
            "review": review,
            "case": review.case,
            "rounds": rounds,
            "open_round": open_round,
            "form": form,
            "material_labels": MATERIAL_LABELS,
            "checklist_labels": CHECKLIST_LABELS,
            "determination": selectors.determination_of(review.case),
        },
        status=status,
    )


@business_view
@require_GET
def opinion_document(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = selectors.get_round(request.user, pk)
    return _render(
        request,
        "review/opinion_document.html",
        {
            "round": review_round,
            "case": review_round.request.case,
            "findings": [
                (CHECKLIST_LABELS.get(f.item, f.item), f) for f in review_round.findings.all()
            ],
            "material_labels": MATERIAL_LABELS,
            "parties": list(review_round.request.case.parties.all()),
        },
    )


# ---------------------------------------------------------------- catalogue


@business_view
@require_GET
def catalogue_index(request: HttpRequest) -> HttpResponse:
    bodies = []
    for org in selectors.catalogue_bodies(request.user):
        bodies.append((org, cat.catalogue_in_force(org.pk)))
    return _render(request, "review/catalogue_index.html", {"bodies": bodies})


@business_view
@require_GET
def catalogue_detail(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.get_catalogue_body(request.user, org_id)
    versions = list(selectors.catalogue_versions(org))
    wanted = request.GET.get("version", "")
    shown = next(
        (v for v in versions if str(v.version) == wanted), versions[0] if versions else None
    )
    return _render(
        request,
        "review/catalogue_detail.html",
        {
            "org": org,
            "versions": versions,
            "shown": shown,
            "rules": list(shown.rules.all()) if shown else cat.DEFAULT_SPECS,
            "penalty_labels": cat.PENALTY_KINDS,
            "category_labels": cat.CATEGORIES,
            "kind_labels": dict(RuleKind.choices),
            "scope_labels": dict(PartyScope.choices),
            "can_manage": services.can_manage(request.user, org),
        },
    )


@business_view
@require_http_methods(["GET", "POST"])
def catalogue_edit(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.get_catalogue_body(request.user, org_id)
    if not services.can_manage(request.user, org):
        raise PermissionDenied("只有本执法主体的主要负责人可以修订目录清单。")
    current = cat.catalogue_in_force(org.pk)
    if request.method == "POST":
        settings_form = CatalogueSettingsForm(request.POST)
        formset = RuleFormSet(request.POST, prefix="rules")
        if settings_form.is_valid() and formset.is_valid():
            rules = [r for r in (f.rule() for f in formset.forms) if r is not None]
            try:
                version = services.publish_catalogue(
                    request.user,
                    org,
                    rules,
                    note=settings_form.cleaned_data["note"],
                    time_limit=settings_form.cleaned_data["time_limit"],
                    extension_days=settings_form.cleaned_data["extension_days"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    settings_form.add_error(None, message)
            else:
                messages.success(request, f"已发布第{version.version}版目录清单。")
                return redirect(reverse("review:catalogue", args=[org.pk]))
        status = 400
    else:
        rules = list(current.rules.all()) if current else list(cat.DEFAULT_SPECS)
        settings_form = CatalogueSettingsForm(
            initial={
                "time_limit": current.time_limit if current else services.DEFAULT_TIME_LIMIT,
                "extension_days": current.extension_days if current else services.DEFAULT_EXTENSION,
            }
        )
        formset = RuleFormSet(prefix="rules", initial=[rule_initial(r) for r in rules])
        status = 200
    return _render(
        request,
        "review/catalogue_edit.html",
        {"org": org, "current": current, "settings_form": settings_form, "formset": formset},
        status=status,
    )


# ---------------------------------------------------------------- statistics


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@business_view
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, "review.stats"):
        raise PermissionDenied("法制审核统计仅对执法监督人员、主要负责人和法制审核人员开放。")
    date_from = _date(request.GET.get("from", ""))
    date_to = _date(request.GET.get("to", ""))
    return _render(
        request,
        "review/stats.html",
        {
            "stats": review_statistics(request.user, date_from=date_from, date_to=date_to),
            "selected": {"from": date_from or "", "to": date_to or ""},
        },
    )
