"""Forms of the power list edit pages. They only parse input; the services validate and decide."""

from __future__ import annotations

from django import forms

from zhifa.core.models import Organization

from .models import Category, Matter


class PowerListForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="标题", max_length=200, required=False)


class MatterForm(forms.Form):
    code = forms.CharField(label="事项编码", max_length=64)
    name = forms.CharField(label="事项名称", max_length=300)
    category = forms.ChoiceField(label="权力类别", choices=Category.choices)
    basis_text = forms.CharField(
        label="设定依据（原文）", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    responsible_unit = forms.ModelChoiceField(
        label="承办机构", queryset=Organization.objects.none(), required=False
    )
    time_limit = forms.CharField(label="办理时限", max_length=200, required=False)
    fees = forms.CharField(label="收费", max_length=200, required=False)
    procedure_steps = forms.CharField(
        label="办理流程",
        required=False,
        help_text="每行一个环节，每个环节不超过40字。",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    acceptance_conditions = forms.CharField(
        label="受理条件", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    materials = forms.CharField(
        label="申请材料", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    guide_time_limit = forms.CharField(label="承诺时限", max_length=200, required=False)
    place = forms.CharField(label="办理地点", max_length=300, required=False)
    contact = forms.CharField(label="咨询电话", max_length=200, required=False)
    on_inspection_list = forms.BooleanField(label="列入检查事项清单", required=False)
    delegated_from = forms.CharField(label="委托（下放）机关", max_length=200, required=False)
    sort_order = forms.IntegerField(label="排序", min_value=0, required=False)

    def __init__(self, *args, organization: Organization, matter: Matter | None = None, **kw):
        if matter is not None:
            initial = {
                "name": matter.name,
                "category": matter.category,
                "basis_text": matter.basis_text,
                "responsible_unit": matter.responsible_unit_id,
                "time_limit": matter.time_limit,
                "fees": matter.fees,
                "procedure_steps": "\n".join(matter.procedure_steps or []),
                "acceptance_conditions": matter.acceptance_conditions,
                "materials": matter.materials,
                "guide_time_limit": matter.guide_time_limit,
                "place": matter.place,
                "contact": matter.contact,
                "on_inspection_list": matter.on_inspection_list,
                "delegated_from": matter.delegated_from,
                "sort_order": matter.sort_order,
            }
            kw["initial"] = {**initial, **kw.get("initial", {})}
        super().__init__(*args, **kw)
        if matter is not None:
            del self.fields["code"]  # the code identifies the matter; it is not edited
        self.fields["responsible_unit"].queryset = Organization.objects.filter(
            path__startswith=organization.path, is_active=True
        ).order_by("path")


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="我已核对，确认执行", required=True)


__all__ = ["ConfirmForm", "MatterForm", "PowerListForm"]
