"""Catalog reads: scoping, filters, the shop list with prices in a fixed number of queries."""

from __future__ import annotations

import pytest

from trispace.catalog import selectors
from trispace.catalog.models import Channel, PriceList
from trispace.catalog.states import ProductStatus
from trispace.catalog.tests.factories import (
    CategoryFactory,
    ProductFactory,
    VariantFactory,
    on_sale_product,
    set_price,
)
from trispace.network.scoping import scope_for
from trispace.network.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_product_list_is_scoped_to_the_brand(net):
    mine = ProductFactory(brand=net.brand)
    ProductFactory()  # another brand's
    for who in ("brand_admin", "dealer_admin", "owner"):
        scope = scope_for(getattr(net, who))
        assert list(selectors.product_list(scope=scope)) == [mine]
    assert list(selectors.product_list(scope=scope_for(net.consumer))) == []


def test_product_list_filters(net):
    scope = scope_for(net.brand_admin)
    drinks = CategoryFactory()
    tea = CategoryFactory(parent=drinks)
    a = ProductFactory(brand=net.brand, name="乌龙茶", category=tea, status=ProductStatus.ON_SALE)
    b = ProductFactory(brand=net.brand, name="可乐")
    VariantFactory(product=b, sku="COKE-330", barcode="6901234567892")
    assert list(selectors.product_list(scope=scope, status="on_sale")) == [a]
    assert list(selectors.product_list(scope=scope, category_id=drinks.pk)) == [a]
    assert list(selectors.product_list(scope=scope, search="乌龙")) == [a]
    assert list(selectors.product_list(scope=scope, search="coke")) == [b]
    assert list(selectors.product_list(scope=scope, search="6901234567892")) == [b]
    assert list(selectors.product_list(scope=scope, search="690123")) == []  # barcodes: exact


def test_product_get_outside_the_scope_is_not_found(net):
    foreign = ProductFactory()
    with pytest.raises(Exception) as caught:
        selectors.product_get(scope=scope_for(net.brand_admin), product_id=foreign.pk)
    assert caught.value.code == "not_found"


def test_product_detail_quotes_every_channel_at_the_home_organization(net):
    product = ProductFactory(brand=net.brand)
    variant = VariantFactory(product=product)
    set_price(variant, net.brand, 1000)
    set_price(variant, net.dealer, 900)
    set_price(variant, net.brand, 600, Channel.WHOLESALE)
    brand_view = selectors.product_detail(scope=scope_for(net.brand_admin), product_id=product.pk)
    assert brand_view.organization == net.brand
    assert brand_view.quotes["retail"][variant.pk].price_fen == 1000
    dealer_view = selectors.product_detail(scope=scope_for(net.dealer_admin), product_id=product.pk)
    assert dealer_view.organization == net.dealer
    assert dealer_view.quotes["retail"][variant.pk].price_fen == 900
    assert dealer_view.quotes["wholesale"][variant.pk].price_fen == 600
    assert variant.pk not in dealer_view.quotes["groupbuy"]
    table = dealer_view.price_table()
    assert table[0][0] == variant
    assert table[0][1][2].price_fen == 900


def test_shop_lists_on_sale_products_with_a_retail_price_here(net):
    shown, _ = on_sale_product(net.brand, retail_fen=1000)
    only_elsewhere, _ = on_sale_product(net.brand, retail_fen=500, at=net.other_store)
    ProductFactory(brand=net.brand, status=ProductStatus.OFF_SALE)
    draft = ProductFactory(brand=net.brand)
    set_price(VariantFactory(product=draft), net.brand, 100)
    _inactive, variant = on_sale_product(net.brand, retail_fen=None)
    set_price(variant, net.brand, 100, Channel.WHOLESALE)  # not a retail price
    on_sale_product(StoreFactory().parent.parent)  # another brand
    items = selectors.shop_products(store=net.store)
    assert [i.id for i in items] == [shown.pk]
    elsewhere = selectors.shop_products(store=net.other_store)
    assert {i.id for i in elsewhere} == {shown.pk, only_elsewhere.pk}


def test_shop_price_is_the_lowest_variant_price(net):
    product, _small = on_sale_product(net.brand, retail_fen=1500)
    big = VariantFactory(product=product)
    set_price(big, net.store, 1200)
    retired = VariantFactory(product=product, is_active=False)
    set_price(retired, net.brand, 1)
    [item] = selectors.shop_products(store=net.store)
    assert (item.price.price_fen, item.variant_count) == (1200, 2)
    detail = selectors.shop_product(store=net.store, product_id=product.pk)
    assert [v.price.price_fen for v in detail.variants] == [1500, 1200]


def test_shop_member_view(net):
    _product, variant = on_sale_product(net.brand, retail_fen=1000)
    set_price(variant, net.store, 880, Channel.MEMBER)
    [guest] = selectors.shop_products(store=net.store)
    [member] = selectors.shop_products(store=net.store, buyer_is_member=True)
    assert (guest.price.price_fen, guest.retail, guest.is_member_price) == (1000, None, False)
    assert (member.price.price_fen, member.retail.price_fen, member.is_member_price) == (
        880,
        1000,
        True,
    )
    assert selectors.buyer_is_member(user=net.consumer, store=net.store)
    assert not selectors.buyer_is_member(user=net.consumer, store=net.store2)
    assert not selectors.buyer_is_member(user=net.owner, store=net.store)


def test_shop_list_runs_four_queries_whatever_the_size(net, django_assert_num_queries):
    def add(count):
        for _ in range(count):
            product, variant = on_sale_product(net.brand)
            set_price(VariantFactory(product=product), net.store, 700)
            set_price(variant, net.dealer, 650, Channel.MEMBER)

    add(2)
    with django_assert_num_queries(4):
        assert len(selectors.shop_products(store=net.store, buyer_is_member=True)) == 2
    add(18)
    with django_assert_num_queries(4):
        assert len(selectors.shop_products(store=net.store, buyer_is_member=True)) == 20


def test_shop_category_includes_subcategories(net):
    drinks = CategoryFactory()
    tea = CategoryFactory(parent=drinks)
    in_tea, _ = on_sale_product(net.brand, category=tea)
    on_sale_product(net.brand)
    assert [i.id for i in selectors.shop_products(store=net.store, category_id=drinks.pk)] == [
        in_tea.pk
    ]
    assert selectors.shop_categories(store=net.store) == [tea]


def test_shop_product_not_found(net):
    draft = ProductFactory(brand=net.brand)
    with pytest.raises(Exception) as caught:
        selectors.shop_product(store=net.store, product_id=draft.pk)
    assert caught.value.code == "not_found"


def test_price_lists_visible_to_a_scope(net):
    variant = VariantFactory(product__brand=net.brand)
    for org in (net.brand, net.dealer, net.store, net.other_store):
        set_price(variant, org, 100)
    orgs = lambda who: {  # noqa: E731
        pl.organization_id for pl in selectors.price_lists_for(scope_for(getattr(net, who)))
    }
    assert orgs("brand_admin") == {net.brand.pk, net.dealer.pk, net.store.pk, net.other_store.pk}
    assert orgs("dealer_admin") == {net.dealer.pk, net.store.pk}
    assert orgs("owner") == {net.store.pk}
    assert orgs("consumer") == set()
    counts = {
        pl.organization_id: pl.price_count
        for pl in selectors.price_lists_for(scope_for(net.brand_admin))
    }
    assert counts[net.store.pk] == 1


def test_price_rows_own_and_inherited(net):
    a = VariantFactory(product__brand=net.brand)
    b = VariantFactory(product=a.product)
    set_price(a, net.brand, 1000)
    set_price(a, net.store, 900)
    set_price(b, net.dealer, 800)
    PriceList.objects.filter(organization=net.store).update(is_active=False)
    rows = selectors.price_rows(organization=net.store, channel="retail", variants=[a, b])
    assert (rows[0].own_price_fen, rows[0].inherited.price_fen) == (900, 1000)
    assert (rows[1].own_price_fen, rows[1].inherited.organization_id) == (None, net.dealer.pk)
    assert rows[1].effective_fen == 800


def test_pricing_organizations_for_a_dealer(net):
    scope = scope_for(net.dealer_admin)
    orgs = list(selectors.pricing_organizations(scope=scope))
    assert orgs == [net.dealer, net.store, net.store2]
    assert list(
        selectors.pricing_organizations(scope=scope, kind="store", search=net.store2.name)
    ) == [net.store2]
