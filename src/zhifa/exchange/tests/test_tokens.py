import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from zhifa.exchange import services
from zhifa.exchange.models import ApiClient
from zhifa.ledger.models import LedgerEntry


def test_sysadmin_issues_token_only_hash_stored(world):
    before = LedgerEntry.objects.count()
    client, raw = services.issue_token(
        world.users["sysadmin"], "县政务平台", world.orgs["daxing"], "read,registry.write"
    )
    assert raw.startswith("zf_") and len(raw) > 40
    assert client.token_hash == services.hash_token(raw) and raw not in client.token_hash
    assert client.scope_set == {"read", "registry.write"}
    assert LedgerEntry.objects.count() == before + 1
    assert services.authenticate_token(raw) == client
    assert ApiClient.objects.get(pk=client.pk).last_used_at is not None


@pytest.mark.parametrize("username", ["bodyhead", "secadmin", "auditadmin", "officer"])
def test_only_system_admin_issues(world, username):
    with pytest.raises(PermissionDenied):
        services.issue_token(world.users[username], "x", world.orgs["daxing"], "read")


def test_unknown_scope_refused(world):
    with pytest.raises(ValidationError):
        services.issue_token(None, "x", world.orgs["daxing"], "read,admin")


def test_revoked_and_unknown_tokens_fail(world):
    client, raw = services.issue_token(None, "x", world.orgs["daxing"], "read")
    services.revoke(world.users["sysadmin"], client)
    assert services.authenticate_token(raw) is None
    assert services.authenticate_token("zf_nonsense") is None
    assert services.authenticate_token("") is None


def test_cli_create_prints_token_once(world):
    out = io.StringIO()
    org = world.orgs["daxing"]
    call_command(
        "api-token", "create", "--name", "CLI", "--org", str(org.pk), "--scopes", "read",
        stdout=out,
    )  # fmt: skip
    raw = out.getvalue().strip().splitlines()[-1]
    client = services.authenticate_token(raw)
    assert client is not None and client.name == "CLI" and client.organization == org
    call_command("api-token", "revoke", str(client.pk), stdout=io.StringIO())
    assert services.authenticate_token(raw) is None
