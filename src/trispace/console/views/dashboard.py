"""The back-office home: the figures of your part of the network and where to start."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from trispace.catalog import selectors as catalog_selectors
from trispace.catalog.states import ProductStatus
from trispace.console.views.common import scope_of, staff_required
from trispace.network import selectors as network_selectors
from trispace.network.models import Organization, OrgKind


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    summary = network_selectors.network_summary(scope=scope)
    products_on_sale = None
    if scope.is_brand or scope.can_manage_catalog() or scope.has_role("dealer_admin"):
        products_on_sale = (
            catalog_selectors.products_for(scope).filter(status=ProductStatus.ON_SALE).count()
        )
    home_org = (
        Organization.objects.filter(pk=scope.home_organization_id).first()
        if scope.home_organization_id
        else None
    )
    return render(
        request,
        "console/home.html",
        {
            "scope": scope,
            "summary": summary,
            "products_on_sale": products_on_sale,
            "home_org": home_org,
            "is_store": home_org is not None and home_org.kind == OrgKind.STORE,
        },
    )


urlpatterns = [path("", home, name="home")]
