"""Power list services: permission, scope, versions, ledger entries; the flowchart."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhifa.ledger.models import LedgerEntry
from zhifa.powers import flowchart, services
from zhifa.powers.models import ListStatus

pytestmark = pytest.mark.django_db


def test_body_head_creates_fills_and_publishes_with_ledger_entries(world):
    head = world.users["bodyhead"]
    org = world.orgs["daxing"]
    plist = services.create_list(head, org, 2026)
    matter, created = services.save_matter(
        head,
        plist,
        "XZCF-001",
        name="未取得乡村建设规划许可证进行建设",
        category="penalty",
        basis_text="《中华人民共和国城乡规划法》第六十五条",
        procedure_steps=["立案", "调查取证", "告知", "决定", "送达", "执行"],
    )
    assert created
    services.save_matter(head, plist, "XZCF-001", time_limit="90日")
    published = services.publish_list(head, plist)
    assert published.status == ListStatus.PUBLISHED and published.published_at
    draft = services.new_draft(head, published)
    assert draft.version == 2 and draft.matters.get().time_limit == "90日"
    published.refresh_from_db()
    assert published.status == ListStatus.PUBLISHED
    events = list(LedgerEntry.objects.values_list("event_type", flat=True))
    assert events.count("powers.list_created") == 2
    assert events.count("powers.matter_saved") == 2
    assert events.count("powers.list_published") == 1
    entry = LedgerEntry.objects.filter(event_type="powers.matter_saved").last()
    assert entry.organization_id == org.pk


@pytest.mark.parametrize("username", ["officer", "reviewer", "sysadmin", "marketofficer"])
def test_others_may_not_create_lists(world, username):
    with pytest.raises(PermissionDenied):
        services.create_list(world.users[username], world.orgs["daxing"], 2026)


def test_published_lists_are_frozen(world):
    plist = services.create_list(None, world.orgs["daxing"], 2026)
    services.save_matter(None, plist, "A1", name="检查", category="inspection")
    services.publish_list(None, plist)
    with pytest.raises(ValidationError):
        services.save_matter(None, plist, "A1", name="改")
    with pytest.raises(ValidationError):
        services.publish_list(None, plist)
    with pytest.raises(ValidationError):
        services.save_matter(None, services.new_draft(None, plist), "A2", name="x", category="?")


def test_flowchart_renders_every_step_and_escapes():
    svg = flowchart.svg_for_steps(["受理", "审查<核实>", "决定 & 送达"])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for label in ("受理", "审查&lt;核实&gt;", "决定 &amp; 送达"):
        assert label in svg
    assert "<核实>" not in svg
    assert svg.count("<rect") == 3 and svg.count("<line") == 2
    assert "未填写" in flowchart.svg_for_steps([])
