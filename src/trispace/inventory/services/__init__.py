"""Write use cases of inventory: one function per whole use case (keyword-only, ``actor`` first).

* ``reserve`` / ``release`` / ``commit`` — what orders do with stock; for buyers and the system,
  no staff scope; idempotent per (location, key, reason), the key being the reference or, for
  a part of a reservation, a key under it; a fixed number of statements for any number of
  lines;
* ``receive`` / ``adjust`` (stocktake) / ``split`` — staff of the location (brand, its dealer,
  the store itself) or the system; each writes an audit row.

Every change of stock is a conditional UPDATE plus its append-only ``StockMove`` rows, in one
transaction the service owns (a savepoint inside the caller's).
"""

from trispace.inventory.services.counting import adjust
from trispace.inventory.services.receiving import receive
from trispace.inventory.services.reservations import commit, release, reserve
from trispace.inventory.services.sharding import split

__all__ = ["adjust", "commit", "receive", "release", "reserve", "split"]
