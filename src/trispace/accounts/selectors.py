"""Reads of accounts, scoped to the caller."""

from __future__ import annotations

from django.db.models import QuerySet

from trispace.accounts.models import ApiToken, User
from trispace.kernel import errors
from trispace.kernel import time as ktime


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """``user``'s tokens that still work, newest first."""
    return ApiToken.objects.filter(
        user_id=user.pk, revoked_at__isnull=True, expires_at__gt=ktime.now()
    ).order_by("-created_at", "-pk")


def token_of(user: User, token_id: int) -> ApiToken:
    """One of ``user``'s working tokens; NOT_FOUND for anyone else's (ids reveal nothing)."""
    token = tokens_of(user).filter(pk=token_id).select_related("user").first()
    if token is None:
        raise errors.NOT_FOUND()
    return token
