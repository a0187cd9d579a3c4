"""product_image_add / product_image_remove / product_images_reorder."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from trispace.catalog.models import ProductImage
from trispace.catalog.services import (
    MAX_IMAGE_BYTES,
    product_image_add,
    product_image_remove,
    product_images_reorder,
)
from trispace.catalog.tests.factories import ProductFactory, image_bytes
from trispace.kernel.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(net):
    return ProductFactory(brand=net.brand)


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_add_stores_the_file(net, product, fmt, ext):
    image = product_image_add(
        actor=net.brand_admin, product=product, upload=upload(image_bytes(fmt), "x.bin")
    )
    assert image.image.name.endswith("." + ext)
    assert default_storage.exists(image.image.name)
    assert image.position == 0


def test_positions_follow_on(net, product):
    first = product_image_add(actor=net.brand_admin, product=product, upload=upload(image_bytes()))
    second = product_image_add(actor=net.brand_admin, product=product, upload=upload(image_bytes()))
    assert (first.position, second.position) == (0, 1)


@pytest.mark.parametrize(
    "data",
    [
        b"not an image at all",
        b"",
        image_bytes("GIF"),
        image_bytes("BMP"),
        image_bytes("PNG")[:40],  # truncated
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(net, product, data, settings, tmp_path):
    with pytest.raises(DomainError) as caught:
        product_image_add(actor=net.brand_admin, product=product, upload=upload(data))
    assert caught.value.code == "image_invalid"
    assert not ProductImage.objects.exists()
    assert not list((settings.MEDIA_ROOT).rglob("*.*"))


def test_oversize_file_is_refused(net, product):
    big = image_bytes() + b"\0" * (MAX_IMAGE_BYTES + 1)
    with pytest.raises(DomainError) as caught:
        product_image_add(actor=net.brand_admin, product=product, upload=upload(big))
    assert caught.value.code == "image_invalid"
    assert not ProductImage.objects.exists()


def test_dealer_admin_may_not_add(net, product):
    with pytest.raises(DomainError) as caught:
        product_image_add(actor=net.dealer_admin, product=product, upload=upload(image_bytes()))
    assert caught.value.code == "permission_denied"
    assert not ProductImage.objects.exists()


def test_remove_deletes_the_file_after_commit(net, product, django_capture_on_commit_callbacks):
    image = product_image_add(actor=net.brand_admin, product=product, upload=upload(image_bytes()))
    name = image.image.name
    with django_capture_on_commit_callbacks(execute=True):
        product_image_remove(actor=net.brand_admin, image=image)
    assert not ProductImage.objects.exists()
    assert not default_storage.exists(name)


def test_remove_refused_keeps_the_image(net, product):
    image = product_image_add(actor=net.brand_admin, product=product, upload=upload(image_bytes()))
    with pytest.raises(DomainError):
        product_image_remove(actor=net.owner, image=image)
    assert ProductImage.objects.filter(pk=image.pk).exists()
    assert default_storage.exists(image.image.name)


def test_reorder(net, product):
    a, b, c = (
        product_image_add(actor=net.brand_admin, product=product, upload=upload(image_bytes()))
        for _ in range(3)
    )
    product_images_reorder(actor=net.brand_admin, product=product, image_ids=[c.pk, a.pk, b.pk])
    assert list(product.images.values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]


@pytest.mark.parametrize("shape", ["missing", "duplicate", "foreign"])
def test_reorder_must_list_each_image_once(net, product, shape):
    a = product_image_add(actor=net.brand_admin, product=product, upload=upload(image_bytes()))
    b = product_image_add(actor=net.brand_admin, product=product, upload=upload(image_bytes()))
    ids = {"missing": [b.pk], "duplicate": [b.pk, b.pk, a.pk], "foreign": [b.pk, a.pk, 999999]}
    with pytest.raises(DomainError) as caught:
        product_images_reorder(actor=net.brand_admin, product=product, image_ids=ids[shape])
    assert caught.value.code == "image_order_invalid"
    assert list(product.images.values_list("pk", flat=True)) == [a.pk, b.pk]
