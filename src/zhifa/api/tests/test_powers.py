import pytest
from django.test import Client

from zhifa.powers import services
from zhifa.powers.models import DiscretionBenchmark, DiscretionGrade

BASE = "/api/v1"


@pytest.fixture
def powers(api_world):
    plist = services.create_list(None, api_world.orgs["daxing"], 2026)
    matter, _ = services.save_matter(
        None, plist, "XZJC-001", name="农村建房检查", category="inspection"
    )
    other = services.create_list(None, api_world.orgs["county_market"], 2026)
    other_matter, _ = services.save_matter(None, other, "XZCF-001", name="抽检", category="penalty")
    ref = DiscretionBenchmark.objects.create(source="参考表", item_no="1-1", violation="超标排放")
    DiscretionGrade.objects.create(benchmark=ref, seq=1, label="第1类", raw_text="处一万元罚款")
    own = DiscretionBenchmark.objects.create(
        source="大兴乡表", item_no="1", violation="乱倒垃圾", organization=api_world.orgs["daxing"]
    )
    market = DiscretionBenchmark.objects.create(
        source="市场局表", item_no="1", violation="无证经营",
        organization=api_world.orgs["county_market"],
    )  # fmt: skip
    return {
        "own": [
            f"{BASE}/power-lists/{plist.pk}",
            f"{BASE}/power-lists/{plist.pk}/matters",
            f"{BASE}/matters/{matter.pk}",
            f"{BASE}/benchmarks/{ref.pk}",
            f"{BASE}/benchmarks/{own.pk}",
        ],
        "other": [
            f"{BASE}/power-lists/{other.pk}",
            f"{BASE}/power-lists/{other.pk}/matters",
            f"{BASE}/matters/{other_matter.pk}",
            f"{BASE}/benchmarks/{market.pk}",
        ],
        "lists": [f"{BASE}/power-lists", f"{BASE}/benchmarks"],
    }


def test_anonymous_401(powers):
    for url in powers["own"] + powers["other"] + powers["lists"]:
        assert Client().get(url).status_code == 401, url


def test_scoped_for_users_and_clients(powers, client_for, token_for, bearer):
    for client in (client_for("officer"), bearer(token_for("daxing"))):
        for url in powers["own"] + powers["lists"]:
            assert client.get(url).status_code == 200, url
        for url in powers["other"]:
            assert client.get(url).status_code == 404, url
        titles = {p["body_name"] for p in client.get(f"{BASE}/power-lists").json()["items"]}
        assert titles == {"耿马傣族佤族自治县大兴乡人民政府"}
        violations = {b["violation"] for b in client.get(f"{BASE}/benchmarks").json()["items"]}
        assert violations == {"超标排放", "乱倒垃圾"}
    grades = client_for("officer").get(powers["own"][3]).json()["grades"]
    assert grades[0]["label"] == "第1类"


def test_admin_sees_no_power_lists(powers, client_for):
    client = client_for("sysadmin")
    assert client.get(f"{BASE}/power-lists").json()["count"] == 0
    for url in powers["own"][:3] + powers["other"]:
        assert client.get(url).status_code == 404, url


def test_revoked_token_401(powers, token_for, bearer):
    from zhifa.exchange import services as exchange_services
    from zhifa.exchange.models import ApiClient

    raw = token_for("daxing")
    exchange_services.revoke(None, ApiClient.objects.get(name="daxing-read"))
    for url in powers["own"] + powers["lists"]:
        assert bearer(raw).get(url).status_code == 401, url
