"""H5 URLs: the shop at the site root, the cashier and the store workbench."""

from trispace.h5.views import auth, cashier, me, orders, shop, workbench

app_name = "h5"
urlpatterns = [
    *shop.urlpatterns,
    *auth.urlpatterns,
    *me.urlpatterns,
    *orders.urlpatterns,
    *cashier.urlpatterns,
    *workbench.urlpatterns,
]
