"""Cases: the lifecycle of one enforcement act (penalty, inspection, coercion, licensing) and its
full-process record. The stage graph of each procedure is code (`procedures/`); these tables hold
where a case stands and what was recorded on the way. Every row written here is written by a
service in the same transaction as its ledger entry; history is never edited (a correction is a
new row and a new entry)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Category(models.TextChoices):
    PENALTY = "penalty", "行政处罚"
    INSPECTION = "inspection", "行政检查"
    COERCION = "coercion", "行政强制"
    LICENSING = "licensing", "行政许可"


class Procedure(models.TextChoices):
    PENALTY_ORDINARY = "penalty_ordinary", "行政处罚（普通程序）"
    PENALTY_SIMPLIFIED = "penalty_simplified", "行政处罚（简易程序）"
    INSPECTION = "inspection", "行政检查"
    COERCION = "coercion", "行政强制"
    LICENSING = "licensing", "行政许可"


class Source(models.TextChoices):
    INSPECTION = "inspection", "监督检查发现"
    COMPLAINT = "complaint", "投诉举报"
    TRANSFER = "transfer", "上级交办或移送"
    APPLICATION = "application", "依申请"
    OTHER = "other", "其他"


class Case(models.Model):
    """One case. `organization` is the enforcement body in whose name the act is done (its
    scope decides who may read the case); `unit` is the handling unit inside it."""

    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="cases", verbose_name="执法主体"
    )
    unit = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="handled_cases",
        null=True,
        blank=True,
        verbose_name="承办机构",
    )
    matter = models.ForeignKey(
        "powers.Matter", on_delete=models.PROTECT, related_name="cases", verbose_name="执法事项"
    )
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    procedure = models.CharField("程序", max_length=32, choices=Procedure.choices)
    stage = models.CharField("环节", max_length=48)
    number = models.CharField("案号", max_length=64, unique=True)
    title = models.CharField("案由", max_length=300)
    source = models.CharField("案件来源", max_length=16, choices=Source.choices)
    summary = models.TextField("基本案情", blank=True)
    place = models.CharField("地点", max_length=300, blank=True)
    occurred_on = models.DateField("违法行为发生日期", null=True, blank=True)
    # 行政处罚法第三十六条: the limitation runs from the end of a continuing act.
    act_continuing_until = models.DateField("连续或继续状态终了日", null=True, blank=True)
    discovered_on = models.DateField("发现日期", null=True, blank=True)
    filed_on = models.DateField("立案日期", null=True, blank=True)
    decision_due_on = models.DateField("决定期限", null=True, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    served_on = models.DateField("送达日期", null=True, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    # A gate the legal-review issue fills: until then the flag alone decides.
    requires_review = models.BooleanField("需法制审核", default=False)
    requires_deliberation = models.BooleanField("需集体讨论", default=False)
    # {"kinds": [...], "fine": "2000.00", "confiscation": "0"} as notified / as decided.
    notified_penalty = models.JSONField("告知的处罚", default=dict, blank=True)
    decided_penalty = models.JSONField("决定的处罚", default=dict, blank=True)
    fine_amount = models.DecimalField(
        "罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    decision_number = models.CharField("决定书文号", max_length=64, blank=True)
    # Procedure-specific facts (inspection notice, licence application, measure details...).
    data = models.JSONField("程序数据", default=dict, blank=True)
    # Number, title and every party's name in one column (set by register_case and add_party;
    # none of them changes afterwards), so the list's text search is one LIKE per listed case
    # instead of three tests and a probe of the parties (bench/cases.py).
    search_text = models.TextField("检索文本", blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "stage"], name="case_org_stage"),
            # The case lists: a unit's (or a body's) newest cases as one index range, in the
            # list's order, carrying the filter columns so that a procedure, stage or category
            # filter and its COUNT read the index alone (bench/cases.py: a stage filter's count
            # over a body's 10,000 cases 20 ms → 1 ms on SQLite).
            models.Index(
                fields=["unit", "-created_at", "-id", "procedure", "stage", "category"],
                name="case_unit_list",
            ),
            models.Index(
                fields=["organization", "-created_at", "-id", "procedure", "stage", "category"],
                name="case_org_list",
            ),
            models.Index(fields=["decision_due_on"], name="case_decision_due"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @staticmethod
    def search_text_of(number: str, title: str, names: list[str]) -> str:
        return "\n".join([number, title, *names])

    @property
    def subject(self) -> str:
        """The ledger subject of the case: every entry about it carries this."""
        return f"case:{self.pk}"


class PartyKind(models.TextChoices):
    NATURAL = "natural", "自然人"
    LEGAL = "legal", "法人"
    OTHER = "other", "其他组织"


class Party(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="parties", verbose_name="案件"
    )
    seq = models.PositiveIntegerField("序号", default=1)
    kind = models.CharField("当事人类型", max_length=16, choices=PartyKind.choices)
    name = models.CharField("姓名或名称", max_length=200)
    # Citizen ID number for a natural person, USCC for a legal person / other organisation.
    id_number = models.CharField("证件号码", max_length=32, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    is_minor = models.BooleanField("未成年人", default=False)
    legal_representative = models.CharField("法定代表人或负责人", max_length=64, blank=True)
    address = models.CharField("住所或地址", max_length=300, blank=True)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    # 行政处罚法第六十一条: electronic service only with the party's consent.
    e_service_address = models.CharField("电子送达地址", max_length=200, blank=True)
    e_service_consent = models.ForeignKey(
        "evidence.EvidenceRecord",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="电子送达确认书",
    )

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        ordering = ["case", "seq", "id"]

    def __str__(self) -> str:
        return self.name


class CaseOfficer(models.Model):
    """An officer assigned to the case. A declared conflict (回避) bars the officer from every
    further act on the case; the row stays, so the history says who was recused and why."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="case_officers", verbose_name="案件"
    )
    officer = models.ForeignKey(
        "registry.Officer",
        on_delete=models.PROTECT,
        related_name="case_roles",
        verbose_name="执法人员",
    )
    lead = models.BooleanField("主办", default=False)
    assigned_at = models.DateTimeField("指派时间", default=timezone.now)
    recused = models.BooleanField("已回避", default=False)
    recusal_reason = models.CharField("回避事由", max_length=300, blank=True)
    recused_at = models.DateTimeField("回避时间", null=True, blank=True)

    class Meta:
        verbose_name = "承办人员"
        verbose_name_plural = "承办人员"
        ordering = ["case", "-lead", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "officer"], name="case_officer_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.officer_id}"


class Step(models.Model):
    """One transition performed on a case: the case's own index of its history (the ledger
    entry it points to is the authoritative record)."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="steps", verbose_name="案件"
    )
    action = models.CharField("操作", max_length=48)
    from_stage = models.CharField("原环节", max_length=48)
    to_stage = models.CharField("新环节", max_length=48)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="操作人",
    )
    actor_label = models.CharField("操作人（系统/接口）", max_length=100, blank=True)
    role = models.CharField("角色", max_length=32)
    at = models.DateTimeField("时间", default=timezone.now)
    data = models.JSONField("内容", default=dict, blank=True)
    ledger_seq = models.BigIntegerField("账本序号", unique=True)

    class Meta:
        verbose_name = "办案环节"
        verbose_name_plural = "办案环节"
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.action}"


class RecordKind(models.TextChoices):
    INTERVIEW = "interview", "询问笔录"
    ON_SITE = "on_site", "现场检查（勘验）笔录"
    SAMPLING = "sampling", "抽样取证凭证"
    HEARING = "hearing", "听证笔录"
    STATEMENT = "statement", "陈述申辩笔录"
    DELIBERATION = "deliberation", "集体讨论笔录"
    PHOTO = "photo", "照片"
    AUDIO = "audio", "录音"
    VIDEO = "video", "录像"
    DOCUMENT = "document", "文书或材料"
    OTHER = "other", "其他"


class Record(models.Model):
    """Part of the full-process record: a structured transcript (content = question/answer
    pairs and fields) or an audio-visual / document file (evidence) with time, place and the
    officers present."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="records", verbose_name="案件"
    )
    kind = models.CharField("记录类型", max_length=16, choices=RecordKind.choices)
    stage = models.CharField("所处环节", max_length=48)
    title = models.CharField("标题", max_length=200)
    content = models.JSONField("内容", default=dict, blank=True)
    evidence = models.ForeignKey(
        "evidence.EvidenceRecord",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="证据文件",
    )
    taken_at = models.DateTimeField("记录时间", default=timezone.now)
    place = models.CharField("地点", max_length=300, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    officers = models.ManyToManyField(
        "registry.Officer", related_name="+", blank=True, verbose_name="在场执法人员"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    # A correction is a new record pointing at the one it replaces.
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="更正的记录",
    )
    ledger_seq = models.BigIntegerField("账本序号", unique=True)

    class Meta:
        verbose_name = "执法记录"
        verbose_name_plural = "执法记录"
        ordering = ["case", "taken_at", "id"]

    def __str__(self) -> str:
        return self.title


class SignerRole(models.TextChoices):
    PARTY = "party", "当事人"
    WITNESS = "witness", "见证人"
    OFFICER = "officer", "执法人员"
    INTERVIEWEE = "interviewee", "被询问人"
    HOLDER = "holder", "被抽样人（持有人）"


class Signature(models.Model):
    """A signature on a record, captured on screen or as a scan; or a refusal to sign, which
    needs a witness or an audio-video record."""

    record = models.ForeignKey(
        Record, on_delete=models.PROTECT, related_name="signatures", verbose_name="记录"
    )
    signer_role = models.CharField("签名人身份", max_length=16, choices=SignerRole.choices)
    signer_name = models.CharField("签名人", max_length=64)
    image = models.ForeignKey(
        "evidence.EvidenceRecord",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="签名图像",
    )
    refused = models.BooleanField("拒绝签名", default=False)
    refusal_witness = models.CharField("拒签见证人", max_length=64, blank=True)
    refusal_evidence = models.ForeignKey(
        "evidence.EvidenceRecord",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="拒签音像记录",
    )
    signed_at = models.DateTimeField("时间", default=timezone.now)
    ledger_seq = models.BigIntegerField("账本序号", unique=True)

    class Meta:
        verbose_name = "签名"
        verbose_name_plural = "签名"
        ordering = ["record", "id"]

    def __str__(self) -> str:
        return self.signer_name


class ServiceMode(models.TextChoices):
    DIRECT = "direct", "直接送达"
    LEFT = "left", "留置送达"
    POST = "post", "邮寄送达"
    ELECTRONIC = "electronic", "电子送达"
    ENTRUSTED = "entrusted", "委托送达"
    ANNOUNCEMENT = "announcement", "公告送达"


class Service(models.Model):
    """Service (送达) of one document on one party. `served_on` is the date the law deems it
    served (for an announcement, 30 days after publication); it drives the following
    deadlines."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="services", verbose_name="案件"
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="services", verbose_name="受送达人"
    )
    document = models.CharField("送达文书", max_length=48)
    document_title = models.CharField("文书名称", max_length=200)
    mode = models.CharField("送达方式", max_length=16, choices=ServiceMode.choices)
    delivered_on = models.DateField("送达或公告日期")
    served_on = models.DateField("视为送达日期")
    recipient = models.CharField("签收人", max_length=64, blank=True)
    witness = models.CharField("见证人", max_length=64, blank=True)
    address = models.CharField("送达地址", max_length=300, blank=True)
    proof = models.ForeignKey(
        "evidence.EvidenceRecord",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="送达回证或音像",
    )
    note = models.CharField("备注", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    ledger_seq = models.BigIntegerField("账本序号", unique=True)

    class Meta:
        verbose_name = "送达"
        verbose_name_plural = "送达"
        ordering = ["case", "delivered_on", "id"]

    def __str__(self) -> str:
        return f"{self.document_title} {self.get_mode_display()}"


class MeasureKind(models.TextChoices):
    SEAL = "seal", "查封场所、设施或者财物"
    SEIZE = "seize", "扣押财物"
    FREEZE = "freeze", "冻结存款、汇款"
    RESTRAIN = "restrain", "限制公民人身自由"
    OTHER = "other", "其他行政强制措施"


class Measure(models.Model):
    """A coercive measure (行政强制措施) with its term: 查封、扣押 at most 30 days, one extension
    of at most 30 (行政强制法第二十五条)."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="measures", verbose_name="案件"
    )
    kind = models.CharField("措施种类", max_length=16, choices=MeasureKind.choices)
    items = models.TextField("财物或场所清单", blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("期限届满日")
    extended = models.BooleanField("已延长", default=False)
    emergency = models.BooleanField("当场实施（情况紧急）", default=False)
    reported_at = models.DateTimeField("补办批准时间", null=True, blank=True)
    released_on = models.DateField("解除日期", null=True, blank=True)

    class Meta:
        verbose_name = "行政强制措施"
        verbose_name_plural = "行政强制措施"
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class DeadlineStatus(models.TextChoices):
    OPEN = "open", "进行中"
    MET = "met", "已完成"
    CANCELLED = "cancelled", "已取消"


class Deadline(models.Model):
    """A running time limit of a case (decision within 90 days, statement period, payment,
    licence decision...), so overdue lists and alerts are one indexed query."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="deadlines", verbose_name="案件"
    )
    kind = models.CharField("期限类型", max_length=32)
    label = models.CharField("名称", max_length=100)
    basis = models.CharField("依据", max_length=200, blank=True)
    starts_on = models.DateField("起算日")
    due_on = models.DateField("届满日")
    working_days = models.BooleanField("按工作日计算", default=False)
    status = models.CharField(
        "状态", max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "期限"
        verbose_name_plural = "期限"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="deadline_status_due")]

    def __str__(self) -> str:
        return f"{self.label} {self.due_on}"


class Counter(models.Model):
    """The last number issued per body, kind of number and year. Incremented under a row lock
    (select_for_update), so two officers filing at the same moment never get the same 案号 or
    决定书文号."""

    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="执法主体"
    )
    kind = models.CharField("编号类别", max_length=16)
    year = models.PositiveIntegerField("年度")
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "编号计数器"
        verbose_name_plural = "编号计数器"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "year"], name="case_counter_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.kind}:{self.year}={self.last}"
