import math

import pytest

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog, OutboxEvent
from trispace.network.models import Organization, OrgKind
from trispace.network.services import organization_create
from trispace.network.tests.conftest import snapshot
from trispace.network.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def create(actor, parent, **kwargs):
    kwargs.setdefault("kind", OrgKind.STORE)
    kwargs.setdefault("name", "新店")
    return organization_create(actor=actor, parent=parent, **kwargs)


def refused(expected, actor, parent, **kwargs):
    before = snapshot()
    with pytest.raises(DomainError) as info:
        create(actor, parent, **kwargs)
    assert info.value.code == expected, info.value
    assert snapshot() == before
    return info.value


def test_dealer_admin_adds_a_store_under_their_dealer(net, zhejiang):
    admin = net.user("dealer_admin")
    store = create(
        admin,
        net.dealer_a,
        name="  西溪  店 ",
        region_code="330106",
        address="文二西路 1 号",
        lng=120.08,
        lat=30.27,
        contact_name="王老板",
        contact_phone="139 1234 5678",
        pickup_hours=[[1, "09:00", "12:00"], [0, "08:00", "20:00"]],
    )
    store.refresh_from_db()
    assert store.name == "西溪 店"
    assert store.path == f"{net.dealer_a.path}{store.pk:07d}."
    assert store.depth == net.dealer_a.depth + 1
    assert store.code.startswith("S")
    assert len(store.code) == 8
    assert store.contact_phone == "+8613912345678"
    assert store.region_id == "330106"
    assert store.pickup_hours == [[0, "08:00", "20:00"], [1, "09:00", "12:00"]]
    log = AuditLog.objects.get(action="organization_create", target_id=str(store.pk))
    assert log.actor_id == admin.pk
    event = OutboxEvent.objects.get(name="OrganizationCreated")
    assert event.payload == {
        "organization_id": store.pk,
        "kind": "store",
        "parent_id": net.dealer_a.pk,
    }


def test_sub_dealer_and_store_directly_under_the_brand(net):
    admin = net.user("brand_admin")
    sub = create(admin, net.dealer_a, kind=OrgKind.DEALER, name="二级经销商", code="sub-01")
    assert sub.code == "sub-01"
    assert sub.depth == 2
    flagship = create(admin, net.brand, name="旗舰店")
    assert flagship.parent_id == net.brand.pk


def test_brand_is_created_by_the_system_or_a_superuser_only(net):
    brand = organization_create(actor=None, kind=OrgKind.BRAND, parent=None, name="另一个品牌")
    assert brand.path == f"{brand.pk:07d}."
    assert brand.depth == 0
    root = UserFactory(is_superuser=True)
    assert create(root, None, kind=OrgKind.BRAND, name="第三品牌").parent_id is None
    refused("permission_denied", net.user("brand_admin"), None, kind=OrgKind.BRAND)
    refused("org_kind_invalid", None, net.brand, kind=OrgKind.BRAND)


@pytest.mark.parametrize(
    ("kind", "parent_attr"),
    [("store", "store_a"), ("dealer", "store_a"), ("dealer", None), ("store", None)],
)
def test_kind_rules(net, kind, parent_attr):
    parent = getattr(net, parent_attr) if parent_attr else None
    refused("org_kind_invalid", None, parent, kind=kind)


def test_unknown_kind(net):
    refused("org_kind_invalid", None, net.dealer_a, kind="warehouse")


@pytest.mark.parametrize("code", ["999999", "330000", "abc", "3301061"])
def test_region_must_be_an_existing_city_or_district(net, zhejiang, code):
    error = refused("region_unknown", None, net.dealer_a, region_code=code)
    assert error.field == "region_code"


def test_a_city_is_a_valid_region(net, zhejiang):
    assert create(None, net.dealer_a, region_code="330100").region_id == "330100"


def test_codes_are_unique_regardless_of_case(net):
    create(None, net.dealer_a, code="HZ-001")
    refused("code_taken", None, net.dealer_a, code="hz-001")
    refused("code_invalid", None, net.dealer_a, code="有空 格")
    refused("code_invalid", None, net.dealer_a, code="x" * 21)


@pytest.mark.parametrize(
    ("lng", "lat"),
    [
        (120.1, None),
        (None, 30.2),
        (-120.1, 30.2),
        (120.1, -30.2),
        (200, 30),
        (120, 95),
        (0, 0),
        (math.nan, 30.2),
        (math.inf, 30.2),
        ("east", 30.2),
        (True, 30.2),
    ],
)
def test_coordinates_are_gcj02_in_china(net, lng, lat):
    refused("coordinates_invalid", None, net.dealer_a, lng=lng, lat=lat)


@pytest.mark.parametrize("phone", ["12", "abc", "1381234567", "+1 202"])
def test_contact_phone_is_checked(net, phone):
    error = refused("phone_invalid", None, net.dealer_a, contact_phone=phone)
    assert error.field == "contact_phone"


def test_landline_contact_phone_is_fine(net):
    assert (
        create(None, net.dealer_a, contact_phone="0571-87654321").contact_phone == "+8657187654321"
    )


def test_name_and_hours_are_checked(net):
    refused("name_invalid", None, net.dealer_a, name="   ")
    refused("name_invalid", None, net.dealer_a, name="店" * 101)
    refused("hours_invalid", None, net.dealer_a, pickup_hours=[[7, "09:00", "10:00"]])
    refused(
        "hours_invalid", None, net.brand, kind=OrgKind.DEALER, pickup_hours=[[0, "09:00", "10:00"]]
    )


def test_not_under_a_paused_or_closed_parent(net):
    sub = net.sub_a
    Organization.objects.filter(pk=sub.pk).update(status="paused")
    refused("org_not_active", None, sub)
    Organization.objects.filter(pk=sub.pk).update(status="closed")
    refused("org_not_active", None, sub)


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("other_dealer_admin", "not_found"),
        ("store_owner", "not_found"),
        ("consumer", "not_found"),
        ("salesperson", "permission_denied"),
        ("brand_operator", "permission_denied"),
    ],
)
def test_only_who_manages_the_parent_may_add(net, persona, code):
    refused(code, net.user(persona), net.dealer_a)
