"""Forms of the complaint pages. They only shape the input (labels, widgets, choices); the
rules (lengths, the phone number, the body) are the services', so the API and any other caller
meet the same refusals."""

from __future__ import annotations

from django import forms

from .models import NAME_MAX, REFERENCE_MAX, REPLY_MAX, TEXT_MAX, Category
from .services import submittable_bodies


class ComplaintForm(forms.Form):
    body = forms.ModelChoiceField(
        label="被投诉的执法主体",
        queryset=submittable_bodies(),
        empty_label="请选择",
        error_messages={
            "required": "请选择被投诉的执法主体。",
            "invalid_choice": "请选择被投诉的执法主体。",
        },
    )
    category = forms.ChoiceField(
        label="投诉类别",
        choices=[("", "请选择"), *Category.choices],
        error_messages={"required": "请选择投诉类别。", "invalid_choice": "请选择投诉类别。"},
    )
    text = forms.CharField(
        label="投诉内容",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": TEXT_MAX}),
        help_text=f"请写明时间、地点和经过，不超过{TEXT_MAX}字。",
        error_messages={"required": "请填写投诉内容。"},
    )
    officer_reference = forms.CharField(
        label="涉及执法人员（选填）",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": REFERENCE_MAX}),
        help_text="执法证号或姓名。",
    )
    case_reference = forms.CharField(
        label="涉及案件或文书编号（选填）",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": REFERENCE_MAX}),
    )
    contact_name = forms.CharField(
        label="联系人（选填）",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": NAME_MAX, "autocomplete": "name"}),
    )
    contact_phone = forms.CharField(
        label="手机号码（选填）",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20}),
        help_text="联系人和手机号码均不填写即为匿名投诉；匿名投诉请凭查询码查询办理结果。",
    )
    # The human check: the question is the field's label (set by the view).
    answer = forms.CharField(
        label="验证题",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": "请回答验证题。"},
    )
    challenge = forms.CharField(widget=forms.HiddenInput, required=False)


class LookupForm(forms.Form):
    number = forms.CharField(
        label="查询码",
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
        help_text="提交投诉后获得的查询码，例如 20260302-ABCD-EFGH-JKMN。",
        error_messages={"required": "请填写查询码。", "max_length": "未找到该投诉，请核对查询码。"},
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label="意见",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": REPLY_MAX}),
    )
