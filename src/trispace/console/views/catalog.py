"""Back-office pages of catalog: products (with variants and images), categories, price lists.

Every page reads through ``catalog.selectors`` (scoped) and writes through ``catalog.services``;
prices are typed in yuan (``parse_yuan``), stored in fen and shown with ``format_fen``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from trispace.catalog import selectors, services
from trispace.catalog.calculations import CHANNEL_ORG_KINDS
from trispace.catalog.errors import ImportRefused
from trispace.catalog.models import Category, Channel, Product
from trispace.catalog.permissions import managed_brand_ids
from trispace.catalog.states import PRODUCT_STATES, ProductStatus
from trispace.console.views.common import (
    add_domain_error,
    forbidden,
    not_found,
    paginate,
    refuse_back,
    scope_of,
    staff_required,
)
from trispace.kernel import errors as kerrors
from trispace.kernel.errors import DomainError
from trispace.kernel.money import format_fen, parse_yuan, yuan_str
from trispace.network.models import OrgKind

# --- forms ----------------------------------------------------------------------------------------


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *ProductStatus.choices],
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        queryset=Category.objects.all(),
        empty_label=gettext_lazy("All categories"),
    )


class ProductForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    subtitle = forms.CharField(label=gettext_lazy("Subtitle"), max_length=200, required=False)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), required=False, queryset=Category.objects.all()
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    position = forms.IntegerField(
        label=gettext_lazy("Position"), min_value=0, max_value=1_000_000, initial=0
    )


class VariantForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sku = forms.CharField(label=gettext_lazy("SKU"), max_length=40, required=False)
    name = forms.CharField(label=gettext_lazy("Spec"), max_length=50, required=False)
    barcode = forms.CharField(label=gettext_lazy("Barcode"), max_length=14, required=False)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=10, required=False)
    position = forms.IntegerField(
        label=gettext_lazy("Position"), min_value=0, max_value=1_000_000, required=False
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("id") and not (data.get("sku") or "").strip()


VariantFormSet = forms.formset_factory(VariantForm, extra=2, max_num=200, absolute_max=200)


class ImageForm(forms.Form):
    image = forms.FileField(label=gettext_lazy("Image (JPEG, PNG or WebP, at most 5 MB)"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ProductStatus.choices)
    reason = forms.CharField(required=False, max_length=255)


class CategoryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Parent"),
        required=False,
        queryset=Category.objects.all(),
        empty_label=gettext_lazy("(top level)"),
    )
    position = forms.IntegerField(
        label=gettext_lazy("Position"), min_value=0, max_value=1_000_000, initial=0
    )


class OrgFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *OrgKind.choices],
    )


class PriceForm(forms.Form):
    price = forms.CharField(label=gettext_lazy("Price (yuan)"), required=False, max_length=20)

    def clean_price(self) -> int | None:
        text = (self.cleaned_data.get("price") or "").strip()
        if not text:
            return None
        try:
            return parse_yuan(text)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Enter an amount in yuan with at most two decimals, e.g. 12.30.")
            ) from exc


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx with columns sku, price)"))


# --- helpers --------------------------------------------------------------------------------------


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A refusal that is not about a form field: 404, 403, or a message and back."""
    return refuse_back(request, error, reverse("console:product_list"))


def _can_manage(request: HttpRequest, product: Product | None = None) -> bool:
    managed = managed_brand_ids(scope_of(request))
    return bool(managed) if product is None else product.brand_id in managed


def _variant_inputs(formset: Any) -> tuple[list[services.VariantInput], list[int]]:
    """The filled-in variant rows as service inputs, and each one's form index."""
    inputs, indexes = [], []
    for index, form in enumerate(formset.forms):
        if not form.has_changed() and not form.cleaned_data.get("id"):
            continue
        if form.is_blank():
            continue
        data = form.cleaned_data
        inputs.append(
            services.VariantInput(
                id=data.get("id") or None,
                sku=data.get("sku") or "",
                name=data.get("name") or "",
                barcode=data.get("barcode") or "",
                unit=data.get("unit") or "件",
                is_active=bool(data.get("is_active")),
                position=data.get("position") or 0,
            )
        )
        indexes.append(index)
    return inputs, indexes


def _show_error(form: forms.Form, formset: Any, indexes: list[int], error: DomainError) -> None:
    """Put a service error on the variant row it names (``variants.N.field``) or on the form."""
    field = error.field or ""
    if field.startswith("variants."):
        parts = field.split(".")
        if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(indexes):
            row = formset.forms[indexes[int(parts[1])]]
            name = parts[2] if len(parts) > 2 and parts[2] in row.fields else None
            if name == "id":
                name = None
            row.add_error(name, error.message)
            return
    add_domain_error(form, error)


# --- products -------------------------------------------------------------------------------------


@staff_required
def product_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    filters = ProductFilterForm(request.GET or None)
    status = category_id = search = None
    if filters.is_valid():
        status = filters.cleaned_data["status"] or None
        category = filters.cleaned_data["category"]
        category_id = category.pk if category else None
        search = filters.cleaned_data["q"]
    qs = selectors.product_list(scope=scope, status=status, category_id=category_id, search=search)
    return render(
        request,
        "console/catalog/product_list.html",
        {
            "filters": filters if request.GET else ProductFilterForm(),
            "page_obj": paginate(request, qs),
            "can_manage": _can_manage(request),
        },
    )


@staff_required
def product_create(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not _can_manage(request):
        return forbidden(request)
    form = ProductForm(request.POST or None)
    formset = VariantFormSet(request.POST or None, prefix="variants")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        inputs, indexes = _variant_inputs(formset)
        try:
            product = services.product_create(
                actor=request.user,
                brand=selectors.brand_of_scope(scope),
                name=form.cleaned_data["name"],
                subtitle=form.cleaned_data["subtitle"],
                description=form.cleaned_data["description"],
                category=form.cleaned_data["category"],
                position=form.cleaned_data["position"],
                variants=inputs,
            )
        except DomainError as error:
            _show_error(form, formset, indexes, error)
        else:
            messages.success(request, _("The product was created as a draft."))
            return redirect("console:product_edit", product_id=product.pk)
    return render(
        request,
        "console/catalog/product_form.html",
        {"form": form, "formset": formset, "product": None, "can_manage": True},
    )


def _product_form_initial(product: Product) -> dict[str, Any]:
    return {
        "name": product.name,
        "subtitle": product.subtitle,
        "category": product.category_id,
        "description": product.description,
        "position": product.position,
    }


@staff_required
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    scope = scope_of(request)
    try:
        detail = selectors.product_detail(scope=scope, product_id=product_id)
    except DomainError as error:
        return _refused(request, error)
    product = detail.product
    can_manage = _can_manage(request, product)
    initial_variants = [
        {
            "id": v.pk,
            "sku": v.sku,
            "name": v.name,
            "barcode": v.barcode,
            "unit": v.unit,
            "position": v.position,
            "is_active": v.is_active,
        }
        for v in detail.variants
    ]
    if request.method == "POST":
        if not can_manage:
            return forbidden(request)
        form = ProductForm(request.POST, initial=_product_form_initial(product))
        formset = VariantFormSet(request.POST, prefix="variants", initial=initial_variants)
        if form.is_valid() and formset.is_valid():
            inputs, indexes = _variant_inputs(formset)
            try:
                services.product_update(
                    actor=request.user,
                    product=product,
                    name=form.cleaned_data["name"],
                    subtitle=form.cleaned_data["subtitle"],
                    description=form.cleaned_data["description"],
                    category=form.cleaned_data["category"],
                    position=form.cleaned_data["position"],
                    variants=inputs,
                )
            except DomainError as error:
                _show_error(form, formset, indexes, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("console:product_edit", product_id=product.pk)
    else:
        form = ProductForm(initial=_product_form_initial(product))
        formset = VariantFormSet(prefix="variants", initial=initial_variants)
    channels = [label for _value, label in Channel.choices]
    return render(
        request,
        "console/catalog/product_form.html",
        {
            "form": form,
            "formset": formset,
            "product": product,
            "detail": detail,
            "channels": channels,
            "price_table": [
                (variant, [q.display if q else "—" for q in quotes])
                for variant, quotes in detail.price_table()
            ],
            "images": detail.images,
            "image_form": ImageForm(),
            "targets": [
                (value, label)
                for value, label in ProductStatus.choices
                if PRODUCT_STATES.can(product.status, value)
            ],
            "can_manage": can_manage,
        },
    )


def _managed_product(request: HttpRequest, product_id: int) -> Product:
    return selectors.product_get(scope=scope_of(request), product_id=product_id)


@staff_required
@require_POST
def product_status(request: HttpRequest, product_id: int) -> HttpResponse:
    form = StatusForm(request.POST)
    try:
        product = _managed_product(request, product_id)
        if not form.is_valid():
            raise kerrors.INVALID(field="status")
        services.product_set_status(
            actor=request.user,
            product=product,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        return _refused(request, error)
    messages.success(
        request,
        _("Status changed to %(status)s.") % {"status": product.get_status_display()},
    )
    return redirect("console:product_edit", product_id=product_id)


@staff_required
@require_POST
def product_image_add(request: HttpRequest, product_id: int) -> HttpResponse:
    form = ImageForm(request.POST, request.FILES)
    try:
        product = _managed_product(request, product_id)
        if not form.is_valid():
            messages.error(request, _("Choose an image file."))
        else:
            services.product_image_add(
                actor=request.user, product=product, upload=form.cleaned_data["image"]
            )
            messages.success(request, _("Image added."))
    except DomainError as error:
        return _refused(request, error)
    return redirect("console:product_edit", product_id=product_id)


@staff_required
@require_POST
def product_image_remove(request: HttpRequest, product_id: int, image_id: int) -> HttpResponse:
    scope = scope_of(request)
    try:
        product = _managed_product(request, product_id)
        image = selectors.image_get(scope=scope, product=product, image_id=image_id)
        services.product_image_remove(actor=request.user, image=image)
    except DomainError as error:
        return _refused(request, error)
    messages.success(request, _("Image removed."))
    return redirect("console:product_edit", product_id=product_id)


@staff_required
@require_POST
def product_image_move(request: HttpRequest, product_id: int, image_id: int) -> HttpResponse:
    """Move one image a place earlier (``direction=up``) or later."""
    try:
        product = _managed_product(request, product_id)
        order = list(product.images.order_by("position", "id").values_list("pk", flat=True))
        if image_id not in order:
            return not_found(request)
        index = order.index(image_id)
        step = -1 if request.POST.get("direction") == "up" else 1
        other = index + step
        if 0 <= other < len(order):
            order[index], order[other] = order[other], order[index]
            services.product_images_reorder(actor=request.user, product=product, image_ids=order)
    except DomainError as error:
        return _refused(request, error)
    return redirect("console:product_edit", product_id=product_id)


# --- categories -----------------------------------------------------------------------------------


def _category_rows() -> list[tuple[Category, int]]:
    """Categories in tree order with their depth."""
    items = list(selectors.categories())
    children: dict[int | None, list[Category]] = {}
    for category in items:
        children.setdefault(category.parent_id, []).append(category)
    rows: list[tuple[Category, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category in children.get(parent_id, []):
            rows.append((category, depth))
            if depth < 10:
                walk(category.pk, depth + 1)

    walk(None, 0)
    return rows


@staff_required
def category_list(request: HttpRequest) -> HttpResponse:
    can_manage = scope_of(request).can_manage_catalog()
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            return forbidden(request)
        if form.is_valid():
            try:
                services.category_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                    position=form.cleaned_data["position"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Category created."))
                return redirect("console:category_list")
    return render(
        request,
        "console/catalog/category_list.html",
        {"rows": _category_rows(), "form": form, "can_manage": can_manage},
    )


@staff_required
def category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    if not scope_of(request).can_manage_catalog():
        return forbidden(request)
    try:
        category = selectors.category_get(category_id=category_id)
    except DomainError:
        return not_found(request)
    initial = {"name": category.name, "parent": category.parent_id, "position": category.position}
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(
                actor=request.user,
                category=category,
                name=form.cleaned_data["name"],
                parent=form.cleaned_data["parent"],
                position=form.cleaned_data["position"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("console:category_list")
    return render(
        request, "console/catalog/category_form.html", {"form": form, "category": category}
    )


# --- price lists ----------------------------------------------------------------------------------


@staff_required
def pricelist_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    filters = OrgFilterForm(request.GET or None)
    search = kind = None
    if filters.is_valid():
        search = filters.cleaned_data["q"]
        kind = filters.cleaned_data["kind"] or None
    page_obj = paginate(
        request, selectors.pricing_organizations(scope=scope, search=search, kind=kind)
    )
    summaries = selectors.price_list_summaries(scope=scope, organizations=list(page_obj))
    return render(
        request,
        "console/catalog/pricelist_list.html",
        {
            "filters": filters if request.GET else OrgFilterForm(),
            "page_obj": page_obj,
            "rows": [(org, summaries[org.pk]) for org in page_obj],
            "channels": Channel.choices,
        },
    )


def _pricelist_context(request: HttpRequest, org_id: int, channel: str) -> dict[str, Any]:
    scope = scope_of(request)
    org = selectors.pricing_organization_get(scope=scope, organization_id=org_id)
    if channel not in Channel.values or org.kind not in CHANNEL_ORG_KINDS[channel]:
        raise kerrors.NOT_FOUND()
    return {
        "org": org,
        "channel": channel,
        "channel_label": Channel(channel).label,
        "can_edit": selectors.can_edit_prices(scope=scope, organization=org, channel=channel),
    }


def _row_context(row: selectors.PriceRow) -> dict[str, Any]:
    return {
        "row": row,
        "own_display": format_fen(row.own_price_fen) if row.own_price_fen is not None else "",
        "own_yuan": yuan_str(row.own_price_fen) if row.own_price_fen is not None else "",
        "inherited_display": row.inherited.display if row.inherited else "",
    }


@staff_required
def pricelist_detail(request: HttpRequest, org_id: int, channel: str) -> HttpResponse:
    try:
        context = _pricelist_context(request, org_id, channel)
    except DomainError as error:
        return _refused(request, error)
    org = context["org"]
    search = (request.GET.get("q") or "").strip()[:100]
    page_obj = paginate(
        request, selectors.price_list_variants(organization=org, search=search), per_page=50
    )
    rows = selectors.price_rows(organization=org, channel=channel, variants=list(page_obj))
    price_list = selectors.price_list_at(organization=org, channel=channel)
    context.update(
        {
            "page_obj": page_obj,
            "rows": [_row_context(r) for r in rows],
            "q": search,
            "price_list": price_list,
            "import_form": ImportForm(),
            "import_errors": [],
        }
    )
    return render(request, "console/catalog/pricelist_detail.html", context)


@staff_required
@require_POST
def pricelist_price(
    request: HttpRequest, org_id: int, channel: str, variant_id: int
) -> HttpResponse:
    """Save one variant's price (yuan; empty removes it). htmx gets the row back."""
    scope = scope_of(request)
    try:
        context = _pricelist_context(request, org_id, channel)
        org = context["org"]
        variant = selectors.variant_get(scope=scope, variant_id=variant_id)
    except DomainError as error:
        return _refused(request, error)
    form = PriceForm(request.POST)
    error_message = ""
    status = 200
    if not form.is_valid():
        error_message = "; ".join(str(e) for e in form.errors.get("price", []))
        status = 400
    else:
        fen = form.cleaned_data["price"]
        try:
            if fen is None:
                services.price_remove(
                    actor=request.user, organization=org, channel=channel, variant=variant
                )
            else:
                services.price_set(
                    actor=request.user,
                    organization=org,
                    channel=channel,
                    variant=variant,
                    price_fen=fen,
                )
        except DomainError as error:
            if error.status in (403, 404):
                return _refused(request, error)
            error_message = error.message
            status = 400
    if not getattr(request, "htmx", False):
        if error_message:
            messages.error(request, error_message)
        else:
            messages.success(request, _("Price saved."))
        return redirect("console:pricelist_detail", org_id=org_id, channel=channel)
    row = selectors.price_rows(organization=org, channel=channel, variants=[variant])[0]
    context.update(_row_context(row))
    context["error"] = error_message
    context["saved"] = not error_message
    return render(request, "console/catalog/_price_row.html", context, status=status)


@staff_required
@require_POST
def pricelist_import(request: HttpRequest, org_id: int, channel: str) -> HttpResponse:
    try:
        context = _pricelist_context(request, org_id, channel)
    except DomainError as error:
        return _refused(request, error)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an .xlsx file."))
        return redirect("console:pricelist_detail", org_id=org_id, channel=channel)
    try:
        result = services.price_import_xlsx(
            actor=request.user,
            organization=context["org"],
            channel=channel,
            upload=form.cleaned_data["file"],
        )
    except ImportRefused as refused:
        org = context["org"]
        page_obj = paginate(request, selectors.price_list_variants(organization=org), per_page=50)
        rows = selectors.price_rows(organization=org, channel=channel, variants=list(page_obj))
        context.update(
            {
                "page_obj": page_obj,
                "rows": [_row_context(r) for r in rows],
                "q": "",
                "price_list": selectors.price_list_at(organization=org, channel=channel),
                "import_form": form,
                "import_errors": refused.rows,
                "import_message": refused.message,
            }
        )
        return render(request, "console/catalog/pricelist_detail.html", context, status=400)
    except DomainError as error:
        if error.status in (403, 404):
            return _refused(request, error)
        messages.error(request, error.message)
        return redirect("console:pricelist_detail", org_id=org_id, channel=channel)
    messages.success(
        request,
        _("Imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return redirect("console:pricelist_detail", org_id=org_id, channel=channel)


@staff_required
@require_POST
def pricelist_toggle(request: HttpRequest, org_id: int, channel: str) -> HttpResponse:
    try:
        context = _pricelist_context(request, org_id, channel)
        services.price_list_set_active(
            actor=request.user,
            organization=context["org"],
            channel=channel,
            is_active=request.POST.get("is_active") == "1",
        )
    except DomainError as error:
        return _refused(request, error)
    return redirect("console:pricelist_detail", org_id=org_id, channel=channel)


urlpatterns = [
    path("catalog/products/", product_list, name="product_list"),
    path("catalog/products/new/", product_create, name="product_create"),
    path("catalog/products/<int:product_id>/", product_edit, name="product_edit"),
    path("catalog/products/<int:product_id>/status/", product_status, name="product_status"),
    path("catalog/products/<int:product_id>/images/", product_image_add, name="product_image_add"),
    path(
        "catalog/products/<int:product_id>/images/<int:image_id>/delete/",
        product_image_remove,
        name="product_image_remove",
    ),
    path(
        "catalog/products/<int:product_id>/images/<int:image_id>/move/",
        product_image_move,
        name="product_image_move",
    ),
    path("catalog/categories/", category_list, name="category_list"),
    path("catalog/categories/<int:category_id>/", category_edit, name="category_edit"),
    path("catalog/prices/", pricelist_list, name="pricelist_list"),
    path("catalog/prices/<int:org_id>/<str:channel>/", pricelist_detail, name="pricelist_detail"),
    path(
        "catalog/prices/<int:org_id>/<str:channel>/<int:variant_id>/",
        pricelist_price,
        name="pricelist_price",
    ),
    path(
        "catalog/prices/<int:org_id>/<str:channel>/import/",
        pricelist_import,
        name="pricelist_import",
    ),
    path(
        "catalog/prices/<int:org_id>/<str:channel>/active/",
        pricelist_toggle,
        name="pricelist_toggle",
    ),
]
