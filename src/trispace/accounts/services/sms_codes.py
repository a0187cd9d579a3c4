"""SMS codes (短信验证码): sending one, and logging in with it (consumers register on first login)."""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.crypto import constant_time_compare, salted_hmac

from trispace.accounts import errors, phones, ratelimit, sms
from trispace.accounts.models import SmsCode, User
from trispace.accounts.services.login import record_login
from trispace.accounts.services.users import user_register
from trispace.kernel import audit, ids
from trispace.kernel import errors as kerrors
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError

log = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_TTL = dt.timedelta(minutes=5)
RESEND_AFTER = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 5
PURPOSES = frozenset({"login"})
# SMS cost money and can be abused to flood a number: caps beyond the 60-second resend rule.
SEND_PER_PHONE = ratelimit.Limit("sms:phone", 10, 24 * 3600)
SEND_PER_IP = ratelimit.Limit("sms:ip", 30, 3600)


def code_hash(phone: str, purpose: str, code: str) -> str:
    """Keyed with SECRET_KEY: a leaked table does not give codes away by brute force."""
    value = f"{phone}:{purpose}:{code}"
    return salted_hmac("trispace.accounts.sms", value, algorithm="sha256").hexdigest()


def _latest(phone: str, purpose: str) -> SmsCode | None:
    return (
        SmsCode.objects.filter(phone=phone, purpose=purpose).order_by("-created_at", "-pk").first()
    )


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise kerrors.INVALID(field="purpose")


def sms_code_send(
    *, actor: Any, phone: str, purpose: str = "login", request_ip: str | None = None
) -> SmsCode:
    """Send a fresh 6-digit code to ``phone``; only its hash is kept, valid for 5 minutes.

    Refused within 60 seconds of the previous code (SMS_TOO_SOON), and past the per-phone and
    per-IP caps (SMS_LIMIT_REACHED). A newer code replaces the older ones.
    """
    _check_purpose(purpose)
    e164 = phones.normalize(phone)
    now = ktime.now()
    last = _latest(e164, purpose)
    if last is not None and now < last.created_at + RESEND_AFTER:
        wait = math.ceil((last.created_at + RESEND_AFTER - now).total_seconds())
        raise errors.SMS_TOO_SOON(field="phone", seconds=max(1, wait))
    for limit, ident in ((SEND_PER_IP, request_ip), (SEND_PER_PHONE, e164)):
        if ident:
            done, left = limit.hit(ident)
            if done > limit.attempts:
                raise errors.SMS_LIMIT_REACHED(field="phone", minutes=math.ceil(left / 60))
    code = ids.numeric_code(CODE_DIGITS)
    with transaction.atomic():
        row = SmsCode.objects.create(
            phone=e164,
            purpose=purpose,
            code_hash=code_hash(e164, purpose, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        audit.record(actor=actor, action="sms_code_send", target=row, data={"purpose": purpose})
    # Sent after commit: a provider's network call must not hold the database's write lock.
    try:
        sms.get_sender().send_code(
            phone=e164, code=code, purpose=purpose, ttl_minutes=int(CODE_TTL.seconds // 60)
        )
    except Exception as exc:
        log.exception("SMS to %s failed", phones.mask(e164))
        SmsCode.objects.filter(pk=row.pk).delete()  # so the person may retry at once
        raise errors.SMS_SEND_FAILED() from exc
    return row


def _valid_format(code: str) -> bool:
    return len(code) == CODE_DIGITS and code.isascii() and code.isdigit()


def sms_login(
    *,
    actor: Any,
    phone: str,
    code: str,
    purpose: str = "login",
    request_ip: str | None = None,
) -> User:
    """Log in with the code last sent to ``phone`` (验证码登录); register the consumer if new.

    A code works once, within 5 minutes, and only the latest one sent; after 5 wrong tries it
    is dead. Attempts also count towards the login rate limit of the phone and the IP.
    """
    _check_purpose(purpose)
    e164 = phones.normalize(phone)
    ratelimit.login_attempt(phone=e164, ip=request_ip)
    code = (code or "").strip()
    now = ktime.now()
    row = _latest(e164, purpose) if _valid_format(code) else None
    if row is None or row.consumed_at is not None or row.attempts >= MAX_ATTEMPTS:
        raise errors.SMS_CODE_INVALID(field="code")
    if now >= row.expires_at:
        raise errors.SMS_CODE_INVALID(field="code")
    live = SmsCode.objects.filter(
        pk=row.pk, consumed_at__isnull=True, attempts__lt=MAX_ATTEMPTS, expires_at__gt=now
    )
    if not constant_time_compare(row.code_hash, code_hash(e164, purpose, code)):
        live.update(attempts=F("attempts") + 1)  # kept: the refusal below changes nothing else
        raise errors.SMS_CODE_INVALID(field="code")
    with transaction.atomic():
        if live.update(attempts=F("attempts") + 1, consumed_at=now) != 1:
            raise errors.SMS_CODE_INVALID(field="code")  # used by a concurrent request
        user = User.objects.filter(phone=e164).first()
        if user is None:
            user = _register_consumer(actor, e164)
        elif not user.is_active:
            raise errors.ACCOUNT_DISABLED()
        record_login(user=user, via="sms")
    ratelimit.login_succeeded(phone=e164, ip=request_ip)
    return user


def _register_consumer(actor: Any, e164: str) -> User:
    try:
        return user_register(actor=actor, phone=e164, via="sms")
    except DomainError as exc:
        if exc.error is not errors.PHONE_TAKEN:
            raise
        return User.objects.get(phone=e164)  # registered by a concurrent login
