"""URLs: the back office under /console/, the H5 shop under /, the API under /api/."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

from trispace.api.urls import api
from trispace.config import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("console/", include("trispace.console.urls")),
    path("", include("trispace.h5.urls")),
]
if settings.SERVE_MEDIA:
    # The embedded deployment serves uploaded images itself; at scale the reverse proxy does.
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )
