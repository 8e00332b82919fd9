"""Power list edit pages: create a list, add or edit a matter of a draft, publish a draft, start
a new draft version. Reads go through the scoped selectors (other bodies' objects give 404);
changing needs ``powers.manage`` over the body (else 403). Every change goes through the
services, which check again and write the ledger; their refusals are shown on the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from zhifa.core.models import Organization, User
from zhifa.registry.selectors import get_body_org
from zhifa.registry.views import business_view

from . import selectors, services
from .forms import ConfirmForm, MatterForm, PowerListForm
from .models import ListStatus, Matter, PowerList


def _require_manage(user: User, org: Organization) -> None:
    if not services.can_manage(user, org):
        raise PermissionDenied("您不能管理该执法主体的权责清单。")


def _form_page(
    request, form, action, *, success, done, context: dict, submit: str = "保存"
) -> HttpResponse:
    """GET shows the form. POST validates it and runs `action(cleaned_data)`: on success,
    redirect to `done(result)` with the `success` message; on a refusal, show the form again
    with the service's reasons (400)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = action(dict(form.cleaned_data))
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, success)
                return redirect(done(result))
    return render(
        request, "powers/form.html", {"form": form, "submit": submit, **context}, status=status
    )


def _matter_fields(data: dict) -> dict:
    data.pop("code", None)
    if data.get("sort_order") is None:
        data["sort_order"] = 0
    return data


@business_view
@require_http_methods(["GET", "POST"])
def list_create(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_body_org(request.user, org_id)
    _require_manage(request.user, org)
    form = PowerListForm(request.POST or None)
    return _form_page(
        request,
        form,
        lambda data: services.create_list(request.user, org, data["year"], data["title"]),
        success="权责清单已创建。",
        done=lambda plist: plist.get_absolute_url(),
        context={"title": f"新建权责清单：{org.name}", "back": "/powers/"},
    )


def _managed_list(request: HttpRequest, pk: int) -> PowerList:
    plist = selectors.get_power_list(request.user, pk)
    _require_manage(request.user, plist.organization)
    return plist


def _draft_hint(plist: PowerList) -> str:
    if plist.status != ListStatus.DRAFT:
        return "该清单已发布，不能修改；请新建草稿版本后修改。"
    return ""


@business_view
@require_http_methods(["GET", "POST"])
def matter_create(request: HttpRequest, pk: int) -> HttpResponse:
    plist = _managed_list(request, pk)
    form = MatterForm(request.POST or None, organization=plist.organization)

    def create(data: dict) -> Matter:
        code = data["code"]
        if Matter.objects.filter(power_list=plist, code=code.strip()).exists():
            raise ValidationError("该清单中已有此事项编码。")
        matter, _ = services.save_matter(request.user, plist, code, **_matter_fields(data))
        return matter

    return _form_page(
        request,
        form,
        create,
        success="事项已添加。",
        done=lambda matter: matter.get_absolute_url(),
        context={
            "title": f"添加事项：{plist}",
            "hint": _draft_hint(plist),
            "back": plist.get_absolute_url(),
        },
    )


@business_view
@require_http_methods(["GET", "POST"])
def matter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    matter = selectors.get_matter(request.user, pk)
    plist = matter.power_list
    _require_manage(request.user, plist.organization)
    form = MatterForm(request.POST or None, organization=plist.organization, matter=matter)

    def save(data: dict) -> Matter:
        saved, _ = services.save_matter(request.user, plist, matter.code, **_matter_fields(data))
        return saved

    return _form_page(
        request,
        form,
        save,
        success="事项已保存。",
        done=lambda saved: saved.get_absolute_url(),
        context={
            "title": f"编辑事项：{matter.code} {matter.name}",
            "subtitle": str(plist),
            "hint": _draft_hint(plist),
            "back": matter.get_absolute_url(),
        },
    )


@business_view
@require_http_methods(["GET", "POST"])
def list_publish(request: HttpRequest, pk: int) -> HttpResponse:
    plist = _managed_list(request, pk)
    return _form_page(
        request,
        ConfirmForm(request.POST or None),
        lambda data: services.publish_list(request.user, plist),
        success="权责清单已发布。",
        done=lambda published: published.get_absolute_url(),
        submit="发布",
        context={
            "title": f"发布：{plist}",
            "subtitle": f"共{plist.matters.count()}项事项",
            "hint": _draft_hint(plist) or "发布后本版本不能再修改，修改需新建草稿版本。",
            "back": plist.get_absolute_url(),
        },
    )


@business_view
@require_http_methods(["GET", "POST"])
def list_new_draft(request: HttpRequest, pk: int) -> HttpResponse:
    plist = _managed_list(request, pk)

    def start(data: dict) -> PowerList:
        if plist.status != ListStatus.PUBLISHED:
            raise ValidationError("只能从已发布的清单新建草稿版本。")
        return services.new_draft(request.user, plist)

    return _form_page(
        request,
        ConfirmForm(request.POST or None),
        start,
        success="已新建草稿版本。",
        done=lambda draft: draft.get_absolute_url(),
        submit="新建草稿版本",
        context={
            "title": f"新建草稿版本：{plist}",
            "hint": "新草稿复制本版本的全部事项；本版本保持不变。",
            "back": plist.get_absolute_url(),
        },
    )
