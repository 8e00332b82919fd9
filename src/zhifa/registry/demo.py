"""Demo register for 大兴乡: the body profile, officers (one certificate expiring within 30 days,
one expired), two legal reviewers and a retained legal adviser. Everyone here is fictional; the
identity numbers are made up with valid check digits. Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from zhifa.core.demo import DemoWorld

from . import services
from .models import EnforcementBody, LegalAdviser, LegalReviewer, Officer


def _citizen_id(born: str, serial: int) -> str:
    head = f"530926{born}{serial:03d}"
    return head + ric.calc_check_digit(head + "0")


def _uscc(org_code: str) -> str:
    head = f"11530926{org_code}"
    return head + uscc.calc_check_digit(head)


BODY = {
    "uscc": _uscc("MB0D12345"),
    "kind": "government",
    "head_name": "张伟",
    "address": "云南省临沧市耿马傣族佤族自治县大兴乡示例街1号（虚构）",
    "phone": "0883-0000101",
    "supervision_phone": "0883-0000102",
    "categories": ["乡村建设规划", "农业农村", "自然资源", "生态环境", "市场监管"],
    "area": "耿马傣族佤族自治县大兴乡行政区域",
}

# username or None, name, gender, unit key, post, cert suffix, expiry offset (days) or None,
# legal qualification number
OFFICERS = [
    ("unithead", "赵强", "male", "daxing_team", "队长", "0001", None, ""),
    ("officer", "李明", "male", "daxing_team", "执法队员", "0002", None, ""),
    ("officer2", "王芳", "female", "daxing_team", "执法队员", "0003", None, ""),
    (None, "何晓东", "male", "daxing_team", "执法队员", "0004", 20, ""),
    (None, "罗春燕", "female", "daxing_team", "执法队员", "0005", -15, ""),
    (None, "岩温香", "female", "daxing_team", "执法队员", "0006", None, ""),
    (None, "杨德福", "male", "daxing_team", "执法队员", "0007", None, ""),
    ("reviewer", "刘洋", "male", "daxing_office", "法制审核员", "0008", None, "A20185309260001"),
]

ADVISER = {"name": "周文斌", "practising_certificate_no": "15309201810000001"}


@transaction.atomic
def build_registry_demo(world: DemoWorld, today: datetime.date | None = None) -> EnforcementBody:
    today = today or timezone.localdate()
    org = world.orgs["daxing"]
    body = EnforcementBody.objects.filter(organization=org).first()
    if body is None:
        body = services.create_body(None, org, **BODY)
    officers: dict[str, Officer] = {}
    for i, (username, name, gender, unit, post, suffix, offset, qual) in enumerate(OFFICERS):
        number = f"5309260{suffix}"
        officer = Officer.objects.filter(certificate_no=number).first()
        if officer is None:
            expires = (
                today + datetime.timedelta(days=offset)
                if offset is not None
                else datetime.date(today.year + 3, 12, 31)
            )
            officer = services.create_officer(
                None,
                organization=world.orgs[unit],
                name=name,
                gender=gender,
                post=post,
                citizen_id=_citizen_id(f"19{80 + i:02d}0{1 + i % 9}1{i % 9}", 101 + i),
                user=world.users[username] if username else None,
                certificate_no=number,
                certificate_categories=["综合行政执法"],
                certificate_issued_on=min(expires, today) - datetime.timedelta(days=3 * 365),
                certificate_expires_on=expires,
                has_legal_qualification=bool(qual),
                legal_qualification_no=qual,
            )
        officers[username or name] = officer
    li_ming = officers["officer"]
    if not li_ming.trainings.exists():
        services.add_training(
            None, li_ming, date=datetime.date(today.year, 1, 15), title="行政处罚法专题", hours=8
        )
        services.add_training(
            None,
            li_ming,
            date=datetime.date(today.year - 1, 6, 20),
            title="执法全过程记录",
            hours=6,
        )
    adviser = LegalAdviser.objects.filter(
        body=body, practising_certificate_no=ADVISER["practising_certificate_no"]
    ).first()
    if adviser is None:
        adviser = services.create_adviser(None, body, law_firm=world.orgs["law_firm"], **ADVISER)
    reviewer = officers["reviewer"]
    if not LegalReviewer.objects.filter(body=body, officer=reviewer, active=True).exists():
        services.appoint_reviewer(
            None,
            body,
            officer=reviewer,
            appointed_on=today.replace(month=1, day=2),
            first_time=True,
        )
    if not LegalReviewer.objects.filter(body=body, adviser=adviser, active=True).exists():
        services.appoint_reviewer(
            None,
            body,
            adviser=adviser,
            appointed_on=today.replace(month=1, day=2),
            first_time=False,
        )
    return body
