"""Core: regions, organisations, users and their org-scoped roles, security logs, calendar."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Region(models.Model):
    """行政区划 (GB/T 2260; township codes use the 9-digit statistical extension)."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The code without its trailing zero pairs (530000 → 53, 530900 → 5309), so "within this
    # region" is a prefix match on one indexed column.
    prefix = models.CharField(max_length=12, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def save(self, *args, **kwargs):
        self.prefix = self.prefix_of(self.code)
        super().save(*args, **kwargs)

    @staticmethod
    def prefix_of(code: str) -> str:
        if len(code) == 6:
            if code.endswith("0000"):
                return code[:2]
            if code.endswith("00"):
                return code[:4]
        return code

    @property
    def level(self) -> str:
        return {2: "province", 4: "city", 6: "county"}.get(
            len(self.prefix_of(self.code)), "township"
        )

    def full_name(self) -> str:
        names = []
        node: Region | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class OrgKind(models.TextChoices):
    GOVERNMENT = "government", "人民政府"
    DEPARTMENT = "department", "政府部门"
    JUSTICE_BUREAU = "justice_bureau", "司法局"
    JUSTICE_OFFICE = "justice_office", "司法所"
    ENFORCEMENT_BODY = "enforcement_body", "执法主体"
    ENFORCEMENT_UNIT = "enforcement_unit", "执法机构"
    INTERNAL_OFFICE = "internal_office", "内设机构"
    LAW_FIRM = "law_firm", "律师事务所"


class Organization(models.Model):
    """An organisation in the tree. Scope flows down it: a member of an organisation acts on it
    and on everything below it."""

    name = models.CharField("名称", max_length=128)
    short_name = models.CharField("简称", max_length=64, blank=True)
    kind = models.CharField("类型", max_length=32, choices=OrgKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="行政区划")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级组织",
    )
    # 执法主体: the township government holds the county powers delegated to it in Yunnan.
    is_enforcement_body = models.BooleanField("是执法主体", default=False)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    # Materialised path of ancestor ids ("/1/5/9/") so subtree scoping is one indexed LIKE.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="/")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "组织机构"
        verbose_name_plural = "组织机构"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="org_unique_name_in_parent")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    # 所属单位: the account's home organisation, which decides which administrators manage it.
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name="所属单位",
    )
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("下次登录须改密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    OFFICER = "officer", "执法人员"
    UNIT_HEAD = "unit_head", "执法机构负责人"
    BODY_HEAD = "body_head", "主要负责人"
    LEGAL_REVIEWER = "legal_reviewer", "法制审核人员"
    SUPERVISOR = "supervisor", "执法监督人员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}


class Membership(models.Model):
    """A user holds a role in an organisation (and so in its subtree)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships", verbose_name="组织"
    )
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class PasswordHistory(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d}"


class LoginResult(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "密码错误"
    LOCKED = "locked", "账号锁定"
    LOGOUT = "logout", "退出"
    TIMEOUT = "timeout", "超时退出"


class LoginLog(models.Model):
    """登录日志: read by the audit admin only; written by the login/logout views."""

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    username = models.CharField("用户名", max_length=150, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=512, blank=True)
    result = models.CharField("结果", max_length=16, choices=LoginResult.choices)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "登录日志"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.result}"


class OperationLog(models.Model):
    """操作日志: one row per state-changing request, whatever view handled it."""

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField("用户名", max_length=150, blank=True)
    method = models.CharField("方法", max_length=10)
    path = models.CharField("路径", max_length=512)
    status = models.PositiveSmallIntegerField("状态码")
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=512, blank=True)
    action = models.CharField("操作", max_length=128, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "操作日志"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.method} {self.path}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日"
    WORKDAY = "workday", "调休工作日"


class CalendarDay(models.Model):
    """An exception to the weekend rule: a holiday on a weekday or a make-up workday."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    name = models.CharField("名称", max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose holidays are complete (the State Council's notice has been entered)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=128, blank=True)
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["year"]
        verbose_name = "已确认年度日历"

    def __str__(self) -> str:
        return str(self.year)
