"""Attempt counters in Django's cache: login by phone and by client IP, SMS sends.

Each counter is a fixed window measured on ``kernel.time`` (so tests can move it): the cache key
holds the window's number, ``cache.add`` creates it and ``cache.incr`` counts. Every attempt is
counted *before* it is checked, so parallel guesses cannot slip past the limit together, and
once a limit is reached even a correct password is refused until the window ends.

``settings.LOGIN_RATE_LIMIT`` = ``{"attempts": 5, "window_s": 900}`` limits failed logins per
phone; the per-IP limit (``"ip_attempts"``, default four times as many) is higher because
offices and mobile carriers put many people behind one address. A successful login clears the
phone's counter and takes its own attempt back from the IP's.

Atomicity depends on the cache: Redis and the in-process cache count atomically; the file cache
of the embedded deployment reads and writes, so two processes racing may lose a count.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from trispace.accounts import errors
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError

KEY_PREFIX = "trispace:rl"


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` per ``window_s`` seconds for one identity within ``name``."""

    name: str
    attempts: int
    window_s: int

    def _window(self) -> tuple[int, int]:
        """The current window's number and the seconds left in it."""
        now = ktime.now().timestamp()
        number = int(now // self.window_s)
        left = (number + 1) * self.window_s - now
        return number, max(1, math.ceil(left))

    def _key(self, ident: str, number: int) -> str:
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        return f"{KEY_PREFIX}:{self.name}:{digest}:{number}"

    def hit(self, ident: str) -> tuple[int, int]:
        """Count one attempt; return (attempts so far in this window, seconds left in it)."""
        number, left = self._window()
        key = self._key(ident, number)
        timeout = left + 60
        for _ in range(3):
            cache.add(key, 0, timeout)
            try:
                return cache.incr(key), left
            except ValueError:  # expired between add and incr: add again
                continue
        return self.attempts + 1, left  # the cache does not count: refuse rather than allow

    def undo(self, ident: str) -> None:
        """Take one attempt back (a success that should not count)."""
        number, _ = self._window()
        key = self._key(ident, number)
        try:
            if cache.decr(key) < 0:
                cache.delete(key)
        except ValueError:
            pass

    def count(self, ident: str) -> int:
        number, _ = self._window()
        return int(cache.get(self._key(ident, number), 0))

    def reset(self, ident: str) -> None:
        number, _ = self._window()
        cache.delete(self._key(ident, number))


def login_limits() -> tuple[Limit, Limit]:
    """(per phone, per IP) from ``settings.LOGIN_RATE_LIMIT``."""
    config = getattr(settings, "LOGIN_RATE_LIMIT", {})
    attempts = int(config.get("attempts", 5))
    window_s = int(config.get("window_s", 900))
    ip_attempts = int(config.get("ip_attempts", attempts * 4))
    return Limit("login:phone", attempts, window_s), Limit("login:ip", ip_attempts, window_s)


def _refuse(seconds_left: int) -> DomainError:
    return errors.LOGIN_RATE_LIMITED(minutes=max(1, math.ceil(seconds_left / 60)))


def login_attempt(*, phone: str, ip: str | None) -> None:
    """Count a login attempt for ``phone`` (E.164 or as typed) and ``ip``; refuse over a limit."""
    by_phone, by_ip = login_limits()
    if ip:
        done, left = by_ip.hit(ip)
        if done > by_ip.attempts:
            raise _refuse(left)
    done, left = by_phone.hit(phone)
    if done > by_phone.attempts:
        raise _refuse(left)


def login_succeeded(*, phone: str, ip: str | None) -> None:
    by_phone, by_ip = login_limits()
    by_phone.reset(phone)
    if ip:
        by_ip.undo(ip)


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address as the web server saw it.

    Behind a reverse proxy, configure the proxy (or the WSGI server) to set REMOTE_ADDR; a
    client-supplied X-Forwarded-For is never trusted here.
    """
    return request.META.get("REMOTE_ADDR") or None
