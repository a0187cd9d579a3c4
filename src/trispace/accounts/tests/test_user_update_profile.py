import pytest

from trispace.accounts.models import User
from trispace.accounts.services import user_update_profile
from trispace.kernel.audit import trail
from trispace.kernel.errors import DomainError
from trispace.network.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_changes_name_and_language_with_an_audit_row():
    user = UserFactory(name="old")
    user_update_profile(actor=user, user=user, name="  新名字 ", language="en")
    user.refresh_from_db()
    assert (user.name, user.language) == ("新名字", "en")
    assert [(a.action, a.data) for a in trail(user)] == [
        ("user_update_profile", {"fields": ["language", "name"]})
    ]


def test_none_leaves_a_field_and_no_change_writes_nothing():
    user = UserFactory(name="same", language="en")
    user_update_profile(actor=user, user=user, name="same")
    user_update_profile(actor=user, user=user)
    assert not trail(user).exists()


def test_the_name_may_be_cleared_and_the_language_reset():
    user = UserFactory(name="x", language="en")
    user_update_profile(actor=user, user=user, name="", language="")
    user.refresh_from_db()
    assert (user.name, user.language) == ("", "")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"name": "x" * 51}, "name_invalid"),
        ({"name": "tab\there"}, "name_invalid"),
        ({"language": "fr"}, "language_invalid"),
    ],
)
def test_bad_values_change_nothing(kwargs, code):
    user = UserFactory(name="keep")
    with pytest.raises(DomainError) as info:
        user_update_profile(actor=user, user=user, **kwargs)
    assert info.value.code == code
    assert User.objects.get(pk=user.pk).name == "keep"


@pytest.mark.parametrize("actor", [None, "other"])
def test_only_the_person_changes_their_profile(actor):
    user = UserFactory(name="keep")
    acting = UserFactory() if actor == "other" else None
    with pytest.raises(DomainError) as info:
        user_update_profile(actor=acting, user=user, name="hijacked")
    assert info.value.code == "permission_denied"
    assert User.objects.get(pk=user.pk).name == "keep"
    assert not trail(user).exists()
