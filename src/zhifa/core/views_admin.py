"""Administration pages for the three administrators (等保 2.0 三员分立).

System admin: organisations, accounts, the holiday table. Security admin: role grants. Audit
admin: the login and operation logs, read-only (GET only, no POST endpoint at all).

Thin views: each one first hides the page from users without the permission (403), fetches
objects through the admin's scope (404 when missing or out of scope), then calls a service,
which checks permission and scope again and does the change. A service ValidationError is
shown in Chinese on the page and nothing changes; a success redirects with a message, except a
temporary password, which is rendered once and never stored in a message cookie.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import calendar as cal
from . import selectors, services
from .masking import mask_phone
from .models import (
    CalendarDay,
    CalendarYear,
    DayKind,
    LoginLog,
    LoginResult,
    Membership,
    OperationLog,
    Organization,
    OrgKind,
    Region,
    Role,
    User,
)
from .permissions import require
from .validators import validate_mobile

PAGE_SIZE = 50


# ---------------------------------------------------------------- helpers


def _depth_of(org: Organization, base: int) -> int:
    return org.path.count("/") - 1 - base


def _tree(orgs: QuerySet[Organization]) -> list[tuple[Organization, int]]:
    """Organisations in tree order with their depth relative to the shallowest one."""
    rows = list(orgs.select_related("region", "parent").order_by("path"))
    if not rows:
        return []
    base = min(o.path.count("/") - 1 for o in rows)
    return [(o, _depth_of(o, base)) for o in rows]


def _org_choices(orgs: QuerySet[Organization]) -> list[tuple[str, str]]:
    return [("", "——请选择——")] + [
        (str(o.pk), f"{'　' * depth}{o.name}") for o, depth in _tree(orgs)
    ]


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


def _get_or_404(queryset: QuerySet, pk: int, message: str = "未找到该记录。"):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404(message)
    return obj


class OrgChoiceField(forms.ModelChoiceField):
    """Accepts any existing organisation id: whether it is in the admin's scope is the
    service's decision (PermissionDenied → 403). The select only offers the managed ones."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Organization.objects.filter(is_active=True))
        kwargs.setdefault("error_messages", {"invalid_choice": "请选择有效的组织。"})
        super().__init__(**kwargs)


class RegionChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", "——请选择——")
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.full_name()}（{obj.code}）"


class UserChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", "——请选择——")
        super().__init__(**kwargs)

    def label_from_instance(self, obj: User) -> str:
        home = obj.organization.name if obj.organization else "—"
        return f"{obj.display_name}（{obj.username}，{home}）"


# ---------------------------------------------------------------- organisations


class OrganizationForm(forms.Form):
    name = forms.CharField(label="名称", max_length=128)
    short_name = forms.CharField(label="简称", max_length=64, required=False)
    kind = forms.ChoiceField(label="类型", choices=OrgKind.choices)
    region = RegionChoiceField(
        label="行政区划",
        queryset=Region.objects.select_related("parent__parent"),
        error_messages={"invalid_choice": "请选择有效的行政区划。"},
    )
    parent = OrgChoiceField(label="上级组织")
    is_enforcement_body = forms.BooleanField(label="是执法主体", required=False)
    uscc = forms.CharField(label="统一社会信用代码", max_length=32, required=False)

    def __init__(self, *args, managed: QuerySet[Organization], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].widget.choices = _org_choices(managed)


@login_required
@require_GET
def admin_orgs(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.manage")
    return _orgs_page(request, None)


def _orgs_page(request: HttpRequest, form: OrganizationForm | None, status: int = 200):
    managed = selectors.admin_organizations(request.user, Role.SYSTEM_ADMIN)
    form = form or OrganizationForm(managed=managed)
    return render(
        request,
        "core/admin/orgs.html",
        {"tree": _tree(managed), "form": form},
        status=status,
    )


@login_required
@require_POST
def admin_org_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.manage")
    managed = selectors.admin_organizations(request.user, Role.SYSTEM_ADMIN)
    form = OrganizationForm(request.POST, managed=managed)
    if form.is_valid():
        data = form.cleaned_data
        try:
            org = services.create_organization(
                request.user,
                name=data["name"],
                short_name=data["short_name"].strip(),
                kind=data["kind"],
                region=data["region"],
                parent=data["parent"],
                is_enforcement_body=data["is_enforcement_body"],
                uscc=data["uscc"].strip(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已新增组织“{org.name}”。")
            return redirect("core:admin_orgs")
    return _orgs_page(request, form, status=400)


# ---------------------------------------------------------------- accounts


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        validators=User._meta.get_field("username").validators,
        help_text="字母、数字和 @/./+/-/_，登录时使用。",
    )
    full_name = forms.CharField(label="姓名", max_length=64)
    organization = OrgChoiceField(label="所属单位")
    phone = forms.CharField(label="手机号", max_length=20, required=False)

    def __init__(self, *args, managed: QuerySet[Organization], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].widget.choices = _org_choices(managed)

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return validate_mobile(phone) if phone else ""


def _managed_users(request: HttpRequest) -> QuerySet[User]:
    return selectors.managed_users(request.user, Role.SYSTEM_ADMIN)


@login_required
@require_GET
def admin_users(request: HttpRequest) -> HttpResponse:
    require(request.user, "accounts.manage")
    return _users_page(request, None)


def _users_page(request: HttpRequest, form: UserCreateForm | None, status: int = 200):
    managed = selectors.admin_organizations(request.user, Role.SYSTEM_ADMIN)
    form = form or UserCreateForm(managed=managed)
    users = _managed_users(request).order_by("organization__path", "username")
    rows = [
        {
            "user": u,
            "phone": mask_phone(u.phone) if u.phone else "",
            "locked": services.is_locked(u),
        }
        for u in users
    ]
    return render(request, "core/admin/users.html", {"rows": rows, "form": form}, status=status)


def _temporary_password_page(request: HttpRequest, target: User, password: str, created: bool):
    return render(
        request,
        "core/admin/temporary_password.html",
        {"target": target, "password": password, "created": created},
    )


@never_cache
@login_required
@require_POST
def admin_user_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "accounts.manage")
    managed = selectors.admin_organizations(request.user, Role.SYSTEM_ADMIN)
    form = UserCreateForm(request.POST, managed=managed)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user, temporary = services.create_user(
                request.user,
                username=data["username"],
                full_name=data["full_name"],
                organization=data["organization"],
                phone=data["phone"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _temporary_password_page(request, user, temporary or "", created=True)
    return _users_page(request, form, status=400)


@never_cache
@login_required
@require_POST
def admin_user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "accounts.manage")
    target = _get_or_404(_managed_users(request), pk, "未找到该账号。")
    try:
        temporary = services.reset_password(request.user, target)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("core:admin_users")
    return _temporary_password_page(request, target, temporary, created=False)


def _set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    require(request.user, "accounts.manage")
    target = _get_or_404(_managed_users(request), pk, "未找到该账号。")
    try:
        services.set_user_active(request.user, target, active)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        verb = "启用" if active else "停用"
        messages.success(request, f"已{verb}账号“{target.username}”。")
    return redirect("core:admin_users")


@login_required
@require_POST
def admin_user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, False)


@login_required
@require_POST
def admin_user_activate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, True)


@login_required
@require_POST
def admin_user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "accounts.manage")
    target = _get_or_404(_managed_users(request), pk, "未找到该账号。")
    services.unlock_user(request.user, target)
    messages.success(request, f"已解除账号“{target.username}”的登录锁定。")
    return redirect("core:admin_users")


# ---------------------------------------------------------------- roles


class GrantRoleForm(forms.Form):
    user = UserChoiceField(
        label="用户",
        queryset=User.objects.none(),
        error_messages={"invalid_choice": "请选择您管理范围内的有效账号。"},
    )
    organization = OrgChoiceField(label="组织")
    role = forms.ChoiceField(label="角色", choices=Role.choices)

    def __init__(self, *args, actor: User, managed: QuerySet[Organization], **kwargs):
        super().__init__(*args, **kwargs)
        # The account must belong to an organisation this security admin manages; whether the
        # organisation granted in is in scope is checked by the service.
        self.fields["user"].queryset = (
            selectors.managed_users(actor, Role.SECURITY_ADMIN)
            .filter(is_active=True)
            .order_by("organization__path", "username")
        )
        self.fields["organization"].widget.choices = _org_choices(managed)
        self.fields["role"].choices = [("", "——请选择——"), *Role.choices]


def _scoped_memberships(request: HttpRequest) -> QuerySet[Membership]:
    orgs = selectors.admin_organizations(request.user, Role.SECURITY_ADMIN)
    return Membership.objects.filter(organization__in=orgs.values("pk"))


@login_required
@require_GET
def admin_roles(request: HttpRequest) -> HttpResponse:
    require(request.user, "roles.manage")
    return _roles_page(request, None)


def _roles_page(request: HttpRequest, form: GrantRoleForm | None, status: int = 200):
    managed = selectors.admin_organizations(request.user, Role.SECURITY_ADMIN)
    form = form or GrantRoleForm(actor=request.user, managed=managed)
    memberships = (
        _scoped_memberships(request)
        .select_related("user", "organization", "granted_by")
        .order_by("organization__path", "role", "user__username")
    )
    return render(
        request,
        "core/admin/roles.html",
        {"memberships": memberships, "form": form},
        status=status,
    )


@login_required
@require_POST
def admin_role_grant(request: HttpRequest) -> HttpResponse:
    require(request.user, "roles.manage")
    managed = selectors.admin_organizations(request.user, Role.SECURITY_ADMIN)
    form = GrantRoleForm(request.POST, actor=request.user, managed=managed)
    if form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.grant_role(
                request.user, data["user"], data["organization"], data["role"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已授予：{membership}。")
            return redirect("core:admin_roles")
    return _roles_page(request, form, status=400)


@login_required
@require_POST
def admin_role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "roles.manage")
    membership = _get_or_404(
        _scoped_memberships(request).select_related("user", "organization"),
        pk,
        "未找到该授权。",
    )
    label = str(membership)
    services.revoke_role(request.user, membership)
    messages.success(request, f"已撤销：{label}。")
    return redirect("core:admin_roles")


# ---------------------------------------------------------------- holiday table


class CalendarDayForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="类型", choices=DayKind.choices)
    name = forms.CharField(label="名称", max_length=64, required=False, help_text="如：春节")


class ConfirmYearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    source = forms.CharField(
        label="来源", max_length=128, help_text="国务院办公厅通知的文号，如：国办发明电〔2025〕7号"
    )


def _year_param(raw: str | None) -> int:
    try:
        year = int(raw or "")
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _calendar_page(
    request: HttpRequest,
    year: int,
    *,
    day_form: CalendarDayForm | None = None,
    confirm_form: ConfirmYearForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    confirmed = {row.year: row for row in CalendarYear.objects.all()}
    days = CalendarDay.objects.filter(date__year=year)
    context = {
        "year": year,
        "prev_year": year - 1,
        "next_year": year + 1,
        "confirmed_years": list(confirmed.values()),
        "year_confirmed": confirmed.get(year),
        "warning": cal.calendar_warning(),
        "days": [(d, cal.WEEKDAY_NAMES[d.date.weekday()]) for d in days],
        "day_form": day_form or CalendarDayForm(initial={"date": datetime.date(year, 1, 1)}),
        "confirm_form": confirm_form or ConfirmYearForm(initial={"year": year}),
        "errors": errors or [],
    }
    return render(request, "core/admin/calendar.html", context, status=status)


def _calendar_url(year: int) -> str:
    return f"{reverse('core:admin_calendar')}?{urlencode({'year': year})}"


@login_required
@require_GET
def admin_calendar(request: HttpRequest) -> HttpResponse:
    require(request.user, "calendar.manage")
    return _calendar_page(request, _year_param(request.GET.get("year")))


@login_required
@require_POST
def admin_calendar_add(request: HttpRequest) -> HttpResponse:
    require(request.user, "calendar.manage")
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            day = cal.add_calendar_day(request.user, data["date"], data["kind"], data["name"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已添加：{day}。")
            return redirect(_calendar_url(day.date.year))
    year = form.cleaned_data["date"].year if form.cleaned_data.get("date") else None
    return _calendar_page(
        request, year or _year_param(request.GET.get("year")), day_form=form, status=400
    )


@login_required
@require_POST
def admin_calendar_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "calendar.manage")
    day = CalendarDay.objects.filter(pk=pk).first()
    year = day.date.year if day else _year_param(request.GET.get("year"))
    try:
        cal.remove_calendar_day(request.user, pk)
    except ValidationError as exc:
        return _calendar_page(request, year, errors=exc.messages, status=400)
    messages.success(request, f"已删除：{day}。")
    return redirect(_calendar_url(year))


@login_required
@require_POST
def admin_calendar_confirm(request: HttpRequest) -> HttpResponse:
    require(request.user, "calendar.manage")
    form = ConfirmYearForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = cal.confirm_calendar_year(request.user, data["year"], data["source"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已确认 {row.year} 年节假日安排（来源：{row.source}）。")
            return redirect(_calendar_url(row.year))
    year = form.cleaned_data.get("year") or _year_param(request.GET.get("year"))
    return _calendar_page(request, year, confirm_form=form, status=400)


# ---------------------------------------------------------------- audit logs (read-only)


class LogFilterForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, required=False)
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data


class LoginLogFilterForm(LogFilterForm):
    result = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), *LoginResult.choices]
    )


def _filtered(form: LogFilterForm, queryset: QuerySet) -> QuerySet:
    """Apply the filters that parsed; a bad field is reported on the page and ignored."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    if data.get("username", "").strip():
        queryset = queryset.filter(username__icontains=data["username"].strip())
    range_ok = "__all__" not in form.errors
    if data.get("date_from") and range_ok:
        queryset = queryset.filter(at__date__gte=data["date_from"])
    if data.get("date_to") and range_ok:
        queryset = queryset.filter(at__date__lte=data["date_to"])
    if data.get("result"):
        queryset = queryset.filter(result=data["result"])
    return queryset


def _log_page(request: HttpRequest, template: str, form: LogFilterForm, queryset: QuerySet):
    page = Paginator(_filtered(form, queryset), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {"form": form, "page": page, "query": query.urlencode()},
        status=200,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def audit_logins(request: HttpRequest) -> HttpResponse:
    require(request.user, "logs.view")
    return _log_page(
        request,
        "core/admin/audit_logins.html",
        LoginLogFilterForm(request.GET),
        LoginLog.objects.all(),
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def audit_operations(request: HttpRequest) -> HttpResponse:
    require(request.user, "logs.view")
    return _log_page(
        request,
        "core/admin/audit_operations.html",
        LogFilterForm(request.GET),
        OperationLog.objects.all(),
    )


urlpatterns = [
    path("manage/orgs/", admin_orgs, name="admin_orgs"),
    path("manage/orgs/new/", admin_org_create, name="admin_org_create"),
    path("manage/users/", admin_users, name="admin_users"),
    path("manage/users/new/", admin_user_create, name="admin_user_create"),
    path(
        "manage/users/<int:pk>/reset-password/",
        admin_user_reset_password,
        name="admin_user_reset_password",
    ),
    path("manage/users/<int:pk>/deactivate/", admin_user_deactivate, name="admin_user_deactivate"),
    path("manage/users/<int:pk>/activate/", admin_user_activate, name="admin_user_activate"),
    path("manage/users/<int:pk>/unlock/", admin_user_unlock, name="admin_user_unlock"),
    path("manage/roles/", admin_roles, name="admin_roles"),
    path("manage/roles/grant/", admin_role_grant, name="admin_role_grant"),
    path("manage/roles/<int:pk>/revoke/", admin_role_revoke, name="admin_role_revoke"),
    path("manage/calendar/", admin_calendar, name="admin_calendar"),
    path("manage/calendar/add/", admin_calendar_add, name="admin_calendar_add"),
    path("manage/calendar/<int:pk>/remove/", admin_calendar_remove, name="admin_calendar_remove"),
    path("manage/calendar/confirm/", admin_calendar_confirm, name="admin_calendar_confirm"),
    path("audit/logins/", audit_logins, name="audit_logins"),
    path("audit/operations/", audit_operations, name="audit_operations"),
]
