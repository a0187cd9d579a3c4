"""The NinjaAPI instance: every context's router mounted under /api/, one error mapping."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from trispace.accounts.api import router as accounts_router
from trispace.api import errors
from trispace.api.auth import API_AUTH
from trispace.catalog.api import router as catalog_router
from trispace.catalog.api import shop_caller
from trispace.inventory.api import router as inventory_router
from trispace.network.api import router as network_router
from trispace.orders.api import router as orders_router
from trispace.payments.api import router as payments_router

api = NinjaAPI(
    title="Trispace API",
    version="1",
    description="三度空间 Trispace: the same use cases as the back office and the H5 shop.",
    urls_namespace="api",
    auth=API_AUTH,
    docs=Swagger(),  # served from ninja's bundled static files: no CDN
)
errors.install(api)
# Public shop endpoints still recognize a logged-in caller (member prices) by token or session.
shop_caller.use(*API_AUTH)
api.add_router("/accounts/", accounts_router)
api.add_router("/network/", network_router)
api.add_router("/catalog/", catalog_router)
api.add_router("/inventory/", inventory_router)
api.add_router("/payments/", payments_router)
api.add_router("/orders/", orders_router)
