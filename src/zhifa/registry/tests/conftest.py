"""Register fixtures: the 大兴乡 body profile and an officer factory, through the services."""

from __future__ import annotations

import datetime

import pytest
from stdnum.cn import ric

from zhifa.registry import services

TODAY = datetime.date(2026, 3, 2)


def citizen_id(serial: int, born: str = "19850304") -> str:
    """A structurally valid, fictional 公民身份号码 from 耿马县 (530926)."""
    body = f"530926{born}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def uscc_for(org_code: str) -> str:
    from stdnum.cn import uscc

    body = f"11530926{org_code}"
    return body + uscc.calc_check_digit(body)


@pytest.fixture
def body(world):
    return services.create_body(
        None,
        world.orgs["daxing"],
        uscc=uscc_for("015432176"),
        kind="government",
        head_name="张伟",
        address="耿马县大兴乡示例路1号",
        phone="0883-0000001",
        supervision_phone="0883-0000002",
        categories=["乡村建设规划", "农业农村"],
        area="大兴乡行政区域",
    )


@pytest.fixture
def make_officer(world, body):
    counter = {"n": 0}

    def make(actor=None, *, org="daxing_team", **fields):
        counter["n"] += 1
        n = counter["n"]
        values = {
            "name": f"测试员{n}",
            "gender": "male",
            "citizen_id": citizen_id(n),
            "certificate_no": f"53092600{n:04d}",
            "certificate_issued_on": datetime.date(2024, 1, 1),
            "certificate_expires_on": datetime.date(2029, 12, 31),
            "post": "执法队员",
        }
        values.update(fields)
        return services.create_officer(actor, organization=world.orgs[org], **values)

    return make


@pytest.fixture
def demo(world):
    from zhifa.registry.demo import build_registry_demo

    return build_registry_demo(world)
