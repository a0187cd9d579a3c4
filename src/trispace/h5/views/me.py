"""H5 pages: me — who is logged in, their store, their orders, the store workbench for store
staff, log out (the login page is ``h5:login``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path

from trispace.h5 import store as stores
from trispace.h5.views.shop import page
from trispace.h5.views.workbench import workbench_stores
from trispace.network.scoping import scope_for


def me(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"my_store": None, "masked_phone": "", "works_at_store": False}
    if user.is_authenticated:
        context["my_store"] = stores.consumer_store(user)
        context["masked_phone"] = getattr(user, "masked_phone", "")
        context["works_at_store"] = bool(workbench_stores(scope_for(user)))
    return page(request, "h5/me.html", context)


urlpatterns = [path("me/", me, name="me")]
