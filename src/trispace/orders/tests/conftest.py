"""Fixtures of the orders tests: network's small network with one person per role
(``net``, ``client_for``), products priced and stocked at store a (``shop``)."""

from __future__ import annotations

from typing import Any

import pytest

from trispace.network.tests.conftest import client_for, net, zhejiang  # noqa: F401  (fixtures)
from trispace.orders.tests.factories import Shop, build_shop


@pytest.fixture
def shop(net: Any) -> Shop:  # noqa: F811
    return build_shop(net)
