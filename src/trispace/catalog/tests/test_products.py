"""product_create / product_update, with variants."""

from __future__ import annotations

import pytest

from trispace.catalog.models import Product, Variant
from trispace.catalog.services import VariantInput, product_create, product_update
from trispace.catalog.states import ProductStatus
from trispace.catalog.tests.factories import CategoryFactory, ProductFactory, VariantFactory
from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog
from trispace.network.tests.factories import BrandFactory

pytestmark = pytest.mark.django_db


def create(net, **kwargs):
    values = {"actor": net.brand_admin, "brand": net.brand, "name": "矿泉水"}
    values.update(kwargs)
    return product_create(**values)


def test_create_a_draft_with_variants(net):
    category = CategoryFactory()
    product = create(
        net,
        category=category,
        subtitle="天然",
        variants=[
            VariantInput(sku="W-500", name="500ml", barcode="6901234567892", unit="瓶"),
            VariantInput(sku="W-1500", name="1.5L × 12", barcode="036000291452", unit="箱"),
            VariantInput(sku="W-S", barcode="96385074"),
        ],
    )
    assert product.status == ProductStatus.DRAFT
    assert product.brand == net.brand
    assert [v.sku for v in product.variants.all()] == ["W-500", "W-1500", "W-S"]
    assert product.variants.get(sku="W-S").unit == "件"
    assert AuditLog.objects.filter(action="product_create", target_id=str(product.pk)).exists()


def test_operator_may_create(net):
    assert create(net, actor=net.operator).pk


@pytest.mark.parametrize(
    ("variant", "code"),
    [
        (VariantInput(sku="W-1", barcode="6901234567891"), "barcode_invalid"),
        (VariantInput(sku="W-1", barcode="12345"), "barcode_invalid"),
        (VariantInput(sku="W-1", barcode="ABCDEFGHIJKLM"), "barcode_invalid"),
        (VariantInput(sku=""), "sku_invalid"),
        (VariantInput(sku="has space"), "sku_invalid"),
        (VariantInput(sku="X" * 41), "sku_invalid"),
        (VariantInput(sku="W-1", unit="x" * 11), "unit_invalid"),
        (VariantInput(sku="W-1", position=-1), "invalid"),
    ],
)
def test_bad_variant_creates_nothing(net, variant, code):
    with pytest.raises(DomainError) as caught:
        create(net, variants=[VariantInput(sku="OK-1"), variant])
    assert caught.value.code == code
    assert caught.value.field.startswith("variants.1.")
    assert Product.objects.count() == 0
    assert Variant.objects.count() == 0


def test_sku_taken_by_another_product(net):
    VariantFactory(sku="W-500", product__brand=net.brand)
    with pytest.raises(DomainError) as caught:
        create(net, variants=[VariantInput(sku="W-500")])
    assert caught.value.code == "sku_taken"
    assert caught.value.field == "variants.0.sku"
    assert Product.objects.count() == 1  # only the first one


def test_sku_twice_in_one_request(net):
    with pytest.raises(DomainError) as caught:
        create(net, variants=[VariantInput(sku="A"), VariantInput(sku="A")])
    assert caught.value.code == "sku_taken"
    assert caught.value.field == "variants.1.sku"
    assert Product.objects.count() == 0


@pytest.mark.parametrize("name", ["", " ", "x" * 101])
def test_bad_name(net, name):
    with pytest.raises(DomainError) as caught:
        create(net, name=name)
    assert caught.value.code == "name_invalid"
    assert Product.objects.count() == 0


@pytest.mark.parametrize("who", ["dealer_admin", "owner"])
def test_staff_below_the_brand_may_not_create(net, who):
    with pytest.raises(DomainError) as caught:
        create(net, actor=getattr(net, who))
    assert caught.value.code == "permission_denied"
    assert Product.objects.count() == 0


def test_consumer_and_other_brand_get_not_found(net):
    with pytest.raises(DomainError) as caught:
        create(net, actor=net.consumer)
    assert caught.value.code == "not_found"
    other_brand = BrandFactory()
    with pytest.raises(DomainError) as caught:
        create(net, brand=other_brand)
    assert caught.value.code == "not_found"
    assert Product.objects.count() == 0


def test_a_product_belongs_to_a_brand(net):
    with pytest.raises(DomainError) as caught:
        create(net, brand=net.dealer)
    assert caught.value.code == "not_found"


def test_system_actor_may_create(net):
    assert create(net, actor=None).pk


def test_update_fields_and_variants(net):
    product = create(net, variants=[VariantInput(sku="A", name="小")])
    a = product.variants.get()
    product_update(
        actor=net.brand_admin,
        product=product,
        name="新名字",
        description="说明",
        variants=[
            VariantInput(id=a.pk, sku="A", name="小瓶", is_active=False),
            VariantInput(sku="B", name="大瓶", barcode="6901234567892"),
        ],
    )
    product.refresh_from_db()
    assert product.name == "新名字"
    assert product.description == "说明"
    a.refresh_from_db()
    assert (a.name, a.is_active) == ("小瓶", False)
    assert product.variants.get(sku="B").barcode == "6901234567892"


def test_update_leaves_unlisted_variants_alone(net):
    product = create(net, variants=[VariantInput(sku="A"), VariantInput(sku="B")])
    product_update(actor=net.brand_admin, product=product, variants=[VariantInput(sku="C")])
    assert sorted(product.variants.values_list("sku", flat=True)) == ["A", "B", "C"]


def test_skus_may_be_swapped_between_own_variants(net):
    product = create(net, variants=[VariantInput(sku="A"), VariantInput(sku="B")])
    a, b = product.variants.order_by("sku")
    product_update(
        actor=net.brand_admin,
        product=product,
        variants=[VariantInput(id=a.pk, sku="B"), VariantInput(id=b.pk, sku="A")],
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.sku, b.sku) == ("B", "A")


def test_update_with_a_bad_variant_changes_nothing(net):
    product = create(net, variants=[VariantInput(sku="A", name="小")])
    a = product.variants.get()
    with pytest.raises(DomainError) as caught:
        product_update(
            actor=net.brand_admin,
            product=product,
            name="改了",
            variants=[
                VariantInput(id=a.pk, sku="A", name="改了"),
                VariantInput(sku="B", barcode="1"),
            ],
        )
    assert caught.value.code == "barcode_invalid"
    product.refresh_from_db()
    a.refresh_from_db()
    assert (product.name, a.name) == ("矿泉水", "小")
    assert product.variants.count() == 1


def test_update_refuses_another_products_variant(net):
    product = create(net, variants=[VariantInput(sku="A")])
    foreign = VariantFactory(product__brand=net.brand)
    with pytest.raises(DomainError) as caught:
        product_update(
            actor=net.brand_admin,
            product=product,
            variants=[VariantInput(id=foreign.pk, sku="Z")],
        )
    assert caught.value.code == "variant_not_found"
    foreign.refresh_from_db()
    assert foreign.sku != "Z"


def test_update_by_a_dealer_admin_is_refused(net):
    product = ProductFactory(brand=net.brand, name="原名")
    with pytest.raises(DomainError) as caught:
        product_update(actor=net.dealer_admin, product=product, name="改名")
    assert caught.value.code == "permission_denied"
    product.refresh_from_db()
    assert product.name == "原名"
