"""The NinjaAPI instance: every context's router mounted under /api/, one error mapping."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from trispace.api import errors

api = NinjaAPI(
    title="Trispace API",
    version="1",
    description="三度空间 Trispace: the same use cases as the back office and the H5 shop.",
    urls_namespace="api",
    docs=Swagger(),  # served from ninja's bundled static files: no CDN
)
errors.install(api)
