"""The Idempotency-Key middleware, through a test-only urlconf and the real middleware stack."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from trispace.kernel import idempotency
from trispace.kernel import time as ktime
from trispace.kernel.models import IdempotencyRecord
from trispace.kernel.tests import urls as test_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls("trispace.kernel.tests.urls")]


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    for name in test_urls.calls:
        test_urls.calls[name] = 0


def post(client: Client, path: str, body: object, key: str | None = "k-1", **extra: str):  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        path, json.dumps(body), content_type="application/json", headers=headers, **extra
    )


def test_a_replay_returns_the_first_response_and_the_view_runs_once(client: Client) -> None:
    first = post(client, "/create", {"qty": 2})
    again = post(client, "/create", {"qty": 2})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() == {"n": 1, "echo": {"qty": 2}}
    assert again["Idempotency-Replayed"] == "true"
    assert again["Content-Type"] == "application/json"
    assert "Idempotency-Replayed" not in first
    assert test_urls.calls["create"] == 1
    assert IdempotencyRecord.objects.get().completed


def test_without_a_key_every_request_runs(client: Client) -> None:
    post(client, "/create", {}, key=None)
    post(client, "/create", {}, key=None)
    assert test_urls.calls["create"] == 2
    assert not IdempotencyRecord.objects.exists()


def test_reads_are_not_affected(client: Client) -> None:
    response = client.get("/create", headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 201
    assert not IdempotencyRecord.objects.exists()


def test_the_same_key_with_another_body_is_409(client: Client) -> None:
    post(client, "/create", {"qty": 2})
    reused = post(client, "/create", {"qty": 3})
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert reused.json()["field"] == "Idempotency-Key"
    assert test_urls.calls["create"] == 1


def test_the_same_key_with_another_query_string_is_409(client: Client) -> None:
    post(client, "/create?store=1", {"qty": 2})
    reused = post(client, "/create?store=2", {"qty": 2})
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"


def test_a_replay_while_the_first_is_running_is_409(client: Client) -> None:
    response = post(client, "/reentrant", {"qty": 1})
    assert response.status_code == 200
    assert response.json()["inner_status"] == 409
    assert response.json()["inner"]["code"] == "idempotency_in_progress"
    assert test_urls.calls["reentrant"] == 1


def test_a_5xx_forgets_the_key_so_the_client_may_retry(client: Client) -> None:
    assert post(client, "/boom", {}).status_code == 502
    assert not IdempotencyRecord.objects.exists()
    assert post(client, "/boom", {}).status_code == 502
    assert test_urls.calls["boom"] == 2


def test_an_exception_forgets_the_key() -> None:
    client = Client(raise_request_exception=False)
    assert post(client, "/crash", {}).status_code == 500
    assert not IdempotencyRecord.objects.exists()
    assert post(client, "/crash", {}).status_code == 500
    assert test_urls.calls["crash"] == 2


def test_a_4xx_is_remembered(client: Client) -> None:
    assert post(client, "/refuse", {}).status_code == 400
    replay = post(client, "/refuse", {})
    assert replay.status_code == 400
    assert replay["Idempotency-Replayed"] == "true"


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_an_empty_or_over_long_key_is_400(client: Client, key: str) -> None:
    response = post(client, "/create", {}, key=key)
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": response.json()["message"],
        "field": "Idempotency-Key",
    }
    assert test_urls.calls["create"] == 0


def test_the_longest_key_is_accepted(client: Client) -> None:
    assert post(client, "/create", {}, key="x" * 255).status_code == 201


def test_keys_are_per_caller(client: Client) -> None:
    users = get_user_model().objects
    alice = users.create_user("+8613900000001")
    bob = users.create_user("+8613900000002")
    client.force_login(alice)
    assert post(client, "/create", {"qty": 1}).json()["n"] == 1
    other = Client()
    other.force_login(bob)
    assert post(other, "/create", {"qty": 1}).json()["n"] == 2  # bob's own key space
    bearer = Client()
    assert post(bearer, "/create", {"qty": 1}, HTTP_AUTHORIZATION="Bearer t1").json()["n"] == 3
    replay = post(bearer, "/create", {"qty": 1}, HTTP_AUTHORIZATION="Bearer t1")
    assert replay.json()["n"] == 3
    assert test_urls.calls["create"] == 3
    assert IdempotencyRecord.objects.count() == 3


def test_expired_records_are_forgotten(client: Client) -> None:
    post(client, "/create", {})
    assert idempotency.forget_expired() == 0
    later = ktime.now() + idempotency.RETENTION + dt.timedelta(seconds=1)
    assert idempotency.forget_expired(later) == 1
    assert post(client, "/create", {}).json()["n"] == 2
    idempotency.purge_idempotency_records.call_local()
