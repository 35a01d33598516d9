"""Redelivery changes nothing: the same event given twice through the real broker leaves one of
everything it caused (issue 15 item 10)."""

from datetime import UTC, datetime

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from contracts.events import dump_event
from services.notification.service import NotificationService
from services.pool.service import PoolService
from services.profile.service import ProfileService
from tests.integration.helpers import canonical_inquiry, recorder_of, start_downstream_of, started, wait_for


def test_a_redelivered_customer_created_gives_one_first_touch_reminder_and_one_assigned_entry(
    container_factory, config, db
):
    start_downstream_of(container_factory, config, "profile", "pool", "notification")  # every event has a queue
    profile = started(container_factory, ProfileService, config)
    pool = started(container_factory, PoolService, config)
    notification = started(container_factory, NotificationService, config)
    created = started(container_factory, recorder_of("profile", "customer_created"), config)
    dispatch = event_dispatcher(config)

    with entrypoint_waiter(created, "record") as opened:
        with entrypoint_waiter(profile, "on_inquiry_received"):
            dispatch(
                "intake",
                "inquiry_received",
                dump_event(
                    "inquiry_received",
                    {"inquiry_id": "inq_1", "received_at": datetime.now(UTC), "inquiry": canonical_inquiry()},
                ),
            )
    customer_created = opened.get()
    customer_id = customer_created["customer_id"]

    def first_touches():
        return list(db.reminders.find({"customer_id": customer_id, "kind": "first_touch"}))

    def assigned_entries():
        return list(db.timeline.find({"customer_id": customer_id, "kind": "owner_assigned"}))

    wait_for(lambda: first_touches() and assigned_entries(), what="the first allocation's reminder and entry")
    # The stored allocation time has the store's precision (milliseconds), the first announcement
    # had microseconds: an id made from the time would differ on the second announcement.
    with entrypoint_waiter(notification, "on_customer_allocated"), entrypoint_waiter(profile, "on_customer_allocated"):
        with entrypoint_waiter(pool, "on_customer_created"):
            dispatch("profile", "customer_created", customer_created)  # redelivered

    reminders, entries = first_touches(), assigned_entries()
    assert len(reminders) == 1, [r["_id"] for r in reminders]
    assert len(entries) == 1, [e["_id"] for e in entries]
    owner = db.holdings.find_one({"_id": customer_id})["owner_id"]
    assert reminders[0]["user_id"] == owner and entries[0]["refs"]["owner_id"] == owner
