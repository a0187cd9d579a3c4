import pytest

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog, OutboxEvent
from trispace.kernel.transitions import history
from trispace.network.models import Organization
from trispace.network.scoping import scope_for
from trispace.network.services import store_set_status
from trispace.network.tests.conftest import snapshot

pytestmark = pytest.mark.django_db


def refused(expected, actor, store, status):
    before = snapshot()
    with pytest.raises(DomainError) as info:
        store_set_status(actor=actor, store=store, status=status)
    assert info.value.code == expected, info.value
    assert snapshot() == before


def test_owner_pauses_and_reopens_their_store(net):
    owner = net.user("store_owner")
    store = net.store_a
    store_set_status(actor=owner, store=store, status="paused", reason="春节休息")
    assert Organization.objects.get(pk=store.pk).status == "paused"
    change = history(store).get()
    assert (change.from_status, change.to_status, change.actor_id) == ("active", "paused", owner.pk)
    assert change.reason == "春节休息"
    assert OutboxEvent.objects.get(name="StoreStatusChanged").payload == {
        "organization_id": store.pk,
        "old_status": "active",
        "new_status": "paused",
    }
    assert AuditLog.objects.filter(action="store_set_status").count() == 1
    store_set_status(actor=owner, store=store, status="active")
    assert Organization.objects.get(pk=store.pk).status == "active"


def test_closing_and_reopening_a_closed_store_is_for_managers(net):
    refused("permission_denied", net.user("store_owner"), net.store_a, "closed")
    store_set_status(actor=net.user("dealer_admin"), store=net.store_a, status="closed")
    # The owner of a closed store has lost access to it.
    assert scope_for(net.user("store_owner")).grants_for("store_owner") == []
    refused("not_found", net.user("store_owner"), net.store_a, "active")
    store_set_status(actor=net.user("brand_admin"), store=net.store_a, status="active")
    assert Organization.objects.get(pk=net.store_a.pk).status == "active"


def test_closed_cannot_become_paused(net):
    store_set_status(actor=None, store=net.store_a, status="closed")
    refused("transition_not_allowed", None, net.store_a, "paused")


def test_same_status_is_a_no_op(net):
    before = snapshot()
    store_set_status(actor=None, store=net.store_a, status="active")
    assert snapshot() == before


def test_a_stale_instance_conflicts(net):
    stale = Organization.objects.get(pk=net.store_a.pk)
    store_set_status(actor=None, store=net.store_a, status="paused")
    refused("conflict", None, stale, "closed")


def test_bad_status_and_not_a_store(net):
    refused("status_invalid", None, net.store_a, "open")
    refused("org_kind_invalid", None, net.dealer_a, "paused")


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("store_clerk", "permission_denied"),
        ("salesperson", "permission_denied"),
        ("brand_operator", "permission_denied"),
        ("other_store_owner", "not_found"),
        ("other_dealer_admin", "not_found"),
        ("consumer", "not_found"),
    ],
)
def test_who_may_not(net, persona, code):
    refused(code, net.user(persona), net.store_a, "paused")
