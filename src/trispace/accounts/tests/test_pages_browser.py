"""The login pages in a real browser (Chromium): htmx sends the code, the hint shows it."""

import re

import pytest

from trispace.accounts.models import User
from trispace.conftest import screenshot
from trispace.network.models import Role
from trispace.network.tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_consumer_logs_in_with_the_code_shown_in_development(live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/login/?next=/login/")
    page.fill("input[name=phone]", "138 1234 5678")
    page.locator("button[data-action=send-code]").click()
    hint = page.locator(".dev-hint")
    hint.wait_for()
    code = re.search(r"\d{6}", hint.inner_text()).group(0)
    assert "138****5678" in page.locator("#sms-status").inner_text()
    screenshot(page, "accounts-h5-login-code-sent")
    page.fill("input[name=code]", code)
    page.locator("button[value=login]").click()
    page.wait_for_load_state()
    assert User.objects.filter(phone="+8613812345678").exists()


def test_staff_log_in_to_the_back_office(live_server, desk_page):
    staff = MembershipFactory(role=Role.BRAND_ADMIN).user
    page = desk_page
    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=phone]", "wrong")
    page.fill("input[name=password]", "x")
    page.locator("button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator(".error, .form-errors").count() >= 1
    screenshot(page, "accounts-console-login-error")
    page.fill("input[name=phone]", staff.phone)
    page.fill("input[name=password]", "pass-1234")
    page.locator("button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/console/")
    assert staff.display_name in page.content()
