"""Back-office URLs, one list per context module."""

from trispace.console.views import auth, catalog, dashboard, network

app_name = "console"
urlpatterns = [
    *dashboard.urlpatterns,
    *auth.urlpatterns,
    *network.urlpatterns,
    *catalog.urlpatterns,
]
