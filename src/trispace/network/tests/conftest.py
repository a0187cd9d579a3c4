"""A small network with one person per role, for services, API, pages and the matrix.

brand (brand admin, brand operator)
├── dealer_a (dealer admin a, salesperson a)
│   ├── sub_a (sub-dealer)
│   │   └── store_a2
│   └── store_a (owner a, clerk a, consumer)
└── dealer_b (dealer admin b)
    └── store_b (owner b)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client

from trispace.kernel.models import AuditLog, OutboxEvent, StateChange
from trispace.network.models import Membership, Organization, Region, Role
from trispace.network.regions import regions_fixture
from trispace.network.tests.factories import (
    BrandFactory,
    DealerFactory,
    MembershipFactory,
    StoreFactory,
    UserFactory,
)


@dataclass
class Net:
    brand: Organization
    dealer_a: Organization
    sub_a: Organization
    store_a: Organization
    store_a2: Organization
    dealer_b: Organization
    store_b: Organization
    users: dict[str, Any]
    memberships: dict[str, Membership]

    def user(self, persona: str) -> Any:
        """A fresh user object (no scope cached from an earlier call)."""
        if persona == "anonymous":
            return None
        return get_user_model().objects.get(pk=self.users[persona].pk)


PERSONAS = [
    "anonymous",
    "consumer",
    "store_owner",
    "other_store_owner",
    "dealer_admin",
    "other_dealer_admin",
    "brand_admin",
]


@pytest.fixture
def net(db: Any) -> Net:
    brand = BrandFactory(name="三度品牌")
    dealer_a = DealerFactory(parent=brand, name="杭州经销商")
    sub_a = DealerFactory(parent=dealer_a, name="西湖分销")
    store_a = StoreFactory(parent=dealer_a, name="文三路店", lng=120.1300, lat=30.2800)
    store_a2 = StoreFactory(parent=sub_a, name="北山街店", lng=120.1500, lat=30.2600)
    dealer_b = DealerFactory(parent=brand, name="宁波经销商")
    store_b = StoreFactory(parent=dealer_b, name="天一广场店", lng=121.5500, lat=29.8700)
    users = {}
    memberships = {}
    for persona, org, role in [
        ("brand_admin", brand, Role.BRAND_ADMIN),
        ("brand_operator", brand, Role.BRAND_OPERATOR),
        ("dealer_admin", dealer_a, Role.DEALER_ADMIN),
        ("salesperson", dealer_a, Role.SALESPERSON),
        ("other_dealer_admin", dealer_b, Role.DEALER_ADMIN),
        ("store_owner", store_a, Role.STORE_OWNER),
        ("store_clerk", store_a, Role.STORE_CLERK),
        ("consumer", store_a, Role.CONSUMER),
        ("other_store_owner", store_b, Role.STORE_OWNER),
    ]:
        user = UserFactory(name=persona)
        users[persona] = user
        extra = {"sales_rank": "salesperson"} if role == Role.SALESPERSON else {}
        memberships[persona] = MembershipFactory(user=user, organization=org, role=role, **extra)
    return Net(brand, dealer_a, sub_a, store_a, store_a2, dealer_b, store_b, users, memberships)


@pytest.fixture
def client_for(net: Net) -> Callable[[str], Client]:
    def make(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(net.users[persona])
        return client

    return make


@pytest.fixture
def zhejiang(db: Any) -> None:
    """Zhejiang's regions (浙江省 and its cities and districts) instead of all 3,400."""
    regions_fixture(("33",))


def snapshot() -> dict[str, Any]:
    """Everything a refused write must leave alone."""

    def rows(model: type[models.Model], *fields: str) -> list[tuple[Any, ...]]:
        return list(model.objects.order_by("pk").values_list("pk", *fields))

    return {
        "orgs": rows(
            Organization,
            "name",
            "code",
            "parent_id",
            "path",
            "depth",
            "status",
            "region_id",
            "address",
            "lng",
            "lat",
            "contact_phone",
            "pickup_hours",
        ),
        "memberships": rows(Membership, "user_id", "role", "is_active", "sales_rank", "manager"),
        "users": get_user_model().objects.count(),
        "regions": Region.objects.count(),
        "audit": AuditLog.objects.count(),
        "events": OutboxEvent.objects.count(),
        "state_changes": StateChange.objects.count(),
    }
