"""H5 pages: the store workbench (门店工作台) on the phone of a store's owner or clerk.

Today's pickups of their store, marking a paid order ready, and verifying a pickup (核销) by
the 6-digit code, by the QR token (a scanner types it, or it is pasted), or by the buyer's phone
tail (4 digits → candidates with masked names → pick one). Only a store's owner and clerks
work here: anyone else is refused (403), and another store's page does not exist for them (404).
Every read goes through ``orders.selectors`` and every change through one ``orders.services``
function, which check the seller's rights again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from trispace.accounts import phones
from trispace.h5.views.common import forbidden, login_required, not_found
from trispace.h5.views.shop import page
from trispace.kernel.errors import DomainError
from trispace.network.models import Organization, OrgKind, Role
from trispace.network.scoping import Scope, scope_for
from trispace.orders import selectors, services
from trispace.orders.models import Order
from trispace.orders.services.fulfilment import PickupCandidate, mask_name
from trispace.orders.states import AWAITING_PICKUP, OrderStatus

STORE_ROLES = (Role.STORE_OWNER, Role.STORE_CLERK)


def workbench_stores(scope: Scope) -> list[int]:
    """Ids of the stores whose workbench the scope's user works at (owner or clerk)."""
    return sorted({g.organization_id for g in scope.grants_for(*STORE_ROLES)})


def store_staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous → login; nobody's owner or clerk → 403; a store not theirs → 404 or 403.

    The view gets ``request.scope`` and, for a ``store_id`` in the URL, ``store``."""

    @functools.wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scope = scope_for(request.user)
        mine = workbench_stores(scope)
        if not mine:
            return forbidden(request, _("The workbench is for the staff of a store."))
        request.scope = scope  # type: ignore[attr-defined]
        if "store_id" in kwargs:
            try:
                store = selectors.staff_store(scope=scope, store_id=kwargs.pop("store_id"))
            except DomainError:
                return not_found(request)
            if store.pk not in mine:
                return forbidden(request, _("You do not work at this store."))
            kwargs["store"] = store
        return view(request, *args, **kwargs)

    return wrapper


def _scope(request: HttpRequest) -> Scope:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    return scope


def _here(store: Organization) -> str:
    return reverse("h5:workbench_store", args=[store.pk])


@dataclass(frozen=True)
class PickupRow:
    order: Order
    buyer: str  # masked
    phone: str  # masked
    summary: str
    waiting: bool
    can_mark_ready: bool


def _row(order: Order) -> PickupRow:
    return PickupRow(
        order=order,
        buyer=mask_name(getattr(order.buyer, "name", "") or ""),
        phone=phones.mask(getattr(order.buyer, "phone", "") or ""),
        summary=", ".join(
            f"{line.product_name} {line.variant_name} × {line.quantity}".replace("  ", " ")
            for line in order.lines.all()
        ),
        waiting=order.status in AWAITING_PICKUP,
        can_mark_ready=order.status == OrderStatus.PAID,
    )


def _workbench(
    request: HttpRequest, store: Organization, extra: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The workbench page of ``store``: verify forms, a result, today's pickups."""
    pickups = [_row(o) for o in selectors.todays_pickups(scope=_scope(request), store=store)]
    context = {
        "store": store,
        "h5_store": store,
        "waiting": [row for row in pickups if row.waiting],
        "done": [row for row in pickups if not row.waiting],
        **extra,
    }
    return page(request, "h5/workbench/store.html", context, status=status)


@require_GET
@store_staff_required
def workbench(request: HttpRequest) -> HttpResponse:
    """Straight to the store's workbench, or a choice when the person works at several."""
    ids = workbench_stores(_scope(request))
    if len(ids) == 1:
        return redirect("h5:workbench_store", store_id=ids[0])
    stores = (
        _scope(request)
        .visible_organizations()
        .filter(pk__in=ids, kind=OrgKind.STORE)
        .order_by("name", "pk")
    )
    return page(request, "h5/workbench/choose.html", {"stores": list(stores)})


@require_GET
@store_staff_required
def store_page(request: HttpRequest, store: Organization) -> HttpResponse:
    extra: dict[str, Any] = {}
    verified = request.GET.get("verified", "")
    if verified.isdigit():
        try:
            order = selectors.staff_order_get(scope=_scope(request), pk=verified)
        except DomainError:
            order = None
        if order is not None and order.store_id == store.pk:
            extra["success"] = _row(order)
    return _workbench(request, store, extra)


@require_POST
@store_staff_required
def verify(request: HttpRequest, store: Organization) -> HttpResponse:
    """Verify a pickup by ``code``, ``qr_token`` or ``order_id`` (a phone-tail candidate)."""
    by = request.POST.get("by", "code")
    value = (request.POST.get("value") or "").strip()
    kwargs: dict[str, Any] = {}
    if by == "qr":
        kwargs["qr_token"] = value[:200]
    elif by == "order":
        kwargs["order_id"] = int(value) if value.isdigit() and len(value) < 19 else -1
    else:
        by = "code"
        kwargs["code"] = value[:6] if value.isascii() else ""
    try:
        order = services.pickup_verify(actor=request.user, store=store, **kwargs)
    except DomainError as exc:
        message = exc.message
        if exc.code == "invalid":
            message = (
                _("Scan or paste the QR code.")
                if by == "qr"
                else _("Enter the 6-digit pickup code.")
            )
        return _workbench(
            request,
            store,
            {"failure": message, "failed_by": by, "failed_value": value[:200]},
            status=exc.status,
        )
    return redirect(f"{_here(store)}?{urlencode({'verified': order.pk})}#result")


@require_POST
@store_staff_required
def lookup(request: HttpRequest, store: Organization) -> HttpResponse:
    """Orders waiting at the store whose buyer's phone ends with the 4 digits given."""
    tail = (request.POST.get("phone_tail") or "").strip()[:4]
    try:
        candidates: list[PickupCandidate] = services.pickup_candidates(
            actor=request.user, store=store, phone_tail=tail
        )
    except DomainError:
        return _workbench(
            request,
            store,
            {"tail_error": _("Enter the last 4 digits of the buyer's phone."), "tail": tail},
            status=400,
        )
    return _workbench(request, store, {"candidates": candidates, "tail": tail, "looked_up": True})


@require_POST
@store_staff_required
def mark_ready(request: HttpRequest, store: Organization, order_id: int) -> HttpResponse:
    try:
        order = selectors.staff_order_get(scope=_scope(request), pk=order_id)
    except DomainError:
        return not_found(request)
    if order.store_id != store.pk:
        return not_found(request)
    try:
        services.order_mark_ready(actor=request.user, order=order)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Order %(number)s is ready for pickup.") % {"number": order.number}
        )
    return redirect(_here(store))


urlpatterns = [
    path("workbench/", workbench, name="workbench"),
    path("workbench/<int:store_id>/", store_page, name="workbench_store"),
    path("workbench/<int:store_id>/verify/", verify, name="workbench_verify"),
    path("workbench/<int:store_id>/lookup/", lookup, name="workbench_lookup"),
    path(
        "workbench/<int:store_id>/orders/<int:order_id>/ready/",
        mark_ready,
        name="workbench_ready",
    ),
]
