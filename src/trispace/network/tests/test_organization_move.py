import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog, OutboxEvent
from trispace.network.models import MAX_DEPTH, Organization
from trispace.network.services import organization_create, organization_move
from trispace.network.tests.conftest import snapshot
from trispace.network.tests.factories import BrandFactory, DealerFactory, StoreFactory

pytestmark = pytest.mark.django_db


def fresh(org):
    return Organization.objects.get(pk=org.pk)


def refused(expected, actor, org, parent):
    before = snapshot()
    with pytest.raises(DomainError) as info:
        organization_move(actor=actor, organization=org, new_parent=parent)
    assert info.value.code == expected, info.value
    assert snapshot() == before


def test_moving_a_sub_dealer_rewrites_its_whole_subtree(net):
    extra = StoreFactory(parent=net.sub_a)
    organization_move(
        actor=net.user("brand_admin"), organization=net.sub_a, new_parent=net.dealer_b
    )
    sub, store_a2, extra = fresh(net.sub_a), fresh(net.store_a2), fresh(extra)
    assert sub.parent_id == net.dealer_b.pk
    assert sub.path == f"{net.dealer_b.path}{sub.pk:07d}."
    assert store_a2.path == f"{sub.path}{store_a2.pk:07d}."
    assert extra.path == f"{sub.path}{extra.pk:07d}."
    assert (sub.depth, store_a2.depth) == (2, 3)
    # Nothing outside the subtree moved.
    assert fresh(net.store_a).path == f"{net.dealer_a.path}{net.store_a.pk:07d}."
    event = OutboxEvent.objects.get(name="OrganizationMoved")
    assert event.payload == {
        "organization_id": sub.pk,
        "old_parent_id": net.dealer_a.pk,
        "new_parent_id": net.dealer_b.pk,
    }
    assert AuditLog.objects.get(action="organization_move").data["subtree_size"] == 3


def test_moving_up_shortens_depths(net):
    organization_move(actor=None, organization=net.sub_a, new_parent=net.brand)
    assert fresh(net.sub_a).depth == 1
    assert fresh(net.store_a2).depth == 2
    assert fresh(net.store_a2).path == f"{net.brand.path}{net.sub_a.pk:07d}.{net.store_a2.pk:07d}."


def test_the_subtree_is_rewritten_in_one_update(net):
    for _ in range(5):
        StoreFactory(parent=net.sub_a)
    with CaptureQueriesContext(connection) as queries:
        organization_move(actor=None, organization=net.sub_a, new_parent=net.dealer_b)
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "network_organization"')]
    assert len(updates) == 2  # the node's parent, then every path of the subtree


def test_the_caller_instance_is_updated(net):
    sub = net.sub_a
    organization_move(actor=None, organization=sub, new_parent=net.dealer_b)
    assert sub.parent_id == net.dealer_b.pk
    assert sub.path.startswith(net.dealer_b.path)


def test_cycles_are_refused_and_nothing_changes(net):
    refused("org_cycle", None, net.dealer_a, net.dealer_a)
    refused("org_cycle", None, net.dealer_a, net.sub_a)


def test_kind_rules(net):
    refused("org_kind_invalid", None, net.dealer_a, net.store_b)
    refused("org_kind_invalid", None, net.sub_a, net.store_a)
    refused("org_kind_invalid", None, net.brand, net.dealer_b)


def test_not_under_a_closed_organization(net):
    Organization.objects.filter(pk=net.dealer_b.pk).update(status="closed")
    refused("org_not_active", None, net.store_a, net.dealer_b)


def test_moving_to_where_it_is_changes_nothing(net):
    before = snapshot()
    organization_move(actor=None, organization=net.store_a, new_parent=net.dealer_a)
    assert snapshot() == before


def test_depth_is_limited(net):
    parent = net.brand
    chain = []
    for level in range(MAX_DEPTH):
        parent = organization_create(actor=None, kind="dealer", parent=parent, name=f"L{level}")
        chain.append(parent)
    with pytest.raises(DomainError) as info:
        organization_create(actor=None, kind="store", parent=parent, name="too deep")
    assert info.value.code == "org_too_deep"
    refused("org_too_deep", None, net.sub_a, chain[-1])


def test_dealer_admin_moves_within_their_subtree_only(net):
    admin = net.user("dealer_admin")
    organization_move(actor=admin, organization=net.store_a, new_parent=net.sub_a)
    assert fresh(net.store_a).parent_id == net.sub_a.pk
    admin = net.user("dealer_admin")
    refused("permission_denied", admin, net.dealer_a, net.sub_a)  # its own node stays put
    refused("not_found", admin, net.sub_a, net.dealer_b)  # the other dealer is out of sight
    refused("not_found", admin, net.store_b, net.sub_a)


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("store_owner", "not_found"),
        ("salesperson", "permission_denied"),
        ("other_dealer_admin", "not_found"),
        ("consumer", "not_found"),
        ("brand_operator", "permission_denied"),
    ],
)
def test_who_may_not_move(net, persona, code):
    refused(code, net.user(persona), net.store_a, net.sub_a)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_crossing_moves_at_the_same_time_never_make_a_cycle():
    brand = BrandFactory()
    x = DealerFactory(parent=brand)
    y = DealerFactory(parent=brand)
    StoreFactory(parent=x)
    StoreFactory(parent=y)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def move(org_pk, parent_pk):
        try:
            org = Organization.objects.get(pk=org_pk)
            parent = Organization.objects.get(pk=parent_pk)
            barrier.wait()
            organization_move(actor=None, organization=org, new_parent=parent)
            results.append("ok")
        except DomainError as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(x.pk, y.pk)),
        threading.Thread(target=move, args=(y.pk, x.pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) in (["conflict", "ok"], ["ok", "org_cycle"])
    # The tree is still a tree: every path is its parent's path plus its own step.
    rows = {o.pk: o for o in Organization.objects.all()}
    for org in rows.values():
        parent_path = rows[org.parent_id].path if org.parent_id else ""
        assert org.path == f"{parent_path}{org.pk:07d}."
        assert org.depth == org.path.count(".") - 1
