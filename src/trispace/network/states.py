"""Statuses of organizations (a store's status is also its pickup point's status)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from trispace.kernel.transitions import StateMachine


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


ORG_STATES = StateMachine(
    {
        OrgStatus.ACTIVE: {OrgStatus.PAUSED, OrgStatus.CLOSED},
        OrgStatus.PAUSED: {OrgStatus.ACTIVE, OrgStatus.CLOSED},
        OrgStatus.CLOSED: {OrgStatus.ACTIVE},
    }
)
