"""HTTP idempotency (pretix's IdempotencyMiddleware, in our words).

A write request (POST, PUT, PATCH, DELETE) that carries ``Idempotency-Key`` is executed once per
caller and key:

* the first request runs and its response (any status below 500) is stored;
* a replay with the same method, path, query string and body returns the stored response,
  marked with ``Idempotency-Replayed: true``, and changes nothing;
* the same key with another request is ``409 idempotency_key_reused``;
* a replay while the first is still running is ``409 idempotency_in_progress``;
* a 5xx or an exception forgets the key, so the client may retry.

Records expire after ``RETENTION`` (a periodic job deletes them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from trispace.kernel import errors, jobs
from trispace.kernel import time as ktime
from trispace.kernel.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETENTION = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


def _caller(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization:
        return "t" + hashlib.sha256(authorization.encode()).hexdigest()[:40]
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return "s" + str(session.session_key)[:40]
    return "anonymous"


def _error(error: errors.ErrorCode, field: str | None = None) -> JsonResponse:
    return JsonResponse(error(field=field).as_dict(), status=error.status)


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if key is None or request.method not in METHODS:
            return self.get_response(request)
        if not key or len(key) > MAX_KEY_LENGTH:
            return _error(errors.INVALID, field="Idempotency-Key")
        scope = f"{_caller(request)}:{request.method}:{request.path}"[:150]
        # The query string is part of the request too: the same key on ?a=1 and ?a=2 is reuse.
        query = request.META.get("QUERY_STRING", "").encode()
        digest = hashlib.sha256(query + b"\n" + request.body).hexdigest()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope, key=key, request_hash=digest, created_at=ktime.now()
                )
        except IntegrityError:
            return self._replay(scope, key, digest)
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 500 or response.streaming:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            completed=True,
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=bytes(response.content),
        )
        return response

    @staticmethod
    def _replay(scope: str, key: str, digest: str) -> HttpResponse:
        record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if record is None:  # expired between the insert and this read: treat as in progress
            return _error(errors.IDEMPOTENCY_IN_PROGRESS)
        if record.request_hash != digest:
            return _error(errors.IDEMPOTENCY_KEY_REUSED, field="Idempotency-Key")
        if not record.completed:
            return _error(errors.IDEMPOTENCY_IN_PROGRESS)
        response = HttpResponse(
            bytes(record.body or b""),
            status=record.status_code or 200,
            content_type=record.content_type or "application/json",
        )
        response["Idempotency-Replayed"] = "true"
        return response


def forget_expired(now: dt.datetime | None = None) -> int:
    cutoff = (now or ktime.now()) - RETENTION
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@jobs.periodic(jobs.crontab(minute="17"))
def purge_idempotency_records() -> None:
    forget_expired()
