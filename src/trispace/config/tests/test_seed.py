"""``trispace seed``: a tiny network, checked table by table."""

from __future__ import annotations

import io
import json
import random
import re
from collections import Counter
from typing import Any

import phonenumbers
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from trispace.accounts.models import User
from trispace.catalog.models import Channel, Price, PriceList, Product, ProductImage, Variant
from trispace.config.seeding import names
from trispace.config.seeding.catalog import ean13, ean13_is_valid, pick_templates
from trispace.config.seeding.seed import BRAND_CODE, STAFF_PASSWORD, SeedOptions, seed
from trispace.network.models import Membership, Organization, OrgKind, Role, SalesRank

pytestmark = pytest.mark.django_db

SIZE = {"dealers": 2, "stores_per_dealer": 3, "members_per_store": 5, "products": 8}
PHONE_IN_TEXT = re.compile(r"1[3-9]\d{9}")


def run_seed(*args: str, **options: Any) -> dict[str, Any]:
    out = io.StringIO()
    call_command("seed", *args, stdout=out, **{**SIZE, **options})
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1  # one JSON object, nothing else
    return dict(json.loads(lines[0]))


def test_seed_builds_the_network_it_reports() -> None:
    figures = run_seed()
    assert figures["dealers"] == 2
    assert figures["stores"] == 6
    assert figures["consumers"] == 30
    assert figures["products"] == 8
    assert figures["seconds"] >= 0
    assert figures["peak_rss_mb"] > 0
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds == {OrgKind.BRAND: 1, OrgKind.DEALER: 2, OrgKind.STORE: 6}
    assert Membership.objects.filter(role=Role.CONSUMER).count() == 30
    assert User.objects.count() == figures["users"] == figures["memberships"]
    assert Product.objects.count() == 8
    assert Variant.objects.count() == figures["variants"]
    assert not PHONE_IN_TEXT.search(json.dumps(figures))  # nothing printed shows a phone


def test_paths_depths_and_places_are_right() -> None:
    run_seed()
    by_id = {org.pk: org for org in Organization.objects.all()}
    brand = next(org for org in by_id.values() if org.kind == OrgKind.BRAND)
    assert brand.code == BRAND_CODE
    assert brand.path == f"{brand.pk:07d}."
    for org in by_id.values():
        if org.parent_id is None:
            continue
        parent = by_id[org.parent_id]
        assert org.path == f"{parent.path}{org.pk:07d}."
        assert org.depth == parent.depth + 1
        assert org.region_id
    stores = [org for org in by_id.values() if org.kind == OrgKind.STORE]
    assert all(store.parent.kind == OrgKind.DEALER for store in stores)
    for store in stores:
        assert store.region.parent_id == store.parent.region_id  # a district of its city
        assert abs(store.lng - store.region.lng) < 0.05
        assert abs(store.lat - store.region.lat) < 0.05
        assert store.pickup_hours
        assert all(len(slot) == 3 for slot in store.pickup_hours)
        assert re.fullmatch(r".+\(.+店\)", store.name)
    # Subtree queries work on the paths.
    dealer = next(org for org in by_id.values() if org.kind == OrgKind.DEALER)
    assert Organization.objects.filter(path__startswith=dealer.path).count() == 4


def test_people_roles_and_the_sales_chain() -> None:
    run_seed()
    stores = Organization.objects.filter(kind=OrgKind.STORE)
    for store in stores:
        assert store.memberships.filter(role=Role.STORE_OWNER).count() == 1
        assert store.memberships.filter(role=Role.CONSUMER).count() == 5
        owner = store.memberships.get(role=Role.STORE_OWNER).user
        assert store.contact_name == owner.name
    for dealer in Organization.objects.filter(kind=OrgKind.DEALER):
        assert dealer.memberships.filter(role=Role.DEALER_ADMIN).count() == 1
        sales = dealer.memberships.filter(role=Role.SALESPERSON)
        manager = sales.get(sales_rank=SalesRank.MANAGER)
        supervisor = sales.get(sales_rank=SalesRank.SUPERVISOR)
        sellers = list(sales.filter(sales_rank=SalesRank.SALESPERSON))
        assert manager.manager_id is None
        assert supervisor.manager_id == manager.pk
        assert 2 <= len(sellers) <= 3
        assert all(seller.manager_id == supervisor.pk for seller in sellers)
    brand_roles = set(
        Membership.objects.filter(organization__kind=OrgKind.BRAND).values_list("role", flat=True)
    )
    assert brand_roles == {Role.BRAND_ADMIN, Role.BRAND_OPERATOR}


def test_phones_are_valid_unique_and_masked() -> None:
    run_seed()
    phones = list(User.objects.values_list("phone", flat=True))
    assert len(set(phones)) == len(phones)
    for phone in phones:
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone))
    for user in User.objects.all():
        assert re.fullmatch(r"1\d\d\*\*\*\*\d{4}", user.masked_phone)
        assert user.name
        assert not PHONE_IN_TEXT.search(str(user))


def test_consumers_have_no_password_and_staff_have_one() -> None:
    run_seed()
    consumer = User.objects.filter(memberships__role=Role.CONSUMER).first()
    assert consumer is not None
    assert not consumer.has_usable_password()
    owner = User.objects.filter(memberships__role=Role.STORE_OWNER).first()
    assert owner is not None
    assert owner.check_password(STAFF_PASSWORD)
    hashes = set(
        User.objects.exclude(memberships__role=Role.CONSUMER).values_list("password", flat=True)
    )
    assert len(hashes) == 1  # hashed once, reused


def test_catalog_price_lists_and_images() -> None:
    run_seed()
    variants = list(Variant.objects.select_related("product"))
    assert all(1 <= p.variants.count() <= 3 for p in Product.objects.all())
    assert len({v.sku for v in variants}) == len(variants)
    assert all(ean13_is_valid(v.barcode) for v in variants)
    assert Product.objects.exclude(category=None).count() == 8
    brand = Organization.objects.get(kind=OrgKind.BRAND)
    brand_lists = {pl.channel: pl for pl in PriceList.objects.filter(organization=brand)}
    assert set(brand_lists) == {Channel.RETAIL, Channel.MEMBER, Channel.WHOLESALE, Channel.DEALER}
    for price_list in brand_lists.values():
        assert price_list.prices.count() == len(variants)
    for variant in variants:
        prices = {
            p.price_list.channel: p.price_fen
            for p in Price.objects.filter(variant=variant, price_list__organization=brand)
        }
        assert (
            prices[Channel.DEALER]
            < prices[Channel.WHOLESALE]
            < prices[Channel.MEMBER]
            <= prices[Channel.RETAIL]
        )
        assert all(fen % 10 == 0 and fen > 0 for fen in prices.values())
    overrides = PriceList.objects.exclude(organization=brand)
    assert overrides.filter(organization__kind=OrgKind.DEALER, channel=Channel.RETAIL).exists()
    assert overrides.filter(organization__kind=OrgKind.STORE, channel=Channel.RETAIL).exists()
    assert all(0 < pl.prices.count() < len(variants) for pl in overrides)
    images = list(ProductImage.objects.all())
    assert len(images) == 8
    assert all(default_storage.exists(image.image.name) for image in images)
    with default_storage.open(images[0].image.name, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_a_non_empty_network_is_refused_and_reset_replaces_it() -> None:
    first = run_seed()
    outsider = User.objects.create_user("+8613700000099")  # not in the seeded tree
    old_images = list(ProductImage.objects.values_list("image", flat=True))
    with pytest.raises(CommandError, match="not empty"):
        run_seed()
    second = run_seed("--reset", members_per_store=4)
    assert second["brand_id"] != first["brand_id"]
    assert Organization.objects.filter(kind=OrgKind.BRAND).count() == 1
    assert Organization.objects.count() == 9
    assert Membership.objects.filter(role=Role.CONSUMER).count() == 24
    assert User.objects.count() == second["users"] + 1
    assert User.objects.filter(pk=outsider.pk).exists()
    assert Product.objects.count() == 8
    assert PriceList.objects.filter(organization_id=first["brand_id"]).count() == 0
    assert len(old_images) == 8


def test_reset_deletes_the_old_pictures_after_commit(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    run_seed()
    old_images = list(ProductImage.objects.values_list("image", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        run_seed("--reset")
    assert not any(default_storage.exists(name) for name in old_images)
    assert all(
        default_storage.exists(name)
        for name in ProductImage.objects.values_list("image", flat=True)
    )


def test_an_organization_the_seed_did_not_make_blocks_it_even_with_reset() -> None:
    Organization.objects.create(kind=OrgKind.BRAND, name="别的品牌", code="OTHER", path="x")
    with pytest.raises(CommandError, match="not empty"):
        run_seed("--reset")


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(CommandError):
        run_seed(dealers=0)
    with pytest.raises(CommandError):
        run_seed(members_per_store=-1)


def test_the_same_random_seed_gives_the_same_network() -> None:
    def snapshot() -> list[tuple[str, str]]:
        return list(Organization.objects.order_by("code").values_list("name", "address")) + list(
            User.objects.order_by("phone").values_list("phone", "name")
        )

    seed(SeedOptions(dealers=1, stores_per_dealer=2, members_per_store=2, products=2))
    first = snapshot()
    seed(SeedOptions(dealers=1, stores_per_dealer=2, members_per_store=2, products=2, reset=True))
    assert snapshot() == first


def test_zero_stores_or_members_are_fine() -> None:
    figures = run_seed(stores_per_dealer=0, members_per_store=0, products=1)
    assert figures["stores"] == 0
    assert figures["consumers"] == 0
    assert figures["products"] == 1


@pytest.mark.postgres
def test_seed_on_postgresql_uses_copy_and_sequences() -> None:
    figures = run_seed(dealers=3, stores_per_dealer=4, members_per_store=25)
    assert figures["database"] == "postgresql"
    assert figures["consumers"] == 300
    assert User.objects.count() == figures["users"]
    # The sequences moved past the reserved ids: an ordinary insert still works.
    user = User.objects.create_user("+8613700000098")
    assert user.pk > max(User.objects.exclude(pk=user.pk).values_list("pk", flat=True))
    store = Organization.objects.filter(kind=OrgKind.STORE).first()
    assert store is not None
    membership = Membership.objects.create(user=user, organization=store, role=Role.CONSUMER)
    assert membership.pk
    for org in Organization.objects.exclude(parent=None).select_related("parent"):
        assert org.path == f"{org.parent.path}{org.pk:07d}."


# --- the generators ----------------------------------------------------------------------------


def test_phone_books_are_unique_valid_and_disjoint() -> None:
    pools = {
        "consumer": names.PhoneBook(names.CONSUMER_PREFIXES, offset=123),
        "staff": names.PhoneBook(names.STAFF_PREFIXES, offset=123),
        "sample": names.PhoneBook(names.SAMPLE_PREFIXES, offset=123),
    }
    seen: set[str] = set()
    for book in pools.values():
        numbers = book.take(20_000)
        assert len(set(numbers)) == 20_000
        assert not seen & set(numbers)
        seen |= set(numbers)
        for number in numbers[::997]:
            assert phonenumbers.is_valid_number(phonenumbers.parse(number))
    assert all(not n.startswith("+86138") for n in seen)  # kept for demo logins and factories
    with pytest.raises(ValueError):
        pools["staff"].number(10**8)


def test_names_look_chinese() -> None:
    rng = random.Random(1)
    for _ in range(200):
        name = names.person_name(rng)
        assert 2 <= len(name) <= 3
        assert all("\u4e00" <= ch <= "\u9fff" for ch in name)
    assert names.dealer_name(rng, "杭州市").startswith("杭州")
    assert names.store_name(rng, "文三路").endswith("(文三路店)")


def test_ean13_check_digit() -> None:
    assert ean13("400638133393") == "4006381333931"
    assert ean13("690123456789") == "6901234567892"
    assert ean13_is_valid("4006381333931")
    assert not ean13_is_valid("4006381333932")
    with pytest.raises(ValueError):
        ean13("12345")


def test_templates_cover_every_category_and_stay_unique() -> None:
    picked = pick_templates(200)
    assert len({(t.name, suffix) for _, t, suffix in picked}) == 200
    assert len({category for category, _, _ in pick_templates(6)}) == 6


def test_pictures_are_drawn_with_or_without_a_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    from trispace.config.seeding import images

    with_font = images.product_png("纯牛奶", number=1, hue=0, caption="禾邻优选")
    monkeypatch.setattr(images, "_font", lambda size: None)
    plain = images.product_png("纯牛奶", number=1, hue=0, caption="禾邻优选")
    for png in (with_font, plain):
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
