"""The accounts API: logins, the caller, tokens; bad input is a 4xx with a stable code."""

import datetime as dt
import json

import pytest
from django.test import Client

from trispace.accounts import tokens
from trispace.accounts.models import ApiToken, SmsCode, User
from trispace.accounts.sms import FakeSms
from trispace.kernel import time as ktime
from trispace.network.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BASE = "/api/accounts"
PHONE = "+8613812345678"


def post(client: Client, path: str, body: object = None, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body or {})
    return client.post(BASE + path, data, content_type="application/json", **extra)


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def login_token(client: Client, user: User) -> str:
    response = post(client, "/password/login", {"phone": user.phone, "password": "pass-1234"})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_sms_send_then_login_returns_a_token_and_the_masked_identity(client):
    response = post(client, "/sms/send", {"phone": "138 1234 5678"})
    assert response.status_code == 200
    assert response.json() == {"sent": True, "expires_in_s": 300, "resend_after_s": 60}
    code = FakeSms.last_code_for(PHONE)
    response = post(client, "/sms/login", {"phone": "13812345678", "code": code})
    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("ts_")
    assert body["user"]["phone"] == "138****5678"
    assert body["user"]["has_password"] is False
    assert "+8613812345678" not in response.content.decode()
    me = client.get(f"{BASE}/me", **bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["id"] == User.objects.get(phone=PHONE).pk


def test_sms_resend_too_soon_is_429_with_a_stable_code(client):
    post(client, "/sms/send", {"phone": PHONE})
    response = post(client, "/sms/send", {"phone": PHONE})
    assert response.status_code == 429
    assert response.json()["code"] == "sms_too_soon"
    assert SmsCode.objects.count() == 1


def test_a_wrong_sms_code_is_400_and_creates_no_user(client):
    post(client, "/sms/send", {"phone": PHONE})
    code = FakeSms.last_code_for(PHONE)
    response = post(
        client, "/sms/login", {"phone": PHONE, "code": f"{(int(code) + 1) % 10**6:06d}"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "sms_code_invalid",
        "message": "The code is wrong or has expired.",
        "field": "code",
    }
    assert not User.objects.exists()


def test_password_login_wrong_password_then_rate_limited(client):
    user = UserFactory()
    with ktime.freeze(dt.datetime(2026, 11, 23, 2, 0, 10, tzinfo=dt.UTC)):
        for _ in range(5):
            response = post(
                client, "/password/login", {"phone": user.phone, "password": "nope-nope"}
            )
            assert response.status_code == 401
            assert response.json()["code"] == "login_failed"
        response = post(client, "/password/login", {"phone": user.phone, "password": "pass-1234"})
    assert response.status_code == 429
    assert response.json()["code"] == "login_rate_limited"
    assert not ApiToken.objects.exists()


def test_messages_follow_accept_language(client):
    response = post(client, "/sms/send", {"phone": "12"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["message"] == "Enter a valid mobile phone number."


@pytest.mark.parametrize(
    ("path", "body", "code", "field"),
    [
        ("/sms/send", {"phone": "12"}, "phone_invalid", "phone"),
        ("/sms/send", {}, "invalid", "phone"),
        ("/sms/send", {"phone": 13812345678}, "invalid", "phone"),
        ("/sms/send", {"phone": None}, "invalid", "phone"),
        ("/sms/send", {"phone": ["13812345678"]}, "invalid", "phone"),
        ("/sms/send", {"phone": "1" * 100_000}, "invalid", "phone"),
        ("/sms/send", {"phone": "138\u0000 1234 5678"}, "phone_invalid", "phone"),
        ("/sms/login", {"phone": PHONE}, "invalid", "code"),
        ("/sms/login", {"phone": PHONE, "code": "x" * 10_000}, "invalid", "code"),
        ("/sms/login", {"phone": PHONE, "code": "12ab56"}, "sms_code_invalid", "code"),
        ("/password/login", {"phone": PHONE}, "invalid", "password"),
        ("/password/login", {"phone": PHONE, "password": 12345678}, "invalid", "password"),
        ("/password/login", {"phone": PHONE, "password": "p" * 100_000}, "invalid", "password"),
        ("/password/login", {"phone": "not a phone", "password": "x"}, "phone_invalid", "phone"),
    ],
)
def test_bad_input_is_a_4xx_json_with_a_stable_code(client, path, body, code, field):
    response = post(client, path, body)
    assert 400 <= response.status_code < 500
    data = response.json()
    assert (data["code"], data["field"]) == (code, field)
    assert not User.objects.exists()
    assert not SmsCode.objects.exists()


@pytest.mark.parametrize("raw", ["not json", b"\xff\xfe", "[1, 2]", '"13812345678"', ""])
def test_a_body_that_is_not_an_object_is_a_4xx(client, raw):
    response = post(client, "/sms/send", raw)
    assert 400 <= response.status_code < 500
    assert "code" in response.json()


def test_me_needs_authentication(client):
    response = client.get(f"{BASE}/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    response = client.get(f"{BASE}/me", **bearer("ts_forged"))
    assert response.status_code == 401


def test_me_works_with_the_session_too(client):
    user = UserFactory(phone=PHONE, name="小王")
    client.force_login(user)
    body = client.get(f"{BASE}/me").json()
    assert body["phone"] == "138****5678"
    assert body["name"] == "小王"
    assert body["has_password"] is True
    assert set(body) == {
        "id",
        "phone",
        "name",
        "display_name",
        "language",
        "has_password",
        "date_joined",
    }


def test_an_expired_token_is_refused(client):
    user = UserFactory()
    _, raw = tokens.token_issue(actor=user, user=user)
    with ktime.travel(dt.timedelta(days=31)):
        assert client.get(f"{BASE}/me", **bearer(raw)).status_code == 401


def test_patch_me_changes_the_name_and_validates(client):
    user = UserFactory(name="old")
    raw = login_token(client, user)
    response = client.patch(
        f"{BASE}/me", json.dumps({"name": "新名字"}), content_type="application/json", **bearer(raw)
    )
    assert response.status_code == 200
    assert response.json()["name"] == "新名字"
    response = client.patch(
        f"{BASE}/me", json.dumps({"name": "x" * 51}), content_type="application/json", **bearer(raw)
    )
    assert response.status_code == 400
    assert response.json()["code"] == "name_invalid"
    response = client.patch(
        f"{BASE}/me", json.dumps({"language": "xx"}), content_type="application/json", **bearer(raw)
    )
    assert response.json()["code"] == "language_invalid"
    assert User.objects.get(pk=user.pk).name == "新名字"


def test_patch_me_by_session_needs_the_csrf_token():
    user = UserFactory(name="old")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.patch(
        f"{BASE}/me", json.dumps({"name": "csrf"}), content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert User.objects.get(pk=user.pk).name == "old"


def test_password_change_through_the_api(client):
    user = UserFactory()
    raw = login_token(client, user)
    body = {"old_password": "pass-1234", "new_password": "new-pass-5678"}
    response = post(client, "/password/change", body, **bearer(raw))
    assert response.status_code == 204
    assert User.objects.get(pk=user.pk).check_password("new-pass-5678")
    response = post(client, "/password/change", body, **bearer(raw))
    assert response.json()["code"] == "password_wrong"


def test_password_change_by_session_keeps_the_session(client):
    user = UserFactory()
    client.force_login(user)
    body = {"old_password": "pass-1234", "new_password": "new-pass-5678"}
    assert post(client, "/password/change", body).status_code == 204
    assert client.get(f"{BASE}/me").status_code == 200


def test_logout_revokes_only_the_calling_token(client):
    user = UserFactory()
    first, second = login_token(client, user), login_token(client, user)
    assert post(client, "/logout", **bearer(first)).status_code == 204
    assert client.get(f"{BASE}/me", **bearer(first)).status_code == 401
    assert client.get(f"{BASE}/me", **bearer(second)).status_code == 200


def test_logout_with_the_session_ends_it(client):
    user = UserFactory()
    client.force_login(user)
    assert post(client, "/logout").status_code == 204
    assert client.get(f"{BASE}/me").status_code == 401


def test_token_list_marks_the_current_one(client):
    user = UserFactory()
    first, second = login_token(client, user), login_token(client, user)
    rows = client.get(f"{BASE}/tokens", **bearer(second)).json()
    assert len(rows) == 2
    current = [row for row in rows if row["current"]]
    assert len(current) == 1
    assert second.startswith(current[0]["prefix"])
    assert "key_hash" not in rows[0]
    assert first not in json.dumps(rows)


class TestTokenAuthorizationMatrix:
    """Revoking a token: only its owner may; a refusal changes nothing."""

    @pytest.fixture
    def victim_token(self):
        victim = UserFactory()
        token, raw = tokens.token_issue(actor=victim, user=victim)
        return token, raw

    def assert_untouched(self, token, raw):
        token.refresh_from_db()
        assert token.revoked_at is None
        assert tokens.token_user(raw) == token.user

    def test_anonymous_is_401(self, client, victim_token):
        token, raw = victim_token
        response = client.delete(f"{BASE}/tokens/{token.pk}")
        assert response.status_code == 401
        assert client.get(f"{BASE}/tokens").status_code == 401
        self.assert_untouched(token, raw)

    def test_another_user_gets_404_and_sees_none(self, client, victim_token):
        token, raw = victim_token
        other = login_token(client, UserFactory())
        response = client.delete(f"{BASE}/tokens/{token.pk}", **bearer(other))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        ids = [row["id"] for row in client.get(f"{BASE}/tokens", **bearer(other)).json()]
        assert token.pk not in ids
        self.assert_untouched(token, raw)

    def test_another_user_by_session_gets_404(self, client, victim_token):
        token, raw = victim_token
        client.force_login(UserFactory())
        assert client.delete(f"{BASE}/tokens/{token.pk}").status_code == 404
        self.assert_untouched(token, raw)

    def test_a_revoked_token_cannot_revoke(self, client, victim_token):
        token, raw = victim_token
        owner = token.user
        mine, mine_raw = tokens.token_issue(actor=owner, user=owner)
        tokens.token_revoke(actor=owner, token=mine)
        assert client.delete(f"{BASE}/tokens/{token.pk}", **bearer(mine_raw)).status_code == 401
        self.assert_untouched(token, raw)

    def test_the_owner_revokes_it(self, client, victim_token):
        token, raw = victim_token
        response = client.delete(f"{BASE}/tokens/{token.pk}", **bearer(raw))
        assert response.status_code == 204
        assert tokens.token_user(raw) is None
        assert client.delete(f"{BASE}/tokens/{token.pk}", **bearer(raw)).status_code == 401

    @pytest.mark.parametrize("bad_id", ["0", "-1", "abc", "99999999999999999999999", "1.5"])
    def test_bad_ids_are_4xx(self, client, victim_token, bad_id):
        token, raw = victim_token
        response = client.delete(f"{BASE}/tokens/{bad_id}", **bearer(raw))
        assert 400 <= response.status_code < 500
        self.assert_untouched(token, raw)
