"""Demo data: two fictional complaints against 大兴乡, one handled; a second run adds nothing."""

from __future__ import annotations

import pytest
from django.apps import apps

from zhifa.supervision.models import Complaint, Status

pytestmark = pytest.mark.django_db


def test_demo_complaints_idempotent(world):
    config = apps.get_app_config("supervision")
    config.demo_data(world)
    config.demo_data(world)
    complaints = Complaint.objects.filter(body=world.orgs["daxing"])
    assert complaints.count() == 2
    assert sorted(c.status for c in complaints) == [Status.HANDLED, Status.RECEIVED]
    handled = complaints.get(status=Status.HANDLED)
    assert handled.handler == world.users["supervisor"] and handled.reply
