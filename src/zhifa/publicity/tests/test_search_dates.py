"""Keyword search under date bounds: the fast paths (PostgreSQL's walk of the date index from the
upper bound, SQLite's rowid bound) must not lose a decision published long after its date."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from zhifa.publicity import services

pytestmark = pytest.mark.django_db


def _publish(daxing, facts, n, day):
    pub = services.review(None, services.draft_from_facts(None, facts(n, decided_on=day)))
    return services.publish(daxing.users["bodyhead"], pub)


def test_upper_date_bound_keeps_late_published_decisions(daxing, facts):
    d1, d2, d3 = datetime.date(2024, 1, 5), datetime.date(2024, 6, 5), datetime.date(2025, 3, 5)
    mid = _publish(daxing, facts, 1, d2)
    new = _publish(daxing, facts, 2, d3)
    late_old = _publish(daxing, facts, 3, d1)  # the newest id, the oldest decision
    html = Client().get("/public/search/", {"q": "砂石", "to": "2024-12-31"}).content.decode()
    assert mid.document_number in html and late_old.document_number in html
    assert new.document_number not in html
    html = Client().get("/public/search/", {"q": "砂石", "to": "2024-03-01"}).content.decode()
    assert late_old.document_number in html and mid.document_number not in html
    html = Client().get("/public/search/", {"q": "砂石", "to": "2023-12-31"}).content.decode()
    assert "耿大兴罚决" not in html
    html = (
        Client()
        .get("/public/search/", {"q": "砂石", "from": "2024-06-01", "to": "2025-12-31"})
        .content.decode()
    )
    assert mid.document_number in html and new.document_number in html
    assert late_old.document_number not in html


def test_upper_date_bound_pages_through_every_match(daxing, facts):
    day = datetime.date(2024, 6, 5)
    pubs = [_publish(daxing, facts, 10 + n, day) for n in range(25)]
    _publish(daxing, facts, 99, datetime.date(2025, 1, 1))  # after the bound
    first = Client().get("/public/search/", {"q": "砂石", "to": "2024-12-31"}).content.decode()
    second = (
        Client()
        .get("/public/search/", {"q": "砂石", "to": "2024-12-31", "page": 2})
        .content.decode()
    )
    found = [p.document_number for p in pubs if p.document_number in first + second]
    assert len(found) == 25 and "下一页" in first and "下一页" not in second
