import datetime as dt

import pytest

from trispace.accounts.services import password_login
from trispace.kernel import time as ktime
from trispace.kernel.audit import trail
from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog
from trispace.network.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-1234"


def refused(phone: str, password: str, ip: str | None = "10.0.0.1") -> DomainError:
    with pytest.raises(DomainError) as info:
        password_login(request_ip=ip, phone=phone, password=password)
    return info.value


def test_the_right_password_logs_in_in_any_phone_format(frozen):
    user = UserFactory(phone="+8613812345678")
    assert password_login(request_ip="10.0.0.1", phone="138 1234 5678", password=PASSWORD) == user
    user.refresh_from_db()
    assert user.last_login == frozen
    assert [(a.action, a.actor_id, a.data) for a in trail(user)] == [
        ("login", user.pk, {"via": "password"})
    ]


@pytest.mark.parametrize("password", ["wrong-pass", "", "PASS-1234", "p" * 200])
def test_a_wrong_password_is_refused(password):
    user = UserFactory()
    error = refused(user.phone, password)
    assert error.code == "login_failed"
    assert error.status == 401
    user.refresh_from_db()
    assert user.last_login is None
    assert not AuditLog.objects.exists()


def test_an_unknown_phone_looks_like_a_wrong_password():
    assert refused("13999999999", PASSWORD).code == "login_failed"


def test_an_invalid_phone_says_so():
    assert refused("not-a-phone", PASSWORD).code == "phone_invalid"


def test_an_account_without_password_cannot_log_in_with_one():
    user = UserFactory(password=None)
    user.set_unusable_password()
    user.save()
    assert refused(user.phone, "").code == "login_failed"
    assert refused(user.phone, PASSWORD).code == "login_failed"


def test_a_disabled_account_is_told_only_with_the_right_password():
    user = UserFactory(is_active=False)
    assert refused(user.phone, "wrong-pass").code == "login_failed"
    assert refused(user.phone, PASSWORD).code == "account_disabled"


def test_the_sixth_attempt_is_refused_even_with_the_right_password(frozen):
    user = UserFactory()
    for _ in range(5):
        assert refused(user.phone, "wrong-pass").code == "login_failed"
    error = refused(user.phone, PASSWORD)
    assert error.code == "login_rate_limited"
    assert error.status == 429
    assert "15" in error.message  # minutes left in the window
    user.refresh_from_db()
    assert user.last_login is None
    assert not AuditLog.objects.exists()


def test_the_limit_is_per_phone_and_ends_with_its_window(frozen):
    user, other = UserFactory(), UserFactory()
    for _ in range(5):
        refused(user.phone, "wrong-pass", ip=None)
    assert password_login(request_ip=None, phone=other.phone, password=PASSWORD) == other
    with ktime.travel(dt.timedelta(minutes=10)):
        assert refused(user.phone, PASSWORD, ip=None).code == "login_rate_limited"
    with ktime.travel(dt.timedelta(minutes=15)):
        assert password_login(request_ip=None, phone=user.phone, password=PASSWORD) == user


def test_a_success_clears_the_phone_counter(frozen):
    user = UserFactory()
    for _ in range(4):
        refused(user.phone, "wrong-pass")
    password_login(request_ip="10.0.0.1", phone=user.phone, password=PASSWORD)
    for _ in range(5):
        refused(user.phone, "wrong-pass")
    assert refused(user.phone, PASSWORD).code == "login_rate_limited"


def test_one_address_guessing_many_phones_is_stopped(frozen, settings):
    settings.LOGIN_RATE_LIMIT = {"attempts": 5, "window_s": 900, "ip_attempts": 8}
    users = [UserFactory() for _ in range(9)]
    for user in users[:8]:
        assert refused(user.phone, "wrong-pass", ip="10.9.9.9").code == "login_failed"
    assert refused(users[8].phone, PASSWORD, ip="10.9.9.9").code == "login_rate_limited"
    assert password_login(request_ip="10.9.9.8", phone=users[8].phone, password=PASSWORD)
