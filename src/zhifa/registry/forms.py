"""Forms of the register pages. They only parse input; the services validate and decide."""

from __future__ import annotations

from django import forms

from zhifa.core.models import Organization, OrgKind, User
from zhifa.core.validators import CitizenIdField, UsccField

from .models import BodyKind, Gender, Officer, OfficerStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _labels_text(values) -> str:
    return "、".join(values or [])


class BodyForm(forms.Form):
    uscc = UsccField(label="统一社会信用代码", max_length=24)
    kind = forms.ChoiceField(label="主体类别", choices=BodyKind.choices)
    head_name = forms.CharField(label="主要负责人", max_length=64)
    address = forms.CharField(label="办公地址", max_length=200)
    phone = forms.CharField(label="联系电话", max_length=32)
    supervision_phone = forms.CharField(label="监督电话", max_length=32)
    categories = forms.CharField(
        label="执法类别", max_length=1000, required=False, help_text="多个类别用顿号或逗号分隔"
    )
    area = forms.CharField(label="执法区域", max_length=200)

    @classmethod
    def initial_for(cls, body) -> dict:
        return {
            "uscc": body.uscc,
            "kind": body.kind,
            "head_name": body.head_name,
            "address": body.address,
            "phone": body.phone,
            "supervision_phone": body.supervision_phone,
            "categories": _labels_text(body.categories),
            "area": body.area,
        }


class OfficerForm(forms.Form):
    organization = forms.ModelChoiceField(
        label="所在机构", queryset=Organization.objects.none(), empty_label=None
    )
    name = forms.CharField(label="姓名", max_length=64)
    gender = forms.ChoiceField(label="性别", choices=Gender.choices)
    post = forms.CharField(label="职务/岗位", max_length=64, required=False)
    citizen_id = CitizenIdField(label="公民身份号码", max_length=24)
    photo = forms.FileField(
        label="照片",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text="JPEG 或 PNG，不超过 2 MB",
    )
    user = forms.ModelChoiceField(
        label="关联平台账号", queryset=User.objects.none(), required=False, empty_label="（不关联）"
    )
    certificate_no = forms.CharField(label="执法证号", max_length=32)
    certificate_categories = forms.CharField(
        label="执法类别/领域", max_length=1000, required=False, help_text="多个用顿号或逗号分隔"
    )
    certificate_issued_on = forms.DateField(label="发证日期", widget=DATE)
    certificate_expires_on = forms.DateField(label="有效期至", widget=DATE)
    status = forms.ChoiceField(label="状态", choices=OfficerStatus.choices)
    has_legal_qualification = forms.BooleanField(label="已取得法律职业资格", required=False)
    legal_qualification_no = forms.CharField(
        label="法律职业资格证书编号", max_length=32, required=False
    )

    def __init__(self, *args, units, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = units
        self.fields["user"].queryset = users
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name}（{u.username}）"

    @classmethod
    def initial_for(cls, officer: Officer) -> dict:
        return {
            "organization": officer.organization_id,
            "name": officer.name,
            "gender": officer.gender,
            "post": officer.post,
            "citizen_id": officer.citizen_id,
            "user": officer.user_id,
            "certificate_no": officer.certificate_no,
            "certificate_categories": _labels_text(officer.certificate_categories),
            "certificate_issued_on": officer.certificate_issued_on,
            "certificate_expires_on": officer.certificate_expires_on,
            "status": officer.status,
            "has_legal_qualification": officer.has_legal_qualification,
            "legal_qualification_no": officer.legal_qualification_no,
        }


class TrainingForm(forms.Form):
    date = forms.DateField(label="培训日期", widget=DATE)
    title = forms.CharField(label="培训内容", max_length=200)
    hours = forms.DecimalField(
        label="学时", max_digits=5, decimal_places=1, min_value=0.1, max_value=1000
    )


class ReviewerForm(forms.Form):
    person = forms.ChoiceField(label="人员")
    appointed_on = forms.DateField(label="任命日期", widget=DATE)
    first_time = forms.BooleanField(
        label="初次从事行政处罚决定法制审核", required=False, initial=True
    )

    def __init__(self, *args, officers, advisers, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f"o{o.pk}", f"{o.name}（执法人员，{o.organization.name}）") for o in officers]
        choices += [(f"a{a.pk}", f"{a.name}（法律顾问，{a.law_firm.name}）") for a in advisers]
        self.fields["person"].choices = choices
        self._officers = {f"o{o.pk}": o for o in officers}
        self._advisers = {f"a{a.pk}": a for a in advisers}

    def person_kwargs(self) -> dict:
        key = self.cleaned_data["person"]
        if key in self._officers:
            return {"officer": self._officers[key]}
        return {"adviser": self._advisers[key]}


class AdviserForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64)
    law_firm = forms.ModelChoiceField(
        label="律师事务所",
        queryset=Organization.objects.filter(kind=OrgKind.LAW_FIRM, is_active=True),
        empty_label=None,
    )
    practising_certificate_no = forms.CharField(label="律师执业证号", max_length=32)


class AdviserEditForm(AdviserForm):
    active = forms.BooleanField(label="在聘", required=False)

    @classmethod
    def initial_for(cls, adviser) -> dict:
        return {
            "name": adviser.name,
            "law_firm": adviser.law_firm_id,
            "practising_certificate_no": adviser.practising_certificate_no,
            "active": adviser.active,
        }


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label="撤销日期", widget=DATE)
    reason = forms.CharField(label="撤销原因", max_length=200, required=False)


__all__ = [
    "AdviserEditForm",
    "AdviserForm",
    "BodyForm",
    "OfficerForm",
    "ReviewerForm",
    "TrainingForm",
    "WithdrawForm",
]
