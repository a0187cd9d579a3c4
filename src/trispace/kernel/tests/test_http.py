"""safe_next_url: ``next`` is followed only when it stays on this site."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from trispace.kernel.http import safe_next_url

DEFAULT = "/default/"


@pytest.mark.parametrize(
    "target",
    ["/console/", "/console/?tab=1", "/me/", "http://testserver/console/", "network/5/"],
)
def test_a_target_on_this_site_is_followed(rf: RequestFactory, target: str) -> None:
    assert safe_next_url(rf.get("/", {"next": target}), DEFAULT) == target
    assert safe_next_url(rf.post("/", {"next": target}), DEFAULT) == target


@pytest.mark.parametrize(
    "target",
    [
        "",
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/console/",
        "javascript:alert(1)",
        "///evil.example/",
        "\\\\evil.example/",
    ],
)
def test_anything_else_gives_the_default(rf: RequestFactory, target: str) -> None:
    assert safe_next_url(rf.get("/", {"next": target}), DEFAULT) == DEFAULT
    assert safe_next_url(rf.post("/", {"next": target}), DEFAULT) == DEFAULT


def test_no_next_gives_the_default(rf: RequestFactory) -> None:
    assert safe_next_url(rf.get("/"), DEFAULT) == DEFAULT
    assert safe_next_url(rf.get("/"), "") == ""


def test_the_posted_next_wins_over_the_query(rf: RequestFactory) -> None:
    request = rf.post("/?next=/from-query/", {"next": "/from-form/"})
    assert safe_next_url(request, DEFAULT) == "/from-form/"


def test_the_query_is_used_when_nothing_is_posted(rf: RequestFactory) -> None:
    request = rf.post("/?next=/from-query/", {})
    assert safe_next_url(request, DEFAULT) == "/from-query/"


def test_behind_https_a_plain_http_url_is_refused(rf: RequestFactory) -> None:
    secure = rf.get("/", {"next": "http://testserver/console/"}, secure=True)
    assert safe_next_url(secure, DEFAULT) == DEFAULT
    secure = rf.get("/", {"next": "https://testserver/console/"}, secure=True)
    assert safe_next_url(secure, DEFAULT) == "https://testserver/console/"
