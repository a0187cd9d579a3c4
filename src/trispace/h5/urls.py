"""H5 URLs: the shop at the site root."""

from trispace.h5.views import auth, me, shop

app_name = "h5"
urlpatterns = [*shop.urlpatterns, *auth.urlpatterns, *me.urlpatterns]
