"""Tables of inventory (库存): locations, stock per variant and shard, and the moves of stock.

* ``Location`` — where stock sits: a warehouse (brand, dealer) or a store's shelf. Each
  organization has at most one default location, created on demand.
* ``Stock`` — ``on_hand`` and ``reserved`` of one variant at one location, in one *shard*. Normal
  items have one shard (0); a hot item is split into up to 64 shards so buyers do not queue on
  one row lock (ADR 0008). The database guarantees ``0 ≤ reserved ≤ on_hand`` per shard.
* ``StockMove`` — append-only: every change of a shard's ``on_hand`` or ``reserved`` is one
  row, so the moves of a shard always sum to its stock. Reserve, release and commit record the
  shard they touched, which is how a release finds exactly the shards a reservation holds.
* ``StockOperation`` — one reserve, release or commit at a location, by its key: the reference
  (e.g. "order:123"), or for a part of a reservation a key under it ("order:123:aftersale:7").
  Unique, so a retried call does nothing twice (idempotency in the schema).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from trispace.catalog.models import Variant
from trispace.kernel import time as ktime
from trispace.network.models import Organization

MAX_SHARDS = 64
MAX_QUANTITY = 1_000_000  # per line, receipt or count: a typo guard, not a business rule


class LocationKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("Warehouse")
    SHELF = "shelf", _("Store shelf")


class Location(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="stock_locations",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LocationKind.choices)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=ktime.now, editable=False)

    class Meta:
        verbose_name = _("stock location")
        verbose_name_plural = _("stock locations")
        ordering = ["organization_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(is_default=True),
                name="location_one_default_per_org",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    """One shard of a variant's stock at a location. Changed only by conditional UPDATEs."""

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stocks")
    shard = models.PositiveSmallIntegerField(default=0)
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    # False for a shard left over by a split to fewer shards: it keeps its reservations until
    # they are released or committed, but receives, counts and splits put no stock into it.
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "location", "shard"], name="stock_shard_once"
            ),
            models.CheckConstraint(
                condition=models.Q(reserved__gte=0), name="stock_reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=models.F("reserved")),
                name="stock_reserved_within_on_hand",
            ),
            models.CheckConstraint(
                condition=models.Q(shard__lt=MAX_SHARDS), name="stock_shard_in_range"
            ),
        ]
        indexes = [models.Index(fields=["location", "variant"])]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.location_id}#{self.shard}: {self.on_hand}/{self.reserved}"


class MoveReason(models.TextChoices):
    RECEIVE = "receive", _("Received")
    RETURN = "return", _("Returned")
    ADJUST = "adjust", _("Stocktake")
    RESERVE = "reserve", _("Reserved")
    RELEASE = "release", _("Released")
    COMMIT = "commit", _("Handed over")
    SPLIT = "split", _("Rebalanced")


class StockMove(models.Model):
    """One change of one shard. Append-only: there is no service that updates or deletes one."""

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="moves")
    shard = models.PositiveSmallIntegerField(default=0)
    delta_on_hand = models.IntegerField(default=0)
    delta_reserved = models.IntegerField(default=0)
    reason = models.CharField(max_length=10, choices=MoveReason.choices)
    reference = models.CharField(max_length=100, blank=True, db_index=True)
    note = models.CharField(max_length=255, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=ktime.now)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        indexes = [
            models.Index(fields=["location", "at"]),
            models.Index(fields=["location", "variant", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.variant_id}@{self.location_id}#{self.shard}"


class StockOperation(models.Model):
    """The record that a reference's reserve, release or commit at a location has been done."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    # The operation's key: the reference, or "<reference>:…" for one part of a reservation.
    reference = models.CharField(max_length=100)
    reason = models.CharField(max_length=10, choices=MoveReason.choices)
    lines = models.JSONField(default=list)  # [[variant_id, quantity], ...] sorted
    actor_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=ktime.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["location", "reference", "reason"], name="stock_operation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.reference}@{self.location_id}"
