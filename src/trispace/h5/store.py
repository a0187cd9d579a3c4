"""Which store the H5 shop shows (the current store), and how a store is described to shoppers.

``current_store(request)`` decides, in order:

1. ``?store=<id>`` — an explicit choice (a shared link, the "change store" page); remembered in
   the session;
2. the store remembered in the session;
3. the logged-in consumer's own store (their consumer membership);
4. the nearest open store to ``?lng=&lat=`` (the browser's position), remembered too;
5. the first active store.

A closed store is never shown; a paused one still is (its shop stays readable).

``remember_share(request)`` keeps who brought the shopper here (分享参数): a landing URL's
``?share=&leader=&promoter=…`` parameters are cleaned into the orders' ``ShareContext`` and kept
in the session, so the order placed later carries them (``share_context(request)``). A newer
link replaces an older one; a mangled value is dropped, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from trispace.kernel.errors import DomainError
from trispace.network import selectors as network_selectors
from trispace.network.models import Organization, OrgKind
from trispace.network.scoping import scope_for
from trispace.network.states import OrgStatus
from trispace.orders.types import ShareContext

SESSION_KEY = "h5_store_id"
SHARE_SESSION_KEY = "h5_share"
# Query parameter of a shared link or QR → field of ``orders.types.ShareContext``.
SHARE_PARAMS = {
    "share": "share_token",
    "leader": "leader_id",
    "promoter": "promoter_id",
    "group": "group_id",
    "salesperson": "salesperson_id",
    "live": "live_session_id",
    "campaign": "campaign_id",
}
NEARBY_LIMIT = 20
WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def _shown_stores() -> Any:
    return Organization.objects.filter(kind=OrgKind.STORE).exclude(status=OrgStatus.CLOSED)


def store_by_id(value: Any) -> Organization | None:
    """A store that may be shown, by an id from a URL or the session; None when not."""
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    if pk <= 0:
        return None
    found: Organization | None = _shown_stores().filter(pk=pk).first()
    return found


def parse_position(request: HttpRequest) -> tuple[float, float] | None:
    """(lng, lat) from the query string when both are sane numbers."""
    try:
        lng = float(request.GET["lng"])
        lat = float(request.GET["lat"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        return None
    return lng, lat


def nearest_store(lng: float, lat: float) -> Organization | None:
    try:
        found = network_selectors.nearest_open_stores(lng=lng, lat=lat, limit=1)
    except DomainError:
        return None
    return found[0].store if found else None


def remember(request: HttpRequest, store: Organization) -> None:
    if request.session.get(SESSION_KEY) != store.pk:
        request.session[SESSION_KEY] = store.pk


def consumer_store(user: Any) -> Organization | None:
    store_id = scope_for(user).consumer_store_id
    return store_by_id(store_id) if store_id else None


def current_store(request: HttpRequest) -> Organization | None:
    """The store this request's shop pages show (see the module docstring); cached per request."""
    if hasattr(request, "_h5_store"):
        cached: Organization | None = request._h5_store
        return cached
    store = _resolve(request)
    request._h5_store = store  # type: ignore[attr-defined]
    return store


def _resolve(request: HttpRequest) -> Organization | None:
    if "store" in request.GET:
        store = store_by_id(request.GET["store"])
        if store is not None:
            remember(request, store)
            return store
    remembered = request.session.get(SESSION_KEY)
    if remembered:
        store = store_by_id(remembered)
        if store is not None:
            return store
        del request.session[SESSION_KEY]
    if request.user.is_authenticated:
        store = consumer_store(request.user)
        if store is not None:
            return store
    position = parse_position(request)
    if position is not None:
        store = nearest_store(*position)
        if store is not None:
            remember(request, store)
            return store
    return (
        Organization.objects.filter(kind=OrgKind.STORE, status=OrgStatus.ACTIVE)
        .order_by("pk")
        .first()
    )


@dataclass(frozen=True)
class StoreChoice:
    store: Organization
    distance_m: int | None
    open_now: bool

    @property
    def distance_label(self) -> str:
        if self.distance_m is None:
            return ""
        if self.distance_m < 1000:
            return f"{self.distance_m} m"
        return f"{self.distance_m / 1000:.1f} km"


def store_choices(request: HttpRequest, search: str = "") -> tuple[list[StoreChoice], bool]:
    """Stores to choose from: nearest first when the browser gave a position, else a list.

    Returns (choices, by_distance).
    """
    position = parse_position(request)
    if position is not None and not search:
        try:
            nearby = network_selectors.nearest_open_stores(
                lng=position[0], lat=position[1], limit=NEARBY_LIMIT
            )
        except DomainError:
            nearby = []
        if nearby:
            return [StoreChoice(n.store, n.distance_m, n.open_now) for n in nearby], True
    qs = Organization.objects.filter(kind=OrgKind.STORE, status=OrgStatus.ACTIVE)
    if search:
        qs = qs.filter(name__icontains=search[:50]) | qs.filter(address__icontains=search[:50])
    stores = list(qs.order_by("name", "pk")[:50])
    return [StoreChoice(s, None, network_selectors.is_open_now(s)) for s in stores], False


@dataclass(frozen=True)
class HoursLine:
    days: str
    opens: str
    closes: str


def pickup_hours_lines(store: Organization) -> list[HoursLine]:
    """The store's pickup hours for people: one line when every day is the same."""
    rows = []
    for item in store.pickup_hours or []:
        try:
            day, opens, closes = item
            rows.append((int(day), str(opens), str(closes)))
        except (TypeError, ValueError):
            continue
    rows = [r for r in rows if 0 <= r[0] <= 6]
    rows.sort()
    if len(rows) == 7 and len({(o, c) for _, o, c in rows}) == 1:
        return [HoursLine(str(_("Daily")), rows[0][1], rows[0][2])]
    return [HoursLine(str(WEEKDAYS[day]), opens, closes) for day, opens, closes in rows]


def store_card(store: Organization) -> dict[str, Any]:
    """What the store card shows: address, pickup hours, open now or not."""
    return {
        "store": store,
        "open_now": store.status == OrgStatus.ACTIVE and network_selectors.is_open_now(store),
        "paused": store.status == OrgStatus.PAUSED,
        "hours": pickup_hours_lines(store),
    }


# --- share context --------------------------------------------------------------------------
def remember_share(request: HttpRequest) -> None:
    """Keep the share parameters of this request's URL in the session (see the docstring)."""
    raw = {
        field: request.GET[param] for param, field in SHARE_PARAMS.items() if param in request.GET
    }
    if not raw:
        return
    fields = {k: v for k, v in ShareContext.clean(raw).as_fields().items() if v not in (None, "")}
    if fields and request.session.get(SHARE_SESSION_KEY) != fields:
        request.session[SHARE_SESSION_KEY] = fields


def share_context(request: HttpRequest) -> dict[str, Any] | None:
    """The share context remembered for this shopper, for ``orders.services.order_place``."""
    value = request.session.get(SHARE_SESSION_KEY)
    return dict(value) if isinstance(value, dict) else None
