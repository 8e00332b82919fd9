"""Complaint fixtures, through the real services: a complaint factory, a supervisor of another
county (who supervises nothing of 大兴乡), and a clean cache (rate-limit counters and used
human-check tokens live there)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from zhifa.core import services as core_services
from zhifa.core.models import OrgKind, Role
from zhifa.supervision import services

TEXT = "执法人员在检查时未出示执法证件，态度生硬，要求核实处理。"


@pytest.fixture(autouse=True)
def _complaint_settings(settings):
    cache.clear()
    settings.COMPLAINT_MIN_SECONDS = 0
    yield
    cache.clear()


@pytest.fixture
def make_complaint(world):
    def make(**fields):
        values = {
            "body": world.orgs["daxing"],
            "category": "conduct",
            "text": TEXT,
            "contact_name": "周小梅",
            "contact_phone": "13800000001",
        }
        values.update(fields)
        return services.submit(**values)

    return make


@pytest.fixture
def other_supervisor(world):
    """A supervisor of 临翔区司法局, another county of 临沧市: the right role, the wrong place."""
    region = core_services.create_region("530902", "临翔区", world.regions["530900"])
    gov = core_services.create_organization(
        None, name="临沧市临翔区人民政府", kind=OrgKind.GOVERNMENT, region=region
    )
    bureau = core_services.create_organization(
        None, name="临沧市临翔区司法局", kind=OrgKind.JUSTICE_BUREAU, region=region, parent=gov
    )
    user, _ = core_services.create_user(
        None,
        username="lxsupervisor",
        full_name="吴测试",
        organization=bureau,
        password="Zhifa#2026",
    )
    core_services.grant_role(None, user, bureau, Role.SUPERVISOR)
    return user


def solve(html: str) -> tuple[str, str]:
    """(challenge token, answer) read from the form page, as a person would."""
    token = re.search(r'name="challenge" value="([^"]+)"', html).group(1)
    a, word, b = re.search(r"验证题：(\d) (加|减) (\d) 等于几", html).groups()
    answer = int(a) + int(b) if word == "加" else int(a) - int(b)
    return token, str(answer)
