"""notification: reminders scheduled and closed by real events of pool, profile and handoff."""

from datetime import UTC, datetime, timedelta

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from pymongo import MongoClient, monitoring

from contracts.events import dump_event, load_event
from services.notification.domain import follow_up
from services.notification.following import follow, follow_allocation, follow_creation, named
from services.notification.service import NotificationService
from services.notification.settings import ReminderSettingsSchema
from services.notification.store import Reminders
from tests.databases import ServiceDatabases
from tests.integration.helpers import call, recorder_of, started

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def allocated(customer_id, owner_id, at=AT):
    return dump_event(
        "customer_allocated",
        {
            "customer_id": customer_id,
            "owner_id": owner_id,
            "team": "default",
            "allocated_at": at,
            "reason": "weighted round-robin",
        },
    )


def contact(customer_id, record_id, at=AT, answered=True, method="phone", by="alice"):
    return dump_event(
        "communication_recorded",
        {
            "customer_id": customer_id,
            "record_id": record_id,
            "owner_id": "alice",
            "at": at,
            "recorded_at": at,
            "method": method,
            "by": by,
            "result": None if answered else "no answer",
            "answered": answered,
            "next_follow_up_at": None,
        },
    )


def send(container, handler, source, event_type, payload, config):
    with entrypoint_waiter(container, handler):
        event_dispatcher(config)(source, event_type, payload)


def reminders_of(container, user, **query):
    with entrypoint_hook(container, "list_reminders") as list_reminders:
        return list_reminders(user, query)["items"]


def kinds(items):
    return sorted((r["kind"], r["status"]) for r in items)


def notification(container_factory, config):
    service = started(container_factory, NotificationService, config)
    started(container_factory, recorder_of("notification", "reminder_scheduled"), config)
    return service


def test_an_allocation_schedules_one_first_touch_reminder_for_the_owner(container_factory, config):
    config["BATON"]["reminders"]["first_touch_days"] = 2
    service = started(container_factory, NotificationService, config)
    scheduled = started(container_factory, recorder_of("notification", "reminder_scheduled"), config)
    dispatch = event_dispatcher(config)
    with entrypoint_waiter(scheduled, "record") as event:
        dispatch("pool", "customer_allocated", allocated("cus_1", "alice"))
    assert event.get()["due_at"] == "2026-11-22T08:00:00+00:00"
    send(
        service, "on_customer_allocated", "pool", "customer_allocated", allocated("cus_1", "alice"), config
    )  # redelivered
    send(service, "on_customer_allocated", "pool", "customer_allocated", allocated("cus_2", "bob"), config)
    alice = reminders_of(service, "alice")
    assert [(r["kind"], r["customer_id"], r["status"]) for r in alice] == [("first_touch", "cus_1", "pending")]
    assert reminders_of(service, "alice", status="done") == []


def test_recording_a_contact_completes_the_first_touch_and_an_unanswered_one_asks_again(container_factory, config):
    service = notification(container_factory, config)
    send(service, "on_customer_allocated", "pool", "customer_allocated", allocated("cus_1", "alice"), config)
    send(
        service,
        "on_communication_recorded",
        "profile",
        "communication_recorded",
        contact("cus_1", "com_1", answered=False),
        config,
    )
    open_ = reminders_of(service, "alice")
    assert kinds(open_) == [("second_touch", "pending")]
    assert open_[0]["due_at"] == (AT + timedelta(days=7)).isoformat()
    done = reminders_of(service, "alice", status="done")
    assert [(r["kind"], r["closed_by"]) for r in done] == [("first_touch", "system")]
    assert done[0]["close_reason"].startswith("contacted by alice (phone)")
    send(
        service,
        "on_communication_recorded",
        "profile",
        "communication_recorded",
        contact("cus_1", "com_2", at=AT + timedelta(days=2), method="meeting"),
        config,
    )
    assert kinds(reminders_of(service, "alice")) == [("meeting_minutes", "pending")]


def test_a_customer_returned_to_the_pool_cancels_its_former_owners_reminders(container_factory, config):
    service = notification(container_factory, config)
    send(service, "on_customer_allocated", "pool", "customer_allocated", allocated("cus_1", "alice"), config)
    send(
        service,
        "on_customer_returned",
        "pool",
        "customer_returned",
        dump_event(
            "customer_returned",
            {
                "customer_id": "cus_1",
                "state": "public_pool",
                "previous_owner_id": "alice",
                "reason": "released: no budget",
                "by": "alice",
                "at": AT + timedelta(days=1),
            },
        ),
        config,
    )
    assert reminders_of(service, "alice") == []
    assert [r["close_reason"] for r in reminders_of(service, "alice", status="cancelled")] == [
        "customer left alice: released: no budget"
    ]


def test_a_stalled_allocation_tells_the_manager_once_until_someone_gets_the_customer(container_factory, config):
    config["BATON"]["reminders"]["managers"] = {"default": ["mia"], "export": ["max"]}
    service = notification(container_factory, config)
    for n in range(2):
        send(
            service,
            "on_allocation_stalled",
            "pool",
            "allocation_stalled",
            dump_event(
                "allocation_stalled",
                {
                    "customer_id": "cus_1",
                    "team": "export",
                    "reasons": {"alice": ["on leave"]},
                    "at": AT + timedelta(minutes=n),
                },
            ),
            config,
        )
    told = reminders_of(service, "max")
    assert [(r["kind"], r["repeats"]) for r in told] == [("allocation_stalled", 1)]
    assert reminders_of(service, "mia") == []
    send(service, "on_customer_allocated", "pool", "customer_allocated", allocated("cus_1", "bob"), config)
    assert reminders_of(service, "max") == []
    assert [r["close_reason"] for r in reminders_of(service, "max", status="done")] == ["allocated to bob"]


def test_a_stall_is_told_to_the_team_s_manager_in_the_user_directory(container_factory, config):
    service = notification(container_factory, config)

    def saved(user_id, version, role="manager", active=True, team="export"):
        send(
            service,
            "on_user_saved",
            "gateway",
            "user_saved",
            dump_event(
                "user_saved",
                {
                    "user_id": user_id,
                    "name": user_id,
                    "role": role,
                    "department": "sales",
                    "team": team,
                    "active": active,
                    "version": version,
                    "at": AT,
                },
            ),
            config,
        )

    def stall(customer_id):
        send(
            service,
            "on_allocation_stalled",
            "pool",
            "allocation_stalled",
            dump_event(
                "allocation_stalled",
                {"customer_id": customer_id, "team": "export", "department": "sales", "reasons": {}, "at": AT},
            ),
            config,
        )

    saved("li.na", 2)
    saved("li.na", 1, active=False)  # an older version, redelivered late: changes nothing
    saved("sam", 1, role="member")
    stall("cus_1")
    assert [r["kind"] for r in reminders_of(service, "li.na")] == ["allocation_stalled"]
    assert reminders_of(service, "sam") == [] and reminders_of(service, "manager") == []
    saved("li.na", 3, active=False)  # deactivated: the configured manager is told again
    stall("cus_2")
    assert [r["customer_id"] for r in reminders_of(service, "manager")] == ["cus_2"]


def handoff(event_type, **payload):
    return event_type, dump_event(event_type, payload)


def test_the_handoff_flow_reminds_receivers_and_both_sides_of_an_info_pending_deadline(container_factory, config):
    service = notification(container_factory, config)

    def publish(event_type, **payload):
        send(service, f"on_{event_type}", "handoff", event_type, dump_event(event_type, payload), config)

    publish(
        "handoff_submitted",
        handoff_id="hof_1",
        kind="sales_to_service",
        customer_id="cus_1",
        from_user="alice",
        to_users=["bob", "carol"],
        info_pending=True,
        pending_until=AT + timedelta(days=3),
        missing=["special_requirements_marked"],
        submitted_at=AT,
    )
    publish(
        "handoff_submitted",
        handoff_id="hof_1",
        kind="sales_to_service",
        customer_id="cus_1",
        from_user="alice",
        to_users=["bob", "carol"],
        info_pending=True,
        pending_until=AT + timedelta(days=3),
        missing=["special_requirements_marked"],
        submitted_at=AT,
    )  # redelivered
    assert kinds(reminders_of(service, "bob")) == [
        ("handoff_acceptance", "pending"),
        ("handoff_waiting", "pending"),
        ("info_pending", "pending"),
    ]
    assert kinds(reminders_of(service, "alice")) == [("info_pending", "pending")]
    publish(
        "handoff_accepted",
        handoff_id="hof_1",
        kind="sales_to_service",
        customer_id="cus_1",
        by="bob",
        at=AT,
        complete=False,
        from_user="alice",
        new_owner_id=None,
    )
    assert kinds(reminders_of(service, "bob")) == [("info_pending", "pending")]
    assert kinds(reminders_of(service, "carol")) == [
        ("handoff_acceptance", "pending"),
        ("handoff_waiting", "pending"),
        ("info_pending", "pending"),
    ]
    publish("handoff_info_completed", handoff_id="hof_1", customer_id="cus_1", at=AT + timedelta(days=1))
    assert reminders_of(service, "alice") == []
    publish(
        "handoff_accepted",
        handoff_id="hof_1",
        kind="sales_to_service",
        customer_id="cus_1",
        by="carol",
        at=AT + timedelta(days=1),
        complete=True,
        from_user="alice",
        new_owner_id=None,
    )
    assert reminders_of(service, "bob") == reminders_of(service, "carol") == []


def test_a_returned_handoff_tells_the_sender_and_a_requirement_change_tells_everyone_once(container_factory, config):
    service = notification(container_factory, config)

    def publish(event_type, **payload):
        send(service, f"on_{event_type}", "handoff", event_type, dump_event(event_type, payload), config)

    publish(
        "handoff_submitted",
        handoff_id="hof_2",
        kind="marketing_to_sales",
        customer_id="cus_1",
        from_user="mark",
        to_users=["alice"],
        info_pending=False,
        pending_until=None,
        missing=[],
        submitted_at=AT,
    )
    publish(
        "handoff_returned",
        handoff_id="hof_2",
        kind="marketing_to_sales",
        customer_id="cus_1",
        by="alice",
        from_user="mark",
        reasons=["need is vague"],
        at=AT + timedelta(hours=1),
    )
    assert reminders_of(service, "alice") == []
    told = reminders_of(service, "mark")
    assert [(r["kind"], r["details"]["reasons"]) for r in told] == [("handoff_returned", "need is vague")]
    publish(
        "handoff_submitted",
        handoff_id="hof_3",
        kind="marketing_to_sales",
        customer_id="cus_1",
        from_user="mark",
        to_users=["alice"],
        info_pending=False,
        pending_until=None,
        missing=[],
        submitted_at=AT,
    )
    assert [k for k, _ in kinds(reminders_of(service, "alice"))] == ["handoff_acceptance", "handoff_waiting"]
    publish(
        "handoff_withdrawn",
        handoff_id="hof_3",
        kind="marketing_to_sales",
        customer_id="cus_1",
        by="mark",
        from_user="mark",
        to_users=["alice"],
        reason="sent to the wrong person",
        at=AT + timedelta(hours=2),
    )
    told = reminders_of(service, "alice")  # the waiting reminder is gone; alice is told why
    assert [(r["kind"], r["details"]["reason"]) for r in told] == [("handoff_withdrawn", "sent to the wrong person")]
    publish(
        "requirement_changed",
        change_id="chg_1",
        customer_id="cus_1",
        field="delivery_date",
        before="2026-12-20",
        after="2026-12-10",
        by="alice",
        at=AT,
        notify_users=["bob", "carol", "bob"],
    )
    assert [r["kind"] for r in reminders_of(service, "bob")] == ["requirement_changed"]
    assert [r["kind"] for r in reminders_of(service, "carol")] == ["requirement_changed"]


def test_a_price_requirement_change_is_told_without_its_values(container_factory, config):
    config["BATON"]["notification"]["fire_on_timer"] = False  # the test's clock fires
    service = notification(container_factory, config)
    send(
        service,
        "on_requirement_changed",
        "handoff",
        "requirement_changed",
        dump_event(
            "requirement_changed",
            {
                "change_id": "chg_9",
                "customer_id": "cus_9",
                "field": "target_price",
                "before": "USD 4.20 FOB",
                "after": "USD 4.10 FOB",
                "by": "alice",
                "at": AT,
                "notify_users": ["sam"],
            },
        ),
        config,
    )
    [told] = reminders_of(service, "sam")
    assert (told["kind"], told["details"]["before"], told["details"]["after"]) == ("requirement_changed", None, None)
    call(service, "fire_due", (AT + timedelta(minutes=1)).isoformat())
    [entry] = call(service, "list_inbox", "sam", {})["items"]
    assert "target price" in entry["body"] and not [t for t in ("4.20", "4.10") if t in repr([told, entry])]


def updated(version, grade, stage="new_contact", last=None, graded_at=None, value_grade=None):
    return dump_event(
        "customer_updated",
        {
            "customer_id": "cus_1",
            "version": version,
            "company": "Acme",
            "country": "DE",
            "intent_grade": grade,
            "value_grade": value_grade,
            "graded_at": graded_at,
            "stage": stage,
            "tags": [],
            "last_contact_at": last,
            "last_follow_up_at": last,
            "has_open_need": True,
            "deal_closed": False,
        },
    )


def test_the_owner_is_reminded_to_regrade_a_quarter_after_each_grading(container_factory, config):
    service = notification(container_factory, config)
    send(service, "on_customer_updated", "profile", "customer_updated", updated(1, "B", graded_at=AT), config)
    assert reminders_of(service, "alice") == []  # nobody owns it yet
    send(service, "on_customer_allocated", "pool", "customer_allocated", allocated("cus_1", "alice"), config)
    first = reminders_of(service, "alice", kind="regrade")
    assert [r["due_at"] for r in first] == [(AT + timedelta(days=90)).isoformat()]
    regraded_at = AT + timedelta(days=30)
    send(
        service,
        "on_customer_updated",
        "profile",
        "customer_updated",
        updated(2, "A", graded_at=regraded_at, value_grade="B"),
        config,
    )
    now_open = reminders_of(service, "alice", kind="regrade")
    assert [r["due_at"] for r in now_open] == [(regraded_at + timedelta(days=90)).isoformat()]
    assert "intent A, value B" in now_open[0]["message"]
    assert [r["close_reason"] for r in reminders_of(service, "alice", kind="regrade", status="done")] == [
        f"graded on {regraded_at:%Y-%m-%d %H:%M}"
    ]
    send(
        service,
        "on_customer_returned",
        "pool",
        "customer_returned",
        dump_event(
            "customer_returned",
            {
                "customer_id": "cus_1",
                "state": "public_pool",
                "previous_owner_id": "alice",
                "reason": "released",
                "by": "alice",
                "at": AT + timedelta(days=40),
            },
        ),
        config,
    )
    assert reminders_of(service, "alice", kind="regrade") == []


def test_each_contact_starts_the_next_follow_up_by_cadence_which_grade_changes_move(container_factory, config):
    service = notification(container_factory, config)
    send(service, "on_customer_updated", "profile", "customer_updated", updated(1, "C"), config)
    send(service, "on_customer_allocated", "pool", "customer_allocated", allocated("cus_1", "alice"), config)
    first_contact = AT + timedelta(days=1)
    send(
        service,
        "on_communication_recorded",
        "profile",
        "communication_recorded",
        contact("cus_1", "com_1", at=first_contact),
        config,
    )
    follow = [r for r in reminders_of(service, "alice") if r["kind"] == "follow_up"]
    assert [r["due_at"] for r in follow] == [(first_contact + timedelta(days=30)).isoformat()]  # grade C: monthly
    send(service, "on_customer_updated", "profile", "customer_updated", updated(2, "A", last=first_contact), config)
    send(service, "on_customer_updated", "profile", "customer_updated", updated(1, "C"), config)  # late, older
    moved = reminders_of(service, "alice", kind="follow_up")
    assert [(r["id"], r["due_at"]) for r in moved] == [
        (follow[0]["id"], (first_contact + timedelta(days=3)).isoformat())
    ]
    planned = AT + timedelta(days=9)
    send(
        service,
        "on_communication_recorded",
        "profile",
        "communication_recorded",
        {**contact("cus_1", "com_2", at=AT + timedelta(days=2)), "next_follow_up_at": planned.isoformat()},
        config,
    )
    now_open = reminders_of(service, "alice", kind="follow_up")
    assert [(r["due_at"], r["details"]["why"]) for r in now_open] == [
        (planned.isoformat(), "planned at the last contact")
    ]
    assert [r["close_reason"] for r in reminders_of(service, "alice", kind="follow_up", status="done")] == [
        "followed up on 2026-11-22 08:00"
    ]
    send(
        service,
        "on_customer_returned",
        "pool",
        "customer_returned",
        dump_event(
            "customer_returned",
            {
                "customer_id": "cus_1",
                "state": "public_pool",
                "previous_owner_id": "alice",
                "reason": "recycled",
                "by": "pool",
                "at": AT + timedelta(days=20),
            },
        ),
        config,
    )
    # her follow-ups end with the customer; what is left is the notice that it went back to the pool
    assert [(r["kind"], r["customer_id"]) for r in reminders_of(service, "alice")] == [("returned_to_pool", "cus_1")]


def created(customer_id, company):
    return dump_event(
        "customer_created",
        {
            "customer_id": customer_id,
            "inquiry_id": "inq_" + customer_id,
            "occurred_at": AT,
            "company": company,
            "country": "DE",
            "country_code": "DE",
            "intent_grade": "B",
        },
    )


def renamed(customer_id, version, company):
    return dump_event(
        "customer_updated",
        {
            "customer_id": customer_id,
            "version": version,
            "company": company,
            "country": "DE",
            "intent_grade": "B",
            "stage": "inquiry",
            "tags": [],
            "last_contact_at": None,
            "last_follow_up_at": None,
            "has_open_need": True,
            "deal_closed": False,
        },
    )


def test_reminders_and_the_inbox_show_the_customer_s_company_name_as_it_is_now(container_factory, config, db):
    config["BATON"]["notification"]["fire_on_timer"] = False  # the test's clock fires
    service = notification(container_factory, config)
    send(service, "on_customer_allocated", "pool", "customer_allocated", allocated("cus_1", "alice"), config)
    [unnamed] = reminders_of(service, "alice")
    assert (unnamed["customer_id"], unnamed["customer_name"]) == ("cus_1", None)  # its name not heard yet
    send(service, "on_customer_created", "profile", "customer_created", created("cus_1", "Acme GmbH"), config)
    assert [r["customer_name"] for r in reminders_of(service, "alice")] == ["Acme GmbH"]
    assert call(service, "get_reminder", unnamed["id"])["customer_name"] == "Acme GmbH"

    assert call(service, "fire_due", (AT + timedelta(days=3, minutes=1)).isoformat())["fired"] == 1
    [entry] = call(service, "list_inbox", "alice", {})["items"]
    assert (entry["title"], entry["customer_id"], entry["customer_name"]) == (
        "First touch due: Acme GmbH",
        "cus_1",
        "Acme GmbH",
    )
    assert entry["body"].startswith("First touch with new customer Acme GmbH by") and "cus_1" not in entry["body"]

    send(service, "on_customer_updated", "profile", "customer_updated", renamed("cus_1", 2, "Acme Europe GmbH"), config)
    send(service, "on_customer_created", "profile", "customer_created", created("cus_1", "Acme GmbH"), config)  # late
    assert [r["customer_name"] for r in reminders_of(service, "alice")] == ["Acme Europe GmbH"]  # at once
    assert call(service, "get_reminder", unnamed["id"])["customer_name"] == "Acme Europe GmbH"
    [entry] = call(service, "list_inbox", "alice", {})["items"]
    assert (entry["customer_name"], entry["title"]) == ("Acme Europe GmbH", "First touch due: Acme GmbH")  # as sent
    assert call(service, "mark_read", "alice", entry["id"], {"by": "alice"})["customer_name"] == "Acme Europe GmbH"
    done = call(service, "complete_reminder", unnamed["id"], {"by": "alice", "note": "called"})
    assert done["customer_name"] == "Acme Europe GmbH"
    assert "customer_name" not in db.reminders.find_one({"_id": unnamed["id"]})  # never stored on it
    assert "customer_name" not in db.inbox.find_one({"_id": entry["id"]})


def test_a_merged_away_customer_is_forgotten_and_the_kept_one_keeps_its_name(container_factory, config):
    service = notification(container_factory, config)
    for customer_id, company in (("cus_1", "Acme GmbH"), ("cus_2", "ACME Germany")):
        send(service, "on_customer_created", "profile", "customer_created", created(customer_id, company), config)
        send(service, "on_customer_allocated", "pool", "customer_allocated", allocated(customer_id, "alice"), config)
    send(
        service,
        "on_customers_merged",
        "profile",
        "customers_merged",
        dump_event(
            "customers_merged",
            {"kept_id": "cus_1", "absorbed_id": "cus_2", "by": "manager", "merged_at": AT + timedelta(hours=1)},
        ),
        config,
    )
    assert [(r["customer_id"], r["customer_name"]) for r in reminders_of(service, "alice")] == [("cus_1", "Acme GmbH")]
    assert [(r["customer_id"], r["customer_name"]) for r in reminders_of(service, "alice", status="cancelled")] == [
        ("cus_2", None)
    ]  # no longer a customer: nothing named by it


class FindCommands(monitoring.CommandListener):
    def __init__(self):
        self.commands = []

    def started(self, event):
        if event.command_name == "find":
            self.commands.append(event.command)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def test_a_page_is_named_in_one_query_by_its_customers_ids(mongo_uri, db):
    reminders = Reminders(db)
    for n in range(20):
        reminders.add_followed_customer({"_id": f"cus_{n}", "version": 0, "company": f"Company {n}"})
    finds = FindCommands()
    client = MongoClient(mongo_uri, tz_aware=True, event_listeners=[finds])
    try:
        page = [{"_id": f"rem_{n}", "customer_id": f"cus_{n % 12}"} for n in range(50)] + [
            {"_id": "ibx_digest", "customer_id": None},
            {"_id": "rem_gone", "customer_id": "cus_gone"},
        ]
        shown = named(Reminders(ServiceDatabases(client, mongo_uri).of("notification")), page)
    finally:
        client.close()
    assert [f["filter"] for f in finds.commands] == [
        {"_id": {"$in": sorted({f"cus_{n}" for n in range(12)} | {"cus_gone"})}}
    ]
    assert [d["customer_name"] for d in shown[:13]] == [f"Company {n % 12}" for n in range(13)]
    assert [d["customer_name"] for d in shown[-2:]] == [None, None]


def test_an_inbox_entry_carries_its_reminder_s_details(container_factory, config, db):
    config["BATON"]["notification"]["fire_on_timer"] = False  # the test's clock fires
    service = notification(container_factory, config)
    send(
        service,
        "on_requirement_changed",
        "handoff",
        "requirement_changed",
        dump_event(
            "requirement_changed",
            {
                "change_id": "chg_1",
                "customer_id": "cus_1",
                "field": "voltage",
                "before": "220V",
                "after": "110V",
                "by": "alice",
                "at": AT,
                "notify_users": ["sam"],
            },
        ),
        config,
    )
    send(
        service,
        "on_handoff_submitted",
        "handoff",
        "handoff_submitted",
        dump_event(
            "handoff_submitted",
            {
                "handoff_id": "hof_1",
                "kind": "sales_to_service",
                "customer_id": "cus_1",
                "from_user": "alice",
                "to_users": ["sam"],
                "info_pending": True,
                "pending_until": AT + timedelta(days=2),
                "missing": ["special_requirements_marked", "solution_offered"],
                "submitted_at": AT,
            },
        ),
        config,
    )
    reminders = {r["kind"]: r for r in reminders_of(service, "sam")}
    assert reminders["requirement_changed"]["details"] == {
        "field": "voltage",
        "before": "220V",
        "after": "110V",
        "by": "alice",
        "note": None,
        "source": None,
        "order_id": None,
    }
    call(service, "fire_due", (AT + timedelta(minutes=1)).isoformat())
    entries = {e["kind"]: e for e in call(service, "list_inbox", "sam", {})["items"]}
    assert sorted(entries) == ["handoff_waiting", "requirement_changed"]  # the others are not due yet
    for kind, entry in entries.items():
        assert entry["details"] == reminders[kind]["details"]
    assert entries["handoff_waiting"]["details"] == {
        "handoff_id": "hof_1",
        "kind": "sales_to_service",
        "from_user": "alice",
        "missing": "special_requirements_marked, solution_offered",
        "info_pending": True,
        "pending_until": (AT + timedelta(days=2)).isoformat(),
        "submitted_at": AT.isoformat(),
    }
    read = call(service, "mark_read", "sam", entries["requirement_changed"]["id"], {"by": "sam"})
    assert read["details"] == reminders["requirement_changed"]["details"]
    # an entry filed before inbox entries kept details reads as {}
    db.inbox.update_one({"_id": read["id"]}, {"$unset": {"details": ""}})
    again = {e["kind"]: e for e in call(service, "list_inbox", "sam", {})["items"]}
    assert again["requirement_changed"]["details"] == {}


def test_a_requirement_change_reaches_the_owners_manager_with_its_note(container_factory, config):
    service = notification(container_factory, config)
    for user_id, role in (("alice", "member"), ("meier", "manager")):
        send(
            service,
            "on_user_saved",
            "gateway",
            "user_saved",
            dump_event(
                "user_saved",
                {
                    "user_id": user_id,
                    "name": user_id,
                    "role": role,
                    "department": "sales",
                    "team": "default",
                    "active": True,
                    "version": 1,
                    "at": AT,
                },
            ),
            config,
        )
    change = {
        "change_id": "rqc_cus_5_delivery_date_1",
        "customer_id": "cus_5",
        "field": "delivery_date",
        "before": "2027-01-15",
        "after": "2027-01-05",
        "by": "sam",
        "at": AT,
        "notify_users": ["alice", "pete"],
        "note": "deliver 10 days earlier",
        "source": "whatsapp",
        "order_id": "ord_1",
        "owner_id": "alice",
    }
    send(
        service,
        "on_requirement_changed",
        "handoff",
        "requirement_changed",
        dump_event("requirement_changed", change),
        config,
    )
    send(
        service,
        "on_requirement_changed",
        "handoff",
        "requirement_changed",
        dump_event("requirement_changed", change),
        config,
    )  # redelivered: told once
    for person in ("alice", "pete", "meier"):
        [told] = reminders_of(service, person)
        assert told["details"]["note"] == "deliver 10 days earlier" and told["details"]["order_id"] == "ord_1"
        assert "(deliver 10 days earlier)" in told["message"]
    assert reminders_of(service, "sam") == []


def test_a_customer_moved_from_its_owner_takes_the_former_owners_reminders_with_it(container_factory, config):
    service = notification(container_factory, config)
    send(service, "on_customer_allocated", "pool", "customer_allocated", allocated("cus_7", "alice"), config)
    send(
        service,
        "on_communication_recorded",
        "profile",
        "communication_recorded",
        contact("cus_7", "com_7", answered=False),
        config,
    )
    assert kinds(reminders_of(service, "alice")) == [("second_touch", "pending")]
    moved = dump_event(
        "customer_allocated",
        {
            "customer_id": "cus_7",
            "owner_id": "carol",
            "team": "default",
            "allocated_at": AT + timedelta(days=1),
            "reason": "reassigned from alice",
            "allocation_id": "alc_cus_7_2",
        },
    )
    send(service, "on_customer_allocated", "pool", "customer_allocated", moved, config)
    assert reminders_of(service, "alice") == []  # the leaver is asked nothing more about it
    [gone] = reminders_of(service, "alice", status="cancelled")
    assert gone["close_reason"] == "moved to carol (reassigned from alice)"
    assert [r["kind"] for r in reminders_of(service, "carol")] == ["first_touch"]
    send(service, "on_customer_allocated", "pool", "customer_allocated", moved, config)  # redelivered
    assert [r["kind"] for r in reminders_of(service, "carol")] == ["first_touch"]


class Commands(monitoring.CommandListener):
    def __init__(self):
        self.sent = []

    def started(self, event):
        if event.command_name in ("find", "insert", "update", "findAndModify", "delete"):
            self.sent.append((event.command_name, event.command[event.command_name]))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def test_a_new_customer_is_named_and_owned_in_one_write_each_its_reminders_scheduled_in_one(mongo_uri):
    """The name is written without reading; the owner in one command answering the customer as it
    was; a customer nobody owned before, with no stall noticed, has no reminder open for anyone
    else (nothing read); the first touch and the regrade it now asks for go in one insert. A
    stall noticed, or a former owner, has the open reminders read. A name heard after an update
    leaves the update's name standing."""
    policy = ReminderSettingsSchema().load({"first_touch_days": 3})
    commands = Commands()
    client = MongoClient(mongo_uri, tz_aware=True, event_listeners=[commands])
    now = datetime.now(UTC)

    def allocation(customer_id, owner, previous=None):
        return {
            "customer_id": customer_id,
            "owner_id": owner,
            "team": "default",
            "allocated_at": now,
            "reason": "round_robin",
            "allocation_id": f"alc_{customer_id}_{owner}",
            "previous_owner_id": previous,
        }

    try:
        reminders = Reminders(ServiceDatabases(client, mongo_uri).of("notification"))
        follow_creation(reminders, policy, {"customer_id": "cus_1", "company": "Acme GmbH"}, now)  # no summary
        assert commands.sent == [("update", "followed_customers")]
        graded = lambda c: follow_up.with_archive(  # noqa: E731
            c,
            {
                "version": 2,
                "company": "Acme Europe GmbH",
                "intent_grade": "A",
                "stage": "new",
                "deal_closed": False,
                "last_follow_up_at": None,
                "graded_at": now,
            },
        )
        follow(reminders, policy, "cus_1", graded, now)
        commands.sent.clear()
        told = follow_allocation(reminders, policy, allocation("cus_1", "alice"), now)
        assert commands.sent == [("findAndModify", "followed_customers"), ("insert", "reminders")]
        assert [(r["kind"], r["user_id"]) for r in told] == [("first_touch", "alice"), ("regrade", "alice")]
        again = follow_allocation(reminders, policy, allocation("cus_1", "alice"), now)
        assert [r["_id"] for r in again] == [r["_id"] for r in told]  # said again on redelivery, nothing doubled
        commands.sent.clear()
        moved = follow_allocation(reminders, policy, allocation("cus_1", "bob", previous="alice"), now)
        assert commands.sent[:2] == [("findAndModify", "followed_customers"), ("find", "reminders")]
        assert [(r["kind"], r["user_id"]) for r in moved] == [("first_touch", "bob"), ("regrade", "bob")]
        assert {r["user_id"] for r in reminders.open_for_customer("cus_1")} == {"bob"}
        follow_creation(reminders, policy, {"customer_id": "cus_1", "company": "Acme GmbH"}, now)  # heard late
        followed = reminders.followed_customer("cus_1")
        assert (followed["company"], followed["owner_id"], followed["profile_version"]) == (
            "Acme Europe GmbH",
            "bob",
            2,
        )
        reminders.note_allocation_stalled("cus_2")
        commands.sent.clear()
        follow_allocation(reminders, policy, allocation("cus_2", "carol"), now)
        assert ("find", "reminders") in commands.sent  # a manager's notice may be open
        assert not reminders.followed_customer("cus_2")["stall_noticed"]
        # a creation with its summary: kept in one command, nothing read, while nobody owns it
        summary = {
            "version": 1,
            "company": "Zeta",
            "intent_grade": "B",
            "stage": "inquiry",
            "deal_closed": False,
            "last_follow_up_at": None,
            "graded_at": now,
        }
        commands.sent.clear()
        assert follow_creation(reminders, policy, {"customer_id": "cus_3", "summary": summary}, now) == []
        assert commands.sent == [("insert", "followed_customers")]
        assert reminders.followed_customer("cus_3")["intent_grade"] == "B"
    finally:
        client.close()


def created_with_summary(version, grade, graded_at, stage="inquiry"):
    """A ``customer_created`` carrying its archive's summary (no ``customer_updated`` follows it)."""
    event = load_event("customer_created", created("cus_1", "Acme GmbH"))
    summary = load_event("customer_updated", updated(version, grade, stage=stage, graded_at=graded_at))
    return dump_event("customer_created", {**event, "summary": {**summary, "company": "Acme GmbH"}})


def test_a_new_customer_s_summary_is_followed_without_any_update(container_factory, config, db):
    service = notification(container_factory, config)
    send(service, "on_customer_created", "profile", "customer_created", created_with_summary(3, "B", AT), config)
    followed = db.followed_customers.find_one({"_id": "cus_1"})
    assert (followed["intent_grade"], followed["stage"], followed["profile_version"]) == ("B", "inquiry", 3)
    assert followed["company"] == "Acme GmbH"
    send(service, "on_customer_allocated", "pool", "customer_allocated", allocated("cus_1", "alice"), config)
    [regrade] = reminders_of(service, "alice", kind="regrade")
    assert regrade["due_at"] == (AT + timedelta(days=90)).isoformat() and "intent B" in regrade["message"]
    # an update older than the creation's summary changes nothing; a newer one does
    send(service, "on_customer_updated", "profile", "customer_updated", updated(2, "C", graded_at=AT), config)
    assert [r["id"] for r in reminders_of(service, "alice", kind="regrade")] == [regrade["id"]]
    assert db.followed_customers.find_one({"_id": "cus_1"})["intent_grade"] == "B"
    regraded_at = AT + timedelta(days=10)
    send(service, "on_customer_updated", "profile", "customer_updated", updated(4, "A", graded_at=regraded_at), config)
    assert [r["due_at"] for r in reminders_of(service, "alice", kind="regrade")] == [
        (regraded_at + timedelta(days=90)).isoformat()
    ]
    # the creation redelivered late: older than what is kept, it changes nothing
    send(service, "on_customer_created", "profile", "customer_created", created_with_summary(3, "B", AT), config)
    assert db.followed_customers.find_one({"_id": "cus_1"})["intent_grade"] == "A"


def test_a_creation_heard_after_its_allocation_brings_the_owner_s_reminders_in_line(container_factory, config, db):
    service = notification(container_factory, config)
    send(service, "on_customer_allocated", "pool", "customer_allocated", allocated("cus_1", "alice"), config)
    assert reminders_of(service, "alice", kind="regrade") == []  # never graded, as far as it knows
    send(service, "on_customer_created", "profile", "customer_created", created_with_summary(1, "B", AT), config)
    assert [r["due_at"] for r in reminders_of(service, "alice", kind="regrade")] == [
        (AT + timedelta(days=90)).isoformat()
    ]
    assert db.followed_customers.find_one({"_id": "cus_1"})["owner_id"] == "alice"
