import pytest

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog
from trispace.network.models import Organization
from trispace.network.services import store_set_pickup_hours
from trispace.network.tests.conftest import snapshot
from trispace.network.validators import clean_pickup_hours

pytestmark = pytest.mark.django_db


def test_owner_sets_hours_sorted_and_audited(net):
    owner = net.user("store_owner")
    store_set_pickup_hours(
        actor=owner,
        store=net.store_a,
        hours=[
            [5, "14:00", "18:00"],
            {"weekday": 5, "open": "08:30", "close": "12:00"},
            [0, "09:00", "21:00"],
        ],
    )
    stored = Organization.objects.get(pk=net.store_a.pk).pickup_hours
    assert stored == [[0, "09:00", "21:00"], [5, "08:30", "12:00"], [5, "14:00", "18:00"]]
    log = AuditLog.objects.get(action="store_set_pickup_hours")
    assert log.actor_id == owner.pk
    assert log.data["new"] == stored


def test_empty_hours_mean_no_pickup(net):
    store_set_pickup_hours(actor=None, store=net.store_a, hours=[])
    assert Organization.objects.get(pk=net.store_a.pk).pickup_hours == []


def test_unchanged_hours_write_nothing(net):
    before = snapshot()
    store_set_pickup_hours(actor=None, store=net.store_a, hours=net.store_a.pickup_hours)
    assert snapshot() == before


@pytest.mark.parametrize(
    "hours",
    [
        [[7, "09:00", "10:00"]],
        [[-1, "09:00", "10:00"]],
        [[True, "09:00", "10:00"]],
        [["1", "09:00", "10:00"]],
        [[1, "9:00", "10:00"]],
        [[1, "09:00", "24:00"]],
        [[1, "09:60", "10:00"]],
        [[1, "10:00", "10:00"]],
        [[1, "18:00", "09:00"]],
        [[1, "09:00", "12:00"], [1, "11:00", "13:00"]],
        [[1, "09:00"]],
        [[1, 900, 1000]],
        "09:00-21:00",
        {"weekday": 1},
        [None],
        [[d, "09:00", "10:00"] for d in range(7)] * 4,
    ],
)
def test_invalid_hours_change_nothing(net, hours):
    before = snapshot()
    with pytest.raises(DomainError) as info:
        store_set_pickup_hours(actor=None, store=net.store_a, hours=hours)
    assert info.value.code == "hours_invalid"
    assert info.value.field == "pickup_hours"
    assert snapshot() == before


def test_adjacent_ranges_do_not_overlap():
    assert clean_pickup_hours([[1, "12:00", "18:00"], [1, "08:00", "12:00"]]) == [
        [1, "08:00", "12:00"],
        [1, "12:00", "18:00"],
    ]


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("store_clerk", "permission_denied"),
        ("salesperson", "permission_denied"),
        ("other_store_owner", "not_found"),
        ("other_dealer_admin", "not_found"),
        ("consumer", "not_found"),
    ],
)
def test_who_may_not(net, persona, code):
    before = snapshot()
    with pytest.raises(DomainError) as info:
        store_set_pickup_hours(actor=net.user(persona), store=net.store_a, hours=[])
    assert info.value.code == code
    assert snapshot() == before


def test_only_stores_have_hours(net):
    with pytest.raises(DomainError) as info:
        store_set_pickup_hours(actor=None, store=net.dealer_a, hours=[])
    assert info.value.code == "org_kind_invalid"
