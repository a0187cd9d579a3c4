"""product_set_status: draft → on sale (needs an active variant and a retail price) ⇄ off sale."""

from __future__ import annotations

import pytest

from trispace.catalog.models import Channel, PriceList
from trispace.catalog.services import product_set_status
from trispace.catalog.states import ProductStatus
from trispace.catalog.tests.factories import ProductFactory, VariantFactory, set_price
from trispace.kernel.errors import DomainError
from trispace.kernel.models import OutboxEvent, StateChange
from trispace.kernel.transitions import history

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(net):
    return ProductFactory(brand=net.brand)


def test_on_sale_with_a_retail_price_anywhere_in_the_tree(net, product):
    variant = VariantFactory(product=product)
    set_price(variant, net.store, 1000)
    product_set_status(actor=net.brand_admin, product=product, status="on_sale", reason="上架")
    product.refresh_from_db()
    assert product.status == ProductStatus.ON_SALE
    change = history(product).get()
    assert (change.from_status, change.to_status, change.reason) == ("draft", "on_sale", "上架")
    event = OutboxEvent.objects.get(name="ProductStatusChanged")
    assert event.payload == {
        "product_id": product.pk,
        "old_status": "draft",
        "new_status": "on_sale",
    }


def test_off_sale_and_back(net, product):
    set_price(VariantFactory(product=product), net.brand, 1000)
    for status in ("on_sale", "off_sale", "on_sale"):
        product_set_status(actor=net.operator, product=product, status=status)
    product.refresh_from_db()
    assert product.status == "on_sale"
    assert StateChange.objects.count() == 3


def test_not_ready_without_variants(net, product):
    with pytest.raises(DomainError) as caught:
        product_set_status(actor=net.brand_admin, product=product, status="on_sale")
    assert caught.value.code == "product_not_ready"
    product.refresh_from_db()
    assert product.status == "draft"
    assert not OutboxEvent.objects.exists()


def test_not_ready_with_only_inactive_variants(net, product):
    set_price(VariantFactory(product=product, is_active=False), net.brand, 1000)
    with pytest.raises(DomainError) as caught:
        product_set_status(actor=net.brand_admin, product=product, status="on_sale")
    assert caught.value.code == "product_not_ready"


def test_not_ready_without_a_retail_price(net, product):
    variant = VariantFactory(product=product)
    set_price(variant, net.brand, 1000, Channel.WHOLESALE)
    with pytest.raises(DomainError) as caught:
        product_set_status(actor=net.brand_admin, product=product, status="on_sale")
    assert caught.value.code == "product_not_ready"


def test_not_ready_when_the_only_retail_list_is_inactive(net, product):
    set_price(VariantFactory(product=product), net.brand, 1000)
    PriceList.objects.update(is_active=False)
    with pytest.raises(DomainError) as caught:
        product_set_status(actor=net.brand_admin, product=product, status="on_sale")
    assert caught.value.code == "product_not_ready"


def test_transition_table_is_enforced(net, product):
    with pytest.raises(DomainError) as caught:
        product_set_status(actor=net.brand_admin, product=product, status="off_sale")
    assert caught.value.code == "transition_not_allowed"
    with pytest.raises(DomainError) as caught:
        product_set_status(actor=net.brand_admin, product=product, status="sold_out")
    assert caught.value.code == "invalid"
    product.refresh_from_db()
    assert product.status == "draft"


@pytest.mark.parametrize("who", ["dealer_admin", "owner"])
def test_only_brand_staff_change_status(net, product, who):
    set_price(VariantFactory(product=product), net.brand, 1000)
    with pytest.raises(DomainError) as caught:
        product_set_status(actor=getattr(net, who), product=product, status="on_sale")
    assert caught.value.code == "permission_denied"
    product.refresh_from_db()
    assert product.status == "draft"
    assert not StateChange.objects.exists()
