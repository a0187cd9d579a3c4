"""Registering a person, and what they change about themselves."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from trispace.accounts import errors, phones, ratelimit
from trispace.accounts.models import User
from trispace.contracts.accounts import UserRegistered
from trispace.kernel import audit, outbox
from trispace.kernel import errors as kerrors

NAME_MAX = 50
PASSWORD_MAX = 128
VIA = frozenset({"sms", "staff", "seed"})


def clean_name(name: str | None) -> str:
    """Strip ``name``; refuse more than 50 characters or control characters (NAME_INVALID)."""
    text = (name or "").strip()
    if len(text) > NAME_MAX or any(unicodedata.category(ch).startswith("C") for ch in text):
        raise errors.NAME_INVALID(field="name")
    return text


def check_password_strength(password: str, *, user: User, field: str = "password") -> None:
    if len(password) > PASSWORD_MAX:
        raise errors.PASSWORD_WEAK(field=field, reason=f"≤ {PASSWORD_MAX}")
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise errors.PASSWORD_WEAK(field=field, reason=" ".join(exc.messages)) from exc


def user_register(
    *, actor: Any, phone: str, name: str = "", password: str | None = None, via: str
) -> User:
    """Create a user (用户注册) for ``phone``; PHONE_TAKEN when it is already registered.

    Without a password the account can only log in by SMS code (consumers); staff get one.
    """
    if via not in VIA:
        raise kerrors.INVALID(field="via")
    e164 = phones.normalize(phone)
    clean = clean_name(name)
    if password is not None:
        check_password_strength(password, user=User(phone=e164, name=clean))
    if User.objects.filter(phone=e164).exists():
        raise errors.PHONE_TAKEN(field="phone")
    try:
        with transaction.atomic():
            user = User.objects.create_user(e164, password or None, name=clean)
            audit.record(actor=actor, action="user_register", target=user, data={"via": via})
            outbox.publish(UserRegistered(user_id=user.pk, via=via))
    except IntegrityError as exc:  # registered concurrently
        raise errors.PHONE_TAKEN(field="phone") from exc
    return user


def _check_self(actor: Any, user: User) -> None:
    if getattr(actor, "pk", None) != user.pk:
        raise kerrors.PERMISSION_DENIED()


def user_update_profile(
    *, actor: Any, user: User, name: str | None = None, language: str | None = None
) -> User:
    """Change one's own name and language; ``None`` leaves a field as it is."""
    _check_self(actor, user)
    changes: dict[str, str] = {}
    if name is not None:
        changes["name"] = clean_name(name)
    if language is not None:
        codes = {code for code, _label in settings.LANGUAGES}
        if language and language not in codes:
            raise errors.LANGUAGE_INVALID(field="language")
        changes["language"] = language
    changes = {k: v for k, v in changes.items() if getattr(user, k) != v}
    if not changes:
        return user
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(**changes)
        audit.record(
            actor=actor, action="user_update_profile", target=user, data={"fields": sorted(changes)}
        )
    for field, value in changes.items():
        setattr(user, field, value)
    return user


def password_change(*, actor: Any, user: User, old_password: str | None, new_password: str) -> User:
    """Change one's own password; an account without one (SMS login) may set it directly."""
    _check_self(actor, user)
    check_password_strength(new_password, user=user, field="new_password")
    if user.has_usable_password():
        ratelimit.login_attempt(phone=user.phone, ip=None)  # no guessing the old one either
        old = old_password or ""
        if len(old) > PASSWORD_MAX or not user.check_password(old):
            raise errors.PASSWORD_WRONG(field="old_password")
        ratelimit.login_succeeded(phone=user.phone, ip=None)
    user.set_password(new_password)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(password=user.password)
        audit.record(actor=actor, action="password_change", target=user)
    return user
