"""权责清单 (power lists and their matters), 裁量基准 (discretion benchmarks with their grades)
and 不予处罚清单 (no-penalty lists). Field names are plain: Excel import/export and the API read
them too."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from zhifa.core.models import Organization


class ListStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class Category(models.TextChoices):
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    INSPECTION = "inspection", "行政检查"
    LEVY_REQUISITION = "levy_requisition", "行政征收征用"
    LICENSING = "licensing", "行政许可"
    CONFIRMATION = "confirmation", "行政确认"
    ADJUDICATION = "adjudication", "行政裁决"
    BENEFIT = "benefit", "行政给付"
    OTHER = "other", "其他"


class PowerList(models.Model):
    """One version of a body's 权责清单 for a year. Publishing makes a new version; old versions
    stay as they were."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="power_lists", verbose_name="执法主体"
    )
    year = models.PositiveIntegerField("年度")
    version = models.PositiveIntegerField("版本", default=1)
    title = models.CharField("标题", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=ListStatus.choices, default=ListStatus.DRAFT
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "权责清单"
        verbose_name_plural = "权责清单"
        ordering = ["organization", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "version"], name="powers_list_unique_version"
            )
        ]

    def __str__(self) -> str:
        return self.title or f"{self.organization.name}{self.year}年权责清单（第{self.version}版）"

    def get_absolute_url(self) -> str:
        return reverse("powers:list_detail", args=[self.pk])


class Matter(models.Model):
    """一项权力事项 with its legal bases, procedure and service guide (办事指南)."""

    power_list = models.ForeignKey(
        PowerList, on_delete=models.CASCADE, related_name="matters", verbose_name="权责清单"
    )
    code = models.CharField("事项编码", max_length=64)
    name = models.CharField("事项名称", max_length=300)
    category = models.CharField("权力类别", max_length=32, choices=Category.choices)
    basis_text = models.TextField("设定依据（原文）", blank=True)
    legal_bases = models.ManyToManyField(
        "laws.Article", blank=True, related_name="power_matters", verbose_name="法律依据条文"
    )
    responsible_unit = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_matters",
        verbose_name="承办机构",
    )
    time_limit = models.CharField("办理时限", max_length=200, blank=True)
    fees = models.CharField("收费", max_length=200, blank=True)
    procedure_steps = models.JSONField("办理流程", default=list, blank=True)
    acceptance_conditions = models.TextField("受理条件", blank=True)
    materials = models.TextField("申请材料", blank=True)
    guide_time_limit = models.CharField("承诺时限", max_length=200, blank=True)
    place = models.CharField("办理地点", max_length=300, blank=True)
    contact = models.CharField("咨询电话", max_length=200, blank=True)
    on_inspection_list = models.BooleanField("列入检查事项清单", default=False)
    delegated_from = models.CharField("委托（下放）机关", max_length=200, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "权力事项"
        verbose_name_plural = "权力事项"
        ordering = ["power_list", "sort_order", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["power_list", "code"], name="powers_matter_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("powers:matter_detail", args=[self.pk])


class DiscretionBenchmark(models.Model):
    """A 裁量基准 item: one violation of a source table. ``organization`` None = a reference
    table (e.g. another province's), readable by every business user."""

    source = models.CharField("来源表", max_length=200)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discretion_benchmarks",
        verbose_name="制定机关",
    )
    section = models.CharField("分类", max_length=200, blank=True)
    item_no = models.CharField("序号", max_length=32)
    violation = models.TextField("违法行为")
    legal_basis = models.TextField("法律依据", blank=True)
    articles = models.ManyToManyField(
        "laws.Article", blank=True, related_name="discretion_benchmarks", verbose_name="条文"
    )
    penalty_basis = models.TextField("处罚依据", blank=True)
    raw_text = models.TextField("原文", blank=True)

    class Meta:
        verbose_name = "裁量基准"
        verbose_name_plural = "裁量基准"
        ordering = ["source", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "item_no"], name="powers_benchmark_item")
        ]

    def __str__(self) -> str:
        return f"{self.item_no} {self.violation[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("powers:benchmark_detail", args=[self.pk])


class DiscretionGrade(models.Model):
    """One 裁量档次: conditions and the penalty range. Amounts the parser could not read stay
    None and the raw text is kept."""

    benchmark = models.ForeignKey(
        DiscretionBenchmark, on_delete=models.CASCADE, related_name="grades"
    )
    seq = models.PositiveIntegerField("顺序")
    label = models.CharField("档次", max_length=64)
    conditions = models.TextField("裁量情节", blank=True)
    fine_min = models.DecimalField("罚款下限（元）", max_digits=14, decimal_places=2, null=True)
    fine_max = models.DecimalField("罚款上限（元）", max_digits=14, decimal_places=2, null=True)
    multiple_min = models.DecimalField("倍数下限", max_digits=10, decimal_places=4, null=True)
    multiple_max = models.DecimalField("倍数上限", max_digits=10, decimal_places=4, null=True)
    multiple_base = models.CharField("倍数基数", max_length=64, blank=True)
    other_penalties = models.TextField("其他处罚", blank=True)
    raw_text = models.TextField("裁量标准原文", blank=True)

    class Meta:
        verbose_name = "裁量档次"
        verbose_name_plural = "裁量档次"
        ordering = ["benchmark", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["benchmark", "seq"], name="powers_grade_seq")
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.raw_text[:40]}"


class NoPenaltyItem(models.Model):
    """An item of a 轻微不罚 / 首违不罚 list. ``organization`` None = a reference list (e.g.
    another province's), readable by every business user, like the benchmarks."""

    list_name = models.CharField("清单", max_length=64)
    source = models.CharField("来源", max_length=200)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="no_penalty_items",
        verbose_name="制定机关",
    )
    item_no = models.CharField("序号", max_length=32)
    category = models.CharField("类别", max_length=100, blank=True)
    violation = models.TextField("违法行为")
    conditions = models.TextField("不予处罚条件", blank=True)
    legal_basis = models.TextField("法律依据", blank=True)

    class Meta:
        verbose_name = "不予处罚事项"
        verbose_name_plural = "不予处罚事项"
        ordering = ["source", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "item_no"], name="powers_nopenalty_item")
        ]

    def __str__(self) -> str:
        return f"{self.list_name} {self.item_no} {self.violation[:40]}"


class DiscretionImport(models.Model):
    """One run of the reference-table importer (``zhifa powers import-discretion``, ``zhifa
    demo``) and its report: rows whose penalty could not be read are imported with their raw
    text and listed here, so nothing is dropped silently and anyone can see what to check."""

    source = models.CharField("来源表", max_length=200)
    file_name = models.CharField("文件", max_length=300)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    grades = models.PositiveIntegerField("读取档次行", default=0)
    problems = models.JSONField("问题", default=list)  # [[where, reason], ...]

    class Meta:
        verbose_name = "裁量基准导入报告"
        verbose_name_plural = "裁量基准导入报告"
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{len(self.problems)}个问题）"
