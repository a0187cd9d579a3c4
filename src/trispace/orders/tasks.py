"""Periodic jobs of orders: scans of due rows in chunks, each one service call; reruns are
harmless (DESIGN: never one delayed task per row)."""

from __future__ import annotations

from trispace.kernel import jobs
from trispace.orders import services


@jobs.periodic(jobs.crontab(minute="*"))
def cancel_unpaid_orders() -> None:
    """Unpaid orders past their payment deadline (15 minutes by default) are cancelled."""
    services.orders_cancel_unpaid()


@jobs.periodic(jobs.crontab(minute="*/10"))
def auto_confirm_orders() -> None:
    """Shipped orders not confirmed by the buyer within N days (7 by default) complete."""
    services.orders_auto_confirm()


@jobs.periodic(jobs.crontab(minute="*/10"))
def close_due_orders() -> None:
    """Completed orders past their after-sale window without an open after-sale close."""
    services.orders_close_due()
