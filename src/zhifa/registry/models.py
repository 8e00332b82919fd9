"""The enforcement register: the profile of each enforcement body (on top of core's organisation
tree), its officers and their certificates and training, retained legal advisers, and the legal
reviewers (法制审核人员) it appoints. Changes go through :mod:`zhifa.registry.services`."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zhifa.core.masking import mask_citizen_id
from zhifa.core.models import Organization, User
from zhifa.core.validators import CitizenIdValidator, UsccValidator


class BodyKind(models.TextChoices):
    GOVERNMENT = "government", "人民政府"
    DEPARTMENT = "department", "政府部门"
    AUTHORISED = "authorised", "法律法规授权组织"
    ENTRUSTED = "entrusted", "受委托组织"


class EnforcementBody(models.Model):
    """执法主体信息: the enforcement-specific profile of a core Organization that is an
    enforcement body. The organisation tree (units, region, parent) stays in core."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.PROTECT,
        related_name="enforcement_profile",
        limit_choices_to={"is_enforcement_body": True},
        verbose_name="组织",
    )
    uscc = models.CharField("统一社会信用代码", max_length=18, validators=[UsccValidator()])
    kind = models.CharField("主体类别", max_length=16, choices=BodyKind.choices)
    head_name = models.CharField("主要负责人", max_length=64)
    address = models.CharField("办公地址", max_length=200)
    phone = models.CharField("联系电话", max_length=32)
    supervision_phone = models.CharField("监督电话", max_length=32)
    # 执法类别, e.g. ["乡村建设规划", "农业农村"]: a list of short labels.
    categories = models.JSONField("执法类别", default=list, blank=True)
    area = models.CharField("执法区域", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "执法主体"
        verbose_name_plural = "执法主体"
        ordering = ["organization__path"]

    def __str__(self) -> str:
        return self.organization.name


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class OfficerStatus(models.TextChoices):
    ACTIVE = "active", "在岗"
    SUSPENDED = "suspended", "暂停执法"
    REVOKED = "revoked", "证件已注销"
    RETIRED = "retired", "离岗/退休"


class Officer(models.Model):
    """执法人员 and their 行政执法证."""

    body = models.ForeignKey(
        EnforcementBody, on_delete=models.PROTECT, related_name="officers", verbose_name="执法主体"
    )
    # The unit (执法机构) or office the officer works in; within `body`'s organisation subtree.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="officers", verbose_name="所在机构"
    )
    name = models.CharField("姓名", max_length=64)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices)
    photo = models.FileField("照片", upload_to="registry/photos/", blank=True)
    post = models.CharField("职务/岗位", max_length=64, blank=True)
    citizen_id = models.CharField("公民身份号码", max_length=18, validators=[CitizenIdValidator()])
    user = models.OneToOneField(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officer_record",
        verbose_name="平台账号",
    )
    certificate_no = models.CharField("执法证号", max_length=32, unique=True)
    # 执法类别/执法领域 printed on the certificate.
    certificate_categories = models.JSONField("执法类别", default=list, blank=True)
    certificate_issued_on = models.DateField("发证日期")
    certificate_expires_on = models.DateField("有效期至")
    status = models.CharField(
        "状态", max_length=16, choices=OfficerStatus.choices, default=OfficerStatus.ACTIVE
    )
    has_legal_qualification = models.BooleanField("取得法律职业资格", default=False)
    legal_qualification_no = models.CharField("法律职业资格证书编号", max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "执法人员"
        verbose_name_plural = "执法人员"
        ordering = ["organization__path", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(certificate_expires_on__gte=models.F("certificate_issued_on")),
                name="officer_certificate_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_no}）"

    @property
    def masked_citizen_id(self) -> str:
        return mask_citizen_id(self.citizen_id)


class TrainingRecord(models.Model):
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="trainings", verbose_name="执法人员"
    )
    date = models.DateField("培训日期")
    title = models.CharField("培训内容", max_length=200)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_gt_0")]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class LegalAdviser(models.Model):
    """法律顾问: a lawyer of a law firm retained by an enforcement body."""

    body = models.ForeignKey(
        EnforcementBody, on_delete=models.PROTECT, related_name="advisers", verbose_name="聘请单位"
    )
    name = models.CharField("姓名", max_length=64)
    law_firm = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "law_firm"},
        verbose_name="律师事务所",
    )
    practising_certificate_no = models.CharField("律师执业证号", max_length=32)
    active = models.BooleanField("在聘", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "法律顾问"
        verbose_name_plural = "法律顾问"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "practising_certificate_no"], name="adviser_unique_in_body"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.law_firm.name}）"


class LegalReviewer(models.Model):
    """法制审核人员 of a body: one of its officers or one of its retained legal advisers."""

    body = models.ForeignKey(
        EnforcementBody, on_delete=models.PROTECT, related_name="reviewers", verbose_name="执法主体"
    )
    officer = models.ForeignKey(
        Officer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewer_appointments",
        verbose_name="执法人员",
    )
    adviser = models.ForeignKey(
        LegalAdviser,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewer_appointments",
        verbose_name="法律顾问",
    )
    appointed_on = models.DateField("任命日期")
    first_time = models.BooleanField("初次从事法制审核", default=True)
    active = models.BooleanField("在任", default=True)
    withdrawn_on = models.DateField("撤销日期", null=True, blank=True)
    withdrawal_reason = models.CharField("撤销原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "法制审核人员"
        verbose_name_plural = "法制审核人员"
        ordering = ["-active", "appointed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(officer__isnull=False) & Q(adviser__isnull=True))
                | (Q(officer__isnull=True) & Q(adviser__isnull=False)),
                name="reviewer_officer_xor_adviser",
            ),
            models.UniqueConstraint(
                fields=["body", "officer"],
                condition=Q(active=True, officer__isnull=False),
                name="reviewer_unique_active_officer",
            ),
            models.UniqueConstraint(
                fields=["body", "adviser"],
                condition=Q(active=True, adviser__isnull=False),
                name="reviewer_unique_active_adviser",
            ),
        ]

    def __str__(self) -> str:
        return self.person_name

    @property
    def person_name(self) -> str:
        return self.officer.name if self.officer_id else self.adviser.name

    @property
    def kind_label(self) -> str:
        return "执法人员" if self.officer_id else "法律顾问"

    @property
    def has_legal_qualification(self) -> bool:
        # A practising lawyer holds the 法律职业资格 (律师法 第五条).
        return self.officer.has_legal_qualification if self.officer_id else True
