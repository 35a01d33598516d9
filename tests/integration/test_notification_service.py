"""notification: reminders scheduled from allocations, through real events."""
from datetime import datetime, timezone

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.events import dump_event
from services.notification.service import NotificationService
from tests.integration.helpers import recorder_of, started

AT = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def allocated(customer_id, owner_id):
    return dump_event("customer_allocated", {"customer_id": customer_id, "owner_id": owner_id, "team": "default",
                                             "allocated_at": AT, "reason": "weighted round-robin"})


def test_an_allocation_schedules_one_first_touch_reminder_for_the_owner(container_factory, config):
    config["BATON"]["reminders"]["first_touch_days"] = 2
    notification = started(container_factory, NotificationService, config)
    scheduled = started(container_factory, recorder_of("notification", "reminder_scheduled"), config)
    dispatch = event_dispatcher(config)
    with entrypoint_waiter(scheduled, "record") as event:
        dispatch("pool", "customer_allocated", allocated("cus_1", "alice"))
    assert event.get()["due_at"] == "2026-11-22T08:00:00+00:00"
    with entrypoint_waiter(notification, "on_customer_allocated"):
        dispatch("pool", "customer_allocated", allocated("cus_1", "alice"))   # redelivered
    with entrypoint_waiter(notification, "on_customer_allocated"):
        dispatch("pool", "customer_allocated", allocated("cus_2", "bob"))
    with entrypoint_hook(notification, "list_reminders") as list_reminders:
        alice = list_reminders("alice", {})
        done = list_reminders("alice", {"status": "done"})
    assert alice["total"] == 1
    reminder = alice["items"][0]
    assert (reminder["kind"], reminder["customer_id"], reminder["status"]) == ("first_touch", "cus_1", "pending")
    assert done["total"] == 0


def test_recording_a_contact_completes_the_first_touch(container_factory, config):
    notification = started(container_factory, NotificationService, config)
    started(container_factory, recorder_of("notification", "reminder_scheduled"), config)
    dispatch = event_dispatcher(config)
    with entrypoint_waiter(notification, "on_customer_allocated"):
        dispatch("pool", "customer_allocated", allocated("cus_1", "alice"))
    with entrypoint_waiter(notification, "on_communication_recorded"):
        dispatch("profile", "communication_recorded", dump_event("communication_recorded", {
            "customer_id": "cus_1", "record_id": "com_1", "owner_id": "alice", "at": AT, "recorded_at": AT,
            "method": "phone", "by": "alice", "result": "quote requested", "answered": True,
            "next_follow_up_at": None}))
    with entrypoint_hook(notification, "list_reminders") as list_reminders:
        assert list_reminders("alice", {})["total"] == 0
        assert [r["kind"] for r in list_reminders("alice", {"status": "done"})["items"]] == ["first_touch"]
