import pytest

from trispace.network.tests.factories import StoreFactory


@pytest.mark.django_db
def test_store_factory_builds_a_path_under_dealer_and_brand():
    store = StoreFactory()
    dealer = store.parent
    brand = dealer.parent
    assert store.path == f"{brand.pk:07d}.{dealer.pk:07d}.{store.pk:07d}."
    assert store.depth == 2
