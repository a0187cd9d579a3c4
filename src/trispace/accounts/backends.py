"""Authentication backend: phone number (any common format) + password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from trispace.accounts import phones
from trispace.accounts.models import User
from trispace.kernel.errors import DomainError


class PhonePasswordBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        phone = kwargs.get("phone", username)
        if not phone or not password:
            return None
        try:
            e164 = phones.normalize(phone)
        except DomainError:
            return None
        user = User.objects.filter(phone=e164).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
