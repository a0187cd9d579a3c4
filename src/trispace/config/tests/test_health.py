"""``/healthz``: database and jobs backend answer."""

from __future__ import annotations

import pytest
from django.test import Client

from trispace.kernel import jobs


@pytest.mark.django_db
def test_healthz_is_200_with_database_and_jobs_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["database"]["ok"] is True
    assert body["jobs"] == {"backend": "immediate", "ok": True, "pending": 0}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_jobs_backend_fails(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> int:
        raise ConnectionError

    monkeypatch.setattr(jobs.queue, "pending_count", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["jobs"]["ok"] is False
