"""Well-known demo logins, one per role, in the seeded network.

Each login takes over the first seeded person with that role (so the demo store owner really
owns the first store, with its consumers and prices), or is created when the seed has nobody
in that role (the store clerk). Staff log in with phone + ``demo1234``; the consumer logs in
with an SMS code, which the fake SMS backend shows. Running it again changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from trispace.accounts.models import User
from trispace.accounts.phones import national
from trispace.config.seeding import names, reset
from trispace.config.seeding.network import UNUSABLE_PASSWORD
from trispace.config.seeding.seed import BRAND_CODE, STAFF_PASSWORD
from trispace.kernel import time as ktime
from trispace.network.models import Membership, Organization, OrgKind, Role, SalesRank


@dataclass(frozen=True)
class DemoLogin:
    role: str
    phone: str
    label: str


DEMO_LOGINS = (
    DemoLogin(Role.BRAND_ADMIN, "+8613800000001", "品牌管理员 brand admin"),
    DemoLogin(Role.BRAND_OPERATOR, "+8613800000002", "品牌运营 brand operator"),
    DemoLogin(Role.DEALER_ADMIN, "+8613800000003", "经销商管理员 dealer admin"),
    DemoLogin(Role.SALESPERSON, "+8613800000004", "业务员 salesperson"),
    DemoLogin(Role.STORE_OWNER, "+8613800000005", "店主/团长 store owner"),
    DemoLogin(Role.STORE_CLERK, "+8613800000006", "店员 store clerk"),
    DemoLogin(Role.CONSUMER, "+8613800000007", "消费者 consumer"),
)
DEMO_PHONES = frozenset(login.phone for login in DEMO_LOGINS)


@dataclass(frozen=True)
class DemoAccount:
    login: DemoLogin
    name: str
    organization: str
    password: str  # what to type, or how to log in

    @property
    def phone(self) -> str:
        return national(self.login.phone)


# Where each demo login works: the brand, the first dealer, or the first store.
HOME_KIND: dict[str, str] = {
    Role.BRAND_ADMIN: OrgKind.BRAND,
    Role.BRAND_OPERATOR: OrgKind.BRAND,
    Role.DEALER_ADMIN: OrgKind.DEALER,
    Role.SALESPERSON: OrgKind.DEALER,
}


def _home(role: str, brand: Organization) -> Organization:
    kind = HOME_KIND.get(role, OrgKind.STORE)
    if kind == OrgKind.BRAND:
        return brand
    return (
        Organization.objects.filter(kind=kind, path__startswith=brand.path).order_by("path").first()
        or brand
    )


def ensure_demo_logins(*, password: str = STAFF_PASSWORD) -> list[DemoAccount]:
    """Create (or find) the demo logins in the seeded network; [] when nothing is seeded."""
    brands = reset.seeded_brands(BRAND_CODE)
    if not brands:
        return []
    brand = brands[0]
    staff_hash: str | None = None
    accounts = []
    with transaction.atomic():
        for login in DEMO_LOGINS:
            is_consumer = login.role == Role.CONSUMER
            user = User.objects.filter(phone=login.phone).first()
            membership = (
                Membership.objects.filter(user=user, role=login.role)
                .select_related("organization")
                .first()
                if user is not None
                else None
            )
            if membership is None:
                home = _home(login.role, brand)
                if user is None:
                    candidates = Membership.objects.filter(
                        organization=home, role=login.role, is_active=True
                    ).exclude(user__phone__in=DEMO_PHONES)
                    if login.role == Role.SALESPERSON:
                        candidates = candidates.filter(sales_rank=SalesRank.SALESPERSON)
                    membership = (
                        candidates.select_related("user", "organization").order_by("pk").first()
                    )
                    if membership is not None:
                        user = membership.user  # take over a seeded person
                        user.phone = login.phone
                    else:
                        user = User(
                            phone=login.phone, name=names.person_name(random.Random(login.phone))
                        )
                        user.password = UNUSABLE_PASSWORD
                        user.save()
                if membership is None:
                    membership = Membership.objects.create(
                        user=user, organization=home, role=login.role, created_at=ktime.now()
                    )
            assert user is not None
            if is_consumer:
                user.password = UNUSABLE_PASSWORD
            elif not user.check_password(password):
                staff_hash = staff_hash or make_password(password)
                user.password = staff_hash
            user.save(update_fields=["phone", "password"])
            accounts.append(
                DemoAccount(
                    login=login,
                    name=user.name,
                    organization=membership.organization.name,
                    password="短信验证码 SMS code" if is_consumer else password,
                )
            )
    return accounts
