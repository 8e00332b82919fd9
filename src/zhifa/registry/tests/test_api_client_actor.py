"""An API client as the actor of registry and powers services: it acts only inside its own
organisation's subtree, only with the scope the service needs and only while its token is
active; its change is one ledger entry naming it (``api:<id> <name>``, role ``api_client``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from zhifa.exchange import services as exchange_services
from zhifa.ledger.models import LedgerEntry
from zhifa.powers import services as powers_services
from zhifa.registry import services

pytestmark = pytest.mark.django_db


def _client(world, org_key: str, scopes: str):
    client, _ = exchange_services.issue_token(
        None, f"{org_key}:{scopes}", world.orgs[org_key], scopes
    )
    return client


def test_client_in_its_subtree_is_recorded_by_name(world, make_officer):
    client = _client(world, "daxing", "read,registry.write")
    officer = make_officer(client, org="daxing_team")
    entry = LedgerEntry.objects.filter(event_type="registry.officer_created").get()
    assert entry.actor_id is None and entry.role == "api_client"
    assert entry.actor_label == f"api:{client.pk} daxing:read,registry.write"
    services.update_officer(client, officer, post="副队长")
    assert LedgerEntry.objects.filter(event_type="registry.officer_updated").get().actor_label == (
        client.actor_label
    )
    assert not LedgerEntry.objects.filter(event_type="exchange.client_write").exists()


def test_client_refusals(world, body, make_officer):
    officer = make_officer()
    before = LedgerEntry.objects.count()
    no_scope = _client(world, "daxing", "read")
    with pytest.raises(PermissionDenied, match="registry.write"):
        services.update_officer(no_scope, officer, post="x")
    # a client of the team may not change the body itself (above its subtree)
    team = _client(world, "daxing_team", "registry.write")
    with pytest.raises(PermissionDenied):
        services.update_body(team, body, area="x")
    other = _client(world, "county_market", "registry.write")
    with pytest.raises(PermissionDenied):
        services.update_officer(other, officer, post="x")
    revoked = _client(world, "daxing", "registry.write")
    exchange_services.revoke(None, revoked)
    with pytest.raises(PermissionDenied, match="停用"):
        services.update_officer(revoked, officer, post="x")
    # the registry scope does not open the power lists
    with pytest.raises(PermissionDenied, match="powers.write"):
        powers_services.create_list(
            _client(world, "daxing", "registry.write"), world.orgs["daxing"], 2027
        )
    officer.refresh_from_db()
    assert officer.post == "执法队员"
    # only the token issues/revocation were recorded
    new = LedgerEntry.objects.filter(seq__gte=before).values_list("event_type", flat=True)
    assert set(new) == {"exchange.token_issued", "exchange.token_revoked"}
