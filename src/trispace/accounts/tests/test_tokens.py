import datetime as dt

import pytest

from trispace.accounts import selectors, tokens
from trispace.accounts.models import ApiToken
from trispace.kernel import time as ktime
from trispace.kernel.audit import trail
from trispace.kernel.errors import DomainError
from trispace.network.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_issue_returns_the_raw_key_once_and_stores_its_hash():
    user = UserFactory()
    token, raw = tokens.token_issue(actor=user, user=user)
    assert raw.startswith("ts_")
    assert token.prefix == raw[:8]
    assert raw not in token.key_hash
    assert tokens.token_user(raw) == user
    assert tokens.token_find(raw) == token
    assert [a.action for a in trail(user)] == ["token_issue"]


def test_a_token_expires_after_thirty_days(frozen):
    user = UserFactory()
    _, raw = tokens.token_issue(actor=user, user=user)
    with ktime.travel(dt.timedelta(days=30) - dt.timedelta(seconds=1)):
        assert tokens.token_user(raw) == user
    with ktime.travel(dt.timedelta(days=30)):
        assert tokens.token_user(raw) is None
        assert not selectors.tokens_of(user).exists()


def test_revoke_is_once_and_audited():
    user = UserFactory()
    token, raw = tokens.token_issue(actor=user, user=user)
    assert tokens.token_revoke(actor=user, token=token) is True
    assert tokens.token_revoke(actor=user, token=token) is False
    assert tokens.token_user(raw) is None
    assert [a.action for a in trail(user)] == ["token_issue", "token_revoke"]


@pytest.mark.parametrize("raw", ["", "ts_unknown", "nope", "ts_" + "x" * 200])
def test_unknown_keys_authenticate_nobody(raw):
    assert tokens.token_user(raw) is None
    assert tokens.token_find(raw) is None


def test_a_disabled_user_token_does_not_work():
    user = UserFactory()
    _, raw = tokens.token_issue(actor=user, user=user)
    user.is_active = False
    user.save()
    assert tokens.token_user(raw) is None


def test_token_of_finds_only_ones_own_working_tokens():
    user, other = UserFactory(), UserFactory()
    mine, _ = tokens.token_issue(actor=user, user=user)
    theirs, _ = tokens.token_issue(actor=other, user=other)
    assert selectors.token_of(user, mine.pk) == mine
    with pytest.raises(DomainError) as info:
        selectors.token_of(user, theirs.pk)
    assert info.value.code == "not_found"
    tokens.token_revoke(actor=user, token=mine)
    with pytest.raises(DomainError):
        selectors.token_of(user, mine.pk)
    assert ApiToken.objects.count() == 2
