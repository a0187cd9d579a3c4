"""JSON API of accounts (/api/accounts/): SMS and password login, the caller, their tokens.

Logins return a bearer token for mini-program style clients; the browser pages use the session.
Every operation resolves, calls one service or selector, and shapes the answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, cast

from django.contrib.auth import logout as session_logout
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from trispace.accounts import ratelimit, selectors, services, tokens
from trispace.accounts.models import ApiToken, User
from trispace.accounts.services.sms_codes import CODE_TTL, RESEND_AFTER

router = Router(tags=["accounts"])

Phone = Annotated[str, Field(max_length=64, examples=["13812345678"])]
Secret = Annotated[str, Field(max_length=256)]
MAX_ID = 2**63 - 1


class SmsSendIn(Schema):
    phone: Phone


class SmsSendOut(Schema):
    sent: bool
    expires_in_s: int
    resend_after_s: int


class SmsLoginIn(Schema):
    phone: Phone
    code: str = Field(max_length=16, examples=["123456"])


class PasswordLoginIn(Schema):
    phone: Phone
    password: Secret


class MeOut(Schema):
    id: int
    phone: str = Field(description="masked: 138****5678")
    name: str
    display_name: str
    language: str
    has_password: bool
    date_joined: dt.datetime


class LoginOut(Schema):
    token: str = Field(description="send as 'Authorization: Bearer <token>'; shown once")
    expires_at: dt.datetime
    user: MeOut


class MeUpdateIn(Schema):
    name: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=20)


class PasswordChangeIn(Schema):
    old_password: Secret | None = None
    new_password: Secret


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime
    current: bool


def caller(request: HttpRequest) -> User:
    """The authenticated caller (the API's auth has run: never anonymous here)."""
    return cast(User, request.user)


def me_out(user: User) -> MeOut:
    return MeOut(
        id=user.pk,
        phone=user.masked_phone,
        name=user.name,
        display_name=user.display_name,
        language=user.language,
        has_password=user.has_usable_password(),
        date_joined=user.date_joined,
    )


def _login_out(user: User) -> LoginOut:
    token, raw = tokens.token_issue(actor=user, user=user)
    return LoginOut(token=raw, expires_at=token.expires_at, user=me_out(user))


def _calling_token(request: HttpRequest) -> ApiToken | None:
    """The token that authenticated this request, if it was a bearer token."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = tokens.token_find(raw.strip())
    if token is None or token.user_id != request.user.pk or token.revoked_at is not None:
        return None
    return token


@router.post("/sms/send", auth=None, response=SmsSendOut, summary="Send a login code by SMS")
def sms_send(request: HttpRequest, payload: SmsSendIn) -> SmsSendOut:
    services.sms_code_send(
        actor=request.user, phone=payload.phone, request_ip=ratelimit.client_ip(request)
    )
    return SmsSendOut(
        sent=True,
        expires_in_s=int(CODE_TTL.total_seconds()),
        resend_after_s=int(RESEND_AFTER.total_seconds()),
    )


@router.post("/sms/login", auth=None, response=LoginOut, summary="Log in with an SMS code")
def sms_login(request: HttpRequest, payload: SmsLoginIn) -> LoginOut:
    user = services.sms_login(
        actor=request.user,
        phone=payload.phone,
        code=payload.code,
        request_ip=ratelimit.client_ip(request),
    )
    return _login_out(user)


@router.post("/password/login", auth=None, response=LoginOut, summary="Log in with a password")
def password_login(request: HttpRequest, payload: PasswordLoginIn) -> LoginOut:
    user = services.password_login(
        request_ip=ratelimit.client_ip(request), phone=payload.phone, password=payload.password
    )
    return _login_out(user)


@router.post(
    "/logout", response={204: None}, summary="Revoke the calling token (or end the session)"
)
def logout(request: HttpRequest) -> Status[None]:
    token = _calling_token(request)
    if token is not None:
        tokens.token_revoke(actor=request.user, token=token)
    else:
        session_logout(request)
    return Status(204, None)


@router.get("/me", response=MeOut, summary="Who I am")
def me(request: HttpRequest) -> MeOut:
    return me_out(caller(request))


@router.patch("/me", response=MeOut, summary="Change my name or language")
def me_update(request: HttpRequest, payload: MeUpdateIn) -> MeOut:
    fields = payload.model_dump(exclude_unset=True)
    user = services.user_update_profile(
        actor=request.user,
        user=caller(request),
        name=fields.get("name"),
        language=fields.get("language"),
    )
    return me_out(user)


@router.post("/password/change", response={204: None}, summary="Change (or set) my password")
def password_change(request: HttpRequest, payload: PasswordChangeIn) -> Status[None]:
    user = services.password_change(
        actor=request.user,
        user=caller(request),
        old_password=payload.old_password,
        new_password=payload.new_password,
    )
    if _calling_token(request) is None:  # the browser session stays logged in
        update_session_auth_hash(request, user)
    return Status(204, None)


@router.get("/tokens", response=list[TokenOut], summary="My working API tokens")
def token_list(request: HttpRequest) -> list[TokenOut]:
    calling = _calling_token(request)
    rows = selectors.tokens_of(caller(request))[:100]
    return [
        TokenOut(
            id=t.pk,
            name=t.name,
            prefix=t.prefix,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            expires_at=t.expires_at,
            current=calling is not None and calling.pk == t.pk,
        )
        for t in rows
    ]


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one of my tokens")
def token_delete(
    request: HttpRequest, token_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Status[None]:
    token = selectors.token_of(caller(request), token_id)
    tokens.token_revoke(actor=request.user, token=token)
    return Status(204, None)
