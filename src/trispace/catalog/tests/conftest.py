"""Fixtures of the catalog tests."""

from __future__ import annotations

from typing import Any

import pytest

from trispace.catalog.tests.factories import Net, build_net


@pytest.fixture
def net(db: Any) -> Net:
    return build_net()
