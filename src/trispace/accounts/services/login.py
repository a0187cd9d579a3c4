"""Logging in with phone and password (staff, and anyone who has set a password)."""

from __future__ import annotations

from django.db import transaction

from trispace.accounts import errors, phones, ratelimit
from trispace.accounts.models import User
from trispace.kernel import audit
from trispace.kernel import time as ktime

PASSWORD_MAX = 128


def _dummy_check(password: str) -> None:
    """Hash like a real check, so an unknown phone takes as long as a wrong password."""
    User().set_password(password)


def password_login(*, request_ip: str | None, phone: str, password: str) -> User:
    """Verify phone + password (登录); LOGIN_FAILED, or LOGIN_RATE_LIMITED over the limit.

    Every attempt counts towards the phone's and the IP's limit before it is checked, so past
    the limit even the right password is refused; a success clears the phone's counter.
    """
    e164 = phones.normalize(phone)  # PHONE_INVALID says nothing about who is registered
    ratelimit.login_attempt(phone=e164, ip=request_ip)
    if not password or len(password) > PASSWORD_MAX:
        raise errors.LOGIN_FAILED()
    user = User.objects.filter(phone=e164).first()
    if user is None:
        _dummy_check(password)
        raise errors.LOGIN_FAILED()
    if not user.check_password(password):
        raise errors.LOGIN_FAILED()
    if not user.is_active:
        raise errors.ACCOUNT_DISABLED()
    ratelimit.login_succeeded(phone=e164, ip=request_ip)
    record_login(user=user, via="password")
    return user


def record_login(*, user: User, via: str) -> None:
    """Stamp ``last_login`` and write the audit row of a successful login."""
    now = ktime.now()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(last_login=now)
        audit.record(actor=user, action="login", target=user, data={"via": via})
    user.last_login = now
