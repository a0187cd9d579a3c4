"""Back-office pages of inventory (库存): stock levels, a location's moves, receiving, stocktake
and shard splits.

For brand admins and operators, dealer admins, store owners and clerks. Every page resolves
objects through inventory's selectors (scoped: outside the caller's stock is a 404) and changes
stock only through inventory's services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trispace.catalog.models import Variant
from trispace.console.views.common import (
    forbidden,
    not_found,
    paginate,
    scope_of,
    staff_required,
    submit,
)
from trispace.inventory import selectors, services
from trispace.inventory.models import MAX_QUANTITY, MAX_SHARDS, Location, MoveReason
from trispace.inventory.permissions import has_stock_role
from trispace.inventory.selectors import LOW_STOCK_THRESHOLD, MAX_THRESHOLD, StockLevel
from trispace.kernel.errors import DomainError
from trispace.network.models import Organization
from trispace.network.scoping import Scope

if TYPE_CHECKING:
    _OrgField = forms.ModelChoiceField[Organization]
    _LocationField = forms.ModelChoiceField[Location]
else:
    _OrgField = _LocationField = forms.ModelChoiceField


class OrgChoiceField(_OrgField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.get_kind_display()})"


class LocationChoiceField(_LocationField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.organization.name} · {obj.name}"


# --- forms ----------------------------------------------------------------------------------
class LevelFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    location = LocationChoiceField(
        label=_("Location"),
        required=False,
        queryset=Location.objects.none(),
        empty_label=_("All locations"),
    )
    low = forms.BooleanField(label=_("Low stock only"), required=False)
    threshold = forms.IntegerField(
        label=_("Low at or below"), required=False, min_value=0, max_value=MAX_THRESHOLD
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(LocationChoiceField, self.fields["location"]).queryset = selectors.locations(
            scope=scope
        )


class MoveFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", _("All reasons")), *MoveReason.choices]
    )


class PlaceForm(forms.Form):
    """Where (an organization's default location, or the location in the URL) and which SKU."""

    organization = OrgChoiceField(
        label=_("Store or warehouse"), queryset=Organization.objects.none()
    )
    sku = forms.CharField(label=_("SKU"), max_length=40)

    def __init__(
        self, *args: Any, scope: Scope, location: Location | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.location = location
        if location is not None:
            del self.fields["organization"]
        else:
            cast(
                OrgChoiceField, self.fields["organization"]
            ).queryset = selectors.stock_organizations(scope=scope)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        org = self.location.organization if self.location else data.get("organization")
        sku = (data.get("sku") or "").strip()
        if org is not None and sku:
            brand_id = int(org.path.split(".", 1)[0])
            variant = (
                Variant.objects.select_related("product")
                .filter(sku=sku, product__brand_id=brand_id)
                .first()
            )
            if variant is None:
                self.add_error("sku", gettext("No variant has this SKU."))
            data["variant"] = variant
        return data

    def place(self) -> Location:
        """The location (the organization's default one is created on first use)."""
        if self.location is not None:
            return self.location
        return selectors.location_for_organization(self.cleaned_data["organization"])


class ReceiveForm(PlaceForm):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[
            (MoveReason.RECEIVE, _("Goods received")),
            (MoveReason.RETURN, _("Returned by a buyer")),
        ],
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("A delivery note or order number, if any."),
    )


class StocktakeForm(PlaceForm):
    counted = forms.IntegerField(
        label=_("Counted quantity"),
        min_value=0,
        max_value=MAX_QUANTITY,
        help_text=_("Everything on the shelf, including what is set aside for orders."),
    )
    reason = forms.CharField(label=_("Note"), max_length=255, required=False)


class SplitForm(PlaceForm):
    shards = forms.IntegerField(
        label=_("Shards"),
        min_value=1,
        max_value=MAX_SHARDS,
        help_text=_(
            "For a flash sale: split the stock into several rows so buyers do not wait on each"
            " other. 1 merges it back."
        ),
    )


# --- helpers --------------------------------------------------------------------------------
def _stock_scope(request: HttpRequest) -> Scope | None:
    scope = scope_of(request)
    return scope if has_stock_role(scope) else None


def _location_from_query(request: HttpRequest, scope: Scope) -> tuple[Location | None, bool]:
    """The ``?location=`` of the request: (location, ok); not ok means a 404."""
    wanted = request.GET.get("location")
    if not wanted:
        return None, True
    try:
        return selectors.location_get(scope=scope, pk=wanted), True
    except DomainError:
        return None, False


def _level_message(template: str, form: PlaceForm, level: StockLevel) -> str:
    return template % {
        "sku": form.cleaned_data["sku"].strip(),
        "on_hand": level.on_hand,
        "available": level.available,
        "shards": level.shards,
    }


# --- pages ----------------------------------------------------------------------------------
@staff_required
def stock_list(request: HttpRequest) -> HttpResponse:
    scope = _stock_scope(request)
    if scope is None:
        return forbidden(request)
    form = LevelFilterForm(request.GET or None, scope=scope)
    filters = form.cleaned_data if form.is_valid() else {}
    if request.GET.get("location") and not filters.get("location"):
        return not_found(request)
    threshold = filters.get("threshold")
    threshold = LOW_STOCK_THRESHOLD if threshold is None else threshold
    rows = selectors.stock_levels(
        scope=scope,
        location=filters.get("location"),
        q=filters.get("q") or None,
        low_only=bool(filters.get("low")),
        threshold=threshold,
    )
    return render(
        request,
        "console/inventory/stock_list.html",
        {
            "form": form,
            "page_obj": paginate(request, rows),
            "threshold": threshold,
            "location": filters.get("location"),
        },
    )


@staff_required
def stock_moves(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _stock_scope(request)
    if scope is None:
        return forbidden(request)
    try:
        location = selectors.location_get(scope=scope, pk=pk)
    except DomainError:
        return not_found(request)
    form = MoveFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.moves(
        scope=scope,
        location=location,
        reason=filters.get("reason") or None,
        q=filters.get("q") or None,
    )
    return render(
        request,
        "console/inventory/stock_moves.html",
        {"form": form, "page_obj": paginate(request, qs), "location": location},
    )


def _form_page(
    request: HttpRequest,
    form_class: type[PlaceForm],
    run: Any,
    *,
    title: str,
    intro: str,
    button: str,
    success: str,
) -> HttpResponse:
    scope = _stock_scope(request)
    if scope is None:
        return forbidden(request)
    location, ok = _location_from_query(request, scope)
    if not ok:
        return not_found(request)
    initial = {"sku": request.GET.get("sku", "")}
    form = form_class(request.POST or None, initial=initial, scope=scope, location=location)

    def call(data: dict[str, Any]) -> StockLevel:
        with transaction.atomic():  # a refusal also undoes a default location made for it
            return cast(StockLevel, run(form.place(), data))

    done = submit(
        request,
        form,
        call,
        success=lambda level: _level_message(success, form, level),
        redirect_to=lambda level: f"{reverse('console:stock_list')}?location={level.location_id}",
    )
    if done is not None:
        return done
    return render(
        request,
        "console/inventory/stock_form.html",
        {"form": form, "location": location, "title": title, "intro": intro, "button": button},
    )


@staff_required
def stock_receive(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        ReceiveForm,
        lambda location, data: services.receive(
            actor=request.user,
            location=location,
            variant=data["variant"],
            quantity=data["quantity"],
            reason=data["reason"],
            reference=data["reference"],
        ),
        title=gettext("Receive stock"),
        intro=gettext(
            "Goods that arrived, or came back from a buyer, are added to what is on hand."
        ),
        button=gettext("Receive"),
        success=gettext("Received %(sku)s: %(on_hand)s on hand, %(available)s available."),
    )


@staff_required
def stock_adjust(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        StocktakeForm,
        lambda location, data: services.adjust(
            actor=request.user,
            location=location,
            variant=data["variant"],
            counted=data["counted"],
            reason=data["reason"],
        ),
        title=gettext("Stocktake"),
        intro=gettext(
            "The counted quantity replaces what the books say is on hand. It cannot be less"
            " than what is reserved for orders."
        ),
        button=gettext("Save the count"),
        success=gettext("Counted %(sku)s: %(on_hand)s on hand, %(available)s available."),
    )


@staff_required
def stock_split(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        SplitForm,
        lambda location, data: services.split(
            actor=request.user,
            location=location,
            variant=data["variant"],
            shards=data["shards"],
        ),
        title=gettext("Split stock into shards"),
        intro=gettext(
            "Totals do not change. Reserved units stay where they are; what is available is"
            " spread evenly over the shards."
        ),
        button=gettext("Split"),
        success=gettext("%(sku)s is now in %(shards)s shards, %(available)s available."),
    )


urlpatterns = [
    path("stock/", stock_list, name="stock_list"),
    path("stock/receive/", stock_receive, name="stock_receive"),
    path("stock/stocktake/", stock_adjust, name="stock_adjust"),
    path("stock/split/", stock_split, name="stock_split"),
    path("stock/locations/<int:pk>/moves/", stock_moves, name="stock_moves"),
]
