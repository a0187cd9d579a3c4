"""System checks of accounts (``trispace check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from trispace.accounts import sms


@register(Tags.security, deploy=True)
def fake_sms_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not sms.is_fake() or settings.DEBUG:
        return []
    return [
        Warning(
            "SMS_BACKEND is 'fake': login codes are shown on the H5 login page and logged, "
            "so anyone can log in as any phone number.",
            hint="Fine for a demo; set TRISPACE_SMS to a real provider before serving people.",
            id="accounts.W001",
        )
    ]
