import datetime as dt
import logging

import pytest

from trispace.accounts import sms
from trispace.accounts.models import SmsCode
from trispace.accounts.services import sms_code_send
from trispace.accounts.services.sms_codes import SEND_PER_IP, SEND_PER_PHONE, code_hash
from trispace.accounts.sms import FakeSms, SmsSendError
from trispace.kernel import time as ktime
from trispace.kernel.audit import trail
from trispace.kernel.errors import DomainError

pytestmark = pytest.mark.django_db
PHONE = "+8613812345678"


def test_sends_a_six_digit_code_and_stores_only_its_hash(frozen, caplog):
    with caplog.at_level(logging.WARNING, logger="trispace.sms"):
        row = sms_code_send(actor=None, phone="138 1234 5678")
    code = FakeSms.last_code_for("13812345678")
    assert code is not None
    assert len(code) == 6
    assert code.isdigit()
    assert row.phone == PHONE
    assert code not in row.code_hash
    assert row.code_hash == code_hash(PHONE, "login", code)
    assert row.created_at == frozen
    assert row.expires_at == frozen + dt.timedelta(minutes=5)
    assert f"SMS to 138****5678: code {code}" in caplog.text
    assert "13812345678" not in caplog.text
    assert [a.action for a in trail(row)] == ["sms_code_send"]


def test_a_resend_within_60_seconds_is_refused_with_the_wait(frozen):
    sms_code_send(actor=None, phone=PHONE)
    with ktime.travel(dt.timedelta(seconds=45)), pytest.raises(DomainError) as info:
        sms_code_send(actor=None, phone=PHONE)
    assert info.value.code == "sms_too_soon"
    assert info.value.status == 429
    assert "15" in info.value.message
    assert SmsCode.objects.count() == 1
    assert len(FakeSms.sent) == 1


def test_a_resend_after_60_seconds_sends_a_new_code(frozen):
    sms_code_send(actor=None, phone=PHONE)
    with ktime.travel(dt.timedelta(seconds=60)):
        sms_code_send(actor=None, phone=PHONE)
    assert SmsCode.objects.count() == 2
    assert len(FakeSms.sent) == 2


def test_an_invalid_phone_sends_nothing():
    with pytest.raises(DomainError) as info:
        sms_code_send(actor=None, phone="12")
    assert info.value.code == "phone_invalid"
    assert SmsCode.objects.count() == 0
    assert FakeSms.sent == type(FakeSms.sent)()


def test_an_unknown_purpose_is_refused():
    with pytest.raises(DomainError) as info:
        sms_code_send(actor=None, phone=PHONE, purpose="transfer")
    assert info.value.field == "purpose"


def test_a_phone_gets_at_most_its_daily_cap(frozen):
    for minute in range(SEND_PER_PHONE.attempts):
        with ktime.travel(dt.timedelta(minutes=minute)):
            sms_code_send(actor=None, phone=PHONE)
    with (
        ktime.travel(dt.timedelta(minutes=SEND_PER_PHONE.attempts)),
        pytest.raises(DomainError) as info,
    ):
        sms_code_send(actor=None, phone=PHONE)
    assert info.value.code == "sms_limit_reached"
    assert SmsCode.objects.count() == SEND_PER_PHONE.attempts


def test_one_address_gets_at_most_its_hourly_cap(frozen):
    for n in range(SEND_PER_IP.attempts):
        sms_code_send(actor=None, phone=f"+86139{n:08d}", request_ip="10.0.0.1")
    with pytest.raises(DomainError) as info:
        sms_code_send(actor=None, phone="+8613700000000", request_ip="10.0.0.1")
    assert info.value.code == "sms_limit_reached"
    sms_code_send(actor=None, phone="+8613700000000", request_ip="10.0.0.2")


class Broken:
    def send_code(self, **kwargs):
        raise SmsSendError("provider down")


def test_a_failed_send_keeps_no_code_so_the_person_may_retry(monkeypatch):
    monkeypatch.setitem(sms.BACKENDS, "broken", Broken)
    monkeypatch.setattr("django.conf.settings.SMS_BACKEND", "broken")
    with pytest.raises(DomainError) as info:
        sms_code_send(actor=None, phone=PHONE)
    assert info.value.code == "sms_send_failed"
    assert SmsCode.objects.count() == 0
    monkeypatch.setattr("django.conf.settings.SMS_BACKEND", "fake")
    sms_code_send(actor=None, phone=PHONE)
    assert SmsCode.objects.count() == 1


def test_an_unknown_backend_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured):
        sms.get_sender()


def test_fake_sms_remembers_the_last_code_per_phone():
    FakeSms().send_code(phone=PHONE, code="111111", purpose="login", ttl_minutes=5)
    FakeSms().send_code(phone="+8613900000000", code="222222", purpose="login", ttl_minutes=5)
    FakeSms().send_code(phone=PHONE, code="333333", purpose="login", ttl_minutes=5)
    assert FakeSms.last_code_for("13812345678") == "333333"
    assert FakeSms.last_code_for("13900000000") == "222222"
    assert FakeSms.last_code_for("13700000000") is None
    assert FakeSms.last_code_for("not a phone") is None
    assert "333333" in FakeSms.sent[-1].text


def test_deploy_check_warns_about_the_fake_backend(settings):
    from trispace.accounts.checks import fake_sms_in_production

    settings.DEBUG = False
    settings.SMS_BACKEND = "fake"
    assert [m.id for m in fake_sms_in_production()] == ["accounts.W001"]
    settings.DEBUG = True
    assert fake_sms_in_production() == []
