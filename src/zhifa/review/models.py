"""法制审核 (legal review of major decisions) and 集体讨论 (collective deliberation).

- `CatalogueVersion` + `CatalogueRule`: a body's 重大执法决定目录清单. Every edit publishes a new
  version; old versions are never changed, so a stored determination can always be explained.
- `Determination`: whether a case is major, why, and against which catalogue version; stored
  once, when the case is first judged (a later catalogue change does not touch it).
- `ReviewRequest` (one per case) with its `ReviewRound`s (submission → opinion); every round
  is kept, with its `Finding` per checklist item.
- `Deliberation` + `DeliberationAttendee`: the heads' collective discussion (Art. 57).

Every row is written by `services.py` in the same transaction as its ledger entry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class RuleKind(models.TextChoices):
    CATEGORY = "category", "执法类别"
    MATTER = "matter", "执法事项"
    PENALTY_KIND = "penalty_kind", "处罚种类"
    FINE = "fine", "罚款数额"
    CONFISCATION = "confiscation", "没收数额"
    HEARING = "hearing", "经过听证程序"
    COMPLEX = "complex", "疑难复杂、涉及多个法律关系"
    PUBLIC_INTEREST = "public_interest", "涉及重大公共利益"
    OTHER = "other", "法律、法规规定的其他情形"


class PartyScope(models.TextChoices):
    ANY = "", "不限"
    NATURAL = "natural", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class CatalogueVersion(models.Model):
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="review_catalogues",
        verbose_name="执法主体",
    )
    version = models.PositiveIntegerField("版本")
    note = models.CharField("修订说明", max_length=300, blank=True)
    # not set nationally; 7 working days (+3 with approval) as in 辽宁 by default.
    time_limit = models.PositiveSmallIntegerField("审核期限（工作日）", default=7)
    extension_days = models.PositiveSmallIntegerField("经批准可延长（工作日）", default=3)
    published_at = models.DateTimeField("施行时间", default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="发布人",
    )

    class Meta:
        verbose_name = "重大执法决定目录清单"
        verbose_name_plural = "重大执法决定目录清单"
        ordering = ["organization", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "version"], name="review_catalogue_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.name}重大执法决定目录清单（第{self.version}版）"


class CatalogueRule(models.Model):
    """One row of the catalogue. Which fields matter depends on `kind`: `categories` limits any
    rule to some case categories (empty = all); `matter_codes` for a matter rule;
    `penalty_kinds` for a penalty-kind rule; `party_scope` + `threshold` for amount rules."""

    catalogue = models.ForeignKey(
        CatalogueVersion, on_delete=models.PROTECT, related_name="rules", verbose_name="目录清单"
    )
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("规则类型", max_length=16, choices=RuleKind.choices)
    label = models.CharField("审核的具体执法决定项目", max_length=200)
    categories = models.JSONField("适用类别", default=list, blank=True)
    matter_codes = models.JSONField("事项编码", default=list, blank=True)
    penalty_kinds = models.JSONField("处罚种类", default=list, blank=True)
    party_scope = models.CharField(
        "当事人类型", max_length=16, choices=PartyScope.choices, blank=True, default=""
    )
    threshold = models.DecimalField(
        "数额标准（元，达到即属重大）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    basis = models.CharField("依据", max_length=300, blank=True)
    requires_deliberation = models.BooleanField("须集体讨论", default=False)

    class Meta:
        verbose_name = "目录规则"
        verbose_name_plural = "目录规则"
        ordering = ["catalogue", "seq", "id"]

    def __str__(self) -> str:
        return self.label


class Determination(models.Model):
    """Whether the case is a major decision, judged once against the catalogue version in
    force at the time. `reasons` are the matched rules as they read then (label, basis)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="review_determination"
    )
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="执法主体"
    )
    major = models.BooleanField("重大执法决定")
    requires_deliberation = models.BooleanField("须集体讨论", default=False)
    reasons = models.JSONField("判定理由", default=list)
    facts = models.JSONField("判定所依据的案件情况", default=dict)
    catalogue = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="目录清单版本",
    )
    catalogue_version = models.PositiveIntegerField("目录版本号", default=0)
    determined_at = models.DateTimeField("判定时间", default=timezone.now)
    determined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="判定人",
    )

    class Meta:
        verbose_name = "重大执法决定判定"
        verbose_name_plural = "重大执法决定判定"

    def __str__(self) -> str:
        return f"{self.case_id}:{'重大' if self.major else '非重大'}"


class RequestStatus(models.TextChoices):
    REVIEWING = "reviewing", "审核中"
    RETURNED = "returned", "退回补正"
    PASSED = "passed", "审核通过"


class ReviewRequest(models.Model):
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="review_request"
    )
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="执法主体"
    )
    voluntary = models.BooleanField("主动送审", default=False)
    status = models.CharField("状态", max_length=16, choices=RequestStatus.choices)
    reviewer = models.ForeignKey(
        "registry.LegalReviewer",
        on_delete=models.PROTECT,
        related_name="review_requests",
        null=True,
        blank=True,
        verbose_name="审核人员",
    )
    time_limit = models.PositiveSmallIntegerField("审核期限（工作日）", default=7)
    created_at = models.DateTimeField("首次送审时间", default=timezone.now)
    passed_at = models.DateTimeField("通过时间", null=True, blank=True)

    class Meta:
        verbose_name = "法制审核申请"
        verbose_name_plural = "法制审核申请"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "status"], name="review_org_status")]

    def __str__(self) -> str:
        return f"法制审核：{self.case}"

    def get_absolute_url(self) -> str:
        return reverse("review:request", args=[self.pk])


class Opinion(models.TextChoices):
    AGREE = "agree", "同意"
    PROBLEMS = "problems", "存在问题"


class ReviewRound(models.Model):
    """One submission and its opinion. The clock starts on the day the materials are complete
    (a submission is only accepted complete); `due_on` is that day + the time limit in working
    days (+3 when an extension was approved)."""

    request = models.ForeignKey(
        ReviewRequest, on_delete=models.PROTECT, related_name="rounds", verbose_name="审核申请"
    )
    number = models.PositiveSmallIntegerField("轮次")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="送审人",
    )
    submitted_at = models.DateTimeField("送审时间", default=timezone.now)
    materials = models.JSONField("送审材料", default=dict)
    statement = models.TextField("送审说明", blank=True)
    clock_started_on = models.DateField("审核起算日")
    due_on = models.DateField("审核期限届满日")
    extended = models.BooleanField("已延长", default=False)
    extension_reason = models.CharField("延长理由", max_length=300, blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="延长批准人",
    )
    reviewer = models.ForeignKey(
        "registry.LegalReviewer",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="审核人员",
    )
    opinion = models.CharField("审核意见", max_length=16, choices=Opinion.choices, blank=True)
    problems = models.TextField("存在的问题及修改意见", blank=True)
    summary = models.TextField("审核意见说明", blank=True)
    opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="意见录入人",
    )
    opinion_at = models.DateTimeField("出具意见时间", null=True, blank=True)

    class Meta:
        verbose_name = "审核轮次"
        verbose_name_plural = "审核轮次"
        ordering = ["request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="review_round_unique")
        ]
        indexes = [models.Index(fields=["opinion", "due_on"], name="review_round_open_due")]

    def __str__(self) -> str:
        return f"第{self.number}轮"

    def get_absolute_url(self) -> str:
        return reverse("review:opinion_document", args=[self.pk])


class FindingResult(models.TextChoices):
    OK = "ok", "符合"
    PROBLEM = "problem", "存在问题"
    NOT_APPLICABLE = "na", "不适用"


class Finding(models.Model):
    round = models.ForeignKey(
        ReviewRound, on_delete=models.PROTECT, related_name="findings", verbose_name="审核轮次"
    )
    item = models.CharField("审核事项", max_length=32)
    result = models.CharField("审核结论", max_length=16, choices=FindingResult.choices)
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "审核事项结论"
        verbose_name_plural = "审核事项结论"
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "item"], name="review_finding_once")
        ]

    def __str__(self) -> str:
        return f"{self.item}:{self.get_result_display()}"


class Conclusion(models.TextChoices):
    PENALTY = "penalty", "作出行政处罚决定"
    NO_PENALTY_MINOR = "no_penalty_minor", "违法行为轻微，不予行政处罚"
    NO_PENALTY_UNFOUNDED = "no_penalty_unfounded", "违法事实不能成立，不予行政处罚"
    TRANSFER = "transfer", "涉嫌犯罪，移送司法机关"
    DECISION = "decision", "同意作出决定（强制、许可等）"
    FURTHER = "further", "补充调查后再议"


class Deliberation(models.Model):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="review_deliberations"
    )
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="执法主体"
    )
    held_at = models.DateTimeField("讨论时间")
    place = models.CharField("地点", max_length=200)
    chair = models.CharField("主持人", max_length=64)
    recorder = models.CharField("记录人", max_length=64)
    conclusion = models.CharField("讨论结论", max_length=32, choices=Conclusion.choices)
    conclusion_text = models.TextField("结论意见")
    minutes = models.TextField("讨论记录")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="登记人",
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "集体讨论"
        verbose_name_plural = "集体讨论"
        ordering = ["case", "held_at", "id"]

    def __str__(self) -> str:
        return f"集体讨论：{self.case}"

    @property
    def concludes_further(self) -> bool:
        return self.conclusion == Conclusion.FURTHER


class DeliberationAttendee(models.Model):
    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.PROTECT, related_name="attendees", verbose_name="集体讨论"
    )
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("姓名", max_length=64)
    position = models.CharField("职务", max_length=64)
    opinion = models.TextField("发表意见")

    class Meta:
        verbose_name = "参加人员"
        verbose_name_plural = "参加人员"
        ordering = ["deliberation", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "seq"], name="review_attendee_unique_seq"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="review_attendee_named"),
        ]

    def __str__(self) -> str:
        return self.name
