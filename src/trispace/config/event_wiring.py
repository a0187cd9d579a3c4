"""The one table that says which handler hears which event.

Read it to know every reaction in the system. Handlers live in the reacting context's
``handlers.py`` and take the event dataclass; the outbox delivers each event at least once and
records per handler what it processed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trispace.kernel import outbox
from trispace.kernel.events import Event

WIRING: list[tuple[type[Event], Callable[[Any], None]]] = [
    # (EventClass, handler) — later issues add rows here, e.g.
    # (orders.OrderPaid, distribution.handlers.accrue_commissions)
]


def wire() -> None:
    for event_type, handler in WIRING:
        outbox.subscribe(event_type, handler)
