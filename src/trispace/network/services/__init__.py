"""Write use cases of network: one function per whole use case (keyword-only, ``actor`` first).

Each owns its transaction, writes its audit row and publishes its events; the API, the pages,
the seeds and the tests all call these.
"""

from trispace.network.services._guards import UNSET
from trispace.network.services.memberships import (
    consumer_set_store,
    membership_grant,
    membership_grant_by_phone,
    membership_revoke,
)
from trispace.network.services.organizations import (
    organization_create,
    organization_move,
    organization_update,
)
from trispace.network.services.stores import store_set_pickup_hours, store_set_status

__all__ = [
    "UNSET",
    "consumer_set_store",
    "membership_grant",
    "membership_grant_by_phone",
    "membership_revoke",
    "organization_create",
    "organization_move",
    "organization_update",
    "store_set_pickup_hours",
    "store_set_status",
]
