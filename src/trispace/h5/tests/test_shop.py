"""The H5 shop: current store resolution, the store's pages with this shopper's prices, me."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trispace.catalog.models import Channel
from trispace.catalog.services import price_set, product_set_status
from trispace.catalog.tests.factories import (
    ProductFactory,
    VariantFactory,
    build_net,
    on_sale_product,
    set_price,
)
from trispace.h5.store import SESSION_KEY, current_store, pickup_hours_lines
from trispace.network.models import Role
from trispace.network.states import OrgStatus
from trispace.network.tests.factories import MembershipFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def net(db):
    return build_net()


def test_a_retail_price_set_at_a_store_shows_on_its_h5_page(client, net):
    """The whole flow: a product priced for a store through the service shows that price."""
    product = ProductFactory(brand=net.brand, name="东北大米")
    variant = VariantFactory(product=product)
    price_set(
        actor=net.brand_admin,
        organization=net.brand,
        channel="retail",
        variant=variant,
        price_fen=5990,
    )
    product_set_status(actor=net.brand_admin, product=product, status="on_sale")
    price_set(
        actor=net.dealer_admin,
        organization=net.store,
        channel="retail",
        variant=variant,
        price_fen=4990,
    )
    home = client.get("/", {"store": net.store.pk})
    assert home.status_code == 200
    text = home.content.decode()
    assert "东北大米" in text
    assert "¥49.90" in text
    assert "¥59.90" not in text
    detail = client.get(reverse("h5:product", args=[product.pk])).content.decode()
    assert "¥49.90" in detail
    # the neighbouring store still sells at the brand's price
    other = client.get("/", {"store": net.store2.pk}).content.decode()
    assert "¥59.90" in other
    assert "¥49.90" not in other


def test_store_choice_is_remembered(client, net):
    client.get("/", {"store": net.store2.pk})
    assert client.session[SESSION_KEY] == net.store2.pk
    response = client.get(reverse("h5:products"))
    assert response.context["h5_store"] == net.store2


def test_unknown_or_closed_store_in_the_query_is_ignored(client, net):
    closed = StoreFactory(parent=net.dealer, status=OrgStatus.CLOSED)
    for value in ("abc", "999999", str(closed.pk), str(net.dealer.pk)):
        response = client.get("/", {"store": value})
        assert response.status_code == 200
        assert response.context["h5_store"] != closed
        assert response.context["h5_store"].kind == "store"


def test_consumer_sees_their_own_store(client, net):
    client.force_login(net.consumer)
    assert client.get("/").context["h5_store"] == net.store


def test_nearest_store_by_position(client, net, rf):
    near = StoreFactory(parent=net.dealer, lng=121.47, lat=31.23)
    response = client.get("/", {"lng": "121.4701", "lat": "31.2301"})
    assert response.context["h5_store"] == near
    assert client.session[SESSION_KEY] == near.pk


def test_bad_position_falls_back_to_the_first_active_store(client, net):
    response = client.get("/", {"lng": "abc", "lat": "999"})
    assert response.status_code == 200
    assert response.context["h5_store"] is not None


def test_no_store_at_all(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["h5_store"] is None


def test_member_price_on_h5(client, net):
    product, variant = on_sale_product(net.brand, retail_fen=1000, name="牛奶")
    set_price(variant, net.brand, 850, Channel.MEMBER)
    anonymous = client.get("/", {"store": net.store.pk}).content.decode()
    assert "¥10.00" in anonymous
    assert "¥8.50" not in anonymous
    client.force_login(net.consumer)
    member = client.get("/", {"store": net.store.pk}).content.decode()
    assert "¥8.50" in member
    assert "<s>¥10.00</s>" in member
    detail = client.get(reverse("h5:product", args=[product.pk])).content.decode()
    assert "¥8.50" in detail


def test_products_page_filters_by_category(client, net):
    from trispace.catalog.tests.factories import CategoryFactory

    tea = CategoryFactory(name="茶")
    on_sale_product(net.brand, name="绿茶", category=tea)
    on_sale_product(net.brand, name="可乐")
    page = client.get(reverse("h5:products"), {"store": net.store.pk, "category": tea.pk})
    text = page.content.decode()
    assert "绿茶" in text
    assert "可乐" not in text
    everything = client.get(reverse("h5:products")).content.decode()
    assert "绿茶" in everything
    assert "可乐" in everything


def test_product_not_sold_here_is_404(client, net):
    draft = ProductFactory(brand=net.brand)
    response = client.get(reverse("h5:product", args=[draft.pk]), {"store": net.store.pk})
    assert response.status_code == 404
    assert client.get(reverse("h5:product", args=[999999])).status_code == 404


def test_store_card_shows_address_and_hours(client, net):
    net.store.address = "西湖区文三路 1 号"
    net.store.save()
    text = client.get("/", {"store": net.store.pk}).content.decode()
    assert "西湖区文三路 1 号" in text
    assert "09:00–21:00" in text


def test_pickup_hours_lines(net):
    assert [(h.opens, h.closes) for h in pickup_hours_lines(net.store)] == [("09:00", "21:00")]
    net.store.pickup_hours = [[0, "08:00", "12:00"], [2, "09:00", "18:00"], ["bad"]]
    assert len(pickup_hours_lines(net.store)) == 2


def test_stores_page_lists_nearby_or_all(client, net):
    near = StoreFactory(parent=net.dealer, name="近处的店", lng=121.47, lat=31.23)
    by_distance = client.get(reverse("h5:stores"), {"lng": "121.47", "lat": "31.23"})
    assert by_distance.context["by_distance"] is True
    assert by_distance.context["choices"][0].store == near
    plain = client.get(reverse("h5:stores"))
    assert plain.context["by_distance"] is False
    assert "navigator.geolocation" in plain.content.decode()
    assert len(plain.context["choices"]) == 4
    found = client.get(reverse("h5:stores"), {"q": "近处"})
    assert [c.store for c in found.context["choices"]] == [near]


def test_me_anonymous_has_a_login_link(client, net):
    text = client.get(reverse("h5:me")).content.decode()
    assert reverse("h5:login") in text


def test_me_logged_in_shows_masked_phone_and_store(client, net):
    user = UserFactory(phone="+8613912345678")
    MembershipFactory(user=user, organization=net.store2, role=Role.CONSUMER)
    client.force_login(user)
    text = client.get(reverse("h5:me")).content.decode()
    assert "139****5678" in text
    assert "13912345678" not in text
    assert net.store2.name in text
    assert reverse("h5:logout") in text


def test_current_store_is_cached_per_request(rf, net, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.cache import SessionStore

    request = rf.get("/", {"store": net.store.pk})
    request.user = AnonymousUser()
    request.session = SessionStore()
    assert current_store(request) == net.store
    with django_assert_num_queries(0):
        assert current_store(request) == net.store


def test_h5_home_query_count_does_not_grow(client, net, django_assert_max_num_queries):
    for _ in range(3):
        on_sale_product(net.brand)
    client.get("/", {"store": net.store.pk})
    with django_assert_max_num_queries(12) as small:
        client.get("/")
    for _ in range(15):
        on_sale_product(net.brand)
    with django_assert_max_num_queries(12) as large:
        client.get("/")
    assert len(small.captured_queries) == len(large.captured_queries)
