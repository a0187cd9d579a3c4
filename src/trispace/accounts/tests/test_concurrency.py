"""Races on PostgreSQL: a code is used once, and parallel guesses stop at the limit."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from trispace.accounts.models import User
from trispace.accounts.services import password_login, sms_code_send, sms_login
from trispace.accounts.sms import FakeSms
from trispace.kernel.errors import DomainError
from trispace.network.tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PHONE = "+8613812345678"


def run_parallel(fn, count: int) -> list[object]:
    def call(_: int) -> object:
        try:
            return fn()
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def test_a_code_used_by_eight_requests_at_once_logs_in_once(settings):
    settings.LOGIN_RATE_LIMIT = {"attempts": 50, "window_s": 900}
    sms_code_send(actor=None, phone=PHONE)
    code = FakeSms.last_code_for(PHONE)
    results = run_parallel(lambda: sms_login(actor=None, phone=PHONE, code=code), 8)
    users = [r for r in results if isinstance(r, User)]
    assert len(users) == 1
    assert set(results) - set(users) == {"sms_code_invalid"}
    assert User.objects.filter(phone=PHONE).count() == 1


def test_parallel_guesses_stop_at_the_limit():
    user = UserFactory()
    results = run_parallel(
        lambda: password_login(request_ip=None, phone=user.phone, password="wrong-pass"), 12
    )
    assert results.count("login_failed") == 5
    assert results.count("login_rate_limited") == 7
