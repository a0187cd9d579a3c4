import datetime as dt

import pytest

from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.network import selectors
from trispace.network.geo import haversine_m
from trispace.network.models import Organization
from trispace.network.scoping import SYSTEM, scope_for
from trispace.network.tests.factories import SalespersonFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(o.name for o in qs)


def scope(net, persona):
    return scope_for(net.user(persona))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("brand_admin", 7),
        ("brand_operator", 7),
        ("dealer_admin", 4),  # dealer a, its sub-dealer and their two stores
        ("salesperson", 4),
        ("other_dealer_admin", 2),
        ("store_owner", 1),
        ("store_clerk", 1),
        ("other_store_owner", 1),
        ("consumer", 0),
        ("anonymous", 0),
    ],
)
def test_organizations_are_scoped(net, persona, expected):
    qs = selectors.organization_list(scope=scope(net, persona))
    assert qs.count() == expected


def test_filters(net, zhejiang):
    Organization.objects.filter(pk=net.store_a.pk).update(region_id="330106")
    Organization.objects.filter(pk=net.store_b.pk).update(region_id="330203", status="paused")
    s = SYSTEM
    assert names(selectors.organization_list(scope=s, kind="store")) == sorted(
        ["文三路店", "北山街店", "天一广场店"]
    )
    assert names(selectors.organization_list(scope=s, status="paused")) == ["天一广场店"]
    assert names(selectors.organization_list(scope=s, region_code="330000")) == sorted(
        ["文三路店", "天一广场店"]
    )
    assert names(selectors.organization_list(scope=s, region_code="330100")) == ["文三路店"]
    assert names(selectors.organization_list(scope=s, region_code="330106")) == ["文三路店"]
    assert names(selectors.organization_list(scope=s, region_code="x")) == []
    assert names(selectors.organization_list(scope=s, q="文三")) == ["文三路店"]
    assert names(selectors.organization_list(scope=s, q=net.dealer_b.code.lower())) == [
        "宁波经销商"
    ]
    assert names(selectors.organization_list(scope=s, within=net.sub_a)) == sorted(
        ["西湖分销", "北山街店"]
    )


def test_get_hides_what_is_out_of_scope(net):
    owner = scope(net, "store_owner")
    assert selectors.organization_get(scope=owner, pk=net.store_a.pk) == net.store_a
    for pk in (net.store_b.pk, net.dealer_a.pk, 999999, "abc", None):
        with pytest.raises(DomainError) as info:
            selectors.organization_get(scope=owner, pk=pk)
        assert info.value.code == "not_found"


def test_subtree_and_dealer_stores(net):
    s = scope(net, "dealer_admin")
    assert names(selectors.subtree(scope=s, organization=net.sub_a)) == sorted(
        ["西湖分销", "北山街店"]
    )
    assert names(selectors.subtree(scope=s, organization=net.sub_a, include_self=False)) == [
        "北山街店"
    ]
    assert names(selectors.dealer_stores(scope=s, dealer=net.dealer_a)) == sorted(
        ["文三路店", "北山街店"]
    )
    assert names(selectors.dealer_stores(scope=s, dealer=net.dealer_a, direct_only=True)) == [
        "文三路店"
    ]


def test_tree_is_one_query(net, django_assert_num_queries):
    with django_assert_num_queries(1):
        roots = selectors.organization_tree(scope=SYSTEM)
    [brand] = roots
    assert brand.name == "三度品牌"
    assert brand.store_count == 3
    dealer_a, _dealer_b = brand.children
    assert [c.name for c in dealer_a.children] == ["西湖分销", "文三路店"]
    assert dealer_a.store_count == 2
    assert dealer_a.children[0].children[0].name == "北山街店"

    without = selectors.organization_tree(scope=SYSTEM, include_stores=False)
    assert [c.name for c in without[0].children[0].children] == ["西湖分销"]
    assert without[0].children[0].store_count == 2


def test_tree_of_a_dealer_starts_at_the_dealer(net):
    roots = selectors.organization_tree(scope=scope(net, "dealer_admin"))
    assert [r.name for r in roots] == ["杭州经销商"]
    assert roots[0].as_dict()["store_count"] == 2


def test_people_are_scoped_and_consumers_only_on_request(net):
    dealer = scope(net, "dealer_admin")
    roles = sorted(m.role for m in selectors.membership_list(scope=dealer))
    assert roles == ["dealer_admin", "salesperson", "store_clerk", "store_owner"]
    consumers = selectors.membership_list(scope=dealer, role="consumer")
    assert [m.user.name for m in consumers] == ["consumer"]
    assert selectors.membership_list(scope=scope(net, "other_dealer_admin")).count() == 2
    assert selectors.membership_list(scope=scope(net, "consumer")).count() == 0
    found = selectors.membership_list(scope=SYSTEM, q=net.users["store_clerk"].phone[-4:])
    assert [m.role for m in found] == ["store_clerk"]
    with pytest.raises(DomainError):
        selectors.membership_get(scope=dealer, pk=net.memberships["other_store_owner"].pk)


def test_manager_chain_and_reports(net):
    boss = SalespersonFactory(organization=net.brand, sales_rank="manager")
    lead = SalespersonFactory(organization=net.dealer_a, sales_rank="supervisor", manager=boss)
    rep = SalespersonFactory(organization=net.sub_a, manager=lead)
    other = SalespersonFactory(organization=net.dealer_a, manager=lead)
    assert selectors.manager_chain(membership=rep) == [lead, boss]
    assert selectors.manager_chain(membership=boss) == []
    assert selectors.reports(membership=lead) == [rep, other]
    assert selectors.reports(membership=boss) == [lead]
    assert selectors.reports(membership=boss, recursive=True) == [lead, rep, other]


def test_person_label_masks_the_phone(net):
    user = net.users["store_owner"]
    label = selectors.person_label(user)
    assert "****" in label
    assert user.phone[3:] not in label


# --- pickup points --------------------------------------------------------------------------
def test_nearest_stores_by_distance(net):
    far = StoreFactory(parent=net.dealer_a, lng=120.40, lat=30.28)  # ~26 km east
    paused = StoreFactory(parent=net.dealer_a, lng=120.131, lat=30.281, status="paused")
    nowhere = StoreFactory(parent=net.dealer_a, lng=None, lat=None)
    found = selectors.nearest_open_stores(lng=120.1301, lat=30.2801, limit=5, max_km=50)
    ids = [item.store.pk for item in found]
    assert ids == [net.store_a.pk, net.store_a2.pk, far.pk]
    assert paused.pk not in ids
    assert nowhere.pk not in ids
    assert net.store_b.pk not in ids
    distances = [item.distance_m for item in found]
    assert distances == sorted(distances)
    assert distances[0] < 20
    assert abs(distances[1] - haversine_m(120.1301, 30.2801, 120.15, 30.26)) < 1

    assert [i.store.pk for i in selectors.nearest_open_stores(lng=120.13, lat=30.28, limit=1)] == [
        net.store_a.pk
    ]
    near = selectors.nearest_open_stores(lng=120.13, lat=30.28, max_km=10)
    assert far.pk not in [i.store.pk for i in near]
    # Ningbo is ~150 km away: only with a wide radius.
    wide = selectors.nearest_open_stores(lng=120.13, lat=30.28, limit=50, max_km=200)
    assert wide[-1].store.pk == net.store_b.pk


def test_nearest_needs_valid_coordinates(net):
    for lng, lat in [(-120, 30), (120, None), (0, 0)]:
        with pytest.raises(DomainError) as info:
            selectors.nearest_open_stores(lng=lng, lat=lat)
        assert info.value.code == "coordinates_invalid"


def at_shanghai(day, hour, minute):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=ktime.BUSINESS_TZ)


def test_is_open_now_in_business_time(net):
    store = net.store_a
    store.pickup_hours = [[0, "09:00", "21:00"], [5, "10:00", "12:00"]]  # Mondays, Saturdays
    # 2026-11-23 is a Monday.
    assert not selectors.is_open_now(store, at_shanghai(23, 8, 59))
    assert selectors.is_open_now(store, at_shanghai(23, 9, 0))
    assert selectors.is_open_now(store, at_shanghai(23, 20, 59))
    assert not selectors.is_open_now(store, at_shanghai(23, 21, 0))  # half-open
    assert not selectors.is_open_now(store, at_shanghai(24, 10, 0))  # Tuesday
    assert selectors.is_open_now(store, at_shanghai(28, 11, 0))  # Saturday
    # 01:30 UTC on Monday is 09:30 in Shanghai.
    assert selectors.is_open_now(store, dt.datetime(2026, 11, 23, 1, 30, tzinfo=dt.UTC))
    with ktime.freeze(at_shanghai(23, 10, 0)):
        assert selectors.is_open_now(store)
        store.status = "paused"
        assert not selectors.is_open_now(store)
    assert not selectors.is_open_now(net.dealer_a, at_shanghai(23, 10, 0))


def test_nearest_reports_open_now(net):
    with ktime.freeze(at_shanghai(23, 10, 0)):
        found = selectors.nearest_open_stores(lng=120.13, lat=30.28, limit=1)
    assert found[0].open_now is True
    with ktime.freeze(at_shanghai(23, 22, 0)):
        found = selectors.nearest_open_stores(lng=120.13, lat=30.28, limit=1)
    assert found[0].open_now is False


def test_regions_by_parent(zhejiang):
    assert [r.code for r in selectors.region_children()] == ["330000"]
    cities = selectors.region_children(parent_code="330000")
    assert cities.count() == 11
    assert cities.first().code == "330100"
    districts = [r.name for r in selectors.region_children(parent_code="330100")]
    assert "西湖区" in districts
    xihu = selectors.region_children(parent_code="330100").get(code="330106")
    assert [r.name for r in selectors.region_path(xihu)] == ["浙江省", "杭州市", "西湖区"]


def test_a_superuser_sees_and_manages_everything(net):
    root = UserFactory(is_superuser=True)
    s = scope_for(root)
    assert s.is_staff
    assert s.is_brand_admin
    assert s.can_manage(net.store_b)
    assert selectors.organization_list(scope=s).count() == 7
