"""Events published by ``accounts`` (用户与登录)."""

from __future__ import annotations

import dataclasses

from trispace.kernel.events import Event


@dataclasses.dataclass(frozen=True, kw_only=True)
class UserRegistered(Event):
    user_id: int
    via: str  # "sms", "staff", "seed"
