"""The law library: laws (one row per version) and their articles, structure kept."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from .numerals import int_to_cn
from .parser import Level as _Level


class Level(models.TextChoices):
    LAW = _Level.LAW, "法律"
    ADMIN_REGULATION = _Level.ADMIN_REGULATION, "行政法规"
    LOCAL_REGULATION = _Level.LOCAL_REGULATION, "地方性法规"
    RULE = _Level.RULE, "规章"
    JUDICIAL_INTERPRETATION = _Level.JUDICIAL_INTERPRETATION, "司法解释"
    NORMATIVE_DOCUMENT = _Level.NORMATIVE_DOCUMENT, "规范性文件"
    OTHER = _Level.OTHER, "其他"


def name_key(name: str) -> str:
    """How a law is looked up by name: no 中华人民共和国 prefix, no spaces."""
    name = "".join(name.split()).replace("\u3000", "")
    return name.removeprefix("中华人民共和国")


class Law(models.Model):
    title = models.CharField("标题", max_length=300)
    short_title = models.CharField("简称", max_length=300, blank=True)
    name_key = models.CharField("检索名", max_length=300, db_index=True, editable=False)
    level = models.CharField("效力级别", max_length=32, choices=Level.choices)
    issuing_body = models.CharField("制定机关", max_length=200, blank=True)
    version_date = models.DateField("版本日期", null=True, blank=True)
    in_force = models.BooleanField("现行有效", default=True)
    source_file = models.CharField("来源文件", max_length=500, blank=True)
    history = models.TextField("制定修改沿革", blank=True)
    digest = models.CharField("内容摘要", max_length=64, editable=False)
    article_count = models.PositiveIntegerField("条文数", default=0)
    imported_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        verbose_name = "法律法规"
        verbose_name_plural = "法律法规"
        ordering = ["name_key", "-version_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "version_date"], name="laws_law_title_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.version_date:%Y-%m-%d}）" if self.version_date else self.title

    def get_absolute_url(self) -> str:
        return reverse("laws:law", args=[self.pk])


class Article(models.Model):
    law = models.ForeignKey(Law, on_delete=models.CASCADE, related_name="articles")
    ordering = models.PositiveIntegerField("顺序")
    number = models.PositiveIntegerField("条号")
    suffix = models.PositiveSmallIntegerField("之X", default=0)
    label = models.CharField("条文序号", max_length=40)
    part = models.CharField("编", max_length=200, blank=True)
    subpart = models.CharField("分编", max_length=200, blank=True)
    chapter = models.CharField("章", max_length=200, blank=True)
    section = models.CharField("节", max_length=200, blank=True)
    text = models.TextField("条文")  # 款 and 项 one per line
    segmented = models.TextField("分词文本", blank=True, editable=False)

    class Meta:
        verbose_name = "条文"
        verbose_name_plural = "条文"
        ordering = ["law", "ordering"]
        constraints = [
            models.UniqueConstraint(fields=["law", "ordering"], name="laws_article_law_ordering"),
        ]
        indexes = [models.Index(fields=["law", "number", "suffix"], name="laws_article_number")]

    def __str__(self) -> str:
        return f"{self.law.short_title or self.law.title}{self.label}"

    def get_absolute_url(self) -> str:
        return reverse("laws:article", args=[self.pk])

    @property
    def anchor(self) -> str:
        return f"a{self.number}" + (f"-{self.suffix}" if self.suffix else "")

    @property
    def canonical_label(self) -> str:
        label = f"第{int_to_cn(self.number)}条"
        return label + (f"之{int_to_cn(self.suffix)}" if self.suffix else "")

    @property
    def headings(self) -> list[str]:
        return [h for h in (self.part, self.subpart, self.chapter, self.section) if h]

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n")
