"""The API as a whole: documented without a CDN, and no write is open to anonymous callers."""

import re

import pytest

pytestmark = pytest.mark.django_db

# Writes that are public on purpose: how a person gets a session or a token in the first place.
PUBLIC_WRITES = {
    ("post", "/api/accounts/sms/send"),
    ("post", "/api/accounts/sms/login"),
    ("post", "/api/accounts/password/login"),
    # Payment providers' notifications: authenticated by their signature (payments/test_api.py).
    ("post", "/api/payments/notify/{provider}"),
}


@pytest.fixture
def schema(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_lists_every_context(schema):
    prefixes = {path.split("/")[2] for path in schema["paths"]}
    assert {"accounts", "network", "catalog"} <= prefixes


def test_docs_page_uses_only_local_assets(client):
    page = client.get("/api/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources, "the docs page should load Swagger UI"
    assert all(not s.startswith(("http:", "https:", "//")) for s in sources), sources


def test_every_write_refuses_anonymous_callers_and_changes_nothing(client, schema):
    from trispace.kernel.models import AuditLog, OutboxEvent

    checked = 0
    for path, operations in schema["paths"].items():
        for method in operations:
            if method not in {"post", "put", "patch", "delete"} or (method, path) in PUBLIC_WRITES:
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)
            response = getattr(client, method)(url, data="{}", content_type="application/json")
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["code"] == "not_authenticated"
            checked += 1
    assert checked >= 20
    assert AuditLog.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_bad_json_is_a_clear_400_not_a_500(client):
    response = client.post(
        "/api/accounts/sms/send", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "code" in response.json()
