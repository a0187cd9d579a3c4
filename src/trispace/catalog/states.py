"""Product statuses: draft → on sale ⇄ off sale."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from trispace.kernel.transitions import StateMachine


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ON_SALE = "on_sale", _("On sale")
    OFF_SALE = "off_sale", _("Off sale")


PRODUCT_STATES = StateMachine(
    {
        ProductStatus.DRAFT: {ProductStatus.ON_SALE},
        ProductStatus.ON_SALE: {ProductStatus.OFF_SALE},
        ProductStatus.OFF_SALE: {ProductStatus.ON_SALE},
    }
)
