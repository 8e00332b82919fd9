"""The portal's annual statistics (R-06): one count per decision under its heaviest penalty,
fines summed, other categories counted, withdrawn and other years' decisions left out, numbers
only, cached."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from zhifa.publicity import services, stats
from zhifa.publicity.models import PubCategory

from .conftest import secrets

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "kind", "fine"),
    [
        ("罚款人民币500元", "fine", "500"),
        ("警告、罚款人民币1,200.50元", "fine", "1200.50"),
        ("罚款人民币3000元、暂扣许可证件", "suspend_licence", "3000"),
        ("没收违法所得（800元）、罚款2万元、吊销许可证件", "revoke_licence", "20000"),
        ("警告", "warning", "0"),
        ("责令停产停业", "stop_business", "0"),
        ("决定不予行政处罚。", "other", "0"),
    ],
)
def test_penalty_summary_counts_the_heaviest_type(text, kind, fine):
    assert stats.penalty_summary(text) == (kind, Decimal(fine))


def _publish(daxing, facts, n, **over):
    pub = services.review(None, services.draft_from_facts(None, facts(n, **over)))
    return services.publish(daxing.users["bodyhead"], pub)


def test_annual_figures_per_body(daxing, facts):
    day = datetime.date(2025, 6, 1)
    _publish(daxing, facts, 1, decided_on=day, penalty="罚款人民币500元")
    _publish(daxing, facts, 2, decided_on=day, penalty="警告、罚款人民币1000元、暂扣许可证件")
    _publish(daxing, facts, 3, decided_on=day, penalty="警告")
    _publish(daxing, facts, 4, decided_on=day, category=PubCategory.LICENSING, penalty="")
    gone = _publish(daxing, facts, 5, decided_on=day, penalty="罚款人民币9000元")
    services.withdraw(daxing.users["bodyhead"], gone, "复议机关撤销原决定")  # not counted
    _publish(daxing, facts, 6, decided_on=datetime.date(2024, 3, 1))  # another year
    services.draft_from_facts(None, facts(7, decided_on=day))  # a draft: not counted

    (row,) = stats.annual(2025)
    assert row.organization_id == daxing.orgs["daxing"].pk
    assert row.penalties == {"fine": 1, "suspend_licence": 1, "warning": 1}
    assert row.penalty_total == 3 and row.fines == Decimal("1500")
    assert row.by_category == {PubCategory.LICENSING: 1}
    assert stats.years() == [2025, 2024]
    assert stats.annual(2024)[0].penalty_total == 1


def test_stats_page_is_public_cached_and_shows_no_personal_data(daxing, facts):
    day = datetime.date(2025, 6, 1)
    _publish(daxing, facts, 1, decided_on=day, penalty="罚款人民币500元")
    html = Client().get("/public/stats/?year=2025").content.decode()
    assert "2025年度行政执法数据" in html and daxing.orgs["daxing"].name in html
    assert "500.00" in html and "暂扣许可证件" in html
    for secret in [*secrets(), "岩某", "耿大兴罚决"]:
        assert secret not in html, secret
    # Cached: a new publication shows after the cache expires, not at once.
    _publish(daxing, facts, 2, decided_on=day, penalty="罚款人民币700元")
    assert "1200.00" not in Client().get("/public/stats/?year=2025").content.decode()
    cache.clear()
    assert "1200.00" in Client().get("/public/stats/?year=2025").content.decode()


@pytest.mark.parametrize("year", ["abc", "1900", "<script>", "99999999999", ""])
def test_stats_page_odd_year_shows_the_latest_year(daxing, facts, year):
    _publish(daxing, facts, 1, decided_on=datetime.date(2025, 6, 1))
    response = Client().get("/public/stats/", {"year": year})
    assert response.status_code == 200
    assert "2025年度行政执法数据" in response.content.decode()


def test_stats_page_without_data_and_read_only(db):
    response = Client().get("/public/stats/")
    assert response.status_code == 200 and "暂无公示的执法决定" in response.content.decode()
    assert Client().post("/public/stats/").status_code == 405
