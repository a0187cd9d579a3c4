"""H5 pages: the shop of the current store (home, product list, product detail, change store).

Prices are this shopper's at this store (``catalog.selectors``): a consumer member of the store
sees the member price with the retail price struck through.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from trispace.catalog import selectors as catalog
from trispace.h5 import store as stores
from trispace.kernel.errors import DomainError
from trispace.network.models import Organization

HOME_LIMIT = 20
PER_PAGE = 20


def page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render an H5 page with the current store in the header (and remember the share
    parameters the shopper landed with)."""
    stores.remember_share(request)
    context.setdefault("h5_store", stores.current_store(request))
    return render(request, template, context, status=status)


def no_store(request: HttpRequest) -> HttpResponse:
    return page(request, "h5/no_store.html", {"h5_store": None})


def _is_member(request: HttpRequest, store: Organization) -> bool:
    return catalog.buyer_is_member(user=request.user, store=store)


def _category_id(request: HttpRequest) -> int | None:
    value = request.GET.get("category", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "")
    return max(1, min(int(value), 10_000)) if value.isdigit() and len(value) < 6 else 1


def home(request: HttpRequest) -> HttpResponse:
    store = stores.current_store(request)
    if store is None:
        return no_store(request)
    member = _is_member(request, store)
    products = catalog.shop_products(store=store, buyer_is_member=member, limit=HOME_LIMIT)
    return page(
        request,
        "h5/home.html",
        {
            **stores.store_card(store),
            "products": products,
            "is_member": member,
            "more": len(products) == HOME_LIMIT,
        },
    )


def product_list(request: HttpRequest) -> HttpResponse:
    store = stores.current_store(request)
    if store is None:
        return no_store(request)
    member = _is_member(request, store)
    category_id = _category_id(request)
    search = (request.GET.get("q") or "").strip()[:50]
    number = _page_number(request)
    total = catalog.shop_products_queryset(
        store=store, category_id=category_id, search=search
    ).count()
    products = catalog.shop_products(
        store=store,
        buyer_is_member=member,
        category_id=category_id,
        search=search,
        offset=(number - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    pages = max(1, -(-total // PER_PAGE))
    return page(
        request,
        "h5/products.html",
        {
            "products": products,
            "categories": catalog.shop_categories(store=store),
            "category_id": category_id,
            "q": search,
            "is_member": member,
            "total": total,
            "number": number,
            "previous_page": number - 1 if number > 1 else None,
            "next_page": number + 1 if number < pages else None,
        },
    )


def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    store = stores.current_store(request)
    if store is None:
        return no_store(request)
    member = _is_member(request, store)
    try:
        product = catalog.shop_product(store=store, product_id=product_id, buyer_is_member=member)
    except DomainError:
        return page(request, "h5/404.html", {}, status=404)
    return page(
        request,
        "h5/product.html",
        {
            "product": product,
            "is_member": member,
            "sold": [v for v in product.variants if v.price is not None],
        },
    )


def store_list(request: HttpRequest) -> HttpResponse:
    """Change store: nearby stores when the browser shares its position, else a list."""
    search = (request.GET.get("q") or "").strip()[:50]
    choices, by_distance = stores.store_choices(request, search)
    return page(
        request,
        "h5/stores.html",
        {
            "choices": choices,
            "by_distance": by_distance,
            "q": search,
            "has_position": stores.parse_position(request) is not None,
        },
    )


urlpatterns = [
    path("", home, name="home"),
    path("products/", product_list, name="products"),
    path("products/<int:product_id>/", product_detail, name="product"),
    path("stores/", store_list, name="stores"),
]
