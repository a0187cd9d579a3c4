"""Login pages: the back office (staff, password) and the H5 shop (consumers, SMS code)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from trispace.accounts.models import User
from trispace.accounts.sms import FakeSms
from trispace.network.models import Role
from trispace.network.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+8613812345678"
CONSOLE_LOGIN = "/console/login/"
H5_LOGIN = "/login/"


@pytest.fixture
def staff():
    return MembershipFactory(role=Role.STORE_OWNER).user


def logged_in_as(client: Client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


class TestConsoleLogin:
    def test_the_urls(self):
        assert reverse("console:login") == CONSOLE_LOGIN
        assert reverse("console:logout") == "/console/logout/"

    def test_get_shows_the_form(self, client):
        response = client.get(CONSOLE_LOGIN, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="phone"' in html
        assert 'name="password"' in html
        assert "csrfmiddlewaretoken" in html

    def test_staff_log_in_and_land_on_the_dashboard(self, client, staff):
        response = client.post(CONSOLE_LOGIN, {"phone": staff.phone, "password": "pass-1234"})
        assert response.status_code == 302
        assert response["Location"] == reverse("console:home")
        assert logged_in_as(client) == staff.pk

    def test_a_wrong_password_shows_a_clear_message(self, client, staff):
        response = client.post(
            CONSOLE_LOGIN, {"phone": staff.phone, "password": "nope"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 200
        assert "Wrong phone number or password." in response.content.decode()
        assert logged_in_as(client) is None

    def test_an_invalid_phone_is_shown_on_its_field(self, client):
        response = client.post(
            CONSOLE_LOGIN, {"phone": "12", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert "Enter a valid mobile phone number." in response.content.decode()

    def test_missing_and_huge_fields_are_form_errors_not_500(self, client):
        assert client.post(CONSOLE_LOGIN, {}).status_code == 200
        response = client.post(CONSOLE_LOGIN, {"phone": "1" * 10_000, "password": "p" * 10_000})
        assert response.status_code == 200
        assert logged_in_as(client) is None

    def test_the_rate_limit_is_shown_and_stops_the_right_password(self, client, staff):
        for _ in range(5):
            client.post(CONSOLE_LOGIN, {"phone": staff.phone, "password": "nope"})
        response = client.post(
            CONSOLE_LOGIN,
            {"phone": staff.phone, "password": "pass-1234"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert "Too many login attempts" in response.content.decode()
        assert logged_in_as(client) is None

    def test_a_consumer_is_not_let_in(self, client):
        consumer = MembershipFactory(role=Role.CONSUMER).user
        response = client.post(
            CONSOLE_LOGIN,
            {"phone": consumer.phone, "password": "pass-1234"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert "no back-office role" in response.content.decode()
        assert logged_in_as(client) is None

    def test_next_is_honoured_when_it_stays_on_this_site(self, client, staff):
        html = client.get(CONSOLE_LOGIN, {"next": "/console/?tab=1"}).content.decode()
        assert 'type="hidden" name="next" value="/console/?tab=1"' in html
        body = {"phone": staff.phone, "password": "pass-1234", "next": "/console/?tab=1"}
        response = client.post(CONSOLE_LOGIN, body)
        assert response["Location"] == "/console/?tab=1"

    @pytest.mark.parametrize(
        "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "\\\\evil"]
    )
    def test_next_elsewhere_is_ignored(self, client, staff, target):
        response = client.get(CONSOLE_LOGIN, {"next": target})
        assert 'type="hidden" name="next"' not in response.content.decode()
        body = {"phone": staff.phone, "password": "pass-1234", "next": target}
        response = client.post(CONSOLE_LOGIN, body)
        assert response["Location"] == reverse("console:home")

    def test_a_logged_in_staff_member_skips_the_form(self, client, staff):
        client.force_login(staff)
        assert client.get(CONSOLE_LOGIN).status_code == 302

    def test_the_dashboard_sends_anonymous_people_to_login(self, client):
        response = client.get("/console/")
        assert response.status_code == 302
        assert response["Location"].startswith(CONSOLE_LOGIN)

    def test_logout_is_post_only(self, client, staff):
        client.force_login(staff)
        assert client.get("/console/logout/").status_code == 405
        assert logged_in_as(client) == staff.pk
        response = client.post("/console/logout/")
        assert response.status_code == 302
        assert response["Location"] == CONSOLE_LOGIN
        assert logged_in_as(client) is None

    def test_login_form_needs_csrf(self, staff):
        client = Client(enforce_csrf_checks=True)
        response = client.post(CONSOLE_LOGIN, {"phone": staff.phone, "password": "pass-1234"})
        assert response.status_code == 403
        assert logged_in_as(client) is None


class TestH5Login:
    def test_the_urls(self):
        assert reverse("h5:login") == H5_LOGIN
        assert reverse("h5:logout") == "/logout/"

    def test_get_shows_phone_code_and_a_send_button(self, client):
        html = client.get(H5_LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'name="phone"' in html
        assert 'name="code"' in html
        assert "hx-post" in html
        assert "Send code" in html

    def test_send_by_htmx_returns_the_status_with_the_development_code(self, client):
        response = client.post(
            H5_LOGIN,
            {"action": "send", "phone": "138 1234 5678"},
            HTTP_HX_REQUEST="true",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html  # a fragment
        assert "138****5678" in html
        assert FakeSms.last_code_for(PHONE) in html

    def test_no_code_is_shown_with_a_real_sms_provider(self, client, settings, monkeypatch):
        from trispace.accounts import sms

        monkeypatch.setitem(sms.BACKENDS, "quiet", sms.FakeSms)
        settings.SMS_BACKEND = "quiet"
        response = client.post(H5_LOGIN, {"action": "send", "phone": PHONE}, HTTP_HX_REQUEST="true")
        assert FakeSms.last_code_for(PHONE) not in response.content.decode()

    def test_send_errors_are_shown_in_the_status(self, client):
        response = client.post(
            H5_LOGIN,
            {"action": "send", "phone": "12"},
            HTTP_HX_REQUEST="true",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert "Enter a valid mobile phone number." in response.content.decode()
        client.post(H5_LOGIN, {"action": "send", "phone": PHONE}, HTTP_HX_REQUEST="true")
        response = client.post(
            H5_LOGIN,
            {"action": "send", "phone": PHONE},
            HTTP_HX_REQUEST="true",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert "A code was just sent" in response.content.decode()

    def test_send_without_javascript_renders_the_whole_page(self, client):
        response = client.post(H5_LOGIN, {"action": "send", "phone": PHONE})
        html = response.content.decode()
        assert "<html" in html
        assert FakeSms.last_code_for(PHONE) in html
        assert 'value="' + PHONE in html

    def test_code_login_creates_the_consumer_and_the_session(self, client):
        client.post(H5_LOGIN, {"action": "send", "phone": PHONE}, HTTP_HX_REQUEST="true")
        code = FakeSms.last_code_for(PHONE)
        response = client.post(
            H5_LOGIN, {"action": "login", "phone": "13812345678", "code": code, "next": "/me/"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/me/"
        user = User.objects.get(phone=PHONE)
        assert logged_in_as(client) == user.pk
        assert (
            client.session["_auth_user_backend"]
            == "trispace.accounts.backends.PhonePasswordBackend"
        )

    def test_a_wrong_code_is_shown_on_the_code_field(self, client):
        client.post(H5_LOGIN, {"action": "send", "phone": PHONE}, HTTP_HX_REQUEST="true")
        code = FakeSms.last_code_for(PHONE)
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        response = client.post(
            H5_LOGIN,
            {"phone": PHONE, "code": wrong, "next": "https://evil.example/"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "The code is wrong or has expired." in html
        assert "evil.example" not in html
        assert logged_in_as(client) is None
        assert not User.objects.exists()

    def test_an_offsite_next_goes_home_instead(self, client):
        client.post(H5_LOGIN, {"action": "send", "phone": PHONE}, HTTP_HX_REQUEST="true")
        code = FakeSms.last_code_for(PHONE)
        response = client.post(
            H5_LOGIN, {"phone": PHONE, "code": code, "next": "https://evil.example/"}
        )
        assert response.status_code == 302
        assert "evil" not in response["Location"]

    def test_logout_is_post_only(self, client):
        user = UserFactory()
        client.force_login(user)
        assert client.get("/logout/").status_code == 405
        assert client.post("/logout/").status_code == 302
        assert logged_in_as(client) is None

    def test_a_logged_in_person_skips_the_form(self, client):
        client.force_login(UserFactory())
        assert client.get(H5_LOGIN).status_code == 302
