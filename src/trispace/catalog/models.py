"""Categories, products (SPU), variants (SKU), images and price lists."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from trispace.catalog.states import ProductStatus
from trispace.kernel import time as ktime
from trispace.network.models import Organization


class Category(models.Model):
    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product (SPU, 商品) of the brand; sold as one or more variants."""

    brand = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    name = models.CharField(_("name"), max_length=100)
    subtitle = models.CharField(_("subtitle"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=ktime.now, editable=False)
    updated_at = models.DateTimeField(default=ktime.now, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["status", "position"])]

    def __str__(self) -> str:
        return self.name


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/%Y/%m/")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.image.name or ""


class Variant(models.Model):
    """A sellable variant (SKU): a spec of a product with its own code, barcode and unit."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("spec"), max_length=50, blank=True)  # e.g. "500ml × 12"
    barcode = models.CharField(_("barcode"), max_length=14, blank=True, db_index=True)
    unit = models.CharField(_("unit"), max_length=10, default="件")
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.product.name} {self.name}".strip()


class Channel(models.TextChoices):
    DEALER = "dealer", _("Dealer price (brand → dealer)")
    WHOLESALE = "wholesale", _("Wholesale (dealer → store)")
    RETAIL = "retail", _("Retail")
    MEMBER = "member", _("Member")
    GROUPBUY = "groupbuy", _("Group-buy")


class PriceList(models.Model):
    """The prices of one channel set at one node of the tree.

    A list at the brand is the network-wide default; a list at a dealer applies to its subtree;
    a list at a store applies to that store. The nearest list on the way up that prices a
    variant wins (see ``catalog.pricing``).
    """

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="price_lists"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(default=ktime.now, editable=False)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.UniqueConstraint(fields=["channel", "organization"], name="price_list_once")
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_channel_display()} @ {self.organization_id}"


class Price(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="prices")
    price_fen = models.PositiveBigIntegerField(_("price (fen)"))
    updated_at = models.DateTimeField(default=ktime.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["price_list", "variant"], name="price_once"),
            models.CheckConstraint(condition=models.Q(price_fen__gte=0), name="price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.price_fen}"
