"""Back-office pages of orders (订单): the order list with its XLSX export, an order's detail
with its timeline and the seller's actions, and the queue of refund requests (售后).

For every staff role; salespeople only look. Orders are found through ``orders.selectors``
(scoped: an order outside the caller's part of the network is a 404) and changed only through
the services — ``orders.services`` for the order's own steps, ``payments.services`` to confirm
cash or a transfer (the order is then paid by the ``PaymentSucceeded`` handler). The buttons
shown follow the same rules the services apply; a refused action shows why and changes nothing.
Buyers' names and phones are masked everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from trispace.accounts import phones
from trispace.console.views.common import (
    not_found,
    paginate,
    refuse_back,
    scope_of,
    staff_required,
)
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.kernel.http import safe_next_url
from trispace.kernel.money import format_fen
from trispace.network import selectors as network_selectors
from trispace.network.models import Organization, OrgKind
from trispace.network.scoping import Scope
from trispace.orders import errors, permissions, selectors, services
from trispace.orders.models import AfterSale, Fulfilment, Order, OrderChannel, OrderLine
from trispace.orders.services.fulfilment import mask_name
from trispace.orders.states import AfterSaleStatus, OrderStatus
from trispace.payments import services as payments
from trispace.payments.models import Payment, Provider, Refund
from trispace.payments.services.payments import can_confirm_offline
from trispace.payments.states import PaymentStatus

EXPORT_CHUNK = 500  # orders (with their lines) read from the database at a time
EXPORT_MAX_ROWS = 100_000  # an export is for a period, not the whole history

ACTION_LABELS = {
    "order_place": _("Order placed"),
    "order_paid": _("Paid"),
    "order_cancel": _("Cancelled"),
    "order_mark_ready": _("Marked ready for pickup"),
    "order_pickup": _("Picked up (verified at the store)"),
    "order_ship": _("Shipped"),
    "order_confirm_receipt": _("Receipt confirmed by the buyer"),
    "order_confirm_auto": _("Receipt confirmed automatically"),
    "order_close": _("Closed"),
    "order_payment_returned": _("A payment the order could not take was returned"),
    "aftersale_request": _("Refund requested"),
    "aftersale_approve": _("Refund approved"),
    "aftersale_reject": _("Refund rejected"),
    "aftersale_refunded": _("Refund paid back"),
    "aftersale_refund_failed": _("Refund failed"),
}
_STATUS_CHANGE = re.compile(r"(?:after-sale (?P<aftersale>\d+): )?(?P<old>\w+) → (?P<new>\w+)")


# --- forms ----------------------------------------------------------------------------------
if TYPE_CHECKING:
    _StoreField = forms.ModelChoiceField[Organization]
else:
    _StoreField = forms.ModelChoiceField


class StoreChoiceField(_StoreField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Order number or phone tail"), required=False, max_length=32)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *OrderStatus.choices]
    )
    store = StoreChoiceField(
        label=_("Store"),
        required=False,
        queryset=Organization.objects.none(),
        empty_label=_("All stores"),
    )
    date_from = forms.DateField(
        label=_("Placed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Placed until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All channels")), *OrderChannel.choices],
    )
    fulfilment = forms.ChoiceField(
        label=_("Fulfilment"),
        required=False,
        choices=[("", _("Pickup and delivery")), *Fulfilment.choices],
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StoreChoiceField, self.fields["store"]).queryset = network_selectors.organization_list(
            scope=scope, kind=OrgKind.STORE
        ).select_related(None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last:
            try:  # business days in Asia/Shanghai, both inclusive
                ktime.days_bounds(first, last)
            except ValueError:
                self.add_error("date_to", gettext("The last day is before the first."))
        return data


class AfterSaleFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *AfterSaleStatus.choices],
    )
    store = StoreChoiceField(
        label=_("Store"),
        required=False,
        queryset=Organization.objects.none(),
        empty_label=_("All stores"),
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StoreChoiceField, self.fields["store"]).queryset = network_selectors.organization_list(
            scope=scope, kind=OrgKind.STORE
        ).select_related(None)


# --- shaping --------------------------------------------------------------------------------
def _yuan(obj: Any, *names: str) -> dict[str, str]:
    """``{"total": "¥12.30", …}`` for the ``*_fen`` attributes ``names`` of ``obj``."""
    return {name.removesuffix("_fen"): format_fen(getattr(obj, name)) for name in names}


def _buyer(order: Order) -> tuple[str, str]:
    """The buyer's masked name and masked phone."""
    buyer = order.buyer
    return mask_name(getattr(buyer, "name", "") or ""), phones.mask(
        getattr(buyer, "phone", "") or ""
    )


def _items(lines: Iterable[OrderLine]) -> str:
    return ", ".join(
        " ".join(part for part in (line.product_name, line.variant_name) if part)
        + f" × {line.quantity}"
        for line in lines
    )


@dataclass(frozen=True)
class OrderRow:
    order: Order
    buyer_name: str
    buyer_phone: str
    items: str
    total: str


def _rows(orders: Iterable[Order]) -> list[OrderRow]:
    rows = []
    for order in orders:
        name, phone = _buyer(order)
        rows.append(
            OrderRow(
                order=order,
                buyer_name=name,
                buyer_phone=phone,
                items=_items(order.lines.all()),
                total=format_fen(order.total_fen),
            )
        )
    return rows


@dataclass(frozen=True)
class AfterSaleRow:
    aftersale: AfterSale
    buyer_name: str
    buyer_phone: str
    items: str
    amount: str
    can_decide: bool  # approve or reject
    can_retry: bool  # approved, but the refund has not started: try again


def _aftersale_rows(scope: Scope, aftersales: Iterable[AfterSale]) -> list[AfterSaleRow]:
    rows = []
    for aftersale in aftersales:
        order = aftersale.order
        handles = permissions.can_handle(scope, order.store)
        requester = aftersale.requested_by
        rows.append(
            AfterSaleRow(
                aftersale=aftersale,
                buyer_name=mask_name(getattr(requester, "name", "") or ""),
                buyer_phone=phones.mask(getattr(requester, "phone", "") or ""),
                items=", ".join(
                    f"{part.order_line.product_name} × {part.quantity}"
                    for part in aftersale.lines.all()
                ),
                amount=format_fen(aftersale.amount_fen),
                can_decide=handles and aftersale.status == AfterSaleStatus.REQUESTED,
                can_retry=handles and aftersale.status == AfterSaleStatus.APPROVED,
            )
        )
    return rows


def _results(request: HttpRequest, page: str, part: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or only its results for htmx (filters, boosted pagination links)."""
    htmx = bool(getattr(request, "htmx", False))
    response = render(request, part if htmx else page, context)
    # One URL, two bodies: a cache must never serve one for the other.
    patch_vary_headers(response, ("HX-Request",))
    return response


def _filtered_orders(request: HttpRequest) -> tuple[OrderFilterForm, QuerySet[Order]] | None:
    """The filter form and the scoped, filtered orders; None when the store asked for is not
    one the caller may see (a 404)."""
    scope = scope_of(request)
    form = OrderFilterForm(request.GET or None, scope=scope)
    form.is_valid()  # invalid fields are shown with their errors and do not filter
    filters = getattr(form, "cleaned_data", {})
    if request.GET.get("store") and not filters.get("store"):
        return None
    qs = selectors.staff_orders(
        scope=scope,
        status=filters.get("status") or None,
        store=filters.get("store"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        channel=filters.get("channel") or None,
        fulfilment=filters.get("fulfilment") or None,
        q=filters.get("q") or None,
    )
    return form, qs


# --- the list and its export ----------------------------------------------------------------
@staff_required
def order_list(request: HttpRequest) -> HttpResponse:
    found = _filtered_orders(request)
    if found is None:
        return not_found(request)
    form, qs = found
    page_obj = paginate(request, qs)
    context = {
        "form": form,
        "page_obj": page_obj,
        "rows": _rows(page_obj.object_list),
        "query": request.GET.urlencode(),
    }
    return _results(
        request, "console/orders/order_list.html", "console/orders/_order_results.html", context
    )


EXPORT_COLUMNS: list[tuple[Any, int]] = [  # (header, width in characters)
    (_("Order number"), 22),
    (_("Placed at"), 17),
    (_("Store"), 18),
    (_("Status"), 12),
    (_("Channel"), 10),
    (_("Fulfilment"), 12),
    (_("Buyer"), 18),
    (_("Items"), 40),
    (_("Subtotal (yuan)"), 11),
    (_("Discount (yuan)"), 11),
    (_("Shipping (yuan)"), 11),
    (_("Total (yuan)"), 11),
    (_("Paid at"), 17),
    (_("Completed at"), 17),
]
_MONEY_FORMAT = "#,##0.00"
_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _sheet_setup(sheet: Worksheet) -> None:
    """Bold frozen header, column widths, and printing fitted to the width of landscape A4.

    In a write-only sheet these must be set before the first row is written."""
    sheet.freeze_panes = "A2"
    for index, (_header, width) in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """Asia/Shanghai wall time without a zone: what a spreadsheet can hold."""
    if moment is None:
        return None
    return ktime.local(moment).replace(tzinfo=None, microsecond=0)


def _export_rows(sheet: Worksheet, orders: Iterator[Order]) -> Iterator[list[Any]]:
    def cell(value: Any, number_format: str | None = None) -> Any:
        written = WriteOnlyCell(sheet, value=value)
        if number_format is not None:
            written.number_format = number_format
        return written

    def yuan(amount_fen: int) -> Any:
        return cell(Decimal(amount_fen).scaleb(-2), _MONEY_FORMAT)  # exact, never a float

    def moment(value: dt.datetime | None) -> Any:
        return cell(_local(value), _TIME_FORMAT)

    for order in orders:
        name, phone = _buyer(order)
        yield [
            order.number,
            moment(order.created_at),
            order.store.name,
            str(order.get_status_display()),
            str(order.get_channel_display()),
            str(order.get_fulfilment_display()),
            f"{name} {phone}".strip(),
            _items(order.lines.all()),
            yuan(order.subtotal_fen),
            yuan(order.discount_fen),
            yuan(order.shipping_fen),
            yuan(order.total_fen),
            moment(order.paid_at),
            moment(order.completed_at),
        ]


@staff_required
def order_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as an XLSX file (at most ``EXPORT_MAX_ROWS`` orders, newest first).

    Orders are read in chunks and written to a write-only workbook, which keeps only the
    current row in memory; the finished file is streamed from a temporary file."""
    found = _filtered_orders(request)
    if found is None:
        return not_found(request)
    _form, qs = found
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=gettext("Orders")[:31])
    _sheet_setup(sheet)
    bold = Font(bold=True)
    header = []
    for title, _width in EXPORT_COLUMNS:
        head = WriteOnlyCell(sheet, value=str(title))
        head.font = bold
        header.append(head)
    sheet.append(header)
    orders = qs[:EXPORT_MAX_ROWS].iterator(chunk_size=EXPORT_CHUNK)
    for row in _export_rows(sheet, orders):
        sheet.append(row)
    output = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it when sent)
    workbook.save(output)
    output.seek(0)
    filename = f"orders-{ktime.local():%Y%m%d-%H%M}.xlsx"
    response = FileResponse(
        output,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    # A streaming response, typed as the HttpResponse that ``staff_required`` wraps.
    return cast(HttpResponse, response)


# --- one order ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimelineRow:
    at: dt.datetime
    kind: str
    title: str
    who: str
    reason: str


def _status_label(value: str, aftersale: bool) -> str:
    choices = AfterSaleStatus if aftersale else OrderStatus
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _timeline(order: Order) -> list[TimelineRow]:
    entries = selectors.timeline(order)
    actor_ids = {e.actor_id for e in entries if e.actor_id is not None}
    actor_ids.discard(order.buyer_id)
    names = {
        user.pk: user.display_name
        for user in get_user_model().objects.filter(pk__in=actor_ids).only("pk", "name", "phone")
    }
    rows = []
    for entry in entries:
        if entry.actor_id is None:
            who = gettext("System")
        elif entry.actor_id == order.buyer_id:
            who = gettext("Buyer")
        else:
            who = names.get(entry.actor_id, gettext("Staff"))
        title = entry.title
        if entry.kind == "status":
            match = _STATUS_CHANGE.fullmatch(title)
            if match is not None:
                aftersale = match["aftersale"] is not None
                change = (
                    f"{_status_label(match['old'], aftersale)} → "
                    f"{_status_label(match['new'], aftersale)}"
                )
                title = (
                    gettext("After-sale %(id)s: %(change)s")
                    % {"id": match["aftersale"], "change": change}
                    if aftersale
                    else change
                )
        else:
            title = str(ACTION_LABELS.get(title, title))
        rows.append(TimelineRow(entry.at, entry.kind, title, who, entry.reason))
    return rows


@dataclass(frozen=True)
class PaymentRow:
    payment: Payment
    amount: str
    refundable: str
    refunds: list[tuple[Refund, str]]  # (refund, amount)


def _payments(order: Order) -> list[PaymentRow]:
    rows = []
    for payment in selectors.order_payments(order):
        rows.append(
            PaymentRow(
                payment=payment,
                amount=format_fen(payment.amount_fen),
                refundable=format_fen(payments.refundable_fen(payment))
                if payment.status == PaymentStatus.SUCCEEDED
                else "",
                refunds=[(r, format_fen(r.amount_fen)) for r in payment.refunds.all()],
            )
        )
    return rows


def _open_offline_payment(rows: list[PaymentRow]) -> Payment | None:
    for row in rows:
        payment = row.payment
        if payment.provider == Provider.OFFLINE and payment.status == PaymentStatus.CREATED:
            return payment
    return None


@staff_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    try:
        order = selectors.staff_order_get(scope=scope, pk=pk)
    except DomainError:
        return not_found(request)
    handles = permissions.can_handle(scope, order.store)
    payment_rows = _payments(order)
    offline = _open_offline_payment(payment_rows)
    if order.status != OrderStatus.PENDING_PAYMENT or not can_confirm_offline(
        request.user, order.store
    ):
        offline = None
    paid = order.status == OrderStatus.PAID
    buyer_name, buyer_phone = _buyer(order)
    here = reverse("console:order_detail", args=[order.pk])
    context = {
        "order": order,
        "money": _yuan(
            order, "subtotal_fen", "discount_fen", "shipping_fen", "total_fen", "refunded_fen"
        ),
        "buyer_name": buyer_name,
        "buyer_phone": buyer_phone,
        "recipient_phone": phones.mask(order.recipient_phone) if order.recipient_phone else "",
        "lines": [
            (
                line,
                _yuan(
                    line,
                    "unit_price_fen",
                    "subtotal_fen",
                    "discount_fen",
                    "paid_fen",
                    "pending_fen",
                    "refunded_fen",
                ),
            )
            for line in order.lines.all()
        ],
        "attribution": [
            (_("Group"), order.group_id),
            (_("Leader"), order.leader_id),
            (_("Promoter"), order.promoter_id),
            (_("Salesperson"), order.salesperson_id),
            (_("Live session"), order.live_session_id),
            (_("Campaign"), order.campaign_id),
            (_("Share token"), order.share_token),
        ],
        "payments": payment_rows,
        "aftersales": _aftersale_rows(
            scope, selectors.staff_aftersales(scope=scope).filter(order=order)
        ),
        "timeline": _timeline(order),
        "can_mark_ready": handles and paid and order.fulfilment == Fulfilment.PICKUP,
        "can_ship": handles and paid and order.fulfilment == Fulfilment.DELIVERY,
        "offline_payment": offline,
        "offline_amount": format_fen(offline.amount_fen) if offline is not None else "",
        "here": here,
    }
    return render(request, "console/orders/order_detail.html", context)


def _order_action(
    request: HttpRequest, pk: int, act: Callable[[Order], object], done: str
) -> HttpResponse:
    """Resolve the order in scope, call ``act(order)`` (one service call), say ``done``."""
    back = reverse("console:order_detail", args=[pk])
    try:
        order = selectors.staff_order_get(scope=scope_of(request), pk=pk)
        act(order)
    except DomainError as error:
        return refuse_back(request, error, back)
    messages.success(request, done)
    return redirect(back)


@staff_required
@require_POST
def order_mark_ready(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(
        request,
        pk,
        lambda order: services.order_mark_ready(actor=request.user, order=order),
        gettext("Marked ready for pickup; the buyer is told to come."),
    )


@staff_required
@require_POST
def order_ship(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(
        request,
        pk,
        lambda order: services.order_ship(
            actor=request.user, order=order, tracking_no=request.POST.get("tracking_no", "")
        ),
        gettext("Shipped."),
    )


@staff_required
@require_POST
def order_confirm_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """Cash or a transfer for an order waiting for payment arrived: confirm the open offline
    payment (payments checks who may); the order is paid when payments reports it."""

    def confirm(order: Order) -> None:
        payment = _open_offline_payment(_payments(order))
        if payment is None or order.status != OrderStatus.PENDING_PAYMENT:
            raise errors.TRANSITION_NOT_ALLOWED(
                gettext("No offline payment of this order is waiting for confirmation.")
            )
        payments.payment_confirm_offline(
            actor=request.user,
            payment=payment,
            reference=request.POST.get("reference", ""),
            organization=order.store,
        )

    return _order_action(request, pk, confirm, gettext("Payment confirmed."))


# --- after-sales ----------------------------------------------------------------------------
@staff_required
def aftersale_list(request: HttpRequest) -> HttpResponse:
    """Refund requests of the caller's part of the network: those waiting for a decision by
    default, oldest first."""
    scope = scope_of(request)
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = AfterSaleStatus.REQUESTED
    form = AfterSaleFilterForm(data, scope=scope)
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    if request.GET.get("store") and not filters.get("store"):
        return not_found(request)
    status = filters.get("status") or None
    qs = selectors.staff_aftersales(scope=scope, status=status, store=filters.get("store"))
    if status == AfterSaleStatus.REQUESTED:
        qs = qs.order_by("created_at", "pk")  # first come, first decided
    page_obj = paginate(request, qs)
    context = {
        "form": form,
        "page_obj": page_obj,
        "rows": _aftersale_rows(scope, page_obj.object_list),
        "here": request.get_full_path(),
    }
    return _results(
        request,
        "console/orders/aftersale_list.html",
        "console/orders/_aftersale_results.html",
        context,
    )


def _aftersale_action(
    request: HttpRequest,
    pk: int,
    act: Callable[[AfterSale], AfterSale],
    done: Callable[[AfterSale], str],
) -> HttpResponse:
    """Resolve the after-sale in scope, call ``act`` (one service call), say ``done`` and go
    back to ``next`` (the queue or the order), else to the order."""
    default = reverse("console:aftersale_list")
    try:
        aftersale = selectors.staff_aftersale_get(scope=scope_of(request), pk=pk)
        default = reverse("console:order_detail", args=[aftersale.order_id])
        result = act(aftersale)
    except DomainError as error:
        return refuse_back(request, error, default)
    messages.success(request, done(result))
    return redirect(safe_next_url(request, default))


def _approved_message(aftersale: AfterSale) -> str:
    if aftersale.status == AfterSaleStatus.REFUNDED:
        return gettext("Approved and refunded %(amount)s.") % {
            "amount": format_fen(aftersale.amount_fen)
        }
    return gettext("Approved; the refund of %(amount)s has started.") % {
        "amount": format_fen(aftersale.amount_fen)
    }


@staff_required
@require_POST
def aftersale_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _aftersale_action(
        request,
        pk,
        lambda aftersale: services.aftersale_approve(
            actor=request.user, aftersale=aftersale, note=request.POST.get("note", "")
        ),
        _approved_message,
    )


@staff_required
@require_POST
def aftersale_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _aftersale_action(
        request,
        pk,
        lambda aftersale: services.aftersale_reject(
            actor=request.user, aftersale=aftersale, reason=request.POST.get("reason", "")
        ),
        lambda _aftersale: gettext("Rejected; the buyer may ask again."),
    )


urlpatterns = [
    path("orders/", order_list, name="order_list"),
    path("orders/export/", order_export, name="order_export"),
    path("orders/<int:pk>/", order_detail, name="order_detail"),
    path("orders/<int:pk>/ready/", order_mark_ready, name="order_mark_ready"),
    path("orders/<int:pk>/ship/", order_ship, name="order_ship"),
    path("orders/<int:pk>/confirm-payment/", order_confirm_payment, name="order_confirm_payment"),
    path("aftersales/", aftersale_list, name="aftersale_list"),
    path("aftersales/<int:pk>/approve/", aftersale_approve, name="aftersale_approve"),
    path("aftersales/<int:pk>/reject/", aftersale_reject, name="aftersale_reject"),
]
