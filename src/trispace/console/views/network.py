"""Back-office pages of network (渠道网络): the organization tree, stores, people.

Every page resolves objects through network's selectors (scoped: outside the caller's part of
the network is a 404) and changes things only through network's services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from trispace.console.views.common import (
    forbidden,
    not_found,
    paginate,
    refusal_page,
    scope_of,
    staff_required,
    submit,
)
from trispace.kernel import audit
from trispace.kernel.errors import DomainError
from trispace.kernel.http import safe_next_url
from trispace.network import selectors, services
from trispace.network.models import (
    ALLOWED_PARENT_KINDS,
    Membership,
    Organization,
    OrgKind,
    Region,
    RegionLevel,
    Role,
    SalesRank,
)
from trispace.network.scoping import Scope
from trispace.network.states import ORG_STATES, OrgStatus

WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]
STORE_ROLES = (Role.STORE_OWNER, Role.STORE_CLERK)
ACTION_LABELS = {
    "organization_create": _("Created"),
    "organization_update": _("Details changed"),
    "organization_move": _("Moved"),
    "store_set_status": _("Status changed"),
    "store_set_pickup_hours": _("Pickup hours changed"),
}
GRANTABLE_ROLES = [
    (Role.BRAND_ADMIN, Role.BRAND_ADMIN.label),
    (Role.BRAND_OPERATOR, Role.BRAND_OPERATOR.label),
    (Role.DEALER_ADMIN, Role.DEALER_ADMIN.label),
    (Role.SALESPERSON, Role.SALESPERSON.label),
    (Role.STORE_OWNER, Role.STORE_OWNER.label),
    (Role.STORE_CLERK, Role.STORE_CLERK.label),
]


# --- helpers --------------------------------------------------------------------------------
def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _org_or_404(scope: Scope, pk: Any) -> Organization | None:
    try:
        return selectors.organization_get(scope=scope, pk=pk)
    except DomainError:
        return None


def _region_choices(code: str | None) -> list[tuple[str, str]]:
    """Choices for the region select: the selected region and its siblings."""
    choices: list[tuple[str, str]] = [("", "—")]
    if not code:
        return choices
    region = Region.objects.select_related("parent").filter(pk=code).first()
    if region is None:
        return choices
    if region.parent_id:
        siblings = Region.objects.filter(parent_id=region.parent_id).order_by("code")
        if region.level == RegionLevel.CITY:
            siblings = siblings.filter(level=RegionLevel.CITY)
        choices += [(r.code, f"{r.code} {r.name}") for r in siblings]
    if all(value != region.code for value, _label in choices):
        choices.append((region.code, f"{region.code} {region.name}"))
    return choices


def _region_label(region: Region | None) -> str:
    return " / ".join(r.name for r in selectors.region_path(region))


# --- forms ----------------------------------------------------------------------------------
if TYPE_CHECKING:
    _OrgField = forms.ModelChoiceField[Organization]
    _MembershipField = forms.ModelChoiceField[Membership]
else:
    _OrgField = _MembershipField = forms.ModelChoiceField


class OrgChoiceField(_OrgField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.get_kind_display()})"


class ManagerChoiceField(_MembershipField):
    def label_from_instance(self, obj: Membership) -> str:
        return (
            f"{selectors.person_label(obj.user)} · {obj.get_sales_rank_display()} · "
            f"{obj.organization.name}"
        )


class OrgFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrgKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *OrgStatus.choices]
    )
    region = forms.CharField(label=_("Region code"), required=False, max_length=6)


class OrganizationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(OrgKind.DEALER, OrgKind.DEALER.label), (OrgKind.STORE, OrgKind.STORE.label)],
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        required=False,
        help_text=_("Letters and digits; left empty, one is generated."),
    )
    region_code = forms.CharField(
        label=_("City or district"), required=False, max_length=6, widget=forms.Select
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lng = forms.FloatField(label=_("Longitude (GCJ-02)"), required=False)
    lat = forms.FloatField(label=_("Latitude (GCJ-02)"), required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)

    def __init__(self, *args: Any, with_kind: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_kind:
            del self.fields["kind"]
        code = self.data.get("region_code") if self.is_bound else self.initial.get("region_code")
        self.fields["region_code"].widget.choices = _region_choices(code)


class MoveForm(forms.Form):
    parent = OrgChoiceField(label=_("New parent"), queryset=Organization.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args: Any, org: Organization, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = selectors.parent_choices(scope=scope, kind=org.kind).exclude(
            path__startswith=org.path
        )
        if org.parent_id is not None:
            choices = choices.exclude(pk=org.parent_id)
        cast(OrgChoiceField, self.fields["parent"]).queryset = choices


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=OrgStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class HoursForm(forms.Form):
    """One pickup window a day (the API takes several); an empty day is closed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in enumerate(WEEKDAYS):
            widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            self.fields[f"open_{day}"] = forms.TimeField(label=label, required=False, widget=widget)
            self.fields[f"close_{day}"] = forms.TimeField(
                label=_("until"), required=False, widget=widget
            )

    @staticmethod
    def initial_from(hours: list[Any]) -> dict[str, str]:
        initial: dict[str, str] = {}
        for item in hours or []:
            try:
                day, opens, closes = item
            except (TypeError, ValueError):
                continue
            if f"open_{day}" not in initial:
                initial[f"open_{day}"], initial[f"close_{day}"] = opens, closes
        return initial

    def days(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(WEEKDAYS[d], self[f"open_{d}"], self[f"close_{d}"]) for d in range(7)]

    def hours(self) -> list[list[Any]]:
        result: list[list[Any]] = []
        for day in range(7):
            opens = self.cleaned_data.get(f"open_{day}")
            closes = self.cleaned_data.get(f"close_{day}")
            if opens is None and closes is None:
                continue
            result.append(
                [
                    day,
                    opens.strftime("%H:%M") if opens else "",
                    closes.strftime("%H:%M") if closes else "",
                ]
            )
        return result


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or phone"), required=False, max_length=50)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All staff roles")), *Role.choices]
    )


class GrantForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=32)
    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        required=False,
        help_text=_("Used when the person has no account yet."),
    )
    organization = OrgChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=GRANTABLE_ROLES)
    sales_rank = forms.ChoiceField(
        label=_("Sales rank"),
        required=False,
        choices=[("", "—"), *SalesRank.choices],
        help_text=_("Salespeople only."),
    )
    manager = ManagerChoiceField(
        label=pgettext_lazy("superior", "Manager"),
        required=False,
        queryset=Membership.objects.none(),
        help_text=_("Salespeople only: their supervisor or manager."),
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(OrgChoiceField, self.fields["organization"]).queryset = (
            Organization.objects.filter(scope.manage_q())
            .exclude(status=OrgStatus.CLOSED)
            .order_by("path")
        )
        if not scope.is_brand_admin:
            cast(forms.ChoiceField, self.fields["role"]).choices = [
                (value, label)
                for value, label in GRANTABLE_ROLES
                if value not in (Role.BRAND_ADMIN, Role.BRAND_OPERATOR)
            ]
        cast(ManagerChoiceField, self.fields["manager"]).queryset = selectors.membership_list(
            scope=scope, role=Role.SALESPERSON
        ).exclude(sales_rank=SalesRank.SALESPERSON)


# --- organizations --------------------------------------------------------------------------
@staff_required
def org_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    form = OrgFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    within = (
        _org_or_404(scope, request.GET.get("within", "")) if request.GET.get("within") else None
    )
    qs = selectors.organization_list(
        scope=scope,
        kind=filters.get("kind") or None,
        status=filters.get("status") or None,
        region_code=filters.get("region") or None,
        q=filters.get("q") or None,
        within=within,
    )
    page_obj = paginate(request, qs)
    context = {"form": form, "page_obj": page_obj, "within": within, "scope": scope}
    if _is_htmx(request):
        return render(request, "console/network/_org_results.html", context)
    context["tree"] = selectors.organization_tree(scope=scope, include_stores=False)
    return render(request, "console/network/org_list.html", context)


@staff_required
def org_create(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not scope.can_manage_any:
        return forbidden(request)
    parent = (
        _org_or_404(scope, request.GET.get("parent", "")) if request.GET.get("parent") else None
    )
    if request.GET.get("parent") and parent is None:
        return not_found(request)
    if parent is None:
        parent = _org_or_404(scope, scope.home_organization_id or 0)
    if parent is None or not scope.can_manage(parent):
        return forbidden(request)
    allowed = [k for k in (OrgKind.DEALER, OrgKind.STORE) if parent.kind in ALLOWED_PARENT_KINDS[k]]
    if not allowed:
        return forbidden(request, gettext("Nothing can be added under a store."))
    initial = {
        "kind": request.GET.get("kind") if request.GET.get("kind") in allowed else allowed[0]
    }
    form = OrganizationForm(request.POST or None, initial=initial)
    cast(forms.ChoiceField, form.fields["kind"]).choices = [(k, OrgKind(k).label) for k in allowed]
    done = submit(
        request,
        form,
        lambda data: services.organization_create(
            actor=request.user,
            kind=data["kind"],
            parent=parent,
            name=data["name"],
            code=data["code"] or None,
            region_code=data["region_code"] or None,
            address=data["address"],
            lng=data["lng"],
            lat=data["lat"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
        ),
        success=lambda org: gettext("%(name)s was added.") % {"name": org.name},
        redirect_to=lambda org: reverse("console:org_detail", args=[org.pk]),
    )
    if done is not None:
        return done
    return render(
        request,
        "console/network/org_form.html",
        {"form": form, "parent": parent, "org": None, "provinces": _provinces()},
    )


def _provinces() -> list[Region]:
    return list(selectors.region_children())


@staff_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    org = _org_or_404(scope, pk)
    if org is None:
        return not_found(request)
    ancestors = list(
        Organization.objects.filter(pk__in=org.ancestor_ids()[:-1])
        .filter(scope.visible_q())
        .order_by("depth")
    )
    children = list(
        selectors.organization_list(scope=scope).filter(parent=org).select_related(None)[:100]
    )
    people = [
        {
            "membership": m,
            "person": selectors.person_label(m.user),
            "manager": selectors.person_label(m.manager.user) if m.manager is not None else "",
        }
        for m in selectors.membership_list(scope=scope).filter(organization=org)
    ]
    consumers = (
        selectors.membership_list(scope=scope, role=Role.CONSUMER).filter(organization=org).count()
        if org.is_store
        else 0
    )
    context: dict[str, Any] = {
        "org": org,
        "ancestors": ancestors,
        "children": children,
        "people": people,
        "consumers": consumers,
        "region_label": _region_label(org.region),
        "can_manage": scope.can_manage(org),
        "can_move": scope.can_move(org) and org.kind != OrgKind.BRAND,
        "can_add": scope.can_manage(org) and org.kind != OrgKind.STORE,
        "trail": [
            (row, ACTION_LABELS.get(row.action, row.action))
            for row in audit.trail(org).order_by("-at", "-pk")[:10]
        ],
    }
    if org.is_store:
        context.update(_store_context(request, scope, org))
    return render(request, "console/network/org_detail.html", context)


def _store_context(request: HttpRequest, scope: Scope, store: Organization) -> dict[str, Any]:
    can_run = scope.can_run_store(store)
    can_manage = scope.can_manage(store)
    targets = [s for s in ORG_STATES.targets(store.status) if can_manage or s != OrgStatus.CLOSED]
    if store.status == OrgStatus.CLOSED and not can_manage:
        targets = []
    status_form = StatusForm()
    cast(forms.ChoiceField, status_form.fields["status"]).choices = [
        (s, OrgStatus(s).label) for s in sorted(targets)
    ]
    return {
        "can_run": can_run,
        "status_form": status_form if can_run and targets else None,
        "hours_form": HoursForm(initial=HoursForm.initial_from(store.pickup_hours)),
        "hours_rows": [
            (WEEKDAYS[day], opens, closes)
            for day, opens, closes in (store.pickup_hours or [])
            if isinstance(day, int) and 0 <= day <= 6
        ],
        "open_now": selectors.is_open_now(store),
    }


@staff_required
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    org = _org_or_404(scope, pk)
    if org is None:
        return not_found(request)
    if not scope.can_manage(org):
        return forbidden(request)
    initial = {
        "name": org.name,
        "code": org.code,
        "region_code": org.region_id or "",
        "address": org.address,
        "lng": org.lng,
        "lat": org.lat,
        "contact_name": org.contact_name,
        "contact_phone": org.contact_phone,
    }
    form = OrganizationForm(request.POST or None, initial=initial, with_kind=False)
    done = submit(
        request,
        form,
        lambda data: services.organization_update(
            actor=request.user,
            organization=org,
            name=data["name"],
            code=data["code"] or org.code,
            region_code=data["region_code"] or None,
            address=data["address"],
            lng=data["lng"],
            lat=data["lat"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
        ),
        success=gettext("Saved."),
        redirect_to=reverse("console:org_detail", args=[org.pk]),
    )
    if done is not None:
        return done
    return render(
        request,
        "console/network/org_form.html",
        {"form": form, "org": org, "parent": org.parent, "provinces": _provinces()},
    )


@staff_required
def org_move(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    org = _org_or_404(scope, pk)
    if org is None:
        return not_found(request)
    if org.kind == OrgKind.BRAND or not scope.can_move(org):
        return forbidden(request)
    form = MoveForm(request.POST or None, org=org, scope=scope)
    done = submit(
        request,
        form,
        lambda data: services.organization_move(
            actor=request.user, organization=org, new_parent=data["parent"], reason=data["reason"]
        ),
        success=gettext("Moved."),
        redirect_to=reverse("console:org_detail", args=[org.pk]),
    )
    if done is not None:
        return done
    return render(request, "console/network/org_move.html", {"form": form, "org": org})


@staff_required
def region_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s for the cascading region selects (htmx)."""
    city = request.GET.get("region_city", "")
    province = request.GET.get("region_province", "")
    regions: list[Region] = []
    if city.isdigit():
        own = Region.objects.filter(pk=city).first()
        regions = ([own] if own else []) + list(selectors.region_children(parent_code=city))
    elif province.isdigit():
        regions = list(selectors.region_children(parent_code=province))
    return render(
        request,
        "console/network/_region_options.html",
        {"regions": regions, "whole": city.isdigit()},
    )


# --- stores ---------------------------------------------------------------------------------
def _store_or_404(scope: Scope, pk: int) -> Organization | None:
    org = _org_or_404(scope, pk)
    return org if org is not None and org.is_store else None


@staff_required
@require_POST
def store_status(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    store = _store_or_404(scope, pk)
    if store is None:
        return not_found(request)
    back = safe_next_url(request, reverse("console:org_detail", args=[store.pk]))
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose a status."))
        return redirect(back)
    try:
        services.store_set_status(
            actor=request.user,
            store=store,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        page = refusal_page(request, error)
        if page is not None:
            return page
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            gettext("The store is now %(status)s.") % {"status": store.get_status_display()},
        )
    return redirect(back)


@staff_required
def store_hours(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    store = _store_or_404(scope, pk)
    if store is None:
        return not_found(request)
    if not scope.can_run_store(store):
        return forbidden(request)
    back = safe_next_url(request, reverse("console:org_detail", args=[store.pk]))
    form = HoursForm(request.POST or None, initial=HoursForm.initial_from(store.pickup_hours))
    done = submit(
        request,
        form,
        lambda _data: services.store_set_pickup_hours(
            actor=request.user, store=store, hours=form.hours()
        ),
        success=gettext("Pickup hours saved."),
        redirect_to=back,
    )
    if done is not None:
        return done
    return render(
        request, "console/network/store_hours.html", {"form": form, "store": store, "next": back}
    )


@staff_required
def store_mine(request: HttpRequest) -> HttpResponse:
    """A store owner's (or clerk's) own store: its status and pickup hours."""
    scope = scope_of(request)
    own_ids = [g.organization_id for g in scope.grants_for(*STORE_ROLES)]
    if not own_ids:
        return forbidden(request, gettext("You do not run a store."))
    stores = list(Organization.objects.filter(pk__in=own_ids).order_by("name"))
    wanted = request.GET.get("store")
    store = next((s for s in stores if str(s.pk) == wanted), None) if wanted else stores[0]
    if store is None:
        return not_found(request)
    context: dict[str, Any] = {
        "store": store,
        "org": store,
        "stores": stores,
        "region_label": _region_label(store.region),
        "here": request.get_full_path(),
    }
    context.update(_store_context(request, scope, store))
    return render(request, "console/network/store_mine.html", context)


# --- people ---------------------------------------------------------------------------------
@staff_required
def people_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    form = PeopleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    org = _org_or_404(scope, request.GET["org"]) if request.GET.get("org") else None
    qs = selectors.membership_list(
        scope=scope, role=filters.get("role") or None, q=filters.get("q") or None, organization=org
    )
    page_obj = paginate(request, qs)
    rows = [
        {
            "membership": m,
            "person": selectors.person_label(m.user),
            "manager": selectors.person_label(m.manager.user) if m.manager is not None else "",
            "can_revoke": scope.can_manage(m.organization)
            and m.user_id != request.user.pk
            and (m.role not in (Role.BRAND_ADMIN, Role.BRAND_OPERATOR) or scope.is_brand_admin),
        }
        for m in page_obj
    ]
    context = {"form": form, "page_obj": page_obj, "rows": rows, "org": org, "scope": scope}
    if _is_htmx(request):
        return render(request, "console/network/_people_results.html", context)
    return render(request, "console/network/people_list.html", context)


def _granted_message(membership: Membership) -> str:
    return gettext("%(person)s is now %(role)s of %(org)s.") % {
        "person": selectors.person_label(membership.user),
        "role": membership.get_role_display(),
        "org": membership.organization.name,
    }


@staff_required
def people_grant(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not scope.can_manage_any:
        return forbidden(request)
    initial = {}
    if request.GET.get("organization"):
        initial["organization"] = request.GET["organization"]
    if request.GET.get("role") in dict(GRANTABLE_ROLES):
        initial["role"] = request.GET["role"]
    form = GrantForm(request.POST or None, initial=initial, scope=scope)
    done = submit(
        request,
        form,
        lambda data: services.membership_grant_by_phone(
            actor=request.user,
            phone=data["phone"],
            name=data["name"],
            organization=data["organization"],
            role=data["role"],
            sales_rank=data["sales_rank"] if data["role"] == Role.SALESPERSON else "",
            manager=data["manager"] if data["role"] == Role.SALESPERSON else None,
        ),
        success=_granted_message,
        redirect_to=lambda m: f"{reverse('console:people_list')}?org={m.organization_id}",
    )
    if done is not None:
        return done
    return render(request, "console/network/people_grant.html", {"form": form})


@staff_required
@require_POST
def people_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    try:
        membership = selectors.membership_get(scope=scope, pk=pk)
    except DomainError:
        return not_found(request)
    try:
        services.membership_revoke(
            actor=request.user, membership=membership, reason=request.POST.get("reason", "")[:255]
        )
    except DomainError as error:
        page = refusal_page(request, error)
        if page is not None:
            return page
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("The role was ended."))
    return redirect(safe_next_url(request, reverse("console:people_list")))


urlpatterns = [
    path("network/", org_list, name="org_list"),
    path("network/new/", org_create, name="org_create"),
    path("network/regions/", region_options, name="region_options"),
    path("network/<int:pk>/", org_detail, name="org_detail"),
    path("network/<int:pk>/edit/", org_edit, name="org_edit"),
    path("network/<int:pk>/move/", org_move, name="org_move"),
    path("network/<int:pk>/status/", store_status, name="store_status"),
    path("network/<int:pk>/hours/", store_hours, name="store_hours"),
    path("store/", store_mine, name="store_mine"),
    path("people/", people_list, name="people_list"),
    path("people/grant/", people_grant, name="people_grant"),
    path("people/<int:pk>/revoke/", people_revoke, name="people_revoke"),
]
