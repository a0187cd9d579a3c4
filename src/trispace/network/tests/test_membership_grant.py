import pytest
from django.contrib.auth import get_user_model

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog, OutboxEvent
from trispace.network.models import Membership, Role
from trispace.network.scoping import scope_for
from trispace.network.services import membership_grant, membership_grant_by_phone
from trispace.network.tests.conftest import snapshot
from trispace.network.tests.factories import SalespersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def refused(expected, **kwargs):
    kwargs.setdefault("actor", None)
    before = snapshot()
    with pytest.raises(DomainError) as info:
        membership_grant(**kwargs)
    assert info.value.code == expected, info.value
    assert snapshot() == before
    return info.value


def test_dealer_admin_assigns_a_store_owner(net):
    admin = net.user("dealer_admin")
    person = UserFactory()
    membership = membership_grant(
        actor=admin, user=person, organization=net.store_a, role=Role.STORE_OWNER
    )
    assert membership.is_active
    assert membership.sales_rank == ""
    assert scope_for(person).can_run_store(net.store_a)
    assert OutboxEvent.objects.get(name="MembershipGranted").payload == {
        "membership_id": membership.pk,
        "user_id": person.pk,
        "organization_id": net.store_a.pk,
        "role": "store_owner",
    }
    assert AuditLog.objects.get(action="membership_grant").actor_id == admin.pk


def test_granting_again_reactivates_the_same_row(net):
    clerk = net.memberships["store_clerk"]
    Membership.objects.filter(pk=clerk.pk).update(is_active=False)
    again = membership_grant(
        actor=None, user=clerk.user, organization=net.store_a, role=Role.STORE_CLERK
    )
    assert again.pk == clerk.pk
    assert again.is_active
    before = snapshot()
    membership_grant(actor=None, user=clerk.user, organization=net.store_a, role=Role.STORE_CLERK)
    assert snapshot() == before  # already so: nothing written


@pytest.mark.parametrize(
    ("org_attr", "role"),
    [
        ("dealer_a", Role.STORE_OWNER),
        ("dealer_a", Role.STORE_CLERK),
        ("store_a", Role.DEALER_ADMIN),
        ("store_a", Role.SALESPERSON),
        ("dealer_a", Role.BRAND_ADMIN),
        ("brand", Role.DEALER_ADMIN),
        ("store_a", "boss"),
    ],
)
def test_role_must_fit_the_organization(net, org_attr, role):
    error = refused(
        "role_invalid", user=UserFactory(), organization=getattr(net, org_attr), role=role
    )
    assert error.field == "role"


def test_salespeople_work_for_the_brand_or_a_dealer(net):
    for org in (net.brand, net.dealer_a, net.sub_a):
        membership_grant(actor=None, user=UserFactory(), organization=org, role=Role.SALESPERSON)


def test_rank_only_for_salespeople(net):
    refused(
        "role_invalid",
        user=UserFactory(),
        organization=net.store_a,
        role=Role.STORE_CLERK,
        sales_rank="manager",
    )
    refused(
        "role_invalid",
        user=UserFactory(),
        organization=net.dealer_a,
        role=Role.SALESPERSON,
        sales_rank="boss",
    )


def test_manager_chain_salesperson_supervisor_manager(net):
    boss = membership_grant(
        actor=None,
        user=UserFactory(),
        organization=net.brand,
        role=Role.SALESPERSON,
        sales_rank="manager",
    )
    lead = membership_grant(
        actor=None,
        user=UserFactory(),
        organization=net.dealer_a,
        role=Role.SALESPERSON,
        sales_rank="supervisor",
        manager=boss,
    )
    rep = membership_grant(
        actor=net.user("dealer_admin"),
        user=UserFactory(),
        organization=net.sub_a,
        role=Role.SALESPERSON,
        manager=lead,
    )
    assert (rep.sales_rank, rep.manager_id, lead.manager_id) == ("salesperson", lead.pk, boss.pk)


def test_manager_rules(net):
    lead = SalespersonFactory(organization=net.dealer_a, sales_rank="supervisor")
    peer = SalespersonFactory(organization=net.dealer_a, sales_rank="salesperson")
    other = SalespersonFactory(organization=net.dealer_b, sales_rank="manager")
    below = SalespersonFactory(organization=net.sub_a, sales_rank="manager")
    gone = SalespersonFactory(organization=net.dealer_a, sales_rank="manager", is_active=False)
    clerk = net.memberships["store_clerk"]
    person = UserFactory()
    grant = {"user": person, "organization": net.dealer_a, "role": Role.SALESPERSON}
    for manager in (peer, other, below, gone, clerk):
        refused("manager_invalid", manager=manager, **grant)
    refused("manager_invalid", manager=lead, sales_rank="supervisor", **grant)
    refused("manager_invalid", manager=lead, sales_rank="manager", **grant)
    # Nobody manages themselves.
    refused(
        "manager_invalid",
        user=lead.user,
        organization=net.sub_a,
        role=Role.SALESPERSON,
        manager=lead,
    )
    # A manager only for salespeople.
    refused(
        "manager_invalid",
        user=person,
        organization=net.store_a,
        role=Role.STORE_CLERK,
        manager=lead,
    )


def test_demoting_someone_with_reports_is_refused(net):
    lead = SalespersonFactory(organization=net.dealer_a, sales_rank="supervisor")
    SalespersonFactory(organization=net.dealer_a, sales_rank="salesperson", manager=lead)
    refused(
        "manager_invalid",
        user=lead.user,
        organization=net.dealer_a,
        role=Role.SALESPERSON,
        sales_rank="salesperson",
    )
    promoted = membership_grant(
        actor=None,
        user=lead.user,
        organization=net.dealer_a,
        role=Role.SALESPERSON,
        sales_rank="manager",
    )
    assert promoted.pk == lead.pk
    assert promoted.sales_rank == "manager"
    assert AuditLog.objects.filter(action="membership_update").count() == 1


def test_no_manager_cycles(net):
    top = SalespersonFactory(organization=net.brand, sales_rank="manager")
    mid = SalespersonFactory(organization=net.dealer_a, sales_rank="supervisor", manager=top)
    # Making the top report to someone who reports to them is refused (by rank and by chain).
    refused(
        "manager_invalid",
        user=top.user,
        organization=net.brand,
        role=Role.SALESPERSON,
        sales_rank="manager",
        manager=mid,
    )


@pytest.mark.parametrize(
    ("persona", "org_attr", "role", "code"),
    [
        ("store_owner", "store_a", Role.STORE_CLERK, "permission_denied"),
        ("salesperson", "store_a", Role.STORE_OWNER, "permission_denied"),
        ("other_dealer_admin", "store_a", Role.STORE_CLERK, "not_found"),
        ("other_store_owner", "store_a", Role.STORE_CLERK, "not_found"),
        ("consumer", "store_a", Role.STORE_CLERK, "not_found"),
        ("dealer_admin", "brand", Role.BRAND_ADMIN, "not_found"),
        ("brand_operator", "store_a", Role.STORE_OWNER, "permission_denied"),
    ],
)
def test_who_may_not_grant(net, persona, org_attr, role, code):
    refused(
        code,
        actor=net.user(persona),
        user=UserFactory(),
        organization=getattr(net, org_attr),
        role=role,
    )


def test_grant_by_phone_finds_or_opens_an_account(net):
    admin = net.user("dealer_admin")
    User = get_user_model()
    users = User.objects.count()
    membership = membership_grant_by_phone(
        actor=admin,
        phone="137 0000 1111",
        name="新店员",
        organization=net.store_a,
        role=Role.STORE_CLERK,
    )
    assert User.objects.count() == users + 1
    person = membership.user
    assert (person.phone, person.name) == ("+8613700001111", "新店员")
    assert not person.has_usable_password()
    assert AuditLog.objects.filter(action="user_create", target_id=str(person.pk)).exists()

    again = membership_grant_by_phone(
        actor=admin, phone="+86 13700001111", organization=net.store_a2, role=Role.STORE_OWNER
    )
    assert again.user_id == person.pk
    assert User.objects.count() == users + 1


@pytest.mark.parametrize("phone", ["", "12345", "0571-87654321", "not a phone"])
def test_grant_by_phone_needs_a_mobile_number(net, phone):
    before = snapshot()
    with pytest.raises(DomainError) as info:
        membership_grant_by_phone(
            actor=None, phone=phone, organization=net.store_a, role=Role.STORE_CLERK
        )
    assert info.value.code == "phone_invalid"
    assert snapshot() == before


def test_grant_by_phone_refused_opens_no_account(net):
    before = snapshot()
    with pytest.raises(DomainError) as info:
        membership_grant_by_phone(
            actor=net.user("other_dealer_admin"),
            phone="13700002222",
            organization=net.store_a,
            role=Role.STORE_CLERK,
        )
    assert info.value.code == "not_found"
    with pytest.raises(DomainError):
        membership_grant_by_phone(
            actor=None,
            phone="13700002222",
            organization=net.store_a,
            role=Role.SALESPERSON,
        )
    assert snapshot() == before
