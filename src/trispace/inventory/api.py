"""JSON API of inventory."""

from ninja import Router

router = Router(tags=["inventory"])
