"""JSON API of catalog."""

from ninja import Router

router = Router(tags=["catalog"])
