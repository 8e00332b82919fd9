"""Complaint pages. Public: the form (rate-limited, with the human check) and the status lookup
(rate-limited; a wrong number of any kind gets the same answer). Staff: list, detail and the
handling actions, for supervisors and body heads. Thin: parse, call a selector or service,
render."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhifa.core.permissions import has_perm
from zhifa.core.services import client_ip

from . import guard, selectors, services
from .forms import ComplaintForm, LookupForm, NoteForm
from .models import OPEN_STATUSES, Complaint, Status

NOT_FOUND = "未找到该投诉，请核对查询码。"


def _public(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    """A page in the portal's shell (public/base.html), which links to both complaint pages."""
    links = {"complaint_url": reverse("complaints:new"), "lookup_url": reverse("complaints:lookup")}
    return render(request, template, {**links, **context}, status=status)


# ---------------------------------------------------------------- public


def _form_page(request, form, *, errors=(), status=200) -> HttpResponse:
    challenge = guard.new_challenge()
    # The bound field caches its label once the form has been validated: set it there.
    form["answer"].label = f"验证题：{challenge.question}"
    data = form.data.copy() if form.is_bound else None
    if data is not None:
        # A challenge is used once: the form comes back with a new question, answer empty.
        data["challenge"] = challenge.token
        data["answer"] = ""
        form.data = data
    else:
        form.initial["challenge"] = challenge.token
    return _public(
        request,
        "supervision/public_new.html",
        {"form": form, "errors": list(errors), "question": challenge.question},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = ComplaintForm(initial={"body": request.GET.get("body") or None})
        return _form_page(request, form)
    form = ComplaintForm(request.POST)
    wait = guard.hit("submit", client_ip(request))
    if wait is not None:
        return _form_page(request, form, errors=[guard.wait_message(wait)], status=429)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        guard.check(form.cleaned_data["challenge"], form.cleaned_data["answer"])
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("answer", "challenge")}
        complaint = services.submit(**data)
    except ValidationError as exc:
        return _form_page(request, form, errors=exc.messages, status=400)
    context = {"complaint": complaint, "days": services.handling_days()}
    return _public(request, "supervision/public_done.html", context)


@require_http_methods(["GET", "POST"])
def complaint_lookup(request: HttpRequest) -> HttpResponse:
    """POST, so the number stays out of URLs, access logs and browser history."""
    if request.method == "GET":
        return _public(request, "supervision/public_lookup.html", {"form": LookupForm()})
    form = LookupForm(request.POST)
    wait = guard.hit("lookup", client_ip(request))
    if wait is not None:
        context = {"form": form, "error": guard.wait_message(wait)}
        return _public(request, "supervision/public_lookup.html", context, status=429)
    complaint = selectors.public_lookup(form.data.get("number", "")) if form.is_valid() else None
    if complaint is None:
        error = NOT_FOUND if form.data.get("number", "").strip() else "请填写查询码。"
        context = {"form": form, "error": error}
        return _public(request, "supervision/public_lookup.html", context, status=404)
    # Status and reply only: the lookup shows nothing the number's holder did not write.
    result = {
        "status": complaint.get_status_display(),
        "reply": complaint.reply if complaint.status in (Status.HANDLED, Status.CLOSED) else "",
    }
    return _public(
        request, "supervision/public_lookup.html", {"form": LookupForm(), "result": result}
    )


# ---------------------------------------------------------------- staff


def handler_view(view):
    """Logged in (else the login page) and holding complaints.handle (else 403)."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not has_perm(request.user, "complaints.handle"):
            raise PermissionDenied("投诉举报仅对执法监督人员和执法主体主要负责人开放。")
        return view(request, *args, **kwargs)

    return wrapped


@handler_view
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.complaints_for(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    today = timezone.localdate()
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [
        {"c": c, "overdue": c.is_overdue(today), "full_contact": c.handler_id == request.user.pk}
        for c in page
    ]
    return render(
        request,
        "supervision/complaint_list.html",
        {
            "rows": rows,
            "page": page,
            "status": status,
            "overdue": overdue,
            "statuses": Status.choices,
        },
    )


def _detail(request, complaint: Complaint, *, error: str = "", status: int = 200):
    user = request.user
    supervises = services.can_supervise(user, complaint)
    context = {
        "c": complaint,
        "events": complaint.events.select_related("actor"),
        "overdue": complaint.is_overdue(),
        # Only the handling supervisor sees who complained: the body complained about never.
        "full_contact": complaint.handler_id == user.pk,
        "can_accept": supervises and complaint.status == Status.RECEIVED,
        "can_assign": supervises and complaint.status in (Status.RECEIVED, Status.ACCEPTED),
        "can_reply": services.can_reply(user, complaint),
        "can_close": supervises
        and complaint.status in (Status.RECEIVED, Status.ACCEPTED, Status.HANDLED),
        "error": error,
        "form": NoteForm(),
    }
    return render(request, "supervision/complaint_detail.html", context, status=status)


@handler_view
@require_GET
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.get_complaint(request.user, pk))


ACTIONS = {
    "accept": (services.accept, "已受理。"),
    "assign": (services.assign, "已转办至被投诉执法主体。"),
    "reply": (services.reply, "已答复，投诉办结。"),
    "close": (services.close, "已结案。"),
}


@handler_view
@require_POST
def complaint_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    complaint = selectors.get_complaint(request.user, pk)
    if action not in ACTIONS:
        raise Http404("未找到该操作。")
    service, done = ACTIONS[action]
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        service(request.user, complaint, note)
    except ValidationError as exc:
        return _detail(request, complaint, error="；".join(exc.messages), status=400)
    messages.success(request, done)
    return redirect("supervision:complaint_detail", pk=complaint.pk)
