"""Error codes of ``ledger`` (总账). Codes are stable once published; messages may change."""

from django.utils.translation import gettext_lazy as _

from trispace.kernel.errors import INVALID, NOT_FOUND, ErrorCode

__all__ = [
    "INVALID",
    "LEDGER_ALREADY_REVERSED",
    "LEDGER_EMPTY",
    "LEDGER_KEY_CONFLICT",
    "LEDGER_POSTING_INVALID",
    "LEDGER_UNBALANCED",
    "NOT_FOUND",
]

LEDGER_UNBALANCED = ErrorCode(
    "ledger_unbalanced",
    _("Debits ({debit_fen} fen) and credits ({credit_fen} fen) of a posting must be equal."),
)
LEDGER_KEY_CONFLICT = ErrorCode(
    "ledger_key_conflict",
    _("This ledger key was already used for a different posting."),
    409,
)
LEDGER_EMPTY = ErrorCode(
    "ledger_empty", _("A posting needs at least one leg, and no leg may be of zero fen.")
)
LEDGER_POSTING_INVALID = ErrorCode(
    "ledger_posting_invalid",
    _(
        "Each leg needs an account (owner type, owner id, purpose) and either a positive debit"
        " or a positive credit in whole fen."
    ),
)
LEDGER_ALREADY_REVERSED = ErrorCode(
    "ledger_already_reversed", _("This journal transaction has already been reversed."), 409
)
