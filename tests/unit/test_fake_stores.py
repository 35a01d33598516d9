"""The in-memory stores of ``tests.fakes`` cannot drift from the real ones silently: every store
method a service's application functions use (read off their source) must exist on the real store
and on its fake, with the same parameters; and the fakes keep the semantics that matter (copies
out, insert-once ids, version-guarded writes, whole-second periods)."""

import ast
import inspect
from datetime import UTC, datetime, timedelta
from unittest.mock import MagicMock

import pytest

from services.handoff.store import Handoffs
from services.notification.store import Outbox, Recipients, Reminders, Schedule
from tests.conftest import REPO
from tests.fakes import Documents, FakeHandoffs, FakeOutbox, FakeRecipients, FakeReminders, FakeSchedule

# Where a service's application functions live: its modules but the entrypoints and the store.
NOT_APPLICATION = {"service.py", "store.py", "__init__.py"}
# Shared helpers the application functions hand a store to (keep_latest: the users a store keeps).
SHARED = [REPO / "services" / "runtime" / "directory.py"]


def application_modules(service):
    return sorted(p for p in (REPO / "services" / service).glob("*.py") if p.name not in NOT_APPLICATION) + SHARED


# (real store, its fake, the service, the names the application functions give the store)
CASES = [
    pytest.param(lambda: Handoffs(MagicMock()), FakeHandoffs, "handoff", {"store", "self.store"}, id="Handoffs"),
    # what the fast tests call themselves, as the entrypoints and timers do: the overdue listing, a timer's turn
    pytest.param(lambda: Handoffs(MagicMock()), FakeHandoffs, None, {"page", "take_turn"}, id="Handoffs-entrypoints"),
    pytest.param(lambda: Reminders(MagicMock()), FakeReminders, "notification", {"reminders"}, id="Reminders"),
    pytest.param(lambda: Outbox(MagicMock()), FakeOutbox, "notification", {"outbox", "self.outbox"}, id="Outbox"),
    pytest.param(
        lambda: Schedule(MagicMock(), "next_attempt_at", "sending"),
        lambda: FakeSchedule("deliveries", "next_attempt_at", "sending"),
        "notification",
        {"outbox.deliveries", "outbox.digests", "self.outbox.deliveries", "self.outbox.digests"},
        id="Schedule",
    ),
    pytest.param(lambda: Recipients(MagicMock()), FakeRecipients, "notification", {"recipients"}, id="Recipients"),
]


def _dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (inner := _dotted(node.value)) is not None:
        return f"{inner}.{node.attr}"
    return None


def used_on(paths, receivers):
    """{attribute: [module, ...]} of every ``<receiver>.<attribute>`` in the modules' source."""
    used: dict = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and _dotted(node.value) in receivers:
                used.setdefault(node.attr, []).append(path.name)
    return used


def parameters(method):
    return [(p.name, p.kind, p.default) for p in inspect.signature(method).parameters.values()]


@pytest.mark.parametrize(("real_of", "fake_of", "service", "receivers"), CASES)
def test_each_fake_offers_every_store_method_the_application_functions_use(real_of, fake_of, service, receivers):
    real, fake = real_of(), fake_of()
    used = used_on(application_modules(service), receivers) if service else {name: ["tests"] for name in receivers}
    assert used, f"no use of {sorted(receivers)} found in services/{service}: the scan is broken"
    not_on_store = sorted(name for name in used if not hasattr(real, name))
    assert not_on_store == [], f"used on the store but not the store's: {not_on_store}"
    methods = sorted(name for name in used if inspect.ismethod(getattr(real, name)))
    missing = {name: used[name] for name in methods if not hasattr(fake, name)}
    assert missing == {}, f"{type(fake).__name__} lacks what the application functions call: {missing}"
    differing = {
        name: (parameters(getattr(real, name)), parameters(getattr(fake, name)))
        for name in methods
        if parameters(getattr(real, name)) != parameters(getattr(fake, name))
    }
    assert differing == {}, f"{type(fake).__name__}'s parameters differ from {type(real).__name__}'s: {differing}"
    for name in sorted(set(used) - set(methods)):  # attributes: a sub-store is faked as well
        assert hasattr(fake, name), f"{type(fake).__name__} lacks {name}"


def test_the_scan_sees_calls_passed_on_as_callables_and_through_sub_stores():
    used = used_on(application_modules("notification"), {"outbox.deliveries"})
    assert {"get", "replace", "add", "due", "stale"} <= set(used)  # take_lease(outbox.deliveries.get, ...)


# --- the semantics the fakes keep -------------------------------------------------------------


def test_documents_come_back_as_copies_the_way_the_store_round_trips_them():
    documents = Documents("things")
    moment = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)
    doc = {"_id": "t1", "at": moment, "pair": ("a", "b"), "nested": {"list": [1]}}
    documents.insert_once(doc)
    stored = documents.find_one("t1")
    assert stored == {
        "_id": "t1",
        "at": moment.replace(microsecond=123000),
        "pair": ["a", "b"],
        "nested": {"list": [1]},
        "version": 0,  # a new document starts at version 0, as insert_once stores it
    }
    stored["nested"]["list"].append(2)
    assert documents.find_one("t1")["nested"]["list"] == [1]


def test_an_id_is_inserted_once_and_a_second_insert_reports_the_first():
    documents = Documents("things")
    assert documents.insert_once({"_id": "t1", "n": 1}) == ({"_id": "t1", "n": 1, "version": 0}, True)
    assert documents.insert_once({"_id": "t1", "n": 2}) == ({"_id": "t1", "n": 1, "version": 0}, False)


def test_a_write_guarded_by_the_version_read_fails_once_another_writer_moved_it():
    reminders = FakeReminders()
    reminder = {"_id": "r1", "status": "pending", "fire_at": datetime(2026, 1, 1, tzinfo=UTC), "version": 0}
    reminders.add(reminder)
    assert reminders.replace({**reminder, "version": 1}, reminder) is True
    assert reminders.replace({**reminder, "version": 1, "status": "done"}, reminder) is False  # read at version 0
    assert reminders.get("r1")["status"] == "pending"


def test_due_and_stale_are_asked_in_whole_seconds_of_the_keys_the_store_keeps():
    schedule = FakeSchedule("deliveries", "next_attempt_at", "sending")
    at = datetime(2026, 1, 1, 9, 0, 0, 900000, tzinfo=UTC)
    schedule.add({"_id": "d1", "status": "pending", "next_attempt_at": at, "version": 0})
    assert schedule.get("d1")["wake_epoch"] == int(at.timestamp())
    assert [d["_id"] for d in schedule.due(at.replace(microsecond=0), 10)] == ["d1"]  # the same second
    assert schedule.due(at - timedelta(seconds=1), 10) == []
    leased = {**schedule.get("d1"), "status": "sending", "lease_until": at + timedelta(minutes=2), "version": 1}
    assert schedule.replace(leased, schedule.get("d1"))
    assert schedule.due(at + timedelta(hours=1), 10) == []  # leased: not due, stale once the lease ran out
    assert schedule.stale(at + timedelta(minutes=1), 10) == []
    assert [d["_id"] for d in schedule.stale(at + timedelta(minutes=2), 10)] == ["d1"]


def test_the_fake_handoffs_tell_the_audit_trail_of_each_change_as_the_real_store_does():
    store = FakeHandoffs()
    doc = {"_id": "hof_1", "customer_id": "cus_1", "version": 0, "state": "submitted"}
    assert store.add_handoff(doc) == (doc, True)
    assert store.add_handoff({**doc, "state": "other"}) == (doc, False)
    store.change_handoff("hof_1", lambda d: {**d, "state": "accepted", "version": d["version"] + 1})
    assert [(r, (b or {}).get("state"), a["state"]) for r, b, a in store.audit.entries] == [
        ("handoff", None, "submitted"),
        ("handoff", "submitted", "accepted"),
    ]
