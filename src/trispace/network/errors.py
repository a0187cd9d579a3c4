"""Error codes of ``network`` (渠道网络). Codes are stable once published; messages may change."""

from django.utils.translation import gettext_lazy as _

from trispace.kernel.errors import CONFLICT, INVALID, NOT_FOUND, PERMISSION_DENIED, ErrorCode

__all__ = [
    "CODE_INVALID",
    "CODE_TAKEN",
    "CONFLICT",
    "COORDINATES_INVALID",
    "HOURS_INVALID",
    "INVALID",
    "LAST_ADMIN",
    "MANAGER_INVALID",
    "NAME_INVALID",
    "NOT_FOUND",
    "ORG_CYCLE",
    "ORG_KIND_INVALID",
    "ORG_NOT_ACTIVE",
    "ORG_TOO_DEEP",
    "PERMISSION_DENIED",
    "PHONE_INVALID",
    "REGION_UNKNOWN",
    "ROLE_INVALID",
    "STATUS_INVALID",
]

ORG_CYCLE = ErrorCode(
    "org_cycle", _("An organization cannot be moved under itself or one of its own branches."), 409
)
ORG_KIND_INVALID = ErrorCode(
    "org_kind_invalid", _("A {kind} cannot be placed there in the network.")
)
ORG_NOT_ACTIVE = ErrorCode(
    "org_not_active", _("This organization is paused or closed; reopen it first."), 409
)
ORG_TOO_DEEP = ErrorCode("org_too_deep", _("The network cannot be deeper than {max} levels."))
REGION_UNKNOWN = ErrorCode("region_unknown", _("Choose an existing city or district."))
CODE_TAKEN = ErrorCode("code_taken", _("This code is already used by another organization."), 409)
CODE_INVALID = ErrorCode(
    "code_invalid", _("Use 1 to 20 letters, digits, dashes or underscores for the code.")
)
NAME_INVALID = ErrorCode("name_invalid", _("Enter a name of 1 to 100 characters."))
COORDINATES_INVALID = ErrorCode(
    "coordinates_invalid",
    _("Enter both longitude and latitude (GCJ-02) of a place in China, or neither."),
)
PHONE_INVALID = ErrorCode("phone_invalid", _("Enter a valid mobile or landline phone number."))
HOURS_INVALID = ErrorCode(
    "hours_invalid",
    _(
        "Pickup hours need a weekday from 0 (Monday) to 6, times as HH:MM and the opening"
        " before the closing, without overlaps."
    ),
)
STATUS_INVALID = ErrorCode("status_invalid", _("Choose active, paused or closed."))
ROLE_INVALID = ErrorCode("role_invalid", _("This role does not fit this kind of organization."))
MANAGER_INVALID = ErrorCode(
    "manager_invalid",
    _(
        "A salesperson's manager must be an active salesperson of the same branch with a"
        " higher rank."
    ),
)
LAST_ADMIN = ErrorCode("last_admin", _("The brand needs at least one active brand admin."), 409)
