"""API tokens for mini-program style clients: issued once, stored as SHA-256, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction

from trispace.accounts.models import ApiToken, User
from trispace.kernel import audit, ids
from trispace.kernel import time as ktime

TOKEN_LIFETIME = dt.timedelta(days=30)
PREFIX = "ts_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, actor: Any, user: User, name: str = "mini-program") -> tuple[ApiToken, str]:
    """Issue a token for ``user``; the raw key is returned once and never stored."""
    raw = PREFIX + ids.token(24)
    now = ktime.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:50] or "mini-program",
            prefix=raw[:8],
            key_hash=_hash(raw),
            created_at=now,
            expires_at=now + TOKEN_LIFETIME,
        )
        audit.record(actor=actor, action="token_issue", target=user, data={"token_id": token.pk})
    return token, raw


def token_user(raw: str) -> User | None:
    """The active user a raw token belongs to, or None (unknown, expired, revoked, inactive)."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    now = ktime.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_find(raw: str) -> ApiToken | None:
    """The token row a raw key belongs to, whatever its state (no side effects)."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()


def token_revoke(*, actor: Any, token: ApiToken) -> bool:
    """Revoke ``token``; False when it was revoked already (nothing changes then)."""
    now = ktime.now()
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if not changed:
            return False
        audit.record(
            actor=actor, action="token_revoke", target=token.user, data={"token_id": token.pk}
        )
    token.revoked_at = now
    return True
