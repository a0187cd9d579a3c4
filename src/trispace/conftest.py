"""Suite-wide fixtures and the rule that under CI nothing that needs a service may skip."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, why: str) -> None:
    """Skip when a service is missing locally; fail under CI, where it must be there."""
    if condition:
        return
    if CI:
        pytest.fail(f"{why} (CI=true: this must not skip)")
    pytest.skip(why)


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL test: runs in the PostgreSQL pass (make test-postgres)")


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        require(False, f"Redis is not reachable at {url}: {exc}")
    return url


@pytest.fixture(autouse=True)
def _clock_reset() -> Iterator[None]:
    from trispace.kernel import time as ktime

    yield
    ktime.set_offset(ktime.get_offset() * 0)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory: pytest.TempPathFactory) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.path.join(os.getcwd(), "var", "screenshots")


@pytest.fixture(scope="session")
def chromium():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright (no browser download)."""
    require(os.path.exists(CHROMIUM), f"Chromium not found at {CHROMIUM} (make install-browser)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # next to one unless told it is safe, which it is here (one thread, one test at a time).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(chromium):  # type: ignore[no-untyped-def]
    """A 375-px wide phone page, Chinese first."""
    context = chromium.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", device_scale_factor=2
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desk_page(chromium):  # type: ignore[no-untyped-def]
    """A desktop page, Chinese first."""
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> str:  # type: ignore[no-untyped-def]
    """Save a full-page screenshot a person can look at: var/screenshots/<name>.png."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path
