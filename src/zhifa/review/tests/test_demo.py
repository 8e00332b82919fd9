"""The review demo: the whole loop (存在问题 then 同意) and a case waiting for deliberation,
built through the services; a second run changes nothing."""

from __future__ import annotations

import pytest
from django.apps import apps

from zhifa.cases.models import Case
from zhifa.ledger.models import LedgerEntry
from zhifa.review import services
from zhifa.review.demo import TITLE_A, TITLE_B
from zhifa.review.models import CatalogueVersion, ReviewRound

pytestmark = pytest.mark.django_db


def test_demo_shows_the_review_loop(world):
    for app in ("registry", "powers"):
        apps.get_app_config(app).demo_data(world)
    apps.get_app_config("review").demo_data(world)
    count = LedgerEntry.objects.count()

    assert CatalogueVersion.objects.get(organization=world.orgs["daxing"]).version == 1
    a = Case.objects.get(title=TITLE_A)
    opinions = list(
        ReviewRound.objects.filter(request__case=a)
        .order_by("number")
        .values_list("opinion", flat=True)
    )
    assert opinions == ["problems", "agree"]
    assert services.decision_gate(a) is None and a.data["review_passed"] is True

    b = Case.objects.get(title=TITLE_B)
    assert b.requires_deliberation and b.data["review_passed"] is True
    assert not b.review_deliberations.exists()
    for case in (a, b):
        names = set(case.parties.values_list("name", flat=True))
        assert all(name.endswith("（虚构）") for name in names)

    apps.get_app_config("review").demo_data(world)
    assert LedgerEntry.objects.count() == count
