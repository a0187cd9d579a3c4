"""The back-office home: who may open it, and that each caller sees only their part's figures."""

import pytest
from django.urls import reverse

from trispace.network.models import Role
from trispace.network.scoping import scope_for
from trispace.network.selectors import network_summary
from trispace.network.tests.factories import (
    BrandFactory,
    DealerFactory,
    MembershipFactory,
    StoreFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def net():
    brand = BrandFactory()
    dealer_a, dealer_b = DealerFactory(parent=brand), DealerFactory(parent=brand)
    stores_a = [StoreFactory(parent=dealer_a) for _ in range(2)]
    store_b = StoreFactory(parent=dealer_b)
    for store, consumers in ((stores_a[0], 3), (stores_a[1], 2), (store_b, 4)):
        for _ in range(consumers):
            MembershipFactory(organization=store, role=Role.CONSUMER)
    return {
        "brand": MembershipFactory(organization=brand, role=Role.BRAND_ADMIN).user,
        "dealer": MembershipFactory(organization=dealer_a, role=Role.DEALER_ADMIN).user,
        "owner": MembershipFactory(organization=stores_a[0], role=Role.STORE_OWNER).user,
        "consumer": MembershipFactory(organization=stores_a[0], role=Role.CONSUMER).user,
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("consumer", 403), ("owner", 200), ("dealer", 200), ("brand", 200)],
)
def test_who_may_open_the_dashboard(client, net, who, status):
    if who != "anonymous":
        client.force_login(net[who])
    response = client.get(reverse("console:home"))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("console:login"))


@pytest.mark.parametrize(
    ("who", "dealers", "stores", "consumers"),
    [("brand", 2, 3, 10), ("dealer", 1, 2, 6), ("owner", 0, 1, 4)],
)
def test_figures_cover_only_the_callers_part_of_the_network(net, who, dealers, stores, consumers):
    summary = network_summary(scope=scope_for(net[who]))
    assert (summary.dealers, summary.stores, summary.consumers) == (dealers, stores, consumers)


def test_the_dashboard_shows_the_figures(client, net):
    client.force_login(net["dealer"])
    page = client.get(reverse("console:home")).content.decode()
    assert "<b>2</b>" in page  # two stores under this dealer
    assert "<b>6</b>" in page  # 3 + 2 consumers + the consumer fixture at store A0
