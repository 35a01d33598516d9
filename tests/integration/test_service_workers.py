"""Service methods run by nameko's worker_factory on the real stores; only nameko's own event
dispatcher is replaced, so each test sees exactly what the worker announced."""

from datetime import UTC, datetime

from nameko.testing.services import worker_factory

from contracts.events import load_event
from plugins.host import PluginHost
from services.notification.service import NotificationService
from services.notification.settings import ReminderSettingsSchema
from services.notification.store import Reminders
from services.pool.service import PoolService
from services.pool.settings import AllocationSettingsSchema, PoolSettingsSchema
from services.pool.store import Pool

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def created(customer_id):
    return {
        "customer_id": customer_id,
        "inquiry_id": "inq_x",
        "occurred_at": AT.isoformat(),
        "company": None,
        "country": None,
        "intent_grade": None,
    }


def test_pool_worker_allocates_and_announces(db, file_config):
    allocation = AllocationSettingsSchema().load(file_config["BATON"]["allocation"])
    settings = PoolSettingsSchema().load(file_config["BATON"]["pool"])
    pool = worker_factory(
        PoolService,
        pool=Pool(db.of("pool")),
        allocation=allocation,
        settings=settings,
        plugins=PluginHost.from_config(file_config),
    )
    for person in ("alice", "bob", "carol"):  # salespeople are the directory's users (user_saved)
        pool.on_user_saved(
            {
                "user_id": person,
                "name": person,
                "role": "member",
                "department": "sales",
                "team": "default",
                "active": True,
                "version": 1,
                "at": AT.isoformat(),
            }
        )
    for customer in ("c1", "c2", "c3"):
        pool.on_customer_created(created(customer))
    announced = [load_event(name, payload) for (name, payload), _ in pool.dispatch.call_args_list]
    assert [(e["customer_id"], e["owner_id"]) for e in announced] == [("c1", "alice"), ("c2", "bob"), ("c3", "carol")]
    assert pool.get_owner("c2")["owner_id"] == "bob"


def test_notification_worker_schedules_and_lists(db, file_config):
    policy = ReminderSettingsSchema().load(file_config["BATON"]["reminders"])
    notification = worker_factory(NotificationService, reminders=Reminders(db), policy=policy)
    notification.on_customer_allocated(
        {
            "customer_id": "c1",
            "owner_id": "alice",
            "team": "default",
            "allocated_at": AT.isoformat(),
            "reason": "weighted round-robin",
        }
    )
    (name, payload), _ = notification.dispatch.call_args
    assert (name, payload["due_at"]) == ("reminder_scheduled", "2026-11-23T08:00:00+00:00")
    assert notification.list_reminders("alice")["items"][0]["customer_id"] == "c1"
