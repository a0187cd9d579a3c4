"""The pickup QR: a signed token of the order id (django.core.signing with our own salt).

The token proves the order id came from us; whether the order can still be picked up is the
order's status, checked when the store scans it. It is shown only to the buyer.
"""

from __future__ import annotations

from django.core import signing

SALT = "trispace.orders.pickup"


def pickup_token(order_id: int) -> str:
    return signing.dumps(int(order_id), salt=SALT, compress=False)


def order_id_from_token(token: str) -> int | None:
    """The order id in a pickup token, or None when the token is not ours or was altered."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
