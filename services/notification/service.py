"""notification: schedules reminders from what happens to customers."""
from nameko.events import event_handler
from nameko.rpc import rpc

from contracts.errors import EXPECTED_ERRORS
from contracts.events import dump_event, load_event
from contracts.reminder import ReminderListQuerySchema, ReminderPageSchema
from services.notification.domain.reminders import first_touch, first_touch_id
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

    @event_handler("pool", "customer_allocated", requeue_on_error=True)
    def on_customer_allocated(self, payload):
        event = load_event("customer_allocated", payload)
        reminder = self.reminders.schedule(
            first_touch(self.policy, event["customer_id"], event["owner_id"], event["allocated_at"]))
        self.dispatch("reminder_scheduled", dump_event("reminder_scheduled", {
            "reminder_id": reminder["_id"], "kind": reminder["kind"], "user_id": reminder["user_id"],
            "customer_id": reminder["customer_id"], "due_at": reminder["due_at"],
            "scheduled_at": reminder["created_at"]}))

    @event_handler("profile", "communication_recorded", requeue_on_error=True)
    def on_communication_recorded(self, payload):
        """A recorded contact is the first touch: that reminder is done, not left to nag."""
        event = load_event("communication_recorded", payload)
        self.reminders.complete(first_touch_id(event["customer_id"]), event["recorded_at"])

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_reminders(self, user_id, query=None):
        query = load_input(ReminderListQuerySchema, query)
        items, total = self.reminders.page_for(user_id, **query)
        return ReminderPageSchema().dump(page_of([{**r, "id": r["_id"]} for r in items], total, query))
