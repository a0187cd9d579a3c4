"""price_set / price_remove / price_list_set_active."""

from __future__ import annotations

import pytest

from trispace.catalog.models import Price, PriceList
from trispace.catalog.pricing import price_for
from trispace.catalog.services import price_list_set_active, price_remove, price_set
from trispace.catalog.tests.factories import VariantFactory, set_price
from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog, OutboxEvent
from trispace.network.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant(net):
    return VariantFactory(product__brand=net.brand)


def test_set_creates_the_list_lazily(net, variant):
    price = price_set(
        actor=net.brand_admin,
        organization=net.brand,
        channel="retail",
        variant=variant,
        price_fen=1230,
    )
    assert price.price_fen == 1230
    assert price.price_list.organization == net.brand
    assert price.price_list.channel == "retail"
    event = OutboxEvent.objects.get(name="PriceChanged")
    assert event.payload == {
        "price_list_id": price.price_list_id,
        "variant_id": variant.pk,
        "old_price_fen": None,
        "new_price_fen": 1230,
    }
    assert AuditLog.objects.filter(action="price_set").count() == 1


def test_set_again_updates_and_same_price_is_a_no_op(net, variant):
    for fen in (1230, 990, 990):
        price_set(
            actor=net.brand_admin,
            organization=net.brand,
            channel="retail",
            variant=variant,
            price_fen=fen,
        )
    assert Price.objects.get().price_fen == 990
    assert PriceList.objects.count() == 1
    assert OutboxEvent.objects.filter(name="PriceChanged").count() == 2
    assert AuditLog.objects.filter(action="price_set").count() == 2


def test_zero_is_a_price(net, variant):
    price_set(
        actor=net.brand_admin,
        organization=net.brand,
        channel="groupbuy",
        variant=variant,
        price_fen=0,
    )
    assert Price.objects.get().price_fen == 0


@pytest.mark.parametrize(
    ("price_fen", "code"),
    [
        (-1, "price_negative"),
        (None, "price_missing"),
        ("", "price_missing"),
        ("12", "price_invalid"),
        (12.5, "price_invalid"),
        (12.0, "price_invalid"),
        (True, "price_invalid"),
        (10**13, "price_too_high"),
    ],
)
def test_bad_prices_change_nothing(net, variant, price_fen, code):
    with pytest.raises(DomainError) as caught:
        price_set(
            actor=net.brand_admin,
            organization=net.brand,
            channel="retail",
            variant=variant,
            price_fen=price_fen,
        )
    assert caught.value.code == code
    assert caught.value.field == "price_fen"
    assert not PriceList.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_unknown_channel(net, variant):
    with pytest.raises(DomainError) as caught:
        price_set(
            actor=net.brand_admin,
            organization=net.brand,
            channel="vip",
            variant=variant,
            price_fen=1,
        )
    assert caught.value.code == "channel_invalid"


def test_dealer_channel_is_not_for_stores(net, variant):
    with pytest.raises(DomainError) as caught:
        price_set(
            actor=net.brand_admin,
            organization=net.store,
            channel="dealer",
            variant=variant,
            price_fen=1,
        )
    assert caught.value.code == "channel_not_for_org"
    assert not PriceList.objects.exists()


def test_another_brands_variant_is_not_found(net):
    foreign = VariantFactory()
    with pytest.raises(DomainError) as caught:
        price_set(
            actor=net.brand_admin,
            organization=net.store,
            channel="retail",
            variant=foreign,
            price_fen=1,
        )
    assert caught.value.code == "variant_not_found"
    assert not PriceList.objects.exists()


@pytest.mark.parametrize(
    ("who", "where", "channel", "allowed"),
    [
        ("operator", "store", "retail", True),
        ("dealer_admin", "dealer", "wholesale", True),
        ("dealer_admin", "store", "retail", True),
        ("dealer_admin", "store", "member", True),
        ("dealer_admin", "dealer", "dealer", False),  # what the brand charges it
        ("dealer_admin", "brand", "retail", False),
        ("dealer_admin", "other_store", "retail", False),
        ("other_dealer_admin", "store", "retail", False),
        ("owner", "store", "retail", False),
        ("consumer", "store", "retail", False),
    ],
)
def test_who_may_price_where(net, variant, who, where, channel, allowed):
    def call():
        return price_set(
            actor=getattr(net, who),
            organization=getattr(net, where),
            channel=channel,
            variant=variant,
            price_fen=777,
        )

    if allowed:
        call()
        assert Price.objects.get().price_fen == 777
    else:
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.code in {"permission_denied", "not_found"}
        assert not Price.objects.exists()
        assert not PriceList.objects.exists()


def test_outside_the_scope_is_not_found_inside_is_forbidden(net, variant):
    with pytest.raises(DomainError) as caught:
        price_set(
            actor=net.dealer_admin,
            organization=net.other_store,
            channel="retail",
            variant=variant,
            price_fen=1,
        )
    assert caught.value.code == "not_found"
    with pytest.raises(DomainError) as caught:
        price_set(
            actor=net.owner, organization=net.store, channel="retail", variant=variant, price_fen=1
        )
    assert caught.value.code == "permission_denied"
    with pytest.raises(DomainError) as caught:
        price_set(
            actor=net.brand_admin,
            organization=StoreFactory(),
            channel="retail",
            variant=variant,
            price_fen=1,
        )
    assert caught.value.code == "not_found"


def test_remove_falls_back_to_the_list_above(net, variant):
    set_price(variant, net.brand, 1000)
    set_price(variant, net.store, 800)
    assert price_remove(
        actor=net.dealer_admin, organization=net.store, channel="retail", variant=variant
    )
    assert (
        price_for(variant_id=variant.pk, channel="retail", organization=net.store).price_fen == 1000
    )
    event = OutboxEvent.objects.get(name="PriceChanged")
    assert (event.payload["old_price_fen"], event.payload["new_price_fen"]) == (800, None)
    # removing again is harmless
    assert not price_remove(
        actor=net.dealer_admin, organization=net.store, channel="retail", variant=variant
    )
    assert OutboxEvent.objects.count() == 1


def test_remove_refused_keeps_the_price(net, variant):
    set_price(variant, net.store, 800)
    with pytest.raises(DomainError):
        price_remove(actor=net.owner, organization=net.store, channel="retail", variant=variant)
    assert Price.objects.get().price_fen == 800


def test_deactivate_a_list(net, variant):
    set_price(variant, net.brand, 1000)
    set_price(variant, net.store, 800)
    price_list_set_active(
        actor=net.dealer_admin, organization=net.store, channel="retail", is_active=False
    )
    assert (
        price_for(variant_id=variant.pk, channel="retail", organization=net.store).price_fen == 1000
    )
    price_list_set_active(
        actor=net.dealer_admin, organization=net.store, channel="retail", is_active=True
    )
    assert (
        price_for(variant_id=variant.pk, channel="retail", organization=net.store).price_fen == 800
    )
    with pytest.raises(DomainError):
        price_list_set_active(
            actor=net.owner, organization=net.store, channel="retail", is_active=False
        )
    assert PriceList.objects.get(organization=net.store).is_active
