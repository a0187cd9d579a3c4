"""Tables of ledger."""
