import pytest

from trispace.accounts.models import User
from trispace.accounts.services import password_change
from trispace.kernel.audit import trail
from trispace.kernel.errors import DomainError
from trispace.network.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_changes_the_password_with_the_old_one():
    user = UserFactory()
    password_change(actor=user, user=user, old_password="pass-1234", new_password="new-pass-5678")
    stored = User.objects.get(pk=user.pk)
    assert stored.check_password("new-pass-5678")
    assert not stored.check_password("pass-1234")
    assert [a.action for a in trail(user)] == ["password_change"]


def test_a_wrong_old_password_changes_nothing():
    user = UserFactory()
    with pytest.raises(DomainError) as info:
        password_change(actor=user, user=user, old_password="nope", new_password="new-pass-5678")
    assert (info.value.code, info.value.field) == ("password_wrong", "old_password")
    assert User.objects.get(pk=user.pk).check_password("pass-1234")
    assert not trail(user).exists()


def test_a_weak_new_password_is_refused():
    user = UserFactory()
    with pytest.raises(DomainError) as info:
        password_change(actor=user, user=user, old_password="pass-1234", new_password="12345678")
    assert (info.value.code, info.value.field) == ("password_weak", "new_password")
    assert User.objects.get(pk=user.pk).check_password("pass-1234")


def test_an_sms_account_sets_its_first_password_without_an_old_one():
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    password_change(actor=user, user=user, old_password=None, new_password="new-pass-5678")
    assert User.objects.get(pk=user.pk).check_password("new-pass-5678")


def test_guessing_the_old_password_is_rate_limited():
    user = UserFactory()
    for _ in range(5):
        with pytest.raises(DomainError):
            password_change(
                actor=user, user=user, old_password="nope", new_password="new-pass-5678"
            )
    with pytest.raises(DomainError) as info:
        password_change(
            actor=user, user=user, old_password="pass-1234", new_password="new-pass-5678"
        )
    assert info.value.code == "login_rate_limited"
    assert User.objects.get(pk=user.pk).check_password("pass-1234")


def test_someone_else_cannot_change_it():
    user, other = UserFactory(), UserFactory()
    with pytest.raises(DomainError) as info:
        password_change(actor=other, user=user, old_password="pass-1234", new_password="x-9876543")
    assert info.value.code == "permission_denied"
    assert User.objects.get(pk=user.pk).check_password("pass-1234")
