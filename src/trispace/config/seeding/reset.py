"""Delete what the seed made: its brand's tree, the people only in that tree, its catalog
and its stock.

Set-based deletes (one ``DELETE … WHERE`` per table, no rows loaded into Python), in an order
that the deferred foreign keys accept at commit. A table added later that points at the seeded
rows makes the commit fail with an IntegrityError rather than leave orphans; extend ``reset``
when a context adds one (``seed --reset`` is for development and benchmarks, nothing else).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import models, transaction

from trispace.accounts.models import ApiToken, User
from trispace.catalog.models import Category, Price, PriceList, Product, ProductImage, Variant
from trispace.config.seeding.catalog import CATALOG
from trispace.inventory.models import Location, Stock, StockMove, StockOperation
from trispace.network.models import Membership, Organization, OrgKind


@dataclass
class ResetResult:
    organizations: int = 0
    users: int = 0
    memberships: int = 0
    products: int = 0


def _delete(queryset: models.QuerySet[models.Model]) -> int:
    """One DELETE statement, without Django's collector (which would load every row)."""
    return int(queryset._raw_delete(queryset.db))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def seeded_brands(code: str) -> list[Organization]:
    return list(Organization.objects.filter(kind=OrgKind.BRAND, code=code))


def reset(code: str) -> ResetResult:
    """Delete every tree whose brand has ``code``. Call inside a transaction."""
    result = ResetResult()
    for brand in seeded_brands(code):
        tree = Organization.objects.filter(path__startswith=brand.path)
        tree_ids = tree.values("id")
        products = Product.objects.filter(brand_id=brand.pk)

        # Stock of the tree's locations, and of the brand's variants wherever it lies.
        locations = Location.objects.filter(organization_id__in=tree_ids).values("id")
        for model in (StockMove, Stock):
            _delete(model.objects.filter(location_id__in=locations))
            _delete(model.objects.filter(variant__product__brand_id=brand.pk))
        _delete(StockOperation.objects.filter(location_id__in=locations))
        _delete(Location.objects.filter(organization_id__in=tree_ids))

        _delete(Price.objects.filter(price_list__organization_id__in=tree_ids))
        _delete(Price.objects.filter(variant__product__brand_id=brand.pk))
        _delete(PriceList.objects.filter(organization_id__in=tree_ids))
        images = ProductImage.objects.filter(product__brand_id=brand.pk)
        files = [name for name in images.values_list("image", flat=True) if name]
        _delete(images)
        _delete(Variant.objects.filter(product__brand_id=brand.pk))
        result.products += _delete(products)

        in_tree = Membership.objects.filter(organization_id__in=tree_ids)
        elsewhere = Membership.objects.exclude(organization_id__in=tree_ids)
        users = User.objects.filter(pk__in=in_tree.values("user_id")).exclude(
            pk__in=elsewhere.values("user_id")
        )
        user_ids = users.values("pk")
        _delete(ApiToken.objects.filter(user_id__in=user_ids))
        for through in (User.groups.through, User.user_permissions.through):
            _delete(through.objects.filter(user_id__in=user_ids))
        result.users += _delete(users)  # memberships still name them: deferred FKs allow it
        result.memberships += _delete(in_tree)
        result.organizations += _delete(tree)
        transaction.on_commit(functools.partial(_delete_files, files))

    # The seed's categories, when nothing else uses them.
    Category.objects.filter(
        parent=None, name__in=list(CATALOG), products__isnull=True, children__isnull=True
    ).delete()
    return result
