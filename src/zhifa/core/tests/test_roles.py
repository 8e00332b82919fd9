"""Role grants under 三员分立, and organisation scoping of what business users may read."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from zhifa.core import services
from zhifa.core.demo import DEMO_PASSWORD
from zhifa.core.models import ADMIN_ROLES, Membership, Role, User

pytestmark = pytest.mark.django_db


def memberships() -> list[tuple]:
    return list(
        Membership.objects.order_by("pk").values_list("pk", "user_id", "organization_id", "role")
    )


def html(response) -> str:
    return response.content.decode()


def without_csrf(response) -> str:
    """The page with its per-request CSRF token removed, to compare two answers."""
    return re.sub(r"[A-Za-z0-9]{64}", "", html(response))


def make_user(world, username: str, home: str, role: str | None = None, org: str | None = None):
    user, _ = services.create_user(
        None,
        username=username,
        full_name=username,
        organization=world.orgs[home],
        password=DEMO_PASSWORD,
    )
    if role:
        services.grant_role(None, user, world.orgs[org or home], role)
    return user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------- granting through the page


def test_security_admin_grants_and_revokes(world, client_for):
    officer2 = world.users["officer2"]
    daxing = world.orgs["daxing"]
    client = client_for("secadmin")
    response = client.post(
        reverse("core:admin_role_grant"),
        {"user": officer2.pk, "organization": daxing.pk, "role": Role.LEGAL_REVIEWER},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=officer2, organization=daxing)
    assert membership.role == Role.LEGAL_REVIEWER
    assert membership.granted_by == world.users["secadmin"]
    assert "法制审核人员" in html(client.get(reverse("core:admin_roles")))

    response = client.post(reverse("core:admin_role_revoke", args=[membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_duplicate_grant_shows_error(world, client_for):
    officer = world.users["officer"]
    before = memberships()
    response = client_for("secadmin").post(
        reverse("core:admin_role_grant"),
        {"user": officer.pk, "organization": world.orgs["daxing_team"].pk, "role": Role.OFFICER},
    )
    assert response.status_code == 400
    assert "该用户在此组织已有这个角色" in html(response)
    assert memberships() == before


def test_security_admin_cannot_grant_itself(world, client_for):
    secadmin = world.users["secadmin"]
    with pytest.raises(PermissionDenied):
        services.grant_role(secadmin, secadmin, world.orgs["daxing"], Role.SECURITY_ADMIN)
    before = memberships()
    response = client_for("secadmin").post(
        reverse("core:admin_role_grant"),
        {"user": secadmin.pk, "organization": world.orgs["county_gov"].pk, "role": Role.OFFICER},
    )
    assert response.status_code == 403
    assert "不能给自己授予角色" in html(response)
    assert memberships() == before


def test_security_admin_cannot_revoke_its_own_role(world, client_for):
    own = Membership.objects.get(user=world.users["secadmin"])
    response = client_for("secadmin").post(reverse("core:admin_role_revoke", args=[own.pk]))
    assert response.status_code == 403
    assert Membership.objects.filter(pk=own.pk).exists()


def test_security_admin_cannot_create_users(world, client_for):
    with pytest.raises(PermissionDenied):
        services.create_user(
            world.users["secadmin"],
            username="newbie",
            full_name="新人",
            organization=world.orgs["daxing"],
        )
    count = User.objects.count()
    response = client_for("secadmin").post(
        reverse("core:admin_user_create"),
        {"username": "newbie", "full_name": "新人", "organization": world.orgs["daxing"].pk},
    )
    assert response.status_code == 403
    assert User.objects.count() == count
    assert client_for("secadmin").get(reverse("core:admin_users")).status_code == 403


def test_system_admin_cannot_grant_roles(world, client_for):
    officer2 = world.users["officer2"]
    with pytest.raises(PermissionDenied):
        services.grant_role(
            world.users["sysadmin"], officer2, world.orgs["daxing"], Role.LEGAL_REVIEWER
        )
    before = memberships()
    client = client_for("sysadmin")
    response = client.post(
        reverse("core:admin_role_grant"),
        {"user": officer2.pk, "organization": world.orgs["daxing"].pk, "role": Role.OFFICER},
    )
    assert response.status_code == 403
    revoke = client.post(
        reverse("core:admin_role_revoke", args=[Membership.objects.get(user=officer2).pk])
    )
    assert revoke.status_code == 403
    assert memberships() == before


# ---------------------------------------------------------------- 三员分立


@pytest.mark.parametrize(
    "holder, extra",
    [
        ("sysadmin", Role.SECURITY_ADMIN),
        ("sysadmin", Role.AUDIT_ADMIN),
        ("secadmin", Role.SYSTEM_ADMIN),
        ("secadmin", Role.AUDIT_ADMIN),
        ("auditadmin", Role.SYSTEM_ADMIN),
        ("auditadmin", Role.SECURITY_ADMIN),
        ("sysadmin", Role.OFFICER),
        ("auditadmin", Role.SUPERVISOR),
        ("officer", Role.SYSTEM_ADMIN),
        ("officer", Role.SECURITY_ADMIN),
        ("supervisor", Role.AUDIT_ADMIN),
    ],
)
def test_admin_roles_cannot_be_combined(world, holder, extra):
    target = world.users[holder]
    before = memberships()
    with pytest.raises(ValidationError, match="三员分立"):
        services.grant_role(None, target, world.orgs["daxing"], extra)
    # Also refused when a real security admin asks (not only for trusted callers).
    if holder != "secadmin":
        with pytest.raises(ValidationError, match="三员分立"):
            services.grant_role(world.users["secadmin"], target, world.orgs["daxing"], extra)
    assert memberships() == before


def test_combination_refused_through_the_page(world, client_for):
    before = memberships()
    response = client_for("secadmin").post(
        reverse("core:admin_role_grant"),
        {
            "user": world.users["auditadmin"].pk,
            "organization": world.orgs["county_gov"].pk,
            "role": Role.SYSTEM_ADMIN,
        },
    )
    assert response.status_code == 400
    assert "三员分立" in html(response)
    assert memberships() == before


def test_an_admin_role_alone_is_allowed(world):
    fresh = make_user(world, "newadmin", "daxing")
    membership = services.grant_role(
        world.users["secadmin"], fresh, world.orgs["daxing"], Role.AUDIT_ADMIN
    )
    assert membership.role in ADMIN_ROLES


# ---------------------------------------------------------------- security admin scope


@pytest.fixture
def daxing_secadmin(world):
    return make_user(world, "daxingsec", "daxing", Role.SECURITY_ADMIN)


def test_daxing_security_admin_cannot_grant_in_county_market(world, daxing_secadmin):
    officer2 = world.users["officer2"]  # home 大兴乡综合行政执法队: in scope
    county_market = world.orgs["county_market"]
    with pytest.raises(PermissionDenied):
        services.grant_role(daxing_secadmin, officer2, county_market, Role.OFFICER)
    before = memberships()
    response = logged_in(daxing_secadmin).post(
        reverse("core:admin_role_grant"),
        {"user": officer2.pk, "organization": county_market.pk, "role": Role.OFFICER},
    )
    assert response.status_code == 403
    assert memberships() == before
    # Within its scope the same grant works.
    response = logged_in(daxing_secadmin).post(
        reverse("core:admin_role_grant"),
        {"user": officer2.pk, "organization": world.orgs["daxing"].pk, "role": Role.OFFICER},
    )
    assert response.status_code == 302


def test_daxing_security_admin_cannot_pick_county_users(world, daxing_secadmin):
    before = memberships()
    client = logged_in(daxing_secadmin)
    response = client.post(
        reverse("core:admin_role_grant"),
        {
            "user": world.users["marketofficer"].pk,
            "organization": world.orgs["daxing"].pk,
            "role": Role.OFFICER,
        },
    )
    assert response.status_code == 400
    assert "请选择您管理范围内的有效账号" in html(response)
    assert memberships() == before
    form = client.get(reverse("core:admin_roles")).context["form"]
    usernames = set(form.fields["user"].queryset.values_list("username", flat=True))
    assert "officer" in usernames
    assert "marketofficer" not in usernames


def test_membership_outside_scope_is_404_like_missing(world, daxing_secadmin):
    county = Membership.objects.get(user=world.users["marketofficer"])
    client = logged_in(daxing_secadmin)
    page = client.get(reverse("core:admin_roles"))
    listed = {m.pk for m in page.context["memberships"]}
    assert county.pk not in listed
    assert Membership.objects.get(user=world.users["officer"]).pk in listed

    before = memberships()
    out_of_scope = client.post(reverse("core:admin_role_revoke", args=[county.pk]))
    missing = client.post(reverse("core:admin_role_revoke", args=[999999]))
    assert out_of_scope.status_code == missing.status_code == 404
    assert without_csrf(out_of_scope) == without_csrf(missing)
    assert memberships() == before


# ---------------------------------------------------------------- business org scoping


def detail(client: Client, pk: int) -> int:
    return client.get(reverse("core:org_detail", args=[pk])).status_code


def listed_names(client: Client) -> set[str]:
    return {org.name for org in client.get(reverse("core:org_list")).context["orgs"]}


def test_officer_sees_own_unit_only(world, client_for):
    client = client_for("officer")
    assert detail(client, world.orgs["daxing_team"].pk) == 200
    assert detail(client, world.orgs["county_market"].pk) == 404
    names = listed_names(client)
    assert "大兴乡综合行政执法队" in names
    assert "耿马傣族佤族自治县市场监督管理局" not in names


def test_township_justice_office_supervises_its_township_only(world, client_for):
    client = client_for("supervisor")
    assert detail(client, world.orgs["daxing"].pk) == 200
    assert detail(client, world.orgs["daxing_team"].pk) == 200
    assert detail(client, world.orgs["county_market"].pk) == 404
    names = listed_names(client)
    assert "耿马傣族佤族自治县大兴乡人民政府" in names
    assert "耿马傣族佤族自治县市场监督管理局" not in names


def test_county_justice_bureau_supervises_both(world, client_for):
    client = client_for("countysupervisor")
    assert detail(client, world.orgs["daxing"].pk) == 200
    assert detail(client, world.orgs["county_market"].pk) == 200
    names = listed_names(client)
    assert {"耿马傣族佤族自治县大兴乡人民政府", "耿马傣族佤族自治县市场监督管理局"} <= names


@pytest.mark.parametrize("username", ["officer", "supervisor", "countysupervisor"])
def test_missing_org_is_the_same_404(world, client_for, username):
    client = client_for(username)
    forbidden = client.get(reverse("core:org_detail", args=[world.orgs["law_firm"].pk]))
    missing = client.get(reverse("core:org_detail", args=[999999]))
    assert forbidden.status_code == missing.status_code == 404
    assert without_csrf(forbidden) == without_csrf(missing)


def test_admins_read_no_business_orgs(world, client_for):
    for username in ("sysadmin", "secadmin", "auditadmin"):
        client = client_for(username)
        assert detail(client, world.orgs["daxing"].pk) == 404
