"""The seeded network: the brand, dealers in real cities, stores in their districts, and people.

People per level: the brand has an admin and an operator; each dealer an admin and a sales team
(manager → supervisor → 2–3 salespeople, linked through ``Membership.manager``); each store an
owner (the leader); and every store ``members_per_store`` consumers whose membership names it
as their pickup point.

Organizations (a few thousand at most) go through ``bulk_create`` with ids reserved first, so
each ``path`` is right on insert; users and memberships (hundreds of thousands) are streamed
through ``bulk.Table`` (COPY on PostgreSQL) a chunk of stores at a time, which keeps memory flat.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

from trispace.accounts.models import User
from trispace.config.seeding import names
from trispace.config.seeding.bulk import IdAllocator, Table
from trispace.config.seeding.regions import City, cities_for, jitter, load_cities
from trispace.network.models import Membership, Organization, OrgKind, Role, SalesRank

# Consumers log in with an SMS code; one constant unusable hash ("!" prefix, as Django's
# set_unusable_password writes) instead of 200,000 random ones.
UNUSABLE_PASSWORD = UNUSABLE_PASSWORD_PREFIX + "seeded-sms-login-only"
USER_FIELDS = ("id", "phone", "name", "password", "is_active", "is_staff", "date_joined")
MEMBERSHIP_FIELDS = (
    "id",
    "user_id",
    "organization_id",
    "role",
    "sales_rank",
    "manager_id",
    "is_active",
    "created_at",
)
CONSUMER_MEMBERSHIP_FIELDS = MEMBERSHIP_FIELDS[1:]  # the database numbers them
STORES_PER_CHUNK = 50


def segment(pk: int) -> str:
    return f"{pk:07d}."


@dataclass
class NetworkResult:
    brand_id: int = 0
    brand_path: str = ""
    dealer_ids: list[int] = field(default_factory=list)
    store_ids: list[int] = field(default_factory=list)
    staff: int = 0
    consumers: int = 0
    memberships: int = 0


@dataclass
class _Person:
    id: int
    phone: str
    name: str


class NetworkBuilder:
    def __init__(
        self,
        *,
        brand_name: str,
        code: str,
        rng: random.Random,
        now: dt.datetime,
        staff_password_hash: str,
        progress: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.brand_name = brand_name
        self.code = code
        self.rng = rng
        self.now = now
        self.staff_password_hash = staff_password_hash
        self.progress = progress
        self.ids = IdAllocator()
        self.staff_phones = names.PhoneBook(names.STAFF_PREFIXES, offset=rng.randrange(10**8))
        self.consumer_phones = names.PhoneBook(names.CONSUMER_PREFIXES, offset=rng.randrange(10**8))
        self.users = Table(User, USER_FIELDS)
        self.memberships = Table(Membership, MEMBERSHIP_FIELDS)
        self.consumer_memberships = Table(Membership, CONSUMER_MEMBERSHIP_FIELDS)
        self.result = NetworkResult()

    # --- people -----------------------------------------------------------------------------

    def _staff(self, count: int) -> list[_Person]:
        ids = self.ids.take(User, count)
        people = [_Person(pk, self.staff_phones.next(), names.person_name(self.rng)) for pk in ids]
        self.users.insert(
            (p.id, p.phone, p.name, self.staff_password_hash, True, False, self.now) for p in people
        )
        self.result.staff += count
        return people

    def _memberships(self, rows: list[tuple[Any, ...]]) -> None:
        """Rows without ids: (user_id, organization_id, role, sales_rank, manager_index)."""
        ids = self.ids.take(Membership, len(rows))
        full = []
        for pk, (user_id, org_id, role, rank, manager_index) in zip(ids, rows, strict=True):
            manager_id = ids[manager_index] if manager_index is not None else None
            full.append((pk, user_id, org_id, role, rank, manager_id, True, self.now))
        self.memberships.insert(full)
        self.result.memberships += len(full)

    # --- the tree ---------------------------------------------------------------------------

    def build(
        self, *, dealers: int, stores_per_dealer: int, members_per_store: int
    ) -> NetworkResult:
        rng = self.rng
        city_codes = cities_for(dealers)
        cities = load_cities(city_codes)
        home = cities[city_codes[0]] if city_codes else None

        # Who runs what, first: organizations show their contact person.
        brand_staff = self._staff(2)
        dealer_staff = [self._staff(5 + (n % 2)) for n in range(dealers)]
        owners = self._staff(dealers * stores_per_dealer)

        brand_id = self.ids.take(Organization, 1)[0]
        dealer_ids = self.ids.take(Organization, dealers)
        store_ids = self.ids.take(Organization, dealers * stores_per_dealer)
        brand_path = segment(brand_id)
        orgs: list[Organization] = []
        lng, lat = (home.place.lng, home.place.lat) if home else (None, None)
        orgs.append(
            Organization(
                pk=brand_id,
                kind=OrgKind.BRAND,
                name=self.brand_name,
                code=self.code,
                parent=None,
                path=brand_path,
                depth=0,
                region_id=home.place.code if home else None,
                address=f"{home.place.name}{names.road(rng)}88号" if home else "",
                lng=lng,
                lat=lat,
                contact_name=brand_staff[0].name,
                contact_phone=brand_staff[0].phone,
                created_at=self.now,
                updated_at=self.now,
            )
        )
        for n, (dealer_id, code) in enumerate(zip(dealer_ids, city_codes, strict=True)):
            city = cities[code]
            dealer_lng, dealer_lat = jitter(rng, city.place, 0.05)
            orgs.append(
                Organization(
                    pk=dealer_id,
                    kind=OrgKind.DEALER,
                    name=names.dealer_name(rng, city.place.name),
                    code=f"{self.code}-D{n + 1:04d}",
                    parent_id=brand_id,
                    path=brand_path + segment(dealer_id),
                    depth=1,
                    region_id=city.place.code,
                    address=f"{city.place.name}{names.road(rng)}{rng.randint(1, 399)}号",
                    lng=dealer_lng,
                    lat=dealer_lat,
                    contact_name=dealer_staff[n][0].name,
                    contact_phone=dealer_staff[n][0].phone,
                    created_at=self.now,
                    updated_at=self.now,
                )
            )
        for i, store_id in enumerate(store_ids):
            n = i // stores_per_dealer
            city = cities[city_codes[n]]
            orgs.append(self._store(store_id, i, n, dealer_ids[n], brand_path, city, owners[i]))
        Organization.objects.bulk_create(orgs, batch_size=500)
        self.progress(f"organizations: 1 brand, {dealers} dealers, {len(store_ids)} stores")

        # Staff memberships, the sales chain linked by index into the same batch.
        rows: list[tuple[Any, ...]] = [
            (brand_staff[0].id, brand_id, Role.BRAND_ADMIN, "", None),
            (brand_staff[1].id, brand_id, Role.BRAND_OPERATOR, "", None),
        ]
        for n, dealer_id in enumerate(dealer_ids):
            admin, manager, supervisor, *sellers = dealer_staff[n]
            base = len(rows)
            rows.append((admin.id, dealer_id, Role.DEALER_ADMIN, "", None))
            rows.append((manager.id, dealer_id, Role.SALESPERSON, SalesRank.MANAGER, None))
            rows.append(
                (supervisor.id, dealer_id, Role.SALESPERSON, SalesRank.SUPERVISOR, base + 1)
            )
            rows.extend(
                (seller.id, dealer_id, Role.SALESPERSON, SalesRank.SALESPERSON, base + 2)
                for seller in sellers
            )
        rows.extend(
            (owner.id, store_id, Role.STORE_OWNER, "", None)
            for owner, store_id in zip(owners, store_ids, strict=True)
        )
        self._memberships(rows)
        self.progress(f"staff: {self.result.staff} people")

        for start in range(0, len(store_ids), STORES_PER_CHUNK):
            self._consumers(store_ids[start : start + STORES_PER_CHUNK], members_per_store)
            self.progress(f"consumers: {self.result.consumers}")

        self.result.brand_id = brand_id
        self.result.brand_path = brand_path
        self.result.dealer_ids = dealer_ids
        self.result.store_ids = store_ids
        return self.result

    def _store(
        self,
        store_id: int,
        index: int,
        dealer_index: int,
        dealer_id: int,
        brand_path: str,
        city: City,
        owner: _Person,
    ) -> Organization:
        rng = self.rng
        district = city.district(index)
        road = names.road(rng)
        lng, lat = jitter(rng, district, 0.03)
        opens = rng.choice(("07:00", "07:30", "08:00", "08:30"))
        closes = rng.choice(("20:00", "21:00", "21:30", "22:00"))
        hours = [[day, opens, closes] for day in range(6)]
        if rng.random() < 0.8:  # most stores also open on Sunday, a little shorter
            hours.append([6, "09:00", "20:00"])
        return Organization(
            pk=store_id,
            kind=OrgKind.STORE,
            name=names.store_name(rng, road),
            code=f"{self.code}-S{index + 1:06d}",
            parent_id=dealer_id,
            path=f"{brand_path}{segment(dealer_id)}{segment(store_id)}",
            depth=2,
            region_id=district.code,
            address=f"{city.place.name}{district.name}{road}{rng.randint(1, 999)}号",
            lng=lng,
            lat=lat,
            contact_name=owner.name,
            contact_phone=owner.phone,
            pickup_hours=hours,
            created_at=self.now,
            updated_at=self.now,
        )

    def _consumers(self, store_ids: list[int], per_store: int) -> None:
        count = len(store_ids) * per_store
        if not count:
            return
        ids = self.ids.take(User, count)
        rng = self.rng
        phones = self.consumer_phones
        now = self.now
        joined_range = 365 * 24 * 3600

        def users() -> Iterator[tuple[Any, ...]]:
            for pk in ids:
                joined = now - dt.timedelta(seconds=rng.randrange(joined_range))
                yield (
                    pk,
                    phones.next(),
                    names.person_name(rng),
                    UNUSABLE_PASSWORD,
                    True,
                    False,
                    joined,
                )

        self.users.insert(users())

        def memberships() -> Iterator[tuple[Any, ...]]:
            for offset, pk in enumerate(ids):
                store_id = store_ids[offset // per_store]
                yield (pk, store_id, Role.CONSUMER, "", None, True, now)

        self.consumer_memberships.insert(memberships())
        self.result.consumers += count
        self.result.memberships += count
