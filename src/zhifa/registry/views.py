"""Register pages: bodies, body detail with warnings, officers (list, card with QR, forms),
training records, legal reviewers and advisers. Thin: parse, call a selector or service,
render. Reads are scoped (other bodies' objects give 404); business roles only (admins 403)."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.core.models import Organization, OrgKind, User
from zhifa.core.permissions import has_perm
from zhifa.core.selectors import acting_organizations

from . import cards, rules, selectors, services
from .forms import (
    AdviserEditForm,
    AdviserForm,
    BodyForm,
    OfficerForm,
    ReviewerForm,
    TrainingForm,
    WithdrawForm,
)
from .models import EnforcementBody, LegalAdviser, LegalReviewer, OfficerStatus


def business_view(view):
    """Logged in (else the login page) and holding a business role (else 403)."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not has_perm(request.user, "business.view"):
            raise PermissionDenied("执法主体与人员信息仅对执法业务人员开放。")
        return view(request, *args, **kwargs)

    return wrapped


def _profile(org: Organization) -> EnforcementBody | None:
    try:
        return org.enforcement_profile
    except EnforcementBody.DoesNotExist:
        return None


def _require_manage(user: User, org: Organization) -> None:
    if not services.can_manage(user, org):
        raise PermissionDenied("您不能管理该组织的执法主体与人员信息。")


def _managed_units(user: User, body: EnforcementBody | None = None):
    """Organisations the user may register officers in (within registered bodies)."""
    if not has_perm(user, "registry.manage"):
        return Organization.objects.none()
    orgs = acting_organizations(user, roles=set(services.MANAGE_ROLES)).exclude(
        kind=OrgKind.LAW_FIRM
    )
    ids = []
    for org in orgs.filter(is_active=True):
        found = services.body_of(org)
        if found is not None and (body is None or found.pk == body.pk):
            ids.append(org.pk)
    return Organization.objects.filter(pk__in=ids).order_by("path")


def _linkable_users(body: EnforcementBody):
    return User.objects.filter(
        is_active=True, organization__path__startswith=body.organization.path
    ).order_by("username")


def _form_error(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


def _form_page(request, form, action, *, success, done, context: dict) -> HttpResponse:
    """GET shows the form. POST validates it and runs the service `action(cleaned_data)`: on
    success, redirect to `done` with the `success` message (each may be a callable taking the
    action's result); on a refusal, show the form again with the service's reasons (400)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = action(dict(form.cleaned_data))
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, success(result) if callable(success) else success)
                return redirect(done(result) if callable(done) else done)
    return render(request, "registry/form.html", {"form": form, **context}, status=status)


# ---------------------------------------------------------------- bodies


@business_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    orgs = selectors.readable_body_orgs(request.user).order_by("path")
    today = timezone.localdate()
    expiring: dict[int, int] = {}
    for body_id in selectors.expiring_certificates(request.user, today=today).values_list(
        "body_id", flat=True
    ):
        expiring[body_id] = expiring.get(body_id, 0) + 1
    rows = []
    for org in orgs:
        body = _profile(org)
        rows.append(
            {
                "org": org,
                "body": body,
                "ratio": rules.reviewer_ratio(body) if body else None,
                "officers": body.officers.filter(status=OfficerStatus.ACTIVE).count()
                if body
                else 0,
                "expiring": expiring.get(body.pk, 0) if body else 0,
            }
        )
    # What a supervisor (and the body itself) must act on, above the table.
    short = [row for row in rows if row["ratio"] is not None and not row["ratio"].ok]
    return render(
        request,
        "registry/index.html",
        {
            "rows": rows,
            "short": short,
            "expiring_rows": [row for row in rows if row["expiring"]],
            "warning_days": rules.CERTIFICATE_WARNING_DAYS,
        },
    )


@business_view
@require_GET
def body_detail(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.get_body_org(request.user, org_id)
    body = _profile(org)
    today = timezone.localdate()
    context = {
        "org": org,
        "body": body,
        "units": Organization.objects.filter(parent=org, is_active=True).order_by("path"),
        "can_manage_body": services.can_manage(request.user, org),
        "can_add_officer": body is not None and _managed_units(request.user, body).exists(),
    }
    if body is not None:
        officer_rows = [
            {"officer": o, "cert": rules.certificate_status(o, today)}
            for o in selectors.body_officers(request.user, body)
        ]
        context.update(
            {
                "ratio": rules.reviewer_ratio(body),
                "expiring": [
                    {"officer": o, "cert": rules.certificate_status(o, today)}
                    for o in selectors.expiring_certificates(request.user, body=body, today=today)
                ],
                "officer_rows": officer_rows,
                "reviewers": selectors.reviewers_of(body),
                "advisers": selectors.advisers_of(body),
                "warning_days": rules.CERTIFICATE_WARNING_DAYS,
            }
        )
    return render(request, "registry/body_detail.html", context)


@business_view
@require_http_methods(["GET", "POST"])
def body_edit(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.get_body_org(request.user, org_id)
    _require_manage(request.user, org)
    body = _profile(org)
    initial = BodyForm.initial_for(body) if body else {"uscc": org.uscc, "area": ""}
    form = BodyForm(request.POST or None, initial=initial)

    def save(data):
        if body is None:
            return services.create_body(request.user, org, **data)
        return services.update_body(request.user, body, **data)

    back = reverse("registry:body_detail", args=[org.pk])
    return _form_page(
        request,
        form,
        save,
        success="执法主体信息已保存。",
        done=back,
        context={
            "title": f"{'变更' if body else '登记'}执法主体信息",
            "subtitle": org.name,
            "back": back,
        },
    )


# ---------------------------------------------------------------- officers


@business_view
@require_GET
def officer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    params = request.GET
    state = params.get("cert", "")
    if state not in rules.CertificateState.values:
        state = ""
    status = params.get("status", "")
    if status not in OfficerStatus.values:
        status = ""
    unit = params.get("unit", "")
    unit = int(unit) if unit.isdigit() else None
    search = params.get("q", "")[:64]
    qs = selectors.officers(
        user, unit=unit, status=status, certificate_state=state, search=search, today=today
    )
    page = Paginator(qs, 50).get_page(params.get("page"))
    rows = [{"officer": o, "cert": rules.certificate_status(o, today)} for o in page]
    units = Organization.objects.filter(
        pk__in=selectors.officers(user).values("organization")
    ).order_by("path")
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/officer_list.html",
        {
            "rows": rows,
            "page": page,
            "units": units,
            "statuses": OfficerStatus.choices,
            "cert_states": rules.CertificateState.choices,
            "selected": {"unit": unit, "status": status, "cert": state, "q": search},
            "query": query.urlencode(),
            "can_add": _managed_units(user).exists(),
        },
    )


@business_view
@require_GET
def officer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    officer = selectors.get_officer(request.user, pk)
    today = timezone.localdate()
    verify_url = request.build_absolute_uri(cards.verify_path(officer))
    return render(
        request,
        "registry/officer_detail.html",
        {
            "officer": officer,
            "cert": rules.certificate_status(officer, today),
            "qr_svg": cards.card_qr_svg(verify_url),
            "verify_url": verify_url,
            "trainings": officer.trainings.all(),
            "hours_by_year": selectors.training_hours_by_year(officer),
            "appointments": officer.reviewer_appointments.select_related("body__organization"),
            "can_manage": services.can_manage(request.user, officer.organization),
        },
    )


@business_view
@require_GET
def officer_photo(request: HttpRequest, pk: int) -> HttpResponse:
    officer = selectors.get_officer(request.user, pk)
    if not officer.photo:
        raise Http404("未上传照片。")
    try:
        stream = default_storage.open(officer.photo.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("照片文件不存在。") from None
    content_type = "image/png" if officer.photo.name.endswith(".png") else "image/jpeg"
    response = FileResponse(stream, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@business_view
@require_http_methods(["GET", "POST"])
def officer_create(request: HttpRequest) -> HttpResponse:
    units = _managed_units(request.user)
    if not units.exists():
        raise PermissionDenied("您不能登记执法人员。")
    body_paths = {services.body_of(unit).organization.path for unit in units}
    in_bodies = Q(pk__in=[])
    for path in body_paths:
        in_bodies |= Q(organization__path__startswith=path)
    users = User.objects.filter(in_bodies, is_active=True, officer_record__isnull=True).order_by(
        "username"
    )
    form = OfficerForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        users=users,
        initial={"status": OfficerStatus.ACTIVE, "gender": "male"},
    )

    def create(data):
        photo = data.pop("photo")
        return services.create_officer(request.user, photo=photo or None, **data)

    return _form_page(
        request,
        form,
        create,
        success=lambda officer: f"已登记执法人员{officer.name}。",
        done=lambda officer: reverse("registry:officer_detail", args=[officer.pk]),
        context={
            "title": "登记执法人员",
            "back": reverse("registry:officer_list"),
            "multipart": True,
        },
    )


@business_view
@require_http_methods(["GET", "POST"])
def officer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    officer = selectors.get_officer(request.user, pk)
    _require_manage(request.user, officer.organization)
    form = OfficerForm(
        request.POST or None,
        request.FILES or None,
        units=_managed_units(request.user, officer.body),
        users=_linkable_users(officer.body).filter(
            Q(officer_record__isnull=True) | Q(officer_record=officer)
        ),
        initial=OfficerForm.initial_for(officer),
    )

    def update(data):
        photo = data.pop("photo")
        if photo is False:  # "clear" ticked: keep the photo, the register has no delete
            photo = None
        return services.update_officer(request.user, officer, photo=photo or None, **data)

    back = reverse("registry:officer_detail", args=[officer.pk])
    return _form_page(
        request,
        form,
        update,
        success="执法人员信息已保存。",
        done=back,
        context={"title": f"变更执法人员信息：{officer.name}", "back": back, "multipart": True},
    )


@business_view
@require_http_methods(["GET", "POST"])
def training_create(request: HttpRequest, pk: int) -> HttpResponse:
    officer = selectors.get_officer(request.user, pk)
    _require_manage(request.user, officer.organization)
    form = TrainingForm(request.POST or None, initial={"date": timezone.localdate()})
    back = reverse("registry:officer_detail", args=[officer.pk])
    return _form_page(
        request,
        form,
        lambda data: services.add_training(request.user, officer, **data),
        success="培训记录已登记。",
        done=back,
        context={
            "title": "登记培训记录",
            "subtitle": f"{officer.name}（{officer.certificate_no}）",
            "back": back,
        },
    )


# ---------------------------------------------------------------- reviewers and advisers


def _managed_body(request: HttpRequest, org_id: int) -> EnforcementBody:
    org = selectors.get_body_org(request.user, org_id)
    _require_manage(request.user, org)
    body = _profile(org)
    if body is None:
        raise Http404("请先登记执法主体信息。")
    return body


@business_view
@require_http_methods(["GET", "POST"])
def reviewer_appoint(request: HttpRequest, org_id: int) -> HttpResponse:
    body = _managed_body(request, org_id)
    form = ReviewerForm(
        request.POST or None,
        officers=list(
            body.officers.filter(status=OfficerStatus.ACTIVE).select_related("organization")
        ),
        advisers=list(body.advisers.filter(active=True).select_related("law_firm")),
        initial={"appointed_on": timezone.localdate(), "first_time": True},
    )
    back = reverse("registry:body_detail", args=[body.organization_id])
    return _form_page(
        request,
        form,
        lambda data: services.appoint_reviewer(
            request.user,
            body,
            appointed_on=data["appointed_on"],
            first_time=data["first_time"],
            **form.person_kwargs(),
        ),
        success="已任命法制审核人员。",
        done=back,
        context={
            "title": "任命法制审核人员",
            "subtitle": body.organization.name,
            "hint": rules.FIRST_TIME_REVIEWER_BASIS,
            "back": back,
        },
    )


@business_view
@require_http_methods(["GET", "POST"])
def reviewer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    reviewer = (
        LegalReviewer.objects.filter(
            pk=pk, body__in=selectors.readable_bodies(request.user).values("pk")
        )
        .select_related("body__organization", "officer", "adviser")
        .first()
    )
    if reviewer is None:
        raise Http404("未找到该法制审核人员。")
    _require_manage(request.user, reviewer.body.organization)
    form = WithdrawForm(request.POST or None, initial={"withdrawn_on": timezone.localdate()})
    back = reverse("registry:body_detail", args=[reviewer.body.organization_id])
    return _form_page(
        request,
        form,
        lambda data: services.withdraw_reviewer(request.user, reviewer, **data),
        success=f"已撤销{reviewer.person_name}的法制审核人员任命。",
        done=back,
        context={"title": f"撤销法制审核人员：{reviewer.person_name}", "back": back},
    )


@business_view
@require_http_methods(["GET", "POST"])
def adviser_create(request: HttpRequest, org_id: int) -> HttpResponse:
    body = _managed_body(request, org_id)
    form = AdviserForm(request.POST or None)
    back = reverse("registry:body_detail", args=[body.organization_id])
    return _form_page(
        request,
        form,
        lambda data: services.create_adviser(request.user, body, **data),
        success="法律顾问已登记。",
        done=back,
        context={"title": "登记法律顾问", "subtitle": body.organization.name, "back": back},
    )


@business_view
@require_http_methods(["GET", "POST"])
def adviser_edit(request: HttpRequest, pk: int) -> HttpResponse:
    adviser = (
        LegalAdviser.objects.filter(
            pk=pk, body__in=selectors.readable_bodies(request.user).values("pk")
        )
        .select_related("body__organization", "law_firm")
        .first()
    )
    if adviser is None:
        raise Http404("未找到该法律顾问。")
    _require_manage(request.user, adviser.body.organization)
    form = AdviserEditForm(request.POST or None, initial=AdviserEditForm.initial_for(adviser))
    back = reverse("registry:body_detail", args=[adviser.body.organization_id])
    return _form_page(
        request,
        form,
        lambda data: services.update_adviser(request.user, adviser, **data),
        success="法律顾问信息已保存。",
        done=back,
        context={
            "title": f"变更法律顾问信息：{adviser.name}",
            "subtitle": adviser.body.organization.name,
            "hint": "解聘的法律顾问不再计入法制审核人员；其审核人员任命请另行撤销。",
            "back": back,
        },
    )
