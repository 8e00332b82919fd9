"""行政执法公示: decisions published after the fact (事后公示) and their workflow, the feed other
systems read, snapshots of each body's before-publicity page (事前公示, for its history), and
the scans and ratings of the during-publicity QR codes (事中公示). Rows change only through
:mod:`zhifa.publicity.services`, each change with its ledger entry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class PubCategory(models.TextChoices):
    PENALTY = "penalty", "行政处罚"
    LICENSING = "licensing", "行政许可"
    COERCION = "coercion", "行政强制"
    INSPECTION = "inspection", "行政检查"
    OTHER = "other", "其他行政执法决定"


class PubStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    REVIEWED = "reviewed", "已审核待发布"
    PUBLISHED = "published", "已公示"
    WITHDRAWN = "withdrawn", "已撤回"
    NOT_PUBLISHED = "not_published", "不予公示"


class PartyKind(models.TextChoices):
    NATURAL = "natural", "自然人"
    LEGAL = "legal", "法人"
    OTHER = "other", "其他组织"


class Publication(models.Model):
    """One decision to publish. Only masked text is stored: the unmasked facts stay in the case
    file; what is here is what the public may see once published."""

    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="publications",
        verbose_name="作出决定的执法主体",
    )
    source_subject = models.CharField("来源", max_length=100, unique=True)
    category = models.CharField("决定类别", max_length=16, choices=PubCategory.choices)
    status = models.CharField(
        "状态", max_length=16, choices=PubStatus.choices, default=PubStatus.DRAFT
    )
    title = models.CharField("案由/事项", max_length=300)
    document_number = models.CharField("决定书文号", max_length=64)
    party_kind = models.CharField("当事人类型", max_length=16, choices=PartyKind.choices)
    party_display = models.CharField("当事人（公示）", max_length=200)
    party_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    conclusion = models.TextField("决定结论")
    facts = models.TextField("主要违法事实或事项", blank=True)
    legal_basis = models.TextField("依据", blank=True)
    penalty = models.TextField("处罚或处理内容", blank=True)
    decided_on = models.DateField("决定日期")
    # For the annual statistics (stats.py): read from the penalty text when it is drafted or
    # reviewed, so the yearly figures are a GROUP BY, not a million texts parsed.
    penalty_kind = models.CharField("最重处罚种类", max_length=24, blank=True)
    fine_amount = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, default=0)
    publish_due_on = models.DateField("公示期限")
    # What masking hid, by kind ({"name": 2, "citizen_id": 1}): the reviewer sees it, the
    # public never does.
    masked_counts = models.JSONField("已遮蔽项", default=dict, blank=True)
    segmented = models.TextField("检索分词", blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retain_until = models.DateField("公示截止", null=True, blank=True)
    revoked_on = models.DateField("决定撤销或变更日期", null=True, blank=True)
    withdraw_due_on = models.DateField("撤回期限", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawal_reason = models.CharField("撤回理由", max_length=300, blank=True)
    not_publish_reason = models.CharField("不予公示理由", max_length=300, blank=True)
    not_publish_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    not_publish_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    not_publish_approved_at = models.DateTimeField("不予公示批准时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示信息"
        verbose_name_plural = "公示信息"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "-id"], name="pub_status_id"),
            models.Index(fields=["status", "-published_at"], name="pub_status_published"),
            models.Index(fields=["organization", "status", "-id"], name="pub_org_status_id"),
            models.Index(fields=["status", "publish_due_on"], name="pub_status_due"),
            # Keyword search on PostgreSQL walks this backwards: newest decisions first, from
            # the upper date bound (selectors._pg_search); also the date range filter.
            models.Index(fields=["status", "decided_on", "id"], name="pub_status_decided_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="pub_published_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("publicity:publication", args=[self.pk])


class FeedKind(models.TextChoices):
    PUBLISHED = "published", "公示"
    WITHDRAWN = "withdrawn", "撤回"


class FeedEntry(models.Model):
    """The feed other systems follow: one row per publication and per withdrawal, in order; the
    row id is the since-cursor."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="feed_entries"
    )
    kind = models.CharField("类型", max_length=16, choices=FeedKind.choices)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "公示动态"
        verbose_name_plural = "公示动态"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.publication_id}"


class BodySnapshot(models.Model):
    """The public profile of a body (事前公示) as it stood: a new row each time its content
    changes, so the page's history is kept."""

    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="publicity_snapshots"
    )
    digest = models.CharField("摘要", max_length=64)
    content = models.JSONField("内容")
    changed = models.JSONField("变化的栏目", default=list)
    taken_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "事前公示版本"
        verbose_name_plural = "事前公示版本"
        ordering = ["organization", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "digest"], name="snapshot_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} @ {self.taken_at:%Y-%m-%d}"


class ScanKind(models.TextChoices):
    OFFICER = "officer", "执法证核验"
    ACT = "act", "执法行为核验"


class Scan(models.Model):
    """One opening of a verification QR code, forged tokens included."""

    kind = models.CharField("类型", max_length=16, choices=ScanKind.choices)
    officer = models.ForeignKey(
        "registry.Officer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    valid = models.BooleanField("令牌有效")
    certificate_valid = models.BooleanField("证件有效", default=False)
    at = models.DateTimeField("时间")
    user_agent = models.CharField("浏览器", max_length=200, blank=True)

    class Meta:
        verbose_name = "扫码记录"
        verbose_name_plural = "扫码记录"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class Rating(models.Model):
    """The party's rating of an inspection or act (1–5), one per case."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField("评分")
    comment = models.CharField("意见", max_length=300, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "执法评价"
        verbose_name_plural = "执法评价"
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_5")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.score}"
