"""ledger (总账): append-only double-entry accounts, journal transactions and entries."""
