import pytest
from django.db import IntegrityError, transaction

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog
from trispace.network.models import Membership, Organization, Role
from trispace.network.services import consumer_set_store, membership_grant
from trispace.network.tests.conftest import snapshot
from trispace.network.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def active_stores(user):
    return list(
        Membership.objects.filter(user=user, role=Role.CONSUMER, is_active=True).values_list(
            "organization_id", flat=True
        )
    )


def test_a_consumer_switches_store_and_keeps_one(net):
    consumer = net.user("consumer")
    consumer_set_store(actor=consumer, user=consumer, store=net.store_b)
    assert active_stores(consumer) == [net.store_b.pk]
    consumer_set_store(actor=consumer, user=consumer, store=net.store_a)
    assert active_stores(consumer) == [net.store_a.pk]
    # The old row is reused, not duplicated; the history is in the audit trail.
    assert Membership.objects.filter(user=consumer, role=Role.CONSUMER).count() == 2
    moves = [
        (row.data["old_store_id"], row.data["new_store_id"])
        for row in AuditLog.objects.filter(action="consumer_set_store").order_by("pk")
    ]
    assert moves == [(net.store_a.pk, net.store_b.pk), (net.store_b.pk, net.store_a.pk)]


def test_a_new_consumer_gets_their_first_store(net):
    person = UserFactory()
    membership = consumer_set_store(actor=person, user=person, store=net.store_a2)
    assert membership.role == Role.CONSUMER
    assert active_stores(person) == [net.store_a2.pk]
    before = snapshot()
    consumer_set_store(actor=person, user=person, store=net.store_a2)
    assert snapshot() == before


def test_granting_the_consumer_role_goes_the_same_way(net):
    consumer = net.user("consumer")
    membership_grant(
        actor=net.user("brand_admin"), user=consumer, organization=net.store_b, role="consumer"
    )
    assert active_stores(consumer) == [net.store_b.pk]


def test_the_database_keeps_one_active_store_per_consumer(net):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=net.users["consumer"], organization=net.store_b, role=Role.CONSUMER
        )


@pytest.mark.parametrize("status", ["paused", "closed"])
def test_only_active_stores(net, status):
    Organization.objects.filter(pk=net.store_b.pk).update(status=status)
    store = Organization.objects.get(pk=net.store_b.pk)
    consumer = net.user("consumer")
    before = snapshot()
    with pytest.raises(DomainError) as info:
        consumer_set_store(actor=consumer, user=consumer, store=store)
    assert info.value.code == "org_not_active"
    assert snapshot() == before


def test_a_dealer_is_not_a_store(net):
    consumer = net.user("consumer")
    with pytest.raises(DomainError) as info:
        consumer_set_store(actor=consumer, user=consumer, store=net.dealer_b)
    assert info.value.code == "not_found"


def test_staff_set_it_for_their_own_stores_only(net):
    consumer = net.users["consumer"]
    consumer_set_store(actor=net.user("dealer_admin"), user=consumer, store=net.store_a2)
    assert active_stores(consumer) == [net.store_a2.pk]
    for persona, code in [
        ("other_dealer_admin", "permission_denied"),  # the consumer is dealer a's customer
        ("store_owner", "not_found"),
        ("other_store_owner", "permission_denied"),
        ("salesperson", "not_found"),
    ]:
        before = snapshot()
        with pytest.raises(DomainError) as info:
            consumer_set_store(actor=net.user(persona), user=consumer, store=net.store_b)
        assert (persona, info.value.code) == (persona, code)
        assert snapshot() == before
    # A person who is nobody's consumer yet may be given a store by its dealer.
    newcomer = UserFactory()
    consumer_set_store(actor=net.user("other_dealer_admin"), user=newcomer, store=net.store_b)
    assert active_stores(newcomer) == [net.store_b.pk]
