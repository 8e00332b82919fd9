"""`zhifa demo`'s publicity: the demo cases' decisions, drafted by the hook, published here (the
newest left a draft); before-publicity snapshot; a second run changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from zhifa.publicity.demo import build_demo
from zhifa.publicity.models import BodySnapshot, Publication, PubStatus

pytestmark = pytest.mark.django_db


def test_demo_publishes_the_demo_cases_decisions(daxing):
    from zhifa.cases.demo import build_demo as build_cases_demo

    build_cases_demo(daxing)
    drafted = Publication.objects.filter(source_subject__startswith="case:")
    assert drafted.exists()
    build_demo(daxing)
    published = Publication.objects.filter(status=PubStatus.PUBLISHED)
    assert published.exists()
    assert Publication.objects.filter(status=PubStatus.DRAFT).count() == 1
    assert BodySnapshot.objects.filter(organization=daxing.orgs["daxing"]).count() == 1
    html = Client().get("/public/").content.decode()
    assert published.first().document_number in html
    before = list(Publication.objects.values_list("pk", "status"))
    build_demo(daxing)
    assert list(Publication.objects.values_list("pk", "status")) == before
    assert BodySnapshot.objects.count() == 1


def test_demo_without_cases_uses_decision_facts(daxing):
    build_demo(daxing)
    assert Publication.objects.filter(status=PubStatus.PUBLISHED).count() == 3
    assert Publication.objects.filter(status=PubStatus.DRAFT).count() == 1
    html = Client().get("/public/").content.decode()
    assert "岩某" in html and "岩某示例" not in html
