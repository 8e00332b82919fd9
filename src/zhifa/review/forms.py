"""Forms of the review pages. They only shape the input; every rule is checked by the service
(whose refusals the page shows on the form)."""

from __future__ import annotations

from django import forms

from zhifa.registry.models import LegalReviewer

from .catalogue import CATEGORIES, PENALTY_KINDS
from .checklist import CHECKLIST, MATERIALS
from .models import Conclusion, FindingResult, Opinion, PartyScope, RuleKind

TEXTAREA = forms.Textarea(attrs={"rows": 3})
ATTENDEE_ROWS = 7


class CircumstancesForm(forms.Form):
    public_interest = forms.BooleanField(label="涉及重大公共利益", required=False)
    complex = forms.BooleanField(label="案件情况疑难复杂", required=False)
    several_relations = forms.BooleanField(label="涉及多个法律关系", required=False)
    other_basis = forms.CharField(
        label="法律、法规规定应当审核的其他情形（写明依据）", required=False, max_length=300
    )

    def circumstances(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.base_fields}


def reviewer_choices(organization_id: int):
    return LegalReviewer.objects.filter(
        body__organization_id=organization_id, active=True
    ).select_related("officer", "adviser")


class ReviewerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LegalReviewer) -> str:
        return f"{obj.person_name}（{obj.kind_label}）"


class SubmitForm(forms.Form):
    """The materials checklist (one line per material: the document's title, number or where
    it is in the case file), the statement, and optionally the reviewer."""

    statement = forms.CharField(label="送审说明", required=False, widget=TEXTAREA)
    voluntary = forms.BooleanField(label="主动送审（本案按目录不属于重大执法决定）", required=False)

    def __init__(self, *args, organization_id: int, required: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for code, label, _ in MATERIALS:
            self.fields[f"m_{code}"] = forms.CharField(
                label=label + ("（必备）" if code in required else "（如有）"),
                required=False,
                max_length=500,
                help_text="填写文书名称、文号或在案卷中的位置",
            )
        self.fields["reviewer"] = ReviewerField(
            queryset=reviewer_choices(organization_id),
            label="审核人员（可稍后由负责人指定）",
            required=False,
        )

    def materials(self) -> dict[str, str]:
        return {
            name[2:]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("m_") and value
        }


class AssignForm(forms.Form):
    def __init__(self, *args, organization_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"] = ReviewerField(
            queryset=reviewer_choices(organization_id), label="审核人员"
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=300, widget=TEXTAREA)


class OpinionForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in CHECKLIST:
            self.fields[f"{code}_result"] = forms.ChoiceField(
                label=label,
                choices=FindingResult.choices,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"{code}_comment"] = forms.CharField(
                label=f"{label}：说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.fields["opinion"] = forms.ChoiceField(
            label="审核意见", choices=Opinion.choices, widget=forms.RadioSelect, required=False
        )
        self.fields["problems"] = forms.CharField(
            label="存在的问题及修改意见（意见为“存在问题”时必填）", required=False, widget=TEXTAREA
        )
        self.fields["summary"] = forms.CharField(
            label="审核意见说明", required=False, widget=TEXTAREA
        )

    def rows(self):
        return [
            (label, self[f"{code}_result"], self[f"{code}_comment"]) for code, label in CHECKLIST
        ]

    def findings(self) -> dict:
        return {
            code: {
                "result": self.cleaned_data.get(f"{code}_result") or "",
                "comment": self.cleaned_data.get(f"{code}_comment") or "",
            }
            for code, _ in CHECKLIST
        }


class DeliberationForm(forms.Form):
    held_at = forms.DateTimeField(
        label="讨论时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label="地点", max_length=200)
    chair = forms.CharField(label="主持人", max_length=64)
    recorder = forms.CharField(label="记录人", max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, ATTENDEE_ROWS + 1):
            self.fields[f"a{i}_name"] = forms.CharField(label="姓名", required=False, max_length=64)
            self.fields[f"a{i}_position"] = forms.CharField(
                label="职务", required=False, max_length=64
            )
            self.fields[f"a{i}_opinion"] = forms.CharField(
                label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.fields["conclusion"] = forms.ChoiceField(label="讨论结论", choices=Conclusion.choices)
        self.fields["conclusion_text"] = forms.CharField(label="结论意见", widget=TEXTAREA)
        self.fields["minutes"] = forms.CharField(
            label="讨论记录", widget=forms.Textarea(attrs={"rows": 8})
        )

    def attendee_rows(self):
        return [
            (i, self[f"a{i}_name"], self[f"a{i}_position"], self[f"a{i}_opinion"])
            for i in range(1, ATTENDEE_ROWS + 1)
        ]

    def attendees(self) -> list[dict]:
        return [
            {
                "name": self.cleaned_data.get(f"a{i}_name", ""),
                "position": self.cleaned_data.get(f"a{i}_position", ""),
                "opinion": self.cleaned_data.get(f"a{i}_opinion", ""),
            }
            for i in range(1, ATTENDEE_ROWS + 1)
        ]


class CatalogueSettingsForm(forms.Form):
    time_limit = forms.IntegerField(label="审核期限（工作日）", min_value=1, max_value=30)
    extension_days = forms.IntegerField(label="经批准可延长（工作日）", min_value=0, max_value=30)
    note = forms.CharField(label="修订说明", required=False, max_length=300)


class RuleForm(forms.Form):
    kind = forms.ChoiceField(
        label="规则类型", choices=[("", "（删除或留空）"), *RuleKind.choices], required=False
    )
    label = forms.CharField(label="审核的具体执法决定项目", required=False, max_length=200)
    categories = forms.MultipleChoiceField(
        label="适用类别（不选为全部）",
        choices=list(CATEGORIES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    penalty_kinds = forms.MultipleChoiceField(
        label="处罚种类",
        choices=list(PENALTY_KINDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    matter_codes = forms.CharField(label="事项编码（多个用逗号分隔）", required=False)
    party_scope = forms.ChoiceField(label="当事人类型", choices=PartyScope.choices, required=False)
    threshold = forms.DecimalField(
        label="数额标准（元）", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    basis = forms.CharField(label="依据", required=False, max_length=300)
    requires_deliberation = forms.BooleanField(label="须集体讨论", required=False)

    def rule(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        codes = (data.get("matter_codes") or "").replace("，", ",").split(",")
        return {
            "kind": data["kind"],
            "label": data.get("label", ""),
            "categories": data.get("categories") or [],
            "penalty_kinds": data.get("penalty_kinds") or [],
            "matter_codes": [c.strip() for c in codes if c.strip()],
            "party_scope": data.get("party_scope") or "",
            "threshold": data.get("threshold"),
            "basis": data.get("basis", ""),
            "requires_deliberation": bool(data.get("requires_deliberation")),
        }


RuleFormSet = forms.formset_factory(RuleForm, extra=2, max_num=60)


def rule_initial(rule) -> dict:
    return {
        "kind": rule.kind,
        "label": rule.label,
        "categories": list(rule.categories),
        "penalty_kinds": list(rule.penalty_kinds),
        "matter_codes": ", ".join(rule.matter_codes),
        "party_scope": rule.party_scope,
        "threshold": rule.threshold,
        "basis": rule.basis,
        "requires_deliberation": rule.requires_deliberation,
    }
