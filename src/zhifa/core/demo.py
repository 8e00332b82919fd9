"""The demo organisation: 大兴乡 of 耿马傣族佤族自治县 with its units, the county justice bureau
and a retained law firm. Every person here is fictional. Built through the real services and
idempotent: running it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from . import services
from .models import Organization, OrgKind, Region, Role, User

# Only `zhifa demo` (make demo) and the tests use this password; no other default exists.
DEMO_PASSWORD = "Zhifa#2026"  # noqa: S105 - the documented demo password


@dataclass
class DemoWorld:
    regions: dict[str, Region] = field(default_factory=dict)
    orgs: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


REGIONS = [
    ("530000", "云南省", None),
    ("530900", "临沧市", "530000"),
    ("530926", "耿马傣族佤族自治县", "530900"),
]

# key, name, kind, region, parent key, is enforcement body
ORGS = [
    ("county_gov", "耿马傣族佤族自治县人民政府", OrgKind.GOVERNMENT, "530926", None, False),
    (
        "county_justice",
        "耿马傣族佤族自治县司法局",
        OrgKind.JUSTICE_BUREAU,
        "530926",
        "county_gov",
        False,
    ),
    (
        "county_market",
        "耿马傣族佤族自治县市场监督管理局",
        OrgKind.DEPARTMENT,
        "530926",
        "county_gov",
        True,
    ),
    (
        "daxing",
        "耿马傣族佤族自治县大兴乡人民政府",
        OrgKind.GOVERNMENT,
        "530926",
        "county_gov",
        True,
    ),
    ("daxing_team", "大兴乡综合行政执法队", OrgKind.ENFORCEMENT_UNIT, "530926", "daxing", False),
    ("daxing_justice", "大兴乡司法所", OrgKind.JUSTICE_OFFICE, "530926", "daxing", False),
    ("daxing_office", "大兴乡党政综合办公室", OrgKind.INTERNAL_OFFICE, "530926", "daxing", False),
    (
        "daxing_agri",
        "大兴乡农业农村综合服务中心",
        OrgKind.INTERNAL_OFFICE,
        "530926",
        "daxing",
        False,
    ),
    ("law_firm", "云南明理律师事务所（示例）", OrgKind.LAW_FIRM, "530900", None, False),
]

# username, full name, home org, [(org, role)]
USERS = [
    ("officer", "李明", "daxing_team", [("daxing_team", Role.OFFICER)]),
    ("officer2", "王芳", "daxing_team", [("daxing_team", Role.OFFICER)]),
    ("unithead", "赵强", "daxing_team", [("daxing_team", Role.UNIT_HEAD)]),
    ("bodyhead", "张伟", "daxing", [("daxing", Role.BODY_HEAD)]),
    ("reviewer", "刘洋", "daxing", [("daxing", Role.LEGAL_REVIEWER)]),
    ("supervisor", "陈静", "daxing_justice", [("daxing_justice", Role.SUPERVISOR)]),
    ("countysupervisor", "杨帆", "county_justice", [("county_justice", Role.SUPERVISOR)]),
    ("marketofficer", "孙磊", "county_market", [("county_market", Role.OFFICER)]),
    ("sysadmin", "系统管理员", "county_gov", [("county_gov", Role.SYSTEM_ADMIN)]),
    ("secadmin", "安全管理员", "county_gov", [("county_gov", Role.SECURITY_ADMIN)]),
    ("auditadmin", "审计管理员", "county_gov", [("county_gov", Role.AUDIT_ADMIN)]),
]


@transaction.atomic
def build_demo(password: str = DEMO_PASSWORD) -> DemoWorld:
    world = DemoWorld()
    for code, name, parent in REGIONS:
        world.regions[code] = services.create_region(
            code, name, world.regions[parent] if parent else None
        )
    for key, name, kind, region, parent_key, is_body in ORGS:
        parent = world.orgs[parent_key] if parent_key else None
        org = Organization.objects.filter(parent=parent, name=name).first()
        if org is None:
            org = services.create_organization(
                None,
                name=name,
                kind=kind,
                region=world.regions[region],
                parent=parent,
                is_enforcement_body=is_body,
            )
        world.orgs[key] = org
    for username, full_name, home, grants in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _ = services.create_user(
                None,
                username=username,
                full_name=full_name,
                organization=world.orgs[home],
                password=password,
            )
        held = set(user.memberships.values_list("organization_id", "role"))
        for org_key, role in grants:
            if (world.orgs[org_key].pk, role) not in held:
                services.grant_role(None, user, world.orgs[org_key], role)
        world.users[username] = user
    return world
