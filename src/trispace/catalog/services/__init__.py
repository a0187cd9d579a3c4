"""Write use cases of catalog: one function per whole use case (keyword-only, ``actor`` first).

Each owns its transaction, checks the actor's scope, writes its audit row and publishes its
events. The API, the back-office pages, the seed commands and the tests all call these.
"""

from trispace.catalog.services._common import UNSET
from trispace.catalog.services.categories import category_create, category_update
from trispace.catalog.services.images import (
    MAX_IMAGE_BYTES,
    product_image_add,
    product_image_remove,
    product_images_reorder,
)
from trispace.catalog.services.price_import import (
    PriceImportResult,
    price_import_xlsx,
)
from trispace.catalog.services.prices import (
    MAX_PRICE_FEN,
    price_list_set_active,
    price_remove,
    price_set,
)
from trispace.catalog.services.products import (
    VariantInput,
    product_create,
    product_set_status,
    product_update,
)

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_PRICE_FEN",
    "UNSET",
    "PriceImportResult",
    "VariantInput",
    "category_create",
    "category_update",
    "price_import_xlsx",
    "price_list_set_active",
    "price_remove",
    "price_set",
    "product_create",
    "product_image_add",
    "product_image_remove",
    "product_images_reorder",
    "product_set_status",
    "product_update",
]
