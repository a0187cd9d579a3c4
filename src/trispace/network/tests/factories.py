"""Factories for users, organizations and memberships (other contexts' tests use them too)."""

from __future__ import annotations

import itertools

import factory
from django.conf import settings

from trispace.network.models import Membership, Organization, OrgKind, Role

# The user model belongs to accounts (same layer as network): named, never imported.
USER_PASSWORD = "pass-1234"

_phones = itertools.count(13800000000)
_codes = itertools.count(1)


def next_phone() -> str:
    return f"+86{next(_phones)}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = settings.AUTH_USER_MODEL
        django_get_or_create = ("phone",)

    phone = factory.LazyFunction(next_phone)
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(USER_PASSWORD)


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    kind = OrgKind.BRAND
    name = "品牌"
    code = factory.LazyFunction(lambda: f"B{next(_codes):05d}")
    parent = None

    @factory.post_generation
    def _path(obj, create, extracted, **kwargs):
        set_path(obj)


def set_path(org: Organization) -> None:
    parent_path = org.parent.path if org.parent_id else ""
    org.path = f"{parent_path}{org.pk:07d}."
    org.depth = org.path.count(".") - 1
    Organization.objects.filter(pk=org.pk).update(path=org.path, depth=org.depth)


class DealerFactory(BrandFactory):
    kind = OrgKind.DEALER
    name = factory.Sequence(lambda n: f"经销商{n}")
    code = factory.LazyFunction(lambda: f"D{next(_codes):05d}")
    parent = factory.SubFactory(BrandFactory)


class StoreFactory(BrandFactory):
    kind = OrgKind.STORE
    name = factory.Sequence(lambda n: f"门店{n}")
    code = factory.LazyFunction(lambda: f"S{next(_codes):05d}")
    parent = factory.SubFactory(DealerFactory)
    lng = 120.15
    lat = 30.28
    pickup_hours = [[d, "09:00", "21:00"] for d in range(7)]


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(StoreFactory)
    role = Role.STORE_OWNER


class SalespersonFactory(MembershipFactory):
    organization = factory.SubFactory(DealerFactory)
    role = Role.SALESPERSON
    sales_rank = "salesperson"


class ConsumerFactory(MembershipFactory):
    role = Role.CONSUMER
