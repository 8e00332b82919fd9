"""API fixtures: the demo world with the 大兴乡 register, a 市场监督管理局 officer record, a
small law, and API clients with tokens."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from zhifa.exchange import services as exchange_services
from zhifa.laws import services as law_services
from zhifa.laws.parser import parse_markdown
from zhifa.registry import services as registry_services
from zhifa.registry.models import Officer

LAW_TEXT = (
    "# 中华人民共和国示例管理法\n\n"
    "第一条 为了规范示例管理，保护公民的合法权益，制定本法。\n\n"
    "第二条 违反本法规定销售过期食品的，处以罚款。\n"
)


@pytest.fixture
def api_world(world):
    from zhifa.registry.demo import build_registry_demo

    build_registry_demo(world)
    market = world.orgs["county_market"]
    registry_services.create_body(
        None,
        market,
        uscc="11530926MB0D98765X"[:17] + _uscc_check("11530926MB0D98765"),
        kind="department",
        head_name="示例",
        address="示例地址",
        phone="0883-0000201",
        supervision_phone="0883-0000202",
        categories=["市场监管"],
        area="耿马傣族佤族自治县",
    )
    registry_services.create_officer(
        None,
        organization=market,
        name="孙磊",
        gender="male",
        citizen_id=_citizen_id("19850101", 901),
        certificate_no="53092699990001",
        certificate_issued_on=datetime.date(2024, 1, 1),
        certificate_expires_on=datetime.date(2030, 1, 1),
    )
    (parsed,) = [parse_markdown(LAW_TEXT, "示例管理法(2021-01-22).md", ("法律",))]
    law_services.import_parsed([parsed])
    return world


def _citizen_id(born: str, serial: int) -> str:
    from stdnum.cn import ric

    head = f"530926{born}{serial:03d}"
    return head + ric.calc_check_digit(head + "0")


def _uscc_check(head: str) -> str:
    from stdnum.cn import uscc

    return uscc.calc_check_digit(head)


@pytest.fixture
def daxing_officer(api_world):
    return Officer.objects.get(name="李明")


@pytest.fixture
def market_officer(api_world):
    return Officer.objects.get(name="孙磊")


@pytest.fixture
def token_for(api_world):
    """token_for("daxing", "read") -> a raw bearer token of a client of that organisation."""

    def make(org_key: str, scopes: str = "read") -> str:
        _, raw = exchange_services.issue_token(
            None, f"{org_key}-{scopes}", api_world.orgs[org_key], scopes
        )
        return raw

    return make


@pytest.fixture
def bearer():
    def make(raw: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make
