"""notification: schedules reminders from what happens to customers and handoffs."""
from nameko.events import event_handler
from nameko.rpc import rpc

from contracts.errors import EXPECTED_ERRORS
from contracts.events import dump_event, load_event
from contracts.reminder import OPEN_STATUSES, ReminderListQuerySchema, ReminderPageSchema
from services.notification.domain import reminders as rules
from services.notification.domain import satisfying
from services.notification.reminding import COLLAPSED, close_all, schedule
from services.notification.settings import ReminderSettingsSchema
from services.notification.store import Reminders
from services.runtime.events import ReliableEventDispatcher
from services.runtime.mongo import MongoStore
from services.runtime.queries import load_input, page_of
from services.runtime.settings import Settings


class NotificationService:
    name = "notification"

    reminders = MongoStore(Reminders)
    policy = Settings("reminders", ReminderSettingsSchema)
    dispatch = ReliableEventDispatcher()

    # --- customers ------------------------------------------------------------------------

    @event_handler("pool", "customer_allocated", requeue_on_error=True)
    def on_customer_allocated(self, payload):
        event = load_event("customer_allocated", payload)
        self._close(event["customer_id"], event["allocated_at"],
                    lambda open_: satisfying.closed_by_allocation(event["owner_id"], open_))
        self._schedule([rules.first_touch(self.policy, event["customer_id"], event["owner_id"], event["allocated_at"])])

    @event_handler("profile", "communication_recorded", requeue_on_error=True)
    def on_communication_recorded(self, payload):
        """A recorded contact is the first touch (done, not left to nag); an unanswered one asks
        for a second, a meeting for its minutes."""
        event = load_event("communication_recorded", payload)
        self._close(event["customer_id"], event["at"], lambda open_: satisfying.closed_by_contact(self.policy, event, open_))
        asked = [rules.second_touch(self.policy, event)] if not event["answered"] else []
        self._schedule(asked + [r for r in [rules.meeting_minutes(self.policy, event)] if r])

    @event_handler("pool", "customer_returned", requeue_on_error=True)
    def on_customer_returned(self, payload):
        event = load_event("customer_returned", payload)
        self._close(event["customer_id"], event["at"], lambda open_: satisfying.closed_by_return(event, open_))

    @event_handler("pool", "recycling_warned", requeue_on_error=True)
    def on_recycling_warned(self, payload):
        self._schedule([rules.recycling_warning(load_event("recycling_warned", payload))])

    @event_handler("pool", "allocation_stalled", requeue_on_error=True)
    def on_allocation_stalled(self, payload):
        self._schedule(rules.allocation_stalled(self.policy, load_event("allocation_stalled", payload)))

    @event_handler("profile", "customers_merged", requeue_on_error=True)
    def on_customers_merged(self, payload):
        event = load_event("customers_merged", payload)
        self._close(event["absorbed_id"], event["merged_at"], lambda open_: satisfying.closed_by_merge(event, open_))

    # --- handoffs -------------------------------------------------------------------------

    @event_handler("handoff", "handoff_submitted", requeue_on_error=True)
    def on_handoff_submitted(self, payload):
        self._schedule(rules.handoff_submitted(self.policy, load_event("handoff_submitted", payload)))

    @event_handler("handoff", "handoff_info_completed", requeue_on_error=True)
    def on_handoff_info_completed(self, payload):
        event = load_event("handoff_info_completed", payload)
        self._close_about(event["handoff_id"], event["at"], satisfying.closed_by_info_completed)

    @event_handler("handoff", "handoff_accepted", requeue_on_error=True)
    def on_handoff_accepted(self, payload):
        event = load_event("handoff_accepted", payload)
        self._close_about(event["handoff_id"], event["at"], lambda open_: satisfying.closed_by_acceptance(event, open_))

    @event_handler("handoff", "handoff_returned", requeue_on_error=True)
    def on_handoff_returned(self, payload):
        event = load_event("handoff_returned", payload)
        self._close_about(event["handoff_id"], event["at"],
                          lambda open_: satisfying.closed_by_handoff_return(event, open_))
        self._schedule([rules.handoff_returned(event)])

    @event_handler("handoff", "requirement_changed", requeue_on_error=True)
    def on_requirement_changed(self, payload):
        self._schedule(rules.requirement_changed(load_event("requirement_changed", payload)))

    # --- reading --------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_reminders(self, user_id, query=None):
        query = load_input(ReminderListQuerySchema, query)
        status = query.pop("status")
        items, total = self.reminders.page_for(user_id, OPEN_STATUSES if status == "open" else (status,), **query)
        return ReminderPageSchema().dump(page_of([{**r, "id": r["_id"]} for r in items], total, query))

    # --- plumbing -------------------------------------------------------------------------

    def _schedule(self, new_reminders):
        for new in new_reminders:
            reminder, outcome = schedule(self.reminders, new)
            # Said again on redelivery (the first try may have stopped before it); profile's
            # timeline keeps one entry per reminder.
            if outcome != COLLAPSED and reminder["kind"] in rules.PLANNED_KINDS:
                self.dispatch("reminder_scheduled", dump_event("reminder_scheduled", {
                    "reminder_id": reminder["_id"], "kind": reminder["kind"], "user_id": reminder["user_id"],
                    "customer_id": reminder["customer_id"], "due_at": reminder["due_at"],
                    "scheduled_at": reminder["created_at"]}))

    def _close(self, customer_id, at, closings_of):
        close_all(self.reminders, closings_of(self.reminders.open_for_customer(customer_id)), at)

    def _close_about(self, subject_id, at, closings_of):
        close_all(self.reminders, closings_of(self.reminders.open_about(subject_id)), at)
