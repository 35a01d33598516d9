"""profile: keeps the one archive per customer and its timeline."""
import hashlib
import uuid
from datetime import datetime, timezone

from nameko.events import event_handler
from nameko.rpc import rpc

from contracts.communication import CommunicationSchema
from contracts.customer import (
    CheckResultSchema, CustomerCheckSchema, CustomerCreateSchema, CustomerListQuerySchema, CustomerPageSchema,
    CustomerSchema, CustomerUpdateSchema, GroupLeaveSchema, GroupLinkSchema, GroupViewSchema, MergeRequestSchema,
    TimelinePageSchema,
)
from contracts.deals import DEAL_STEPS, StageChangeSchema
from contracts.errors import EXPECTED_ERRORS, InvalidInput
from contracts.events import dump_event, load_event
from contracts.paging import PageQuerySchema
from plugins.dependency import Plugins
from services.profile.domain import timeline
from services.profile.domain.normalising import normalise_email
from services.profile.changing import existing_archive
from services.profile.checking import likely_customers
from services.profile.creating import create_customer
from services.profile.editing import group_view, link_group, record_deal_step, set_stage, unlink_group, update_customer
from services.profile.domain.communications import was_answered
from services.profile.domain.summary import summary_of
from services.profile.filing import add_communication, file_inquiry, record_owner, record_return
from services.profile.merging import merge_customers
from services.profile.settings import CommunicationSettingsSchema, MatchingSettingsSchema
from services.profile.store import Customers
from services.runtime.events import ReliableEventDispatcher
from services.runtime.mongo import MongoStore
from services.runtime.queries import load_input, page_of
from services.runtime.settings import Settings


class ProfileService:
    name = "profile"

    customers = MongoStore(Customers)
    plugins = Plugins()
    matching = Settings("matching", MatchingSettingsSchema)
    communications = Settings("communications", CommunicationSettingsSchema)
    dispatch = ReliableEventDispatcher()

    @event_handler("intake", "inquiry_received", requeue_on_error=True)
    def on_inquiry_received(self, payload):
        event = load_event("inquiry_received", payload)
        for name, announced in file_inquiry(self.customers, self.plugins, self.matching, event["inquiry_id"],
                                            event["inquiry"], event["received_at"], datetime.now(timezone.utc)):
            self.dispatch(name, dump_event(name, announced))
        self._updated(announced["customer_id"])

    @event_handler("pool", "customer_allocated", requeue_on_error=True)
    def on_customer_allocated(self, payload):
        event = load_event("customer_allocated", payload)
        record_owner(self.customers, event["customer_id"], event["owner_id"], event["team"], event["reason"],
                     event["allocated_at"])

    @event_handler("pool", "customer_returned", requeue_on_error=True)
    def on_customer_returned(self, payload):
        event = load_event("customer_returned", payload)
        record_return(self.customers, event["customer_id"], event["state"], event["previous_owner_id"], event["reason"],
                      event["by"], event["at"])

    @event_handler("pool", "recycling_warned", requeue_on_error=True)
    def on_recycling_warned(self, payload):
        event = load_event("recycling_warned", payload)
        if self.customers.get(event["customer_id"]) is not None:
            self.customers.record(timeline.recycling_warned(event["customer_id"], event["owner_id"], event["reason"],
                                                            event["due_at"], event["warned_at"]))

    @event_handler("notification", "reminder_scheduled", requeue_on_error=True)
    def on_reminder_scheduled(self, payload):
        event = load_event("reminder_scheduled", payload)
        self.customers.record(timeline.reminder_scheduled(
            event["customer_id"], event["reminder_id"], event["kind"], event["user_id"],
            event["due_at"], event["scheduled_at"]))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_customer(self, customer_id):
        return CustomerSchema().dump(_as_view(self._archive(customer_id)))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_customers(self, query=None):
        query = load_input(CustomerListQuerySchema, query)
        email = query.pop("email", None)
        if email is not None:
            normalised = normalise_email(email)
            holders = self.customers.holders_of({"email": normalised}) if normalised else {}
            query["ids"] = list(holders.values())
        items, total = self.customers.page(**query)
        return CustomerPageSchema().dump(page_of([_as_view(a) for a in items], total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def check_before_create(self, typed):
        """Likely existing customers for what a salesperson typed, with owner and pool status."""
        typed = load_input(CustomerCheckSchema, typed, what="check")
        return CheckResultSchema().dump(likely_customers(self.customers, self.matching, typed))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def record_communication(self, customer_id, communication, record_id=None):
        """Add a contact record (notes convention); ``record_id`` makes a retried call harmless."""
        communication = load_input(CommunicationSchema, communication, what="communication")
        self._archive(customer_id)
        now, record_id = datetime.now(timezone.utc), _record_id("com", record_id)
        add_communication(self.customers, self.plugins, customer_id, record_id, communication, now)
        archive = self._archive(customer_id)
        recorded = next(c for c in archive["communications"] if c["id"] == record_id)
        self.dispatch("communication_recorded", dump_event("communication_recorded", {
            **recorded, "customer_id": customer_id, "record_id": record_id, "owner_id": archive["owner_id"],
            "result": recorded.get("result"), "next_follow_up_at": recorded.get("next_follow_up_at"),
            "answered": was_answered(recorded.get("result"), self.communications["unanswered_phrases"])}))
        self._updated(customer_id)
        return CustomerSchema().dump(_as_view(self._archive(customer_id)))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def update_customer(self, customer_id, changes):
        """Correct or complete the archive by hand (``CustomerUpdateSchema``)."""
        changes = load_input(CustomerUpdateSchema, changes, what="change")
        update_customer(self.customers, self.plugins, customer_id, changes, datetime.now(timezone.utc))
        self._updated(customer_id)
        return CustomerSchema().dump(_as_view(self._archive(customer_id)))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def record_deal_step(self, customer_id, kind, record, record_id=None):
        """Add a quote, sample or order (``kind``: quotes, samples, orders); the stage follows."""
        if kind not in DEAL_STEPS:
            raise InvalidInput(f"No such record kind {kind!r}.", {"fields": {"kind": [f"One of: {', '.join(DEAL_STEPS)}."]}})
        record = load_input(DEAL_STEPS[kind], record, what=kind[:-1])
        record_deal_step(self.customers, customer_id, kind, _record_id(kind[:3], record_id), record,
                         datetime.now(timezone.utc))
        self._updated(customer_id)
        return CustomerSchema().dump(_as_view(self._archive(customer_id)))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def change_stage(self, customer_id, change):
        change = load_input(StageChangeSchema, change, what="stage change")
        set_stage(self.customers, customer_id, change["stage"], change["by"], change.get("reason"), datetime.now(timezone.utc))
        self._updated(customer_id)
        return CustomerSchema().dump(_as_view(self._archive(customer_id)))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def link_group(self, customer_id, request):
        request = load_input(GroupLinkSchema, request, what="group link")
        link_group(self.customers, customer_id, request["link"], request["by"], request.get("name"), datetime.now(timezone.utc))
        return GroupViewSchema().dump(group_view(self.customers, customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def leave_group(self, customer_id, request):
        request = load_input(GroupLeaveSchema, request, what="request")
        unlink_group(self.customers, customer_id, request["by"], datetime.now(timezone.utc))
        return GroupViewSchema().dump(group_view(self.customers, customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_group(self, customer_id):
        return GroupViewSchema().dump(group_view(self.customers, customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_customer(self, request, key=None):
        """File a customer by hand for ``created_by``; ``Conflict`` names the owner if it exists."""
        request = load_input(CustomerCreateSchema, request, what="customer")
        event = create_customer(self.customers, self.plugins, self.matching, request["created_by"],
                                request["customer"], key or uuid.uuid4().hex, datetime.now(timezone.utc))
        self.dispatch("customer_created", dump_event("customer_created", event))
        return CustomerSchema().dump(_as_view(self._archive(event["customer_id"])))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def merge_customers(self, kept_id, request):
        """Merge ``request["absorb"]`` into ``kept_id``; asking again completes or repeats it harmlessly."""
        request = load_input(MergeRequestSchema, request, what="merge request")
        merged = merge_customers(self.customers, kept_id, request["absorb"], request["by"], datetime.now(timezone.utc))
        self.dispatch("customers_merged", dump_event("customers_merged", merged))
        self._updated(kept_id)
        return CustomerSchema().dump(_as_view(self._archive(kept_id)))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_timeline(self, customer_id, query=None):
        query = load_input(PageQuerySchema, query)
        self._archive(customer_id)
        entries, total = self.customers.timeline_page(customer_id, **query)
        return TimelinePageSchema().dump(page_of([{**e, "id": e["_id"]} for e in entries], total, query))

    def _archive(self, customer_id):
        return existing_archive(self.customers, customer_id)

    def _updated(self, customer_id):
        """Tell the others what they filter and decide by (pool: search, recycling, dormancy)."""
        archive = self.customers.get(customer_id)
        if archive is not None:
            self.dispatch("customer_updated", dump_event("customer_updated", summary_of(archive)))


def _record_id(prefix, key):
    """A record's id: from the caller's idempotency key (a retry adds nothing), else new."""
    return f"{prefix}_" + (hashlib.sha256(key.encode()).hexdigest()[:24] if key else uuid.uuid4().hex[:24])


def _as_view(archive):
    group = {"id": archive["group_id"], "name": archive.get("group_name")} if archive.get("group_id") else None
    return {**archive, "id": archive["_id"], "inquiry_count": len(archive["inquiry_ids"]), "group": group}
