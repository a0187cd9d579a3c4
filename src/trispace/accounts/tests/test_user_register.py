import pytest

from trispace.accounts.models import User
from trispace.accounts.services import user_register
from trispace.kernel.audit import trail
from trispace.kernel.errors import DomainError
from trispace.kernel.models import OutboxEvent

pytestmark = pytest.mark.django_db


def test_registers_with_a_normalized_phone_an_audit_row_and_an_event():
    user = user_register(actor=None, phone="138 1234 5678", name=" 小王 ", via="sms")
    assert user.phone == "+8613812345678"
    assert user.name == "小王"
    assert user.masked_phone == "138****5678"
    assert not user.has_usable_password()
    assert [row.action for row in trail(user)] == ["user_register"]
    event = OutboxEvent.objects.get(name="UserRegistered")
    assert event.payload == {"user_id": user.pk, "via": "sms"}


def test_staff_get_a_password():
    user = user_register(actor=None, phone="13812345678", password="s3cret-pass", via="staff")
    assert user.check_password("s3cret-pass")


def test_a_taken_phone_is_refused_in_any_format():
    user_register(actor=None, phone="13812345678", via="sms")
    with pytest.raises(DomainError) as info:
        user_register(actor=None, phone="+86 138-1234-5678", via="sms")
    assert info.value.code == "phone_taken"
    assert info.value.status == 409
    assert User.objects.count() == 1
    assert OutboxEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"phone": "12345"}, "phone_invalid"),
        ({"phone": "13812345678", "name": "x" * 51}, "name_invalid"),
        ({"phone": "13812345678", "name": "a\x00b"}, "name_invalid"),
        ({"phone": "13812345678", "password": "123"}, "password_weak"),
        ({"phone": "13812345678", "password": "password"}, "password_weak"),
        ({"phone": "13812345678", "password": "p" * 129}, "password_weak"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(kwargs, code):
    with pytest.raises(DomainError) as info:
        user_register(actor=None, via="staff", **kwargs)
    assert info.value.code == code
    assert User.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_a_fifty_character_name_is_fine():
    user = user_register(actor=None, phone="13812345678", name="名" * 50, via="seed")
    assert len(user.name) == 50


def test_an_unknown_channel_is_a_programming_error():
    with pytest.raises(DomainError) as info:
        user_register(actor=None, phone="13812345678", via="carrier-pigeon")
    assert info.value.field == "via"
