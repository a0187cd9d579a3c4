import pytest

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog
from trispace.network.services import organization_update
from trispace.network.tests.conftest import snapshot

pytestmark = pytest.mark.django_db


def test_changes_only_what_is_given_and_records_the_difference(net, zhejiang):
    store = net.store_a
    old_code = store.code
    organization_update(
        actor=net.user("dealer_admin"),
        organization=store,
        name="文三路旗舰店",
        region_code="330106",
        contact_phone="13912345678",
    )
    store.refresh_from_db()
    assert store.name == "文三路旗舰店"
    assert store.code == old_code
    assert store.region_id == "330106"
    assert store.contact_phone == "+8613912345678"
    log = AuditLog.objects.get(action="organization_update")
    assert log.data["name"][1] == "文三路旗舰店"
    assert log.data["region_code"] == [None, "330106"]
    assert "code" not in log.data


def test_one_coordinate_keeps_the_other_and_both_none_clears(net):
    store = net.store_a
    organization_update(actor=None, organization=store, lng=120.2)
    assert (store.lng, store.lat) == (120.2, 30.28)
    organization_update(actor=None, organization=store, lng=None, lat=None)
    store.refresh_from_db()
    assert (store.lng, store.lat) == (None, None)


def test_no_change_writes_nothing(net):
    before = snapshot()
    organization_update(actor=None, organization=net.store_a, name=net.store_a.name)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"code": "D00000"}, "code_taken"),
        ({"region_code": "000000"}, "region_unknown"),
        ({"lat": 95}, "coordinates_invalid"),
        ({"contact_phone": "12345"}, "phone_invalid"),
        ({"name": ""}, "name_invalid"),
    ],
)
def test_bad_input_changes_nothing(net, kwargs, code):
    if kwargs.get("code") == "D00000":
        kwargs = {"code": net.dealer_b.code.lower()}
    before = snapshot()
    with pytest.raises(DomainError) as info:
        organization_update(actor=None, organization=net.store_a, **kwargs)
    assert info.value.code == code
    assert snapshot() == before


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("store_owner", "permission_denied"),
        ("salesperson", "permission_denied"),
        ("other_dealer_admin", "not_found"),
        ("other_store_owner", "not_found"),
        ("consumer", "not_found"),
    ],
)
def test_only_managers_edit(net, persona, code):
    before = snapshot()
    with pytest.raises(DomainError) as info:
        organization_update(actor=net.user(persona), organization=net.store_a, name="X")
    assert info.value.code == code
    assert snapshot() == before


def test_dealer_admin_edits_their_own_dealer_but_not_the_brand(net):
    admin = net.user("dealer_admin")
    organization_update(actor=admin, organization=net.dealer_a, address="杭州市西湖区")
    with pytest.raises(DomainError) as info:
        organization_update(actor=admin, organization=net.brand, address="x")
    assert info.value.code == "not_found"
