"""pool: decides who owns each customer."""
import logging
from datetime import datetime, timezone

from nameko.events import event_handler
from nameko.rpc import rpc

from contracts.errors import EXPECTED_ERRORS, NotFound
from contracts.events import dump_event, load_event
from contracts.ownership import OwnershipSchema
from services.pool.allocating import allocate_new_customer, assign_requested_owner
from services.pool.domain.rotation import NobodyEligible
from services.pool.settings import AllocationSettingsSchema
from services.pool.store import Ownership
from services.runtime.events import ReliableEventDispatcher
from services.runtime.mongo import MongoStore
from services.runtime.settings import Settings

log = logging.getLogger(__name__)


class PoolService:
    name = "pool"

    ownership = MongoStore(Ownership)
    allocation = Settings("allocation", AllocationSettingsSchema)
    dispatch = ReliableEventDispatcher()

    @event_handler("profile", "customer_created", requeue_on_error=True)
    def on_customer_created(self, payload):
        event = load_event("customer_created", payload)
        if event["needs_review"]:
            # It may be someone's existing customer (撞单): it waits in the pool until a person decides.
            log.info("customer %s may duplicate another archive; left unallocated for review", event["customer_id"])
            return
        try:
            if event["requested_owner"]:
                record = assign_requested_owner(self.ownership, self.allocation["team"], event["customer_id"],
                                                event["requested_owner"], datetime.now(timezone.utc))
            else:
                record = allocate_new_customer(self.ownership, self.allocation["team"], self.allocation["members"],
                                               event["customer_id"], datetime.now(timezone.utc))
        except NobodyEligible:
            log.warning("customer %s stays in the public pool: nobody in team %s can take customers",
                        event["customer_id"], self.allocation["team"])
            return
        self.dispatch("customer_allocated", dump_event("customer_allocated", {
            "customer_id": record["_id"], "owner_id": record["owner_id"], "team": record["team"],
            "allocated_at": record["allocated_at"], "reason": record["reason"]}))

    @event_handler("profile", "customers_merged", requeue_on_error=True)
    def on_customers_merged(self, payload):
        # The absorbed archive is no longer a customer: it holds no place in anyone's book.
        self.ownership.forget(load_event("customers_merged", payload)["absorbed_id"])

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_owner(self, customer_id):
        record = self.ownership.owner_record(customer_id)
        if record is None:
            raise NotFound.of("owner record", customer_id)
        return OwnershipSchema().dump({**record, "customer_id": record["_id"]})
