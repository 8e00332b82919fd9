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


def _area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class BenchmarkForm(forms.Form):
    """A benchmark's own fields; 来源表 and 序号 identify it and are set once."""

    source = forms.CharField(
        label="来源表",
        max_length=200,
        help_text="本机关裁量基准表的名称，如“大兴乡生态环境违法行为裁量基准（2026）”",
    )
    item_no = forms.CharField(label="序号", max_length=32)
    section = forms.CharField(label="分类", max_length=200, required=False)
    violation = forms.CharField(label="违法行为", widget=_area(3))
    legal_basis = forms.CharField(
        label="法律依据", required=False, widget=_area(3), help_text="引用的条文自动关联法规库"
    )
    penalty_basis = forms.CharField(label="处罚依据", required=False, widget=_area(3))

    def __init__(self, *args, bench=None, **kw):
        if bench is not None:
            kw["initial"] = {
                name: getattr(bench, name)
                for name in ("section", "violation", "legal_basis", "penalty_basis")
            }
        super().__init__(*args, **kw)
        if bench is not None:
            del self.fields["source"], self.fields["item_no"]


class GradeForm(forms.Form):
    """One 裁量档次. Amounts are parsed by the service (one set of rules and messages)."""

    label = forms.CharField(label="档次", max_length=64, help_text="如 轻微、一般、较重、严重")
    conditions = forms.CharField(label="裁量情节", required=False, widget=_area(2))
    fine_min = forms.CharField(label="罚款下限（元）", required=False, max_length=20)
    fine_max = forms.CharField(label="罚款上限（元）", required=False, max_length=20)
    multiple_min = forms.CharField(label="倍数下限", required=False, max_length=20)
    multiple_max = forms.CharField(label="倍数上限", required=False, max_length=20)
    multiple_base = forms.CharField(
        label="倍数基数", required=False, max_length=64, help_text="如 违法所得、货值金额"
    )
    other_penalties = forms.CharField(label="其他处罚", required=False, widget=_area(2))
    raw_text = forms.CharField(label="裁量标准原文", required=False, widget=_area(2))


GradeFormSet = forms.formset_factory(GradeForm, extra=1, can_delete=True, max_num=50)


def grade_initial(bench) -> list[dict]:
    rows = []
    for grade in bench.grades.order_by("seq"):
        row = {name: getattr(grade, name) for name in GradeForm.base_fields}
        for name in ("fine_min", "fine_max", "multiple_min", "multiple_max"):
            value = row[name]
            row[name] = "" if value is None else f"{value.normalize():f}"
        rows.append(row)
    return rows


def grades_from(formset) -> list[dict]:
    """The grades kept (filled in, not marked for deletion), in the order shown."""
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class NoPenaltyForm(forms.Form):
    source = forms.CharField(
        label="来源",
        max_length=200,
        help_text="本机关清单的名称，如“大兴乡轻微违法行为不予处罚清单（2026）”",
    )
    item_no = forms.CharField(label="序号", max_length=32)
    list_name = forms.ChoiceField(
        label="清单",
        choices=[("轻微不罚", "轻微不罚（行政处罚法第三十三条第一款前段）"),
                 ("首违不罚", "首违不罚（行政处罚法第三十三条第一款后段）")],
    )  # fmt: skip
    category = forms.CharField(label="类别", max_length=100, required=False)
    violation = forms.CharField(label="违法行为", widget=_area(3))
    conditions = forms.CharField(label="不予处罚条件", required=False, widget=_area(3))
    legal_basis = forms.CharField(label="法律依据", required=False, widget=_area(2))

    def __init__(self, *args, item=None, **kw):
        if item is not None:
            kw["initial"] = {
                name: getattr(item, name)
                for name in ("list_name", "category", "violation", "conditions", "legal_basis")
            }
        super().__init__(*args, **kw)
        if item is not None:
            del self.fields["source"], self.fields["item_no"]


class UploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")


__all__ = [
    "BenchmarkForm",
    "ConfirmForm",
    "GradeFormSet",
    "MatterForm",
    "NoPenaltyForm",
    "PowerListForm",
    "grade_initial",
    "grades_from",
]
