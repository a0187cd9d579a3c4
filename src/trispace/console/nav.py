"""The back office's navigation: what each role sees in the sidebar."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from trispace.network.models import Role
from trispace.network.scoping import Scope, scope_for

ALL_STAFF = frozenset(set(Role) - {Role.CONSUMER})
# Orders and refund requests: every staff role sees its part; salespeople only look.
ORDER_ROLES = frozenset(
    {
        Role.BRAND_ADMIN,
        Role.BRAND_OPERATOR,
        Role.DEALER_ADMIN,
        Role.SALESPERSON,
        Role.STORE_OWNER,
        Role.STORE_CLERK,
    }
)


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: object
    roles: frozenset[str]


ENTRIES = [
    NavEntry("console:home", _("Dashboard"), ALL_STAFF),
    NavEntry(
        "console:org_list",
        _("Network"),
        frozenset({Role.BRAND_ADMIN, Role.BRAND_OPERATOR, Role.DEALER_ADMIN, Role.SALESPERSON}),
    ),
    NavEntry("console:store_mine", _("My store"), frozenset({Role.STORE_OWNER, Role.STORE_CLERK})),
    NavEntry("console:people_list", _("People"), frozenset({Role.BRAND_ADMIN, Role.DEALER_ADMIN})),
    NavEntry(
        "console:product_list",
        _("Products"),
        frozenset({Role.BRAND_ADMIN, Role.BRAND_OPERATOR, Role.DEALER_ADMIN}),
    ),
    NavEntry(
        "console:category_list", _("Categories"), frozenset({Role.BRAND_ADMIN, Role.BRAND_OPERATOR})
    ),
    NavEntry(
        "console:pricelist_list",
        _("Price lists"),
        frozenset({Role.BRAND_ADMIN, Role.BRAND_OPERATOR, Role.DEALER_ADMIN}),
    ),
    NavEntry("console:order_list", _("Orders"), ORDER_ROLES),
    NavEntry("console:aftersale_list", _("After-sales"), ORDER_ROLES),
    NavEntry(
        "console:stock_list",
        _("Stock"),
        frozenset(
            {
                Role.BRAND_ADMIN,
                Role.BRAND_OPERATOR,
                Role.DEALER_ADMIN,
                Role.STORE_OWNER,
                Role.STORE_CLERK,
            }
        ),
    ),
]


@dataclass(frozen=True)
class NavItem:
    url: str
    label: object
    active: bool


def items_for(scope: Scope, path: str) -> list[NavItem]:
    items = []
    for entry in ENTRIES:
        if not scope.roles & entry.roles:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # a page not built yet
            continue
        home = url == reverse("console:home")
        active = path == url if home else path.startswith(url)
        items.append(NavItem(url=url, label=entry.label, active=active))
    return items


def role_label(scope: Scope) -> str:
    labels = dict(Role.choices)
    order = [
        Role.BRAND_ADMIN,
        Role.BRAND_OPERATOR,
        Role.DEALER_ADMIN,
        Role.SALESPERSON,
        Role.STORE_OWNER,
        Role.STORE_CLERK,
    ]
    for role in order:
        if role in scope.roles:
            return str(labels[role])
    return ""


def context(request: HttpRequest) -> dict[str, object]:
    """Context processor: the sidebar and header for /console/ pages only."""
    if not request.path.startswith("/console/"):
        return {}
    scope = scope_for(getattr(request, "user", None))
    org_name = ""
    if scope.home_organization_id:
        from trispace.network.models import Organization

        org_name = (
            Organization.objects.filter(pk=scope.home_organization_id)
            .values_list("name", flat=True)
            .first()
            or ""
        )
    return {
        "console_nav": items_for(scope, request.path),
        "console_role_label": role_label(scope),
        "console_org_name": org_name,
    }
