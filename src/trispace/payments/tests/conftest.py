"""Fixtures of the payments tests: a small network, simulated keys of their own, WeChat Pay
configured offline (locally generated keys, a fake SDK client), and helpers."""

from __future__ import annotations

from typing import Any

import pytest

from trispace.network.tests.conftest import client_for, net  # noqa: F401  (fixtures)
from trispace.payments.adapters import simulated
from trispace.payments.tests.factories import WechatFixture, make_wechat_fixture


@pytest.fixture(autouse=True)
def _simulated_keys(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test's simulated provider keys live in its own folder (generated on first use)."""
    settings.VAR_DIR = tmp_path_factory.mktemp("var")
    simulated._cache.clear()


@pytest.fixture(scope="session")
def _wechat_keys(tmp_path_factory: pytest.TempPathFactory) -> WechatFixture:
    return make_wechat_fixture(tmp_path_factory.mktemp("wechatpay"))


@pytest.fixture
def wechat(_wechat_keys: WechatFixture, monkeypatch: pytest.MonkeyPatch) -> WechatFixture:
    """WeChat Pay configured from the environment with local keys and a fake SDK client."""
    _wechat_keys.install(monkeypatch)
    return _wechat_keys
