"""A test-only urlconf: tiny views behind the real middleware stack (idempotency)."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.urls import path

calls = {"create": 0, "boom": 0, "crash": 0, "reentrant": 0}


def create(request: HttpRequest) -> JsonResponse:
    calls["create"] += 1
    body = json.loads(request.body or b"{}")
    return JsonResponse({"n": calls["create"], "echo": body}, status=201)


def refuse(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"code": "invalid"}, status=400)


def boom(request: HttpRequest) -> HttpResponse:
    calls["boom"] += 1
    return HttpResponse("upstream failed", status=502)


def crash(request: HttpRequest) -> HttpResponse:
    calls["crash"] += 1
    raise RuntimeError("bug")


def reentrant(request: HttpRequest) -> JsonResponse:
    """Replays itself while the first request is still running (a double-clicked button)."""
    calls["reentrant"] += 1
    inner = Client().post(
        request.path,
        request.body,
        content_type="application/json",
        headers={"Idempotency-Key": request.headers["Idempotency-Key"]},
    )
    return JsonResponse({"inner_status": inner.status_code, "inner": inner.json()})


urlpatterns = [
    path("create", create),
    path("refuse", refuse),
    path("boom", boom),
    path("crash", crash),
    path("reentrant", reentrant),
]
