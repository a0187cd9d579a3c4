"""``trispace demo --no-serve``: regions, a demo network, well-known logins; twice is fine."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from trispace.accounts.models import User
from trispace.config.seeding.demo import DEMO_LOGINS, ensure_demo_logins
from trispace.network.models import Membership, Organization, OrgKind, Region, Role

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    return out.getvalue()


def test_demo_twice_creates_everything_once() -> None:
    first = run_demo()
    counts = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
    second = run_demo()
    assert (
        User.objects.count(),
        Organization.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert "already seeded" in second
    assert Region.objects.filter(code="330106").exists()  # all regions loaded
    assert Organization.objects.filter(kind=OrgKind.STORE).count() == 12
    assert Membership.objects.filter(role=Role.CONSUMER).count() >= 240
    for text in (first, second):
        assert "http://127.0.0.1:8000/console/" in text
        assert "http://127.0.0.1:8000/api/docs" in text
        for login in DEMO_LOGINS:
            assert login.phone.removeprefix("+86") in text
        assert "demo1234" in text


def test_each_demo_login_has_its_role_and_staff_log_in_with_the_password() -> None:
    run_demo()
    for login in DEMO_LOGINS:
        user = User.objects.get(phone=login.phone)
        assert Membership.objects.filter(user=user, role=login.role, is_active=True).exists()
        logged_in = authenticate(None, phone=login.phone.removeprefix("+86"), password="demo1234")
        if login.role == Role.CONSUMER:
            assert logged_in is None  # SMS code only
            assert not user.has_usable_password()
        else:
            assert logged_in == user
    owner = User.objects.get(phone="+8613800000005")
    store = Membership.objects.get(user=owner, role=Role.STORE_OWNER).organization
    assert store.memberships.filter(role=Role.STORE_OWNER).count() == 1  # took over, not added
    assert store.memberships.filter(role=Role.STORE_CLERK, user__phone="+8613800000006").exists()
    consumer = User.objects.get(phone="+8613800000007")
    assert Membership.objects.get(user=consumer, role=Role.CONSUMER).organization == store


def test_the_printed_table_shows_only_the_demo_phones() -> None:
    text = run_demo()
    demo_phones = {login.phone.removeprefix("+86") for login in DEMO_LOGINS}
    printed = set(re.findall(r"1[3-9]\d{9}", text))
    assert printed == demo_phones


def test_logins_need_a_seeded_network() -> None:
    assert ensure_demo_logins() == []
