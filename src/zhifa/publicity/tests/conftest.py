"""Fixtures of the publicity tests: 大兴乡's register and power list (built by their demo
services) and decisions with fictional parties. No real person appears here."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from zhifa.cases.tests.conftest import cw, make_case  # noqa: F401 - the case module's fixtures
from zhifa.publicity import services
from zhifa.publicity.models import PartyKind, PubCategory

# Fictional: the numbers only have the right shape (valid check digits).
SECRET_ID = "530926198001010011"
SECRET_PHONE = "13912345678"
SECRET_NAME = "岩温测试"
SECRET_OTHER = "李保密"
SECRET_ADDRESS_TAIL = "示例村3组8号"


@pytest.fixture(autouse=True)
def _clear_cache():
    from zhifa.publicity.selectors import forget_feed_version

    cache.clear()
    forget_feed_version()
    yield
    cache.clear()
    forget_feed_version()


@pytest.fixture
def daxing(world):
    from zhifa.powers.demo import build_powers_demo
    from zhifa.registry.demo import build_registry_demo

    build_registry_demo(world)
    build_powers_demo(world)
    return world


def make_facts(org, n: int = 1, **over) -> services.DecisionFacts:
    fields = {
        "organization": org,
        "source_subject": f"test:{n}",
        "category": PubCategory.PENALTY,
        "title": f"违法占用道路堆放砂石案{n}",
        "document_number": f"耿大兴罚决〔2026〕{n}号",
        "party_name": SECRET_NAME,
        "party_kind": PartyKind.NATURAL,
        "conclusion": "决定给予罚款人民币500元的行政处罚。",
        "facts": (
            f"当事人{SECRET_NAME}（公民身份号码{SECRET_ID}，联系电话{SECRET_PHONE}，"
            f"住址耿马傣族佤族自治县大兴乡{SECRET_ADDRESS_TAIL}）在村道堆放砂石；"
            f"证人{SECRET_OTHER}，男，在场。"
        ),
        "legal_basis": "《中华人民共和国公路法》第四十六条",
        "penalty": "罚款人民币500元",
        "decided_on": timezone.localdate() - datetime.timedelta(days=1),
    }
    fields.update(over)
    return services.DecisionFacts(**fields)


@pytest.fixture
def facts(daxing):
    def make(n: int = 1, **over):
        return make_facts(daxing.orgs["daxing"], n, **over)

    return make


@pytest.fixture
def published(daxing, facts):
    """A published natural-person penalty decision."""
    pub = services.draft_from_facts(None, facts(1))
    services.review(daxing.users["reviewer"], pub)
    return services.publish(daxing.users["bodyhead"], pub)


def secrets() -> list[str]:
    return [SECRET_ID, SECRET_PHONE, SECRET_NAME, SECRET_OTHER, SECRET_ADDRESS_TAIL]
