"""Regions, the organization tree and people's roles in it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trispace.kernel import time as ktime
from trispace.network.states import OrgStatus


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    DISTRICT = 3, _("District")


class Region(models.Model):
    """An administrative division (行政区划) by its 6-digit code, e.g. 330106 西湖区."""

    code = models.CharField(max_length=6, primary_key=True)
    name = models.CharField(max_length=50)
    level = models.PositiveSmallIntegerField(choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    lng = models.FloatField(null=True, blank=True)  # GCJ-02
    lat = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return self.name


class OrgKind(models.TextChoices):
    BRAND = "brand", _("Brand")
    DEALER = "dealer", _("Dealer")
    STORE = "store", _("Store")


# Where each kind may sit: the brand is the root; a dealer sits under the brand or a dealer
# (sub-dealers); a store under a dealer or directly under the brand. Nothing sits under a store.
ALLOWED_PARENT_KINDS: dict[str, frozenset[str]] = {
    OrgKind.BRAND: frozenset(),
    OrgKind.DEALER: frozenset({OrgKind.BRAND, OrgKind.DEALER}),
    OrgKind.STORE: frozenset({OrgKind.BRAND, OrgKind.DEALER}),
}
MAX_DEPTH = 20  # levels below the brand; path is at most 255 characters


def path_segment(pk: int) -> str:
    return f"{pk:07d}."


class Organization(models.Model):
    """A node of the channel tree: the brand (品牌商, root), dealers (经销商), stores (门店).

    ``path`` is the materialized path of ids ("0000001.0000004.0000023.") so a subtree is one
    indexed prefix query. A store is also a pickup point (自提点): its status and pickup hours
    say when consumers may collect.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=OrgStatus.choices, default=OrgStatus.ACTIVE
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lng = models.FloatField(_("longitude (GCJ-02)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (GCJ-02)"), null=True, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    # Pickup hours per weekday (0 = Monday): [[weekday, "HH:MM", "HH:MM"], ...]; stores only.
    pickup_hours = models.JSONField(_("pickup hours"), default=list, blank=True)
    created_at = models.DateTimeField(default=ktime.now, editable=False)
    updated_at = models.DateTimeField(default=ktime.now, editable=False)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=OrgKind.BRAND, parent__isnull=True)
                | (~models.Q(kind=OrgKind.BRAND) & models.Q(parent__isnull=False)),
                name="org_brand_is_root_others_have_parent",
            ),
            models.CheckConstraint(
                condition=(models.Q(lat__isnull=True) & models.Q(lng__isnull=True))
                | (models.Q(lat__gte=-90, lat__lte=90) & models.Q(lng__gte=-180, lng__lte=180)),
                name="org_coordinates_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["lat", "lng"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_store(self) -> bool:
        return self.kind == OrgKind.STORE

    def is_ancestor_of(self, other: Organization) -> bool:
        """True when ``other`` is in this organization's subtree (itself included)."""
        return bool(self.path) and other.path.startswith(self.path)

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this organization (itself included)."""
        return [int(part) for part in self.path.split(".") if part]


class Role(models.TextChoices):
    BRAND_ADMIN = "brand_admin", _("Brand admin")
    BRAND_OPERATOR = "brand_operator", _("Brand operator")
    DEALER_ADMIN = "dealer_admin", _("Dealer admin")
    SALESPERSON = "salesperson", _("Salesperson")
    STORE_OWNER = "store_owner", _("Store owner")
    STORE_CLERK = "store_clerk", _("Store clerk")
    CONSUMER = "consumer", _("Consumer")


class SalesRank(models.TextChoices):
    SALESPERSON = "salesperson", _("Salesperson")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")


SALES_RANK_ORDER = {SalesRank.SALESPERSON: 1, SalesRank.SUPERVISOR: 2, SalesRank.MANAGER: 3}

# Which organization kind each role belongs to.
ROLE_ORG_KIND = {
    Role.BRAND_ADMIN: OrgKind.BRAND,
    Role.BRAND_OPERATOR: OrgKind.BRAND,
    Role.DEALER_ADMIN: OrgKind.DEALER,
    Role.SALESPERSON: None,  # brand or dealer (not a store)
    Role.STORE_OWNER: OrgKind.STORE,
    Role.STORE_CLERK: OrgKind.STORE,
    Role.CONSUMER: OrgKind.STORE,  # the consumer's store (their pickup point)
}


class Membership(models.Model):
    """A person's role in an organization. A consumer's membership names their store.

    Salespeople form a chain through ``manager``: salesperson → supervisor → manager.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    sales_rank = models.CharField(
        _("sales rank"), max_length=20, choices=SalesRank.choices, blank=True
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=ktime.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_once"
            ),
            models.CheckConstraint(
                condition=models.Q(role=Role.SALESPERSON)
                | models.Q(sales_rank="", manager__isnull=True),
                name="membership_rank_only_for_sales",
            ),
            # A consumer belongs to one store (their pickup point) at a time.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(role=Role.CONSUMER, is_active=True),
                name="membership_one_consumer_store",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "role"]),
            models.Index(fields=["user", "is_active"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.organization_id}"
