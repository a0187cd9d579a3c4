"""JSON API of ledger."""

from ninja import Router

router = Router(tags=["ledger"])
