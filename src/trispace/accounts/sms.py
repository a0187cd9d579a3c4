"""Sending SMS codes: one small adapter interface, chosen by ``settings.SMS_BACKEND``.

* ``fake`` (the default, development and tests): nothing leaves the machine. The message is
  logged at WARNING on the ``trispace.sms`` logger with the phone masked, and the last messages
  are kept in memory so tests and the demo's login page can show the code.
* A real provider (Aliyun SMS, Tencent Cloud SMS, …) is a class with the same ``send_code``
  method, added to ``BACKENDS`` under its name; it raises ``SmsSendError`` when the provider
  refuses or cannot be reached. None is implemented yet.
"""

from __future__ import annotations

import collections
import logging
import threading
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from trispace.accounts import phones
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError

log = logging.getLogger("trispace.sms")


class SmsSendError(Exception):
    """The provider did not accept the message."""


class SmsSender(Protocol):
    def send_code(self, *, phone: str, code: str, purpose: str, ttl_minutes: int) -> None:
        """Send ``code`` to ``phone`` (E.164); raise ``SmsSendError`` on failure."""


def code_text(code: str, ttl_minutes: int) -> str:
    return _("Your Trispace code is %(code)s. It expires in %(minutes)s minutes.") % {
        "code": code,
        "minutes": ttl_minutes,
    }


@dataclass(frozen=True)
class SentSms:
    phone: str
    code: str
    purpose: str
    text: str
    at: object


class FakeSms:
    """Logs instead of sending; remembers the last messages of this process."""

    KEEP = 100
    sent: ClassVar[collections.deque[SentSms]] = collections.deque(maxlen=KEEP)
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def send_code(self, *, phone: str, code: str, purpose: str, ttl_minutes: int) -> None:
        text = code_text(code, ttl_minutes)
        with self._lock:
            self.sent.append(SentSms(phone, code, purpose, text, ktime.now()))
        log.warning("SMS to %s: code %s (%s)", phones.mask(phone), code, purpose)

    @classmethod
    def last_code_for(cls, phone: str, purpose: str | None = None) -> str | None:
        """The last code sent to ``phone`` (any common format), or None."""
        try:
            e164 = phones.normalize(phone)
        except DomainError:
            return None
        with cls._lock:
            for message in reversed(cls.sent):
                if message.phone == e164 and (purpose is None or message.purpose == purpose):
                    return message.code
        return None

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls.sent.clear()


BACKENDS: dict[str, type[SmsSender]] = {
    "fake": FakeSms,
    # "aliyun": AliyunSms,  — a real provider's adapter goes here (its own module, no SDK needed
    # beyond an HTTPS client); credentials come from the environment.
}


def backend_name() -> str:
    return str(getattr(settings, "SMS_BACKEND", "fake") or "fake")


def is_fake() -> bool:
    return backend_name() == "fake"


def get_sender() -> SmsSender:
    name = backend_name()
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ImproperlyConfigured(f"unknown SMS_BACKEND {name!r}") from None
