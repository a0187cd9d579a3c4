"""Categories (商品分类): create and update. Brand admins and operators manage them."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from trispace.catalog import errors
from trispace.catalog.models import Category
from trispace.catalog.permissions import require_manage_categories, scope_of_actor
from trispace.catalog.services._common import UNSET, _Unset, clean_position, clean_text
from trispace.kernel import audit

NAME_MAX = 50


def _check_unique(name: str, parent: Category | None, exclude_pk: int | None = None) -> None:
    clash = Category.objects.filter(parent=parent, name=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise errors.CATEGORY_NAME_TAKEN(field="name")


def _check_parent(category: Category, parent: Category | None) -> None:
    """``parent`` may not be ``category`` itself or one of its descendants."""
    node = parent
    seen: set[int] = set()
    while node is not None:
        if node.pk == category.pk or node.pk in seen:
            raise errors.CATEGORY_PARENT_INVALID(field="parent")
        seen.add(node.pk)
        node = node.parent


def category_create(
    *, actor: Any, name: str, parent: Category | None = None, position: int = 0
) -> Category:
    require_manage_categories(scope_of_actor(actor))
    name = clean_text(name, error=errors.NAME_INVALID, field="name", max_length=NAME_MAX)
    position = clean_position(position)
    with transaction.atomic():
        _check_unique(name, parent)
        try:
            with transaction.atomic():
                category = Category.objects.create(name=name, parent=parent, position=position)
        except IntegrityError as exc:
            raise errors.CATEGORY_NAME_TAKEN(field="name") from exc
        audit.record(
            actor=actor,
            action="category_create",
            target=category,
            data={"name": name, "parent_id": parent.pk if parent else None},
        )
    return category


def category_update(
    *,
    actor: Any,
    category: Category,
    name: str | _Unset = UNSET,
    parent: Category | _Unset | None = UNSET,
    position: int | _Unset = UNSET,
) -> Category:
    require_manage_categories(scope_of_actor(actor))
    changes: dict[str, Any] = {}
    if not isinstance(name, _Unset):
        changes["name"] = clean_text(
            name, error=errors.NAME_INVALID, field="name", max_length=NAME_MAX
        )
    if not isinstance(parent, _Unset):
        _check_parent(category, parent)
        changes["parent"] = parent
    if not isinstance(position, _Unset):
        changes["position"] = clean_position(position)
    with transaction.atomic():
        new_name = changes.get("name", category.name)
        new_parent = changes.get("parent", category.parent)
        if "name" in changes or "parent" in changes:
            _check_unique(new_name, new_parent, exclude_pk=category.pk)
        for key, value in changes.items():
            setattr(category, key, value)
        try:
            with transaction.atomic():
                category.save()
        except IntegrityError as exc:
            raise errors.CATEGORY_NAME_TAKEN(field="name") from exc
        audit.record(
            actor=actor,
            action="category_update",
            target=category,
            data={
                key: (value.pk if isinstance(value, Category) else value)
                for key, value in changes.items()
            },
        )
    return category
