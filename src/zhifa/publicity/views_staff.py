"""Staff pages of the publication workflow at /publicity/: the list with deadlines and overdue
flags, an item's page with its actions (review, publish, withdraw, ask not to publish, approve
that), and the QR code of an inspection or act. Reads are scoped (another body's item: 404);
the services check the permission again and write the ledger; refusals are shown in Chinese."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhifa.core.permissions import has_perm
from zhifa.registry.cards import card_qr_svg
from zhifa.registry.views import business_view

from . import selectors, services
from .models import PubStatus
from .tokens import act_path

OPEN = (PubStatus.DRAFT, PubStatus.REVIEWED)


@business_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    qs = selectors.staff_publications(request.user)
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status in PubStatus.values:
        qs = qs.filter(status=status)
    else:
        status = "all"
    today = timezone.localdate()
    items = list(qs.order_by("publish_due_on", "-id")[:200])
    for item in items:
        item.overdue = item.status in OPEN and item.publish_due_on < today
    return render(
        request,
        "publicity/index.html",
        {
            "items": items,
            "status": status,
            "statuses": [("open", "待办"), *PubStatus.choices, ("all", "全部")],
            "overdue_count": sum(1 for i in items if i.overdue),
        },
    )


@business_view
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    pub = selectors.get_staff_publication(request.user, pk)
    today = timezone.localdate()
    user = request.user
    return render(
        request,
        "publicity/detail.html",
        {
            "pub": pub,
            "overdue": pub.status in OPEN and pub.publish_due_on < today,
            "can_review": has_perm(user, "publicity.review") and pub.status == PubStatus.DRAFT,
            "can_publish": has_perm(user, "publicity.publish") and pub.status == PubStatus.REVIEWED,
            "can_withdraw": has_perm(user, "publicity.publish")
            and pub.status == PubStatus.PUBLISHED,
            "can_request": has_perm(user, "publicity.review")
            and pub.status in OPEN
            and not pub.not_publish_reason,
            "can_approve": has_perm(user, "publicity.approve")
            and pub.status in OPEN
            and bool(pub.not_publish_reason)
            and pub.not_publish_requested_by_id != user.pk,
            "masked": sorted(pub.masked_counts.items()),
            "today": today,
        },
    )


def _act(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    pub = selectors.get_staff_publication(request.user, pk)
    try:
        action(pub)
    except (ValidationError, PermissionDenied) as exc:
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text or "您没有执行此操作的权限。")
    else:
        messages.success(request, success)
    return redirect("publicity_staff:detail", pk=pub.pk)


def _names(value: str) -> tuple[str, ...]:
    return tuple(n for n in value.replace("，", ",").replace("、", ",").split(",") if n.strip())


@business_view
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    post = request.POST
    return _act(
        request,
        pk,
        lambda pub: services.review(
            request.user,
            pub,
            facts=post.get("facts"),
            legal_basis=post.get("legal_basis"),
            penalty=post.get("penalty"),
            conclusion=post.get("conclusion"),
            extra_names=_names(post.get("extra_names", "")[:500]),
        ),
        "已审核，可以发布。",
    )


@business_view
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda pub: services.publish(request.user, pub), "已发布到公示平台。")


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError("撤销或变更日期格式有误。") from None


@business_view
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    post = request.POST
    return _act(
        request,
        pk,
        lambda pub: services.withdraw(
            request.user, pub, post.get("reason", ""), _date(post.get("revoked_on", ""))
        ),
        "已撤回，撤回理由已公开。",
    )


@business_view
@require_POST
def request_not_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda pub: services.request_not_publish(request.user, pub, request.POST.get("reason", "")),
        "已提交不予公示申请，待主要负责人批准。",
    )


@business_view
@require_POST
def approve_not_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda pub: services.approve_not_publish(request.user, pub),
        "已批准不予公示。",
    )


@business_view
@require_GET
def act_qr(request: HttpRequest, case_id: int) -> HttpResponse:
    """The QR code to print on an inspection notice or show the party on site. The case is read
    through the case module's scoping (missing or not readable: 404)."""
    from zhifa.cases.selectors import get_case

    case = get_case(request.user, case_id)
    url = request.build_absolute_uri(act_path(case))
    return render(
        request, "publicity/act_qr.html", {"case": case, "url": url, "svg": card_qr_svg(url)}
    )
