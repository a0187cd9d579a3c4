"""API authentication: a bearer token (mini-program clients) or the browser session (with CSRF).

Set once on the NinjaAPI, so every context's router is authenticated by default; a public
operation says ``auth=None``. Either way ``request.user`` is the caller afterwards.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from trispace.accounts.tokens import token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """The browser session; unsafe methods need the CSRF token, as on the pages."""


API_AUTH = [BearerToken(), Session()]
