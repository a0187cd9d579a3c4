"""Payment provider adapters behind one interface (``base.PaymentAdapter``).

``get_adapter(name)`` is the one place a provider name becomes an adapter; tests may replace an
entry of ``ADAPTERS`` (a factory without arguments) to inject a fake client.
"""

from __future__ import annotations

from collections.abc import Callable

from trispace.payments import errors
from trispace.payments.adapters.base import PaymentAdapter
from trispace.payments.adapters.offline import OfflineAdapter
from trispace.payments.adapters.simulated import SimulatedAdapter
from trispace.payments.adapters.wechatpay import WechatPayAdapter

ADAPTERS: dict[str, Callable[[], PaymentAdapter]] = {
    "offline": OfflineAdapter,
    "simulated": SimulatedAdapter,
    "wechatpay": WechatPayAdapter,
}


def get_adapter(name: str) -> PaymentAdapter:
    factory = ADAPTERS.get(name)
    if factory is None:
        raise errors.PROVIDER_UNKNOWN(field="provider")
    return factory()
