"""category_create / category_update."""

from __future__ import annotations

import pytest

from trispace.catalog.models import Category
from trispace.catalog.services import category_create, category_update
from trispace.catalog.tests.factories import CategoryFactory
from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog

pytestmark = pytest.mark.django_db


def test_create_and_audit(net):
    drinks = category_create(actor=net.brand_admin, name="  饮料 ")
    tea = category_create(actor=net.operator, name="茶饮", parent=drinks, position=2)
    assert drinks.name == "饮料"
    assert tea.parent == drinks
    assert AuditLog.objects.filter(action="category_create").count() == 2


@pytest.mark.parametrize("name", ["", "   ", "x" * 51, None, 12])
def test_bad_name_changes_nothing(net, name):
    with pytest.raises(DomainError) as caught:
        category_create(actor=net.brand_admin, name=name)
    assert caught.value.code == "name_invalid"
    assert Category.objects.count() == 0


def test_same_name_at_the_same_level_is_refused(net):
    category_create(actor=net.brand_admin, name="饮料")
    with pytest.raises(DomainError) as caught:
        category_create(actor=net.brand_admin, name="饮料")
    assert caught.value.code == "category_name_taken"
    assert Category.objects.count() == 1


@pytest.mark.parametrize("who", ["dealer_admin", "owner", "consumer"])
def test_only_brand_staff_manage_categories(net, who):
    with pytest.raises(DomainError) as caught:
        category_create(actor=getattr(net, who), name="饮料")
    assert caught.value.code == "permission_denied"
    assert Category.objects.count() == 0


def test_update_renames_and_moves(net):
    a = CategoryFactory(name="A")
    b = CategoryFactory(name="B")
    category_update(actor=net.brand_admin, category=b, name="B2", parent=a, position=3)
    b.refresh_from_db()
    assert (b.name, b.parent_id, b.position) == ("B2", a.pk, 3)


def test_a_category_cannot_go_under_its_own_child(net):
    a = CategoryFactory(name="A")
    b = CategoryFactory(name="B", parent=a)
    with pytest.raises(DomainError) as caught:
        category_update(actor=net.brand_admin, category=a, parent=b)
    assert caught.value.code == "category_parent_invalid"
    a.refresh_from_db()
    assert a.parent_id is None
    with pytest.raises(DomainError):
        category_update(actor=net.brand_admin, category=a, parent=a)


def test_rename_into_a_sibling_name_is_refused(net):
    CategoryFactory(name="A")
    b = CategoryFactory(name="B")
    with pytest.raises(DomainError) as caught:
        category_update(actor=net.brand_admin, category=b, name="A")
    assert caught.value.code == "category_name_taken"
    b.refresh_from_db()
    assert b.name == "B"
