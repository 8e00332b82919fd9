"""Edit pages of a body's own discretion benchmarks (with their grades) and no-penalty items.
Reads go through the scoped selectors (other bodies' items give 404); changing needs
``powers.manage`` over the owning body (else 403); reference tables (another region's) are
read-only (403). The services check again, write the ledger (before/after) and their refusals
are shown on the form (400, nothing saved)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from zhifa.core.models import Organization
from zhifa.registry.selectors import get_body_org
from zhifa.registry.views import business_view

from . import selectors, services
from .forms import BenchmarkForm, GradeFormSet, NoPenaltyForm, grade_initial, grades_from
from .models import DiscretionBenchmark, NoPenaltyItem


def _managed_body(request: HttpRequest, org_id: int) -> Organization:
    org = get_body_org(request.user, org_id)
    if not org.is_enforcement_body or not services.can_manage(request.user, org):
        raise PermissionDenied("您不能管理该执法主体的裁量基准。")
    return org


def _require_owner(request: HttpRequest, org: Organization | None) -> Organization:
    if org is None:
        raise PermissionDenied(services.REFERENCE_REFUSED)
    if not services.can_manage(request.user, org):
        raise PermissionDenied("您不能管理该执法主体的裁量基准。")
    return org


def _benchmark_page(
    request: HttpRequest, org: Organization, bench: DiscretionBenchmark | None
) -> HttpResponse:
    form = BenchmarkForm(request.POST or None, bench=bench)
    formset = GradeFormSet(
        request.POST or None,
        prefix="grades",
        initial=grade_initial(bench) if bench is not None and not request.POST else None,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            try:
                if bench is None:
                    source, item_no = data.pop("source").strip(), data.pop("item_no").strip()
                    # a new page never edits an existing benchmark
                    if DiscretionBenchmark.objects.filter(source=source, item_no=item_no).exists():
                        raise ValidationError("该来源表中已有此序号的裁量基准，请在其页面编辑。")
                    saved, _ = services.save_benchmark(
                        request.user, org, source, item_no, grades=grades_from(formset), **data
                    )
                else:
                    saved = services.update_benchmark(
                        request.user, bench, grades=grades_from(formset), **data
                    )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "裁量基准已保存。")
                return redirect(saved.get_absolute_url())
    back = bench.get_absolute_url() if bench else reverse("powers:discretion")
    title = f"编辑裁量基准：{bench.item_no}" if bench else f"新建裁量基准：{org.name}"
    return render(
        request,
        "powers/benchmark_form.html",
        {"form": form, "formset": formset, "title": title, "back": back, "org": org},
        status=status,
    )


@business_view
@require_http_methods(["GET", "POST"])
def benchmark_create(request: HttpRequest, org_id: int) -> HttpResponse:
    return _benchmark_page(request, _managed_body(request, org_id), None)


@business_view
@require_http_methods(["GET", "POST"])
def benchmark_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bench = selectors.get_benchmark(request.user, pk)
    org = _require_owner(request, bench.organization)
    return _benchmark_page(request, org, bench)


def _no_penalty_page(
    request: HttpRequest, org: Organization, item: NoPenaltyItem | None
) -> HttpResponse:
    form = NoPenaltyForm(request.POST or None, item=item)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if item is None:
                    source, item_no = data.pop("source").strip(), data.pop("item_no").strip()
                    if NoPenaltyItem.objects.filter(source=source, item_no=item_no).exists():
                        raise ValidationError("该清单中已有此序号的事项，请在清单中编辑。")
                    services.save_no_penalty_item(request.user, org, source, item_no, **data)
                else:
                    services.update_no_penalty_item(request.user, item, **data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "不予处罚事项已保存。")
                return redirect("powers:no_penalty")
    title = f"编辑不予处罚事项：{item.item_no}" if item else f"新增不予处罚事项：{org.name}"
    return render(
        request,
        "powers/form.html",
        {
            "form": form,
            "title": title,
            "submit": "保存",
            "hint": "依据《中华人民共和国行政处罚法》第三十三条第一款：“违法行为轻微并及时改正，"
            "没有造成危害后果的，不予行政处罚。初次违法且危害后果轻微并及时改正的，可以不予行政处罚。”",
            "back": reverse("powers:no_penalty"),
        },
        status=status,
    )


@business_view
@require_http_methods(["GET", "POST"])
def no_penalty_create(request: HttpRequest, org_id: int) -> HttpResponse:
    return _no_penalty_page(request, _managed_body(request, org_id), None)


@business_view
@require_http_methods(["GET", "POST"])
def no_penalty_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_no_penalty_item(request.user, pk)
    org = _require_owner(request, item.organization)
    return _no_penalty_page(request, org, item)
