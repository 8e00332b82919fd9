"""Thin views: parse input, call a service or selector, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import LoginForm, PasswordChangeForm
from .middleware import password_change_required
from .models import LoginResult, Role
from .pagecache import render_memoized
from .permissions import has_perm, memberships_of, user_roles

LOCKED_MESSAGE = "登录失败次数过多，账号已被锁定 {minutes} 分钟。请稍后再试，或联系系统管理员解锁。"


def _lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME * 60)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or "core:home")
    form = LoginForm(request.POST or None)
    error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is not None:
            login(request, user)
            services.record_login(request, username, LoginResult.SUCCESS, user)
            return redirect(next_url or "core:home")
        if getattr(request, "axes_locked_out", False):
            services.record_login(request, username, LoginResult.LOCKED)
            error = LOCKED_MESSAGE.format(minutes=_lockout_minutes())
            status = 403
        else:
            services.record_login(request, username, LoginResult.FAILURE)
            error = "用户名或密码错误。"
            status = 401
    elif request.method == "POST":
        error = "请输入用户名和密码。"
        status = 400
    return render(
        request,
        "core/login.html",
        {"form": form, "error": error, "next": next_url},
        status=status,
    )


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """Axes calls this when it locks an account; the login view has already said why."""
    if original_response is not None:
        return original_response
    return render(
        request,
        "core/login.html",
        {"form": LoginForm(), "error": LOCKED_MESSAGE.format(minutes=_lockout_minutes())},
        status=403,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.record_login(request, request.user.username, LoginResult.LOGOUT, request.user)
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("core:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Plain values only: the page is memoised per distinct set of them (core/pagecache.py).
    user = request.user
    memberships = memberships_of(user)
    is_business = has_perm(user, "business.view")
    values: dict[str, object] = {
        "org_name": user.organization.name if user.organization_id else "",
        "roles": tuple((Role(m.role).label, m.organization.name) for m in memberships),
        "is_business": is_business,
        "calendar_warning": None,
        "acting_orgs": (),
        "supervised_orgs": (),
    }
    if has_perm(user, "calendar.manage"):
        from .calendar import calendar_warning

        values["calendar_warning"] = calendar_warning()
    if is_business:
        # The bodies the user works for: a membership's organisation or, for a unit, its
        # parent body — read from the memberships already loaded, no further query.
        bodies: dict[int, str] = {}
        for m in memberships:
            if m.role == Role.SUPERVISOR:
                continue
            org = m.organization
            body = org if org.is_enforcement_body else org.parent
            if body is not None and body.is_enforcement_body:
                bodies[body.pk] = body.name
        values["acting_orgs"] = tuple(bodies.items())
        if any(m.role == Role.SUPERVISOR for m in memberships):
            values["supervised_orgs"] = tuple(
                selectors.supervised_organizations(user)
                .filter(is_enforcement_body=True)
                .values_list("pk", "name")
            )
    return render_memoized(request, "core/home.html", values)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/profile.html",
        {
            "memberships": request.user.memberships.select_related("organization"),
            "roles": sorted(user_roles(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(
                request.user, form.cleaned_data["old_password"], form.cleaned_data["new_password"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            # Changing the password rotates the session hash; keep this session logged in.
            from django.contrib.auth import update_session_auth_hash

            request.user.refresh_from_db()
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("core:home")
    return render(
        request,
        "core/password_change.html",
        {"form": form, "forced": password_change_required(request.user)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    orgs = selectors.readable_organizations(request.user).select_related("region", "parent")
    return render(request, "core/org_list.html", {"orgs": orgs})


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.get_readable_organization(request.user, pk)
    children = selectors.readable_organizations(request.user).filter(parent=org)
    return render(request, "core/org_detail.html", {"org": org, "children": children})
