"""Chinese by default, English available: the catalog is compiled and the switch works."""

import pytest
from django.conf import settings as project_settings
from django.utils import translation

from trispace.kernel import errors

pytestmark = pytest.mark.django_db


def test_the_product_defaults_to_simplified_chinese():
    from trispace.config import settings as real

    assert real.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in project_settings.LANGUAGES] == ["zh-hans", "en"]


def test_error_messages_are_translated():
    with translation.override("zh-hans"):
        chinese = errors.NOT_FOUND().message
    with translation.override("en"):
        english = errors.NOT_FOUND().message
    assert english == "Not found."
    assert chinese != english
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese)


def test_pages_are_chinese_without_a_language_preference(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page = client.get("/console/login/").content.decode()
    assert "登录" in page


def test_a_browser_asking_for_english_gets_english(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page = client.get("/console/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in page


def test_the_language_switch_remembers_the_choice(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/console/login/"})
    assert "Log in" in client.get("/console/login/").content.decode()
