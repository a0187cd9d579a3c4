"""Back-office URLs, one list per context module."""

from trispace.console.views import auth, catalog, dashboard, inventory, network, orders

app_name = "console"
urlpatterns = [
    *dashboard.urlpatterns,
    *auth.urlpatterns,
    *network.urlpatterns,
    *catalog.urlpatterns,
    *inventory.urlpatterns,
    *orders.urlpatterns,
]
