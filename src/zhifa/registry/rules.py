"""Rules of law for the register, data and code in one place. Each has a test that breaks it
(``tests/test_rules.py``).

* 法制审核人员 ≥ 5% of the body's enforcement officers, and at least one (国办发〔2018〕118号
  第(十一)项; the 大兴乡 implementation plan: “原则上各级行政执法机关的法制审核人员不少于本单位执法
  人员总数的5%，不足1人的至少按1人配置”).
* 行政执法证 expiring within 30 days is flagged, an expired one more so.
* A first-time legal reviewer must hold the 法律职业资格 (行政处罚法 第五十八条第二款).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

__all__ = [
    "CERTIFICATE_WARNING_DAYS",
    "FIRST_TIME_REVIEWER_BASIS",
    "REVIEWER_MIN_COUNT",
    "REVIEWER_MIN_PERCENT",
    "REVIEWER_RATIO_BASIS",
    "CertificateState",
    "RatioCheck",
    "certificate_state_q",
    "certificate_status",
    "check_first_time_reviewer",
    "required_reviewers",
    "reviewer_ratio",
]

# ---------------------------------------------------------------- 法制审核人员配备比例

REVIEWER_MIN_PERCENT = 5
REVIEWER_MIN_COUNT = 1
REVIEWER_RATIO_BASIS = (
    "原则上各级行政执法机关的法制审核人员不少于本单位执法人员总数的5%，不足1人的至少按1人配置"
    "（国办发〔2018〕118号）"
)


@dataclass(frozen=True)
class RatioCheck:
    ok: bool
    reviewers: int
    officers: int
    required: int
    message: str


def required_reviewers(officers: int) -> int:
    """5% of the officers rounded up, and at least one: 1–20 officers → 1, 21–40 → 2, …"""
    return max(REVIEWER_MIN_COUNT, -(-officers * REVIEWER_MIN_PERCENT // 100))


def reviewer_ratio(body) -> RatioCheck:
    """Counts the body's in-post officers (status 在岗) and its active legal reviewers (an
    officer-reviewer counts only while in post; an adviser only while retained)."""
    from .models import LegalReviewer, Officer, OfficerStatus

    officers = Officer.objects.filter(body=body, status=OfficerStatus.ACTIVE).count()
    reviewers = (
        LegalReviewer.objects.filter(body=body, active=True)
        .filter(
            Q(officer__status=OfficerStatus.ACTIVE) | Q(officer__isnull=True, adviser__active=True)
        )
        .count()
    )
    required = required_reviewers(officers)
    ok = reviewers >= required
    if ok:
        message = (
            f"法制审核人员 {reviewers} 名，在岗执法人员 {officers} 名，"
            f"符合不少于{REVIEWER_MIN_PERCENT}%且至少{REVIEWER_MIN_COUNT}名的要求。"
        )
    else:
        message = (
            f"法制审核人员配备不足：现有 {reviewers} 名，在岗执法人员 {officers} 名，"
            f"应至少配备 {required} 名。依据：{REVIEWER_RATIO_BASIS}。"
        )
    return RatioCheck(ok, reviewers, officers, required, message)


# ---------------------------------------------------------------- 行政执法证有效期

CERTIFICATE_WARNING_DAYS = 30


class CertificateState(models.TextChoices):
    VALID = "valid", "有效"
    EXPIRING = "expiring", "即将到期"
    EXPIRED = "expired", "已过期"


def certificate_status(officer, today: datetime.date) -> CertificateState:
    """Expired after its 有效期至 date; expiring when that date is at most 30 days away."""
    expires = officer.certificate_expires_on
    if expires < today:
        return CertificateState.EXPIRED
    if expires <= today + datetime.timedelta(days=CERTIFICATE_WARNING_DAYS):
        return CertificateState.EXPIRING
    return CertificateState.VALID


def certificate_state_q(state: str, today: datetime.date, field: str = "") -> Q:
    """The same rule as a query filter, for lists."""
    name = f"{field}certificate_expires_on"
    soon = today + datetime.timedelta(days=CERTIFICATE_WARNING_DAYS)
    if state == CertificateState.EXPIRED:
        return Q(**{f"{name}__lt": today})
    if state == CertificateState.EXPIRING:
        return Q(**{f"{name}__gte": today, f"{name}__lte": soon})
    if state == CertificateState.VALID:
        return Q(**{f"{name}__gt": soon})
    raise ValueError(f"unknown certificate state {state!r}")


# ---------------------------------------------------------------- 初次从事法制审核的人员

FIRST_TIME_REVIEWER_BASIS = (
    "《中华人民共和国行政处罚法》第五十八条第二款：“行政机关中初次从事行政处罚决定法制审核的人员，"
    "应当通过国家统一法律职业资格考试取得法律职业资格。”"
)


def check_first_time_reviewer(*, first_time: bool, has_legal_qualification: bool, name: str):
    """Refuse a first-time reviewer without the 法律职业资格."""
    if first_time and not has_legal_qualification:
        raise ValidationError(
            f"不能任命{name}为法制审核人员：其为初次从事行政处罚决定法制审核的人员，"
            f"但未取得法律职业资格。依据{FIRST_TIME_REVIEWER_BASIS}",
            code="first_time_without_qualification",
        )
