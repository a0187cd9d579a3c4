"""H5 pages: the cart, checkout, paying, my orders, an order with its pickup code, refunds.

Each page reads through ``orders.selectors`` (the buyer sees their own orders only: anything
else is 404) and acts through one ``orders.services`` function; a refusal (``DomainError``) is
shown on the form, or as a message on the page the button was on. Anonymous shoppers are sent
to ``h5:login`` and come back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trispace.accounts import phones
from trispace.catalog import selectors as catalog_selectors
from trispace.h5 import store as stores
from trispace.h5.views.common import form_error, login_required, not_found, refusal_page
from trispace.h5.views.shop import no_store, page
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.kernel.http import safe_next_url
from trispace.kernel.money import format_fen
from trispace.network import selectors as network_selectors
from trispace.network.models import Organization, Region
from trispace.orders import calculations, selectors, services, tokens
from trispace.orders.models import AfterSale, Fulfilment, Order
from trispace.orders.states import AWAITING_PICKUP, REFUNDABLE_STATUSES, OrderStatus

PROVIDER = "simulated"  # the demo's cashier (h5:cashier); WeChat Pay comes with the mini-program
PER_PAGE = 10
TABS = [
    ("", gettext_lazy("All")),
    (OrderStatus.PENDING_PAYMENT, gettext_lazy("To pay")),
    (OrderStatus.PAID, gettext_lazy("Paid")),
    (OrderStatus.READY_FOR_PICKUP, gettext_lazy("To pick up")),
    (OrderStatus.SHIPPED, gettext_lazy("Shipped")),
    (OrderStatus.COMPLETED, gettext_lazy("Completed")),
    (OrderStatus.REFUNDED, gettext_lazy("Refunded")),
    (OrderStatus.CANCELLED, gettext_lazy("Cancelled")),
]


def _int(value: Any, default: int = -1) -> int:
    """A posted whole number; ``default`` (refused by the services) when it is not one."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else default


def _order_url(order: Order | int) -> str:
    return reverse("h5:order", args=[order if isinstance(order, int) else order.pk])


def _stock_message(error: DomainError, names: dict[int, str]) -> str:
    """Inventory speaks of variant ids; the buyer sees the product's name."""
    if error.code == "out_of_stock" and error.params.get("variant_id") in names:
        return _("Only %(available)s of %(name)s left at this store.") % {
            "available": error.params.get("available", 0),
            "name": names[error.params["variant_id"]],
        }
    return error.message


# --- cart -----------------------------------------------------------------------------------
def _cart_context(request: HttpRequest, store: Organization) -> dict[str, Any]:
    view = selectors.cart_view(user=request.user, store=store)
    return {
        "cart": view,
        "store": store,
        "has_unavailable": any(not item.available for item in view.items),
    }


@login_required
@require_GET
def cart(request: HttpRequest) -> HttpResponse:
    store = stores.current_store(request)
    if store is None:
        return no_store(request)
    return page(request, "h5/orders/cart.html", _cart_context(request, store))


@require_POST
@login_required
def cart_add(request: HttpRequest) -> HttpResponse:
    """Put a variant in the cart at the current store (the product page's form)."""
    back = safe_next_url(request, reverse("h5:cart"))
    store = stores.current_store(request)
    if store is None:
        return no_store(request)
    try:
        variant = catalog_selectors.variant_get(
            scope=None, variant_id=_int(request.POST.get("variant_id"))
        )
        services.cart_add(
            actor=request.user,
            store=store,
            variant=variant,
            quantity=_int(request.POST.get("quantity"), 1),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, _("Added to your cart."))
    return redirect(back)


@require_POST
@login_required
def cart_line(request: HttpRequest, line_id: int) -> HttpResponse:
    """Change a cart line's quantity (0 or ``remove`` takes it out); htmx gets the cart back."""
    error = ""
    try:
        if "remove" in request.POST:
            services.cart_remove(actor=request.user, line_id=line_id)
        else:
            services.cart_update(
                actor=request.user, line_id=line_id, quantity=_int(request.POST.get("quantity"))
            )
    except DomainError as exc:
        error = exc.message
    if request.htmx:  # type: ignore[attr-defined]
        store = stores.current_store(request)
        if store is None:
            return no_store(request)
        context = {**_cart_context(request, store), "error": error}
        return render(request, "h5/orders/_cart.html", context)
    if error:
        messages.error(request, error)
    return redirect("h5:cart")


# --- checkout -------------------------------------------------------------------------------
class CheckoutForm(forms.Form):
    """Pickup at the store, or delivery to an address (validated by ``order_place``)."""

    fulfilment = forms.ChoiceField(
        label=gettext_lazy("How you get it"),
        choices=Fulfilment.choices,
        initial=Fulfilment.PICKUP,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=gettext_lazy("Recipient"), required=False, max_length=50)
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    province = forms.CharField(label=gettext_lazy("Province"), required=False, max_length=6)
    city = forms.CharField(label=gettext_lazy("City"), required=False, max_length=6)
    region_code = forms.CharField(label=gettext_lazy("District"), required=False, max_length=6)
    detail = forms.CharField(
        label=gettext_lazy("Street address"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    ADDRESS_FIELDS = {
        "address": "name",
        "address.name": "name",
        "address.phone": "phone",
        "address.region_code": "region_code",
        "address.detail": "detail",
    }

    def address(self) -> dict[str, str]:
        data = self.cleaned_data
        return {k: data.get(k, "") for k in ("name", "phone", "region_code", "detail")}


def _region_options(parent: str | None) -> list[Region]:
    return list(network_selectors.region_children(parent_code=parent)) if parent != "" else []


def _region_choices(form: CheckoutForm) -> dict[str, list[Region]]:
    """The options of the province, city and district selects for the values in the form."""
    value = form.data.get if form.is_bound else form.initial.get
    province = str(value("province") or "")
    city = str(value("city") or "")
    return {
        "provinces": _region_options(None),
        "cities": _region_options(province),
        "districts": _region_options(city),
    }


def _initial_address(request: HttpRequest, store: Organization) -> dict[str, str]:
    """The buyer's name and phone, and the store's district (most buyers live near it)."""
    user = request.user
    initial = {
        "fulfilment": Fulfilment.PICKUP,
        "name": getattr(user, "name", "") or "",
        "phone": phones.national(getattr(user, "phone", "") or ""),
    }
    chain = network_selectors.region_path(store.region) if store.region_id else []
    if len(chain) == 3:
        initial.update(province=chain[0].code, city=chain[1].code, region_code=chain[2].code)
    return initial


@require_GET
def regions(request: HttpRequest) -> HttpResponse:
    """Options of the city (``?province=``) or district (``?city=``) select (htmx)."""
    if "province" in request.GET:
        parent, target = request.GET["province"][:6], "city"
    else:
        parent, target = request.GET.get("city", "")[:6], "district"
    options = _region_options(parent) if parent.isdigit() else []
    return render(request, "h5/orders/_region_options.html", {"options": options, "target": target})


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    store = stores.current_store(request)
    if store is None:
        return no_store(request)
    context = _cart_context(request, store)
    view: selectors.CartView = context["cart"]
    if not view.items:
        messages.info(request, _("Your cart is empty."))
        return redirect("h5:cart")
    form = CheckoutForm(
        request.POST if request.method == "POST" else None,
        initial=_initial_address(request, store),
    )
    if request.method == "POST" and form.is_valid():
        delivery = form.cleaned_data["fulfilment"] == Fulfilment.DELIVERY
        try:
            order = services.order_place(
                actor=request.user,
                store=store,
                fulfilment=form.cleaned_data["fulfilment"],
                address=form.address() if delivery else None,
                share_context=stores.share_context(request),
            )
        except DomainError as exc:
            names = {item.variant_id: item.product_name for item in view.items}
            if exc.code == "out_of_stock":
                form.add_error(None, _stock_message(exc, names))
            else:
                form_error(form, exc, CheckoutForm.ADDRESS_FIELDS)
        else:
            messages.success(
                request,
                _("Order %(number)s placed. Please pay to confirm it.") % {"number": order.number},
            )
            return redirect(_order_url(order))
    policy = selectors.current_policy()
    shipping_fen = calculations.delivery_fee(
        view.subtotal_fen,
        fee_fen=policy.delivery_fee_fen,
        free_from_fen=policy.free_delivery_from_fen,
    )
    return page(
        request,
        "h5/orders/checkout.html",
        {
            **context,
            **stores.store_card(store),
            **_region_choices(form),
            "form": form,
            "shipping_fen": shipping_fen,
            "free_from_fen": policy.free_delivery_from_fen,
            "delivery_total_fen": view.subtotal_fen + shipping_fen,
            "unpaid_minutes": int(policy.unpaid_timeout.total_seconds() // 60),
        },
    )


# --- my orders ------------------------------------------------------------------------------
@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in {value for value, _label in TABS}:
        status = ""
    orders = selectors.buyer_orders(user=request.user, status=status or None)
    page_obj = Paginator(orders, PER_PAGE).get_page(request.GET.get("page"))
    return page(
        request,
        "h5/orders/list.html",
        {"tabs": TABS, "status": status, "page_obj": page_obj},
    )


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    label: str
    note: str = ""


def _timeline(order: Order, aftersales: list[AfterSale]) -> list[Step]:
    """What happened to the order, oldest first, in the buyer's words."""
    steps = [Step(order.created_at, _("Order placed"))]
    if order.paid_at:
        steps.append(Step(order.paid_at, _("Paid"), format_fen(order.total_fen)))
    if order.ready_at:
        steps.append(Step(order.ready_at, _("Ready for pickup")))
    if order.shipped_at:
        steps.append(Step(order.shipped_at, _("Shipped"), order.tracking_no))
    if order.completed_at:
        label = _("Picked up") if order.is_pickup else _("Received")
        steps.append(Step(order.completed_at, label))
    if order.cancelled_at:
        steps.append(Step(order.cancelled_at, _("Cancelled")))
    if order.closed_at:
        steps.append(Step(order.closed_at, _("Closed")))
    for aftersale in aftersales:
        steps.append(
            Step(aftersale.created_at, _("Refund requested"), format_fen(aftersale.amount_fen))
        )
        if aftersale.decided_at and aftersale.status == "rejected":
            steps.append(Step(aftersale.decided_at, _("Refund rejected"), aftersale.decision_note))
        elif aftersale.decided_at:
            steps.append(Step(aftersale.decided_at, _("Refund approved")))
        if aftersale.refunded_at:
            steps.append(
                Step(aftersale.refunded_at, _("Refunded"), format_fen(aftersale.amount_fen))
            )
    return sorted(steps, key=lambda step: step.at)


def pickup_qr(order: Order) -> str:
    """The pickup QR (the signed token of ``orders.tokens``) as an SVG data URI."""
    qr = segno.make(tokens.pickup_token(order.pk), error="m")
    return str(qr.svg_data_uri(scale=6, border=2))


def _refundable_fen(order: Order) -> int:
    return sum(line.paid_fen - line.pending_fen - line.refunded_fen for line in order.lines.all())


def _may_request_refund(order: Order) -> bool:
    """Whether to offer "request a refund" (the service decides when it is asked)."""
    if order.status not in REFUNDABLE_STATUSES:
        return False
    if order.status == OrderStatus.COMPLETED and (
        order.closes_at is None or order.closes_at <= ktime.now()
    ):
        return False
    return any(line.claimable_quantity > 0 for line in order.lines.all())


def _address_label(order: Order) -> str:
    region = Region.objects.select_related("parent__parent").filter(pk=order.region_code).first()
    names = [r.name for r in network_selectors.region_path(region)]
    return " ".join([*names, order.address])


@login_required
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        order = selectors.buyer_order_get(user=request.user, pk=order_id)
    except DomainError:
        return not_found(request)
    aftersales = list(selectors.buyer_aftersales(user=request.user, order=order))
    show_code = order.is_pickup and order.status in AWAITING_PICKUP
    context: dict[str, Any] = {
        "order": order,
        "lines": list(order.lines.all()),
        "aftersales": aftersales,
        "steps": _timeline(order, aftersales),
        "show_code": show_code,
        "qr": pickup_qr(order) if show_code else "",
        "can_refund": _may_request_refund(order),
        **stores.store_card(order.store),
    }
    if not order.is_pickup:
        context["recipient_phone"] = phones.mask(order.recipient_phone)
        context["address_label"] = _address_label(order)
    return page(request, "h5/orders/detail.html", context)


def _buyer_action(request: HttpRequest, order_id: int, action: Any) -> HttpResponse | Order:
    """Resolve the buyer's order and run ``action(order)``: the order, or the response to send."""
    try:
        order = selectors.buyer_order_get(user=request.user, pk=order_id)
    except DomainError:
        return not_found(request)
    try:
        action(order)
    except DomainError as exc:
        refusal = refusal_page(request, exc)
        if refusal is not None:
            return refusal
        messages.error(request, exc.message)
        return redirect(_order_url(order))
    return order


@require_POST
@login_required
def order_pay(request: HttpRequest, order_id: int) -> HttpResponse:
    """Start paying through the simulated cashier, which comes back to the order page."""
    started: list[Any] = []

    def pay(order: Order) -> None:
        started.append(services.order_pay(actor=request.user, order=order, provider=PROVIDER))

    result = _buyer_action(request, order_id, pay)
    if isinstance(result, HttpResponse):
        return result
    back = _order_url(result)
    payment = started[0]
    if payment is None:  # nothing to pay: paid at once
        messages.success(request, _("Paid."))
        return redirect(back)
    if payment.next.action == "redirect" and payment.next.redirect_url:
        return redirect(f"{payment.next.redirect_url}?{urlencode({'next': back})}")
    if payment.next.instructions:
        messages.info(request, str(payment.next.instructions))
    return redirect(back)


@require_POST
@login_required
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    result = _buyer_action(
        request,
        order_id,
        lambda order: services.order_cancel(
            actor=request.user, order=order, reason=request.POST.get("reason", "")[:255]
        ),
    )
    if isinstance(result, HttpResponse):
        return result
    messages.success(request, _("The order was cancelled."))
    return redirect(_order_url(result))


@require_POST
@login_required
def order_confirm(request: HttpRequest, order_id: int) -> HttpResponse:
    result = _buyer_action(
        request,
        order_id,
        lambda order: services.order_confirm_receipt(actor=request.user, order=order),
    )
    if isinstance(result, HttpResponse):
        return result
    messages.success(request, _("Thank you: the order is complete."))
    return redirect(_order_url(result))


# --- after-sales ----------------------------------------------------------------------------
class RefundForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Tell the store why you want a refund.")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def aftersale(request: HttpRequest, order_id: int) -> HttpResponse:
    """Ask for a refund of some units of some lines (all of them by default), with a reason."""
    try:
        order = selectors.buyer_order_get(user=request.user, pk=order_id)
    except DomainError:
        return not_found(request)
    lines = list(order.lines.all())
    wanted = {line.pk: line.claimable_quantity for line in lines}
    form = RefundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        wanted = {line.pk: _int(request.POST.get(f"qty_{line.pk}"), 0) for line in lines}
        if form.is_valid():
            try:
                created = services.aftersale_request(
                    actor=request.user,
                    order=order,
                    lines=[(pk, qty) for pk, qty in wanted.items() if qty != 0],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                refusal = refusal_page(request, exc)
                if refusal is not None:
                    return refusal
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Refund of %(amount)s requested. The store will answer soon.")
                    % {"amount": format_fen(created.amount_fen)},
                )
                return redirect(_order_url(order))
    rows = [
        {
            "line": line,
            "value": wanted.get(line.pk, 0),
            "claimable_fen": line.paid_fen - line.pending_fen - line.refunded_fen,
        }
        for line in lines
    ]
    return page(
        request,
        "h5/orders/aftersale.html",
        {
            "order": order,
            "rows": rows,
            "form": form,
            "refundable_fen": _refundable_fen(order),
            "can_refund": _may_request_refund(order),
        },
    )


urlpatterns = [
    path("cart/", cart, name="cart"),
    path("cart/add/", cart_add, name="cart_add"),
    path("cart/lines/<int:line_id>/", cart_line, name="cart_line"),
    path("checkout/", checkout, name="checkout"),
    path("checkout/regions/", regions, name="regions"),
    path("orders/", order_list, name="orders"),
    path("orders/<int:order_id>/", order_detail, name="order"),
    path("orders/<int:order_id>/pay/", order_pay, name="order_pay"),
    path("orders/<int:order_id>/cancel/", order_cancel, name="order_cancel"),
    path("orders/<int:order_id>/confirm/", order_confirm, name="order_confirm"),
    path("orders/<int:order_id>/refund/", aftersale, name="aftersale"),
]
