"""The audit trail: who did what to which object, and why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from trispace.kernel import audit
from trispace.kernel import time as ktime


@pytest.mark.django_db
def test_record_and_trail() -> None:
    user = get_user_model().objects.create_user("+8613900000003")
    at = dt.datetime(2026, 2, 3, 4, 5, tzinfo=dt.UTC)
    with ktime.freeze(at):
        entry = audit.record(
            actor=user, action="user.renamed", target=user, reason="x" * 300, data={"a": 1}
        )
    audit.record(actor=None, action="user.checked", target=user)
    assert entry.at == at
    assert entry.actor_id == user.pk
    assert entry.target_type == "accounts.user"
    assert entry.target_id == str(user.pk)
    assert len(entry.reason) == 255
    assert entry.data == {"a": 1}
    assert [e.action for e in audit.trail(user)] == ["user.renamed", "user.checked"]
    assert audit.trail(user).last().actor_id is None


def test_actor_pk_and_target_label() -> None:
    assert audit.actor_pk(None) is None
    assert audit.actor_pk(object()) is None
    assert audit.target_label("orders.order") == "orders.order"
