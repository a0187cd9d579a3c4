"""Write use cases of the ledger: ``post`` and ``reverse`` (keyword-only, idempotent on key).

Both own their transaction (a savepoint when the caller already has one), so the calling use
case's changes and its postings commit or roll back together.
"""

from trispace.ledger.services.posting import post
from trispace.ledger.services.reversal import reverse
from trispace.ledger.types import AccountRef, Posting

__all__ = ["AccountRef", "Posting", "post", "reverse"]
