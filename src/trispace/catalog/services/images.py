"""Product images: add (validated with Pillow, stored through Django's storage), remove, reorder."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from io import BytesIO
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from PIL import Image, UnidentifiedImageError

from trispace.catalog import errors
from trispace.catalog.models import Product, ProductImage
from trispace.catalog.permissions import require_manage_brand, scope_of_actor
from trispace.kernel import audit, ids
from trispace.kernel.errors import DomainError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # 8000 × 5000: larger is a mistake (or a decompression bomb)
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_IMAGES = 20


def _invalid() -> DomainError:
    return errors.IMAGE_INVALID(field="image", max_mb=MAX_IMAGE_BYTES // (1024 * 1024))


def read_image(upload: Any) -> tuple[bytes, str]:
    """The bytes of a real JPEG, PNG or WebP image of at most 5 MB and its file extension."""
    size = getattr(upload, "size", None)
    if not isinstance(size, int) or size <= 0 or size > MAX_IMAGE_BYTES:
        raise _invalid()
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_IMAGE_BYTES + 1)
    if not isinstance(data, bytes) or not data or len(data) > MAX_IMAGE_BYTES:
        raise _invalid()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                kind = image.format
                width, height = image.size
                image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise _invalid() from exc
    if kind not in FORMATS or width * height > MAX_IMAGE_PIXELS:
        raise _invalid()
    return data, FORMATS[kind]


def product_image_add(*, actor: Any, product: Product, upload: Any) -> ProductImage:
    """Validate ``upload`` and append it to the product's images."""
    require_manage_brand(scope_of_actor(actor), product.brand_id)
    data, extension = read_image(upload)
    stored_name = ""
    try:
        with transaction.atomic():
            Product.objects.select_for_update().filter(pk=product.pk).first()
            images = ProductImage.objects.filter(product=product)
            if images.count() >= MAX_IMAGES:
                raise _invalid()
            last = images.aggregate(last=Max("position"))["last"]
            image = ProductImage(product=product, position=0 if last is None else last + 1)
            image.image.save(f"{ids.token(12)}.{extension}", ContentFile(data), save=False)
            stored_name = image.image.name or ""
            image.save()
            audit.record(
                actor=actor,
                action="product_image_add",
                target=product,
                data={"image_id": image.pk, "name": stored_name, "bytes": len(data)},
            )
    except BaseException:
        if stored_name:
            ProductImage._meta.get_field("image").storage.delete(stored_name)
        raise
    return image


def product_image_remove(*, actor: Any, image: ProductImage) -> None:
    """Delete the image; its file goes once the deletion has committed."""
    product = image.product
    require_manage_brand(scope_of_actor(actor), product.brand_id)
    name = image.image.name or ""
    storage = image.image.storage
    with transaction.atomic():
        deleted, _ = ProductImage.objects.filter(pk=image.pk).delete()
        if deleted:
            audit.record(
                actor=actor,
                action="product_image_remove",
                target=product,
                data={"image_id": image.pk, "name": name},
            )
            if name:
                transaction.on_commit(lambda: storage.delete(name))


def product_images_reorder(*, actor: Any, product: Product, image_ids: Sequence[int]) -> None:
    """Put the images in the order of ``image_ids``, which lists each of them exactly once."""
    require_manage_brand(scope_of_actor(actor), product.brand_id)
    wanted = list(image_ids)
    with transaction.atomic():
        images = {i.pk: i for i in ProductImage.objects.select_for_update().filter(product=product)}
        if len(wanted) != len(set(wanted)) or set(wanted) != set(images):
            raise errors.IMAGE_ORDER_INVALID(field="image_ids")
        for position, pk in enumerate(wanted):
            images[pk].position = position
        ProductImage.objects.bulk_update(list(images.values()), ["position"])
        audit.record(
            actor=actor, action="product_images_reorder", target=product, data={"order": wanted}
        )
