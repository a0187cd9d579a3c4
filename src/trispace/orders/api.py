"""JSON API of orders."""

from ninja import Router

router = Router(tags=["orders"])
