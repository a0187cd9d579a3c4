"""cart_add, cart_update, cart_remove, cart_merge: a user's cart, or a session's until login."""

from __future__ import annotations

import pytest

from trispace.catalog.tests.factories import on_sale_product
from trispace.kernel.errors import DomainError
from trispace.orders import selectors, services
from trispace.orders.models import Cart, CartLine
from trispace.orders.services import cart as cart_services
from trispace.orders.tests.factories import stocked

pytestmark = pytest.mark.django_db


def test_adding_twice_adds_up_and_the_view_quotes_todays_price(shop, net):
    member_tea = stocked(net, price_fen=1000, member_fen=900)
    services.cart_add(actor=shop.buyer, store=shop.store, variant=member_tea, quantity=2)
    line = services.cart_add(actor=shop.buyer, store=shop.store, variant=member_tea)
    assert line.quantity == 3
    view = selectors.cart_view(user=shop.buyer, store=shop.store)
    assert view.channel == "member"
    assert [(i.variant_id, i.quantity, i.unit_price_fen) for i in view.items] == [
        (member_tea.pk, 3, 900)
    ]
    assert (view.subtotal_fen, view.count) == (2700, 3)


def test_update_and_remove_only_ones_own_lines(shop, net):
    line = services.cart_add(actor=shop.buyer, store=shop.store, variant=shop.tea)
    assert services.cart_update(actor=shop.buyer, line_id=line.pk, quantity=5).quantity == 5
    with pytest.raises(DomainError) as caught:
        services.cart_update(actor=net.user("store_owner"), line_id=line.pk, quantity=1)
    assert caught.value.code == "not_found"
    with pytest.raises(DomainError) as caught:
        services.cart_remove(actor=net.user("store_owner"), line_id=line.pk)
    assert caught.value.code == "not_found"
    assert services.cart_update(actor=shop.buyer, line_id=line.pk, quantity=0) is None
    assert not CartLine.objects.exists()
    line = services.cart_add(actor=shop.buyer, store=shop.store, variant=shop.tea)
    services.cart_remove(actor=shop.buyer, line_id=line.pk)
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1, 1000, "2", True, None])
def test_bad_quantities_are_refused(shop, quantity):
    with pytest.raises(DomainError) as caught:
        services.cart_add(actor=shop.buyer, store=shop.store, variant=shop.tea, quantity=quantity)
    assert caught.value.code == "quantity_invalid"
    assert not Cart.objects.exists()


def test_quantities_are_capped_per_line(shop):
    services.cart_add(actor=shop.buyer, store=shop.store, variant=shop.tea, quantity=999)
    with pytest.raises(DomainError) as caught:
        services.cart_add(actor=shop.buyer, store=shop.store, variant=shop.tea)
    assert caught.value.code == "quantity_invalid"


def test_unsellable_variants_stay_out(shop, net):
    _, unpriced = on_sale_product(net.brand, retail_fen=None)
    with pytest.raises(DomainError) as caught:
        services.cart_add(actor=shop.buyer, store=shop.store, variant=unpriced)
    assert caught.value.code == "variant_unavailable"


def test_a_cart_holds_at_most_50_lines(shop, net, monkeypatch):
    monkeypatch.setattr(cart_services, "MAX_CART_LINES", 2)
    services.cart_add(actor=shop.buyer, store=shop.store, variant=shop.tea)
    services.cart_add(actor=shop.buyer, store=shop.store, variant=shop.cake)
    with pytest.raises(DomainError) as caught:
        services.cart_add(actor=shop.buyer, store=shop.store, variant=stocked(net))
    assert caught.value.code == "too_many_lines"


def test_an_anonymous_session_cart_merges_on_login(shop):
    services.cart_add(actor=None, session_key="s1", store=shop.store, variant=shop.tea, quantity=2)
    services.cart_add(actor=None, session_key="s1", store=shop.store, variant=shop.cake)
    services.cart_add(actor=shop.buyer, store=shop.store, variant=shop.tea, quantity=1)
    view = selectors.cart_view(session_key="s1", store=shop.store)
    assert view.count == 3
    assert services.cart_merge(actor=shop.buyer, session_key="s1") == 2
    view = selectors.cart_view(user=shop.buyer, store=shop.store)
    assert {(i.variant_id, i.quantity) for i in view.items} == {(shop.tea.pk, 3), (shop.cake.pk, 1)}
    assert not Cart.objects.filter(session_key="s1").exists()


def test_without_user_or_session_there_is_no_cart(shop):
    with pytest.raises(DomainError) as caught:
        services.cart_add(actor=None, store=shop.store, variant=shop.tea)
    assert caught.value.code == "not_authenticated"
