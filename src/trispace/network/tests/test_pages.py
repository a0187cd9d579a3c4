import pytest
from django.urls import reverse

from trispace.network.models import Membership, Organization
from trispace.network.tests.conftest import snapshot

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"console:{name}", args=args)


def test_org_list_shows_tree_and_filters_with_htmx(net, client_for):
    client = client_for("dealer_admin")
    page = client.get(url("org_list")).content.decode()
    assert "杭州经销商" in page
    assert "西湖分销" in page
    assert "宁波经销商" not in page
    assert "天一广场店" not in page
    partial = client.get(url("org_list") + "?q=北山", HTTP_HX_REQUEST="true").content.decode()
    assert "北山街店" in partial
    assert "文三路店" not in partial
    assert "<html" not in partial
    stores = client.get(url("org_list") + f"?within={net.sub_a.pk}&kind=store").content.decode()
    assert "北山街店" in stores
    assert "文三路店" not in stores


def test_create_a_store_through_the_form(net, client_for, zhejiang):
    client = client_for("dealer_admin")
    form = client.get(url("org_create") + f"?parent={net.dealer_a.pk}")
    assert form.status_code == 200
    response = client.post(
        url("org_create") + f"?parent={net.sub_a.pk}",
        {
            "kind": "store",
            "name": "灵隐店",
            "region_code": "330106",
            "lng": "120.10",
            "lat": "30.24",
            "contact_phone": "13912345678",
        },
    )
    store = Organization.objects.get(name="灵隐店")
    assert response.status_code == 302
    assert response["Location"] == url("org_detail", store.pk)
    assert store.parent_id == net.sub_a.pk
    assert store.region_id == "330106"
    detail = client.get(response["Location"]).content.decode()
    assert "浙江省 / 杭州市 / 西湖区" in detail


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"region_code": "999999"}, "city or district"),
        ({"lng": "-120", "lat": "30"}, "GCJ-02"),
        ({"lng": "abc", "lat": "30"}, "has-error"),
        ({"contact_phone": "12"}, "phone"),
    ],
)
def test_form_errors_show_and_change_nothing(net, client_for, zhejiang, data, message):
    client = client_for("dealer_admin")
    before = snapshot()
    response = client.post(
        url("org_create") + f"?parent={net.dealer_a.pk}", {"kind": "store", "name": "新店", **data}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_nothing_under_a_store(net, client_for):
    response = client_for("brand_admin").get(url("org_create") + f"?parent={net.store_a.pk}")
    assert response.status_code == 403


def test_edit(net, client_for):
    client = client_for("dealer_admin")
    response = client.post(
        url("org_edit", net.store_a.pk),
        {"name": "文三路新店", "code": net.store_a.code, "address": "文三路 100 号"},
    )
    assert response.status_code == 302
    store = Organization.objects.get(pk=net.store_a.pk)
    assert (store.name, store.address) == ("文三路新店", "文三路 100 号")


def test_move_offers_no_cycle_and_refuses_one(net, client_for):
    client = client_for("brand_admin")
    form = client.get(url("org_move", net.dealer_a.pk)).content.decode()
    assert f'value="{net.sub_a.pk}"' not in form
    assert f'value="{net.dealer_b.pk}"' in form
    before = snapshot()
    response = client.post(url("org_move", net.dealer_a.pk), {"parent": net.sub_a.pk})
    assert response.status_code == 200
    assert snapshot() == before
    response = client.post(url("org_move", net.sub_a.pk), {"parent": net.dealer_b.pk})
    assert response.status_code == 302
    assert Organization.objects.get(pk=net.store_a2.pk).path.startswith(net.dealer_b.path)


def test_store_mine_hours_and_status(net, client_for):
    client = client_for("store_owner")
    page = client.get(url("store_mine")).content.decode()
    assert "文三路店" in page
    assert url("store_status", net.store_a.pk) in page
    response = client.post(
        url("store_hours", net.store_a.pk) + "?next=" + url("store_mine"),
        {"open_0": "08:00", "close_0": "12:00", "open_6": "10:00", "close_6": "16:00"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("store_mine")
    assert Organization.objects.get(pk=net.store_a.pk).pickup_hours == [
        [0, "08:00", "12:00"],
        [6, "10:00", "16:00"],
    ]
    before = snapshot()
    response = client.post(
        url("store_hours", net.store_a.pk), {"open_1": "18:00", "close_1": "09:00"}
    )
    assert response.status_code == 200
    assert "form-errors" in response.content.decode()
    assert snapshot() == before

    response = client.post(
        url("store_status", net.store_a.pk), {"status": "paused", "next": url("store_mine")}
    )
    assert response.status_code == 302
    assert response["Location"] == url("store_mine")
    assert Organization.objects.get(pk=net.store_a.pk).status == "paused"
    response = client.post(
        url("store_status", net.store_a.pk), {"status": "active", "next": "https://evil.example/"}
    )
    assert response["Location"] == url("org_detail", net.store_a.pk)


def test_store_mine_for_a_clerk_is_read_only(net, client_for):
    page = client_for("store_clerk").get(url("store_mine")).content.decode()
    assert "文三路店" in page
    assert url("store_status", net.store_a.pk) not in page


def test_people_grant_and_revoke(net, client_for):
    client = client_for("dealer_admin")
    listing = client.get(url("people_list")).content.decode()
    assert "store_owner (" in listing
    assert "****" in listing
    assert "consumer (" not in listing
    consumers = client.get(url("people_list") + "?role=consumer", HTTP_HX_REQUEST="true")
    assert "consumer (" in consumers.content.decode()

    response = client.post(
        url("people_grant"),
        {
            "phone": "13600001234",
            "name": "小王",
            "organization": net.store_a.pk,
            "role": "store_clerk",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__name="小王")
    assert membership.role == "store_clerk"
    assert membership.organization_id == net.store_a.pk

    response = client.post(url("people_revoke", membership.pk), {"next": url("people_list")})
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).is_active is False


def test_grant_form_refusal_shows_on_the_form(net, client_for):
    client = client_for("dealer_admin")
    before = snapshot()
    response = client.post(
        url("people_grant"),
        {"phone": "13600001234", "organization": net.dealer_a.pk, "role": "store_owner"},
    )
    assert response.status_code == 200
    assert "does not fit" in response.content.decode()
    response = client.post(
        url("people_grant"),
        {"phone": "12", "organization": net.store_a.pk, "role": "store_owner"},
    )
    assert response.status_code == 200
    assert "valid" in response.content.decode()
    assert snapshot() == before


def test_region_options(net, client_for, zhejiang):
    client = client_for("brand_admin")
    cities = client.get(url("region_options") + "?region_province=330000").content.decode()
    assert 'value="330100"' in cities
    assert "杭州市" in cities
    districts = client.get(url("region_options") + "?region_city=330100").content.decode()
    assert 'value="330100"' in districts
    assert 'value="330106"' in districts
