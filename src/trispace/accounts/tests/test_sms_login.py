import datetime as dt

import pytest

from trispace.accounts.models import SmsCode, User
from trispace.accounts.services import sms_code_send, sms_login
from trispace.accounts.sms import FakeSms
from trispace.kernel import time as ktime
from trispace.kernel.audit import trail
from trispace.kernel.errors import DomainError
from trispace.kernel.models import OutboxEvent
from trispace.network.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+8613812345678"


def send() -> str:
    sms_code_send(actor=None, phone=PHONE)
    code = FakeSms.last_code_for(PHONE)
    assert code is not None
    return code


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def refused(phone: str, code: str) -> DomainError:
    with pytest.raises(DomainError) as info:
        sms_login(actor=None, phone=phone, code=code)
    return info.value


def test_first_login_registers_the_consumer(frozen):
    code = send()
    user = sms_login(actor=None, phone="138 1234 5678", code=code)
    assert user.phone == PHONE
    assert not user.has_usable_password()
    assert user.last_login == frozen
    assert OutboxEvent.objects.get(name="UserRegistered").payload["via"] == "sms"
    assert [a.action for a in trail(user)] == ["user_register", "login"]


def test_a_known_user_logs_in_without_registering_again():
    existing = UserFactory(phone=PHONE)
    user = sms_login(actor=None, phone=PHONE, code=send())
    assert user.pk == existing.pk
    assert User.objects.count() == 1
    assert not OutboxEvent.objects.filter(name="UserRegistered").exists()


def test_a_code_works_once():
    code = send()
    sms_login(actor=None, phone=PHONE, code=code)
    assert refused(PHONE, code).code == "sms_code_invalid"


def test_a_code_expires_after_five_minutes(frozen):
    code = send()
    with ktime.travel(dt.timedelta(minutes=5)):
        error = refused(PHONE, code)
    assert error.code == "sms_code_invalid"
    assert error.field == "code"
    assert not User.objects.exists()
    with ktime.travel(dt.timedelta(minutes=4, seconds=59)):
        assert sms_login(actor=None, phone=PHONE, code=code).phone == PHONE


def test_five_wrong_tries_kill_the_code(settings):
    settings.LOGIN_RATE_LIMIT = {"attempts": 50, "window_s": 900}
    code = send()
    for _ in range(5):
        assert refused(PHONE, wrong(code)).code == "sms_code_invalid"
    assert SmsCode.objects.get().attempts == 5
    assert refused(PHONE, code).code == "sms_code_invalid"
    assert not User.objects.exists()


def test_only_the_latest_code_works(frozen):
    first = send()
    with ktime.travel(dt.timedelta(seconds=61)):
        second = send()
        if first != second:
            assert refused(PHONE, first).code == "sms_code_invalid"
        assert sms_login(actor=None, phone=PHONE, code=second)


def test_a_code_for_another_phone_does_not_work():
    code = send()
    assert refused("+8613900000000", code).code == "sms_code_invalid"


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "１２３４５６", "12 456"])
def test_malformed_codes_are_refused(code):
    send()
    assert refused(PHONE, code).code == "sms_code_invalid"
    assert SmsCode.objects.get().attempts == 0


def test_no_code_sent_is_refused():
    assert refused(PHONE, "123456").code == "sms_code_invalid"


def test_a_disabled_account_is_refused_and_keeps_the_code_unused():
    UserFactory(phone=PHONE, is_active=False)
    error = refused(PHONE, send())
    assert error.code == "account_disabled"
    assert SmsCode.objects.get().consumed_at is None


def test_sms_login_is_rate_limited_per_phone(frozen):
    code = send()
    for _ in range(5):
        refused(PHONE, "000000" if code != "000000" else "111111")
    error = refused(PHONE, code)
    assert error.code == "login_rate_limited"
    assert not User.objects.exists()
