"""The price policy: nearest list up the tree wins, per channel, with the member fallback."""

from __future__ import annotations

import pytest

from trispace.catalog import calculations
from trispace.catalog.calculations import PriceCandidate, pick_prices
from trispace.catalog.models import Channel, PriceList
from trispace.catalog.pricing import price_for, prices_for
from trispace.catalog.tests.factories import VariantFactory, set_price
from trispace.network.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant(net):
    return VariantFactory(product__brand=net.brand)


def test_brand_price_applies_at_every_store(net, variant):
    price = set_price(variant, net.brand, 1000)
    quote = price_for(variant_id=variant.pk, channel="retail", organization=net.store)
    assert quote is not None
    assert quote.price_fen == 1000
    assert quote.channel_used == "retail"
    assert quote.organization_id == net.brand.pk
    assert quote.price_list_id == price.price_list_id
    assert quote.display == "¥10.00"


def test_nearest_list_wins(net, variant):
    set_price(variant, net.brand, 1000)
    set_price(variant, net.dealer, 900)
    set_price(variant, net.store, 850)
    at_store = price_for(variant_id=variant.pk, channel="retail", organization=net.store)
    at_store2 = price_for(variant_id=variant.pk, channel="retail", organization=net.store2)
    at_other = price_for(variant_id=variant.pk, channel="retail", organization=net.other_store)
    assert (at_store.price_fen, at_store.organization_id) == (850, net.store.pk)
    assert (at_store2.price_fen, at_store2.organization_id) == (900, net.dealer.pk)
    assert (at_other.price_fen, at_other.organization_id) == (1000, net.brand.pk)


def test_list_that_does_not_price_the_variant_is_passed_over(net, variant):
    other = VariantFactory(product__brand=net.brand)
    set_price(variant, net.brand, 1000)
    set_price(other, net.store, 500)  # the store's list exists but does not price `variant`
    quote = price_for(variant_id=variant.pk, channel="retail", organization=net.store)
    assert quote.price_fen == 1000


def test_inactive_list_is_skipped(net, variant):
    set_price(variant, net.brand, 1000)
    set_price(variant, net.store, 800)
    PriceList.objects.filter(organization=net.store).update(is_active=False)
    quote = price_for(variant_id=variant.pk, channel="retail", organization=net.store)
    assert (quote.price_fen, quote.organization_id) == (1000, net.brand.pk)


def test_channels_do_not_mix(net, variant):
    set_price(variant, net.brand, 1000, Channel.RETAIL)
    set_price(variant, net.brand, 600, Channel.WHOLESALE)
    set_price(variant, net.brand, 500, Channel.DEALER)
    assert (
        price_for(variant_id=variant.pk, channel="wholesale", organization=net.store).price_fen
        == 600
    )
    assert (
        price_for(variant_id=variant.pk, channel="dealer", organization=net.dealer).price_fen == 500
    )
    assert (
        price_for(variant_id=variant.pk, channel="retail", organization=net.store).price_fen == 1000
    )


def test_dealer_price_for_the_buying_dealer(net, variant):
    set_price(variant, net.brand, 500, Channel.DEALER)
    set_price(variant, net.dealer, 450, Channel.DEALER)
    assert (
        price_for(variant_id=variant.pk, channel="dealer", organization=net.dealer).price_fen == 450
    )
    assert (
        price_for(variant_id=variant.pk, channel="dealer", organization=net.other_dealer).price_fen
        == 500
    )


def test_member_price_for_a_member(net, variant):
    set_price(variant, net.brand, 1000, Channel.RETAIL)
    set_price(variant, net.brand, 900, Channel.MEMBER)
    quote = price_for(
        variant_id=variant.pk, channel="member", organization=net.store, buyer_is_member=True
    )
    assert (quote.price_fen, quote.channel_used) == (900, "member")


def test_member_channel_for_a_non_member_is_retail(net, variant):
    set_price(variant, net.brand, 1000, Channel.RETAIL)
    set_price(variant, net.brand, 900, Channel.MEMBER)
    quote = price_for(variant_id=variant.pk, channel="member", organization=net.store)
    assert (quote.price_fen, quote.channel_used) == (1000, "retail")


def test_member_falls_back_to_retail_without_a_member_price(net, variant):
    set_price(variant, net.store, 950, Channel.RETAIL)
    quote = price_for(
        variant_id=variant.pk, channel="member", organization=net.store, buyer_is_member=True
    )
    assert (quote.price_fen, quote.channel_used, quote.organization_id) == (
        950,
        "retail",
        net.store.pk,
    )


def test_member_price_up_the_chain_beats_a_nearer_retail_price(net, variant):
    set_price(variant, net.store, 950, Channel.RETAIL)
    set_price(variant, net.brand, 900, Channel.MEMBER)
    quote = price_for(
        variant_id=variant.pk, channel="member", organization=net.store, buyer_is_member=True
    )
    assert (quote.price_fen, quote.channel_used) == (900, "member")


def test_a_member_never_pays_more_than_retail(net, variant):
    set_price(variant, net.brand, 900, Channel.MEMBER)
    set_price(variant, net.store, 800, Channel.RETAIL)  # the store cut its retail price below
    quote = price_for(
        variant_id=variant.pk, channel="member", organization=net.store, buyer_is_member=True
    )
    assert (quote.price_fen, quote.channel_used) == (800, "retail")


def test_groupbuy_has_no_fallback(net, variant):
    set_price(variant, net.brand, 1000, Channel.RETAIL)
    assert price_for(variant_id=variant.pk, channel="groupbuy", organization=net.store) is None
    set_price(variant, net.dealer, 700, Channel.GROUPBUY)
    quote = price_for(variant_id=variant.pk, channel="groupbuy", organization=net.store)
    assert (quote.price_fen, quote.channel_used) == (700, "groupbuy")


def test_unknown_variant_has_no_price(net):
    assert price_for(variant_id=987654, channel="retail", organization=net.store) is None


def test_store_with_no_prices(net, variant):
    lonely = StoreFactory()  # another brand's tree: nothing priced anywhere above it
    assert price_for(variant_id=variant.pk, channel="retail", organization=lonely) is None
    assert prices_for(variant_ids=[variant.pk], channel="retail", organization=lonely) == {}


def test_another_brands_prices_never_apply(net, variant):
    other_store = StoreFactory()
    set_price(variant, other_store.parent.parent, 1)
    assert price_for(variant_id=variant.pk, channel="retail", organization=net.store) is None


def test_unknown_channel_is_refused(net, variant):
    with pytest.raises(ValueError):
        price_for(variant_id=variant.pk, channel="vip", organization=net.store)


def test_prices_for_is_one_query(net, django_assert_num_queries):
    variants = [VariantFactory(product__brand=net.brand) for _ in range(15)]
    for i, v in enumerate(variants):
        set_price(v, net.brand, 1000 + i)
        if i % 2:
            set_price(v, net.store, 500 + i)
    with django_assert_num_queries(1):
        quotes = prices_for(
            variant_ids=[v.pk for v in variants], channel="retail", organization=net.store
        )
    assert len(quotes) == 15
    assert quotes[variants[1].pk].price_fen == 501
    assert quotes[variants[2].pk].price_fen == 1002


# --- the pure part, without a database ---------------------------------------------------------


@pytest.mark.django_db(False)
def test_pick_prices_is_pure():
    candidates = [
        PriceCandidate(1, "retail", 10, 100, 1000),
        PriceCandidate(1, "retail", 20, 200, 900),
        PriceCandidate(2, "retail", 10, 100, 300),
    ]
    quotes = pick_prices(candidates, variant_ids=[1, 2, 3], chain=(30, 20, 10), channel="retail")
    assert quotes[1].price_fen == 900
    assert quotes[2].price_fen == 300
    assert 3 not in quotes


@pytest.mark.django_db(False)
@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("6901234567892", "EAN-13"),
        ("96385074", "EAN-8"),
        ("036000291452", "UPC-A"),
        ("6901234567891", None),
        ("690123456789X", None),
        ("12345", None),
        ("", None),
        ("６９０１２３４５６７８９２", None),
    ],
)
def test_barcode_kind(code, kind):
    assert calculations.barcode_kind(code) == kind
