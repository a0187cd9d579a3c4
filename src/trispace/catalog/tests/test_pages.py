"""Back-office catalog pages: list, create, edit (variants, images, status), categories, prices."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from trispace.catalog.models import Category, Price, PriceList, Product, ProductImage, Variant
from trispace.catalog.tests.factories import (
    CategoryFactory,
    ProductFactory,
    VariantFactory,
    image_bytes,
    set_price,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, net):
    client.force_login(net.brand_admin)
    return client


def variant_rows(rows, initial=0, total=None):
    total = total if total is not None else max(len(rows), 1)
    data = {
        "variants-TOTAL_FORMS": str(total),
        "variants-INITIAL_FORMS": str(initial),
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "200",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"variants-{index}-{key}"] = value
    return data


def product_data(**extra):
    data = {"name": "矿泉水", "subtitle": "", "description": "", "position": "0", "category": ""}
    data.update(extra)
    return data


def test_product_list_filters_and_paginates(admin, net):
    tea = CategoryFactory(name="茶")
    for i in range(25):
        ProductFactory(brand=net.brand, name=f"商品{i:02d}", category=tea if i < 3 else None)
    VariantFactory(product=Product.objects.get(name="商品07"), sku="FIND-ME")
    page = admin.get(reverse("console:product_list"))
    assert page.status_code == 200
    assert page.context["page_obj"].paginator.count == 25
    assert len(page.context["page_obj"].object_list) == 20
    assert admin.get(reverse("console:product_list"), {"page": 2}).context["page_obj"].number == 2
    found = admin.get(reverse("console:product_list"), {"q": "FIND"})
    assert [p.name for p in found.context["page_obj"]] == ["商品07"]
    by_category = admin.get(reverse("console:product_list"), {"category": tea.pk})
    assert by_category.context["page_obj"].paginator.count == 3
    assert (
        admin.get(reverse("console:product_list"), {"status": "on_sale"})
        .context["page_obj"]
        .paginator.count
        == 0
    )


def test_product_list_query_count_is_fixed(admin, net, django_assert_max_num_queries):
    for _ in range(3):
        VariantFactory(product__brand=net.brand)
    admin.get(reverse("console:product_list"))
    with django_assert_max_num_queries(20) as few:
        admin.get(reverse("console:product_list"))
    for _ in range(15):
        VariantFactory(product__brand=net.brand)
    with django_assert_max_num_queries(20) as many:
        admin.get(reverse("console:product_list"))
    assert len(few.captured_queries) == len(many.captured_queries)


def test_create_product_with_variants(admin, net):
    data = product_data(
        **variant_rows(
            [
                {
                    "sku": "W-1",
                    "name": "500ml",
                    "barcode": "6901234567892",
                    "unit": "瓶",
                    "position": "0",
                    "is_active": "on",
                },
                {"sku": "", "name": "", "barcode": "", "unit": "", "position": ""},
            ],
            total=2,
        )
    )
    response = admin.post(reverse("console:product_create"), data)
    product = Product.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("console:product_edit", args=[product.pk])
    assert list(product.variants.values_list("sku", "unit")) == [("W-1", "瓶")]


def test_create_shows_a_bad_barcode_on_its_row(admin, net):
    data = product_data(
        **variant_rows([{"sku": "W-1", "barcode": "6901234567891", "is_active": "on"}])
    )
    response = admin.post(reverse("console:product_create"), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["barcode"]
    assert not Product.objects.exists()


def test_create_shows_a_taken_sku(admin, net):
    VariantFactory(sku="W-1", product__brand=net.brand)
    data = product_data(**variant_rows([{"sku": "W-1", "is_active": "on"}]))
    response = admin.post(reverse("console:product_create"), data)
    assert response.context["formset"].forms[0].errors["sku"]
    assert Product.objects.count() == 1


def test_edit_page_and_update(admin, net):
    product = ProductFactory(brand=net.brand, name="旧名")
    variant = VariantFactory(product=product, sku="A-1")
    set_price(variant, net.brand, 1230)
    page = admin.get(reverse("console:product_edit", args=[product.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "¥12.30" in text
    assert "A-1" in text
    data = product_data(
        name="新名",
        **variant_rows(
            [
                {"id": str(variant.pk), "sku": "A-1", "name": "大", "unit": "件", "position": "0"},
                {"sku": "A-2", "name": "小", "unit": "件", "position": "1", "is_active": "on"},
            ],
            initial=1,
            total=2,
        ),
    )
    response = admin.post(reverse("console:product_edit", args=[product.pk]), data)
    assert response.status_code == 302
    product.refresh_from_db()
    variant.refresh_from_db()
    assert product.name == "新名"
    assert (variant.name, variant.is_active) == ("大", False)
    assert product.variants.filter(sku="A-2", is_active=True).exists()


def test_status_buttons(admin, net):
    product = ProductFactory(brand=net.brand)
    url = reverse("console:product_status", args=[product.pk])
    refused = admin.post(url, {"status": "on_sale"}, follow=True)
    assert "retail price" in refused.content.decode()
    product.refresh_from_db()
    assert product.status == "draft"
    set_price(VariantFactory(product=product), net.brand, 100)
    admin.post(url, {"status": "on_sale"})
    product.refresh_from_db()
    assert product.status == "on_sale"
    page = admin.get(reverse("console:product_edit", args=[product.pk])).content.decode()
    assert 'value="off_sale"' in page


def test_image_upload_move_and_remove(admin, net):
    product = ProductFactory(brand=net.brand)
    url = reverse("console:product_image_add", args=[product.pk])
    for _ in range(2):
        response = admin.post(url, {"image": SimpleUploadedFile("a.png", image_bytes())})
        assert response.status_code == 302
    first, second = ProductImage.objects.order_by("position")
    admin.post(
        reverse("console:product_image_move", args=[product.pk, second.pk]), {"direction": "up"}
    )
    assert list(product.images.values_list("pk", flat=True)) == [second.pk, first.pk]
    admin.post(reverse("console:product_image_remove", args=[product.pk, first.pk]))
    assert list(ProductImage.objects.values_list("pk", flat=True)) == [second.pk]
    bad = admin.post(url, {"image": SimpleUploadedFile("a.png", b"nope")}, follow=True)
    assert ProductImage.objects.count() == 1
    assert bad.status_code == 200


def test_categories_page(admin, net):
    parent = CategoryFactory(name="饮料")
    response = admin.post(
        reverse("console:category_list"), {"name": "茶", "parent": parent.pk, "position": "0"}
    )
    assert response.status_code == 302
    assert Category.objects.get(name="茶").parent == parent
    again = admin.post(
        reverse("console:category_list"), {"name": "茶", "parent": parent.pk, "position": "0"}
    )
    assert again.status_code == 200
    assert again.context["form"].errors
    page = admin.get(reverse("console:category_list")).content.decode()
    assert "饮料" in page
    assert "茶" in page
    tea = Category.objects.get(name="茶")
    edit = admin.post(
        reverse("console:category_edit", args=[tea.pk]),
        {"name": "红茶", "parent": "", "position": "2"},
    )
    assert edit.status_code == 302
    tea.refresh_from_db()
    assert (tea.name, tea.parent_id) == ("红茶", None)


def test_pricelist_list_shows_organizations_and_channels(admin, net):
    set_price(VariantFactory(product__brand=net.brand), net.store, 100)
    page = admin.get(reverse("console:pricelist_list"))
    assert page.status_code == 200
    orgs = [org for org, _lists in page.context["rows"]]
    assert net.brand in orgs
    assert net.store in orgs
    store_lists = dict(page.context["rows"])[net.store]
    retail = next(item for item in store_lists if item.channel == "retail")
    assert (retail.price_count, retail.can_edit) == (1, True)
    url = reverse("console:pricelist_detail", args=[net.store.pk, "retail"])
    assert url in page.content.decode()


def test_pricelist_detail_inline_save_in_yuan(admin, net):
    variant = VariantFactory(product__brand=net.brand, sku="S-1")
    set_price(variant, net.brand, 1000)
    url = reverse("console:pricelist_detail", args=[net.store.pk, "retail"])
    page = admin.get(url).content.decode()
    assert "S-1" in page
    assert "¥10.00" in page
    save = reverse("console:pricelist_price", args=[net.store.pk, "retail", variant.pk])
    row = admin.post(save, {"price": "12.3"}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert "¥12.30" in row.content.decode()
    assert 'value="12.30"' in row.content.decode()
    price = Price.objects.get(price_list__organization=net.store)
    assert price.price_fen == 1230
    bad = admin.post(save, {"price": "-1"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert 'role="alert"' in bad.content.decode()
    assert Price.objects.get(pk=price.pk).price_fen == 1230
    cleared = admin.post(save, {"price": ""}, HTTP_HX_REQUEST="true")
    assert cleared.status_code == 200
    assert not Price.objects.filter(pk=price.pk).exists()
    plain = admin.post(save, {"price": "8"})
    assert plain.status_code == 302
    assert Price.objects.get(price_list__organization=net.store).price_fen == 800


def _xlsx(rows):
    book = Workbook()
    book.active.append(["sku", "price"])
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("p.xlsx", buffer.getvalue())


def test_pricelist_import_page(admin, net):
    VariantFactory(product__brand=net.brand, sku="S-1")
    url = reverse("console:pricelist_import", args=[net.store.pk, "retail"])
    bad = admin.post(url, {"file": _xlsx([("S-1", "1"), ("NOPE", "x")])})
    assert bad.status_code == 400
    assert len(bad.context["import_errors"]) == 1
    assert not Price.objects.exists()
    good = admin.post(url, {"file": _xlsx([("S-1", "9.9")])})
    assert good.status_code == 302
    assert Price.objects.get().price_fen == 990


def test_pricelist_toggle(admin, net):
    set_price(VariantFactory(product__brand=net.brand), net.store, 100)
    url = reverse("console:pricelist_toggle", args=[net.store.pk, "retail"])
    admin.post(url, {"is_active": "0"})
    assert not PriceList.objects.get().is_active


def test_unknown_channel_page_is_404(admin, net):
    assert (
        admin.get(reverse("console:pricelist_detail", args=[net.store.pk, "vip"])).status_code
        == 404
    )
    assert Variant.objects.count() == 0
