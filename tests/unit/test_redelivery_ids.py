"""Ids of what an allocation causes come from the allocation, never from a re-formatted time."""

from datetime import UTC, datetime, timedelta

from services.notification.domain.reminders import ReminderPolicy, first_touch
from services.pool.domain.holdings import Facts, allocation_id, give_back, new_holding, take
from services.profile.domain.timeline import owner_assigned
from services.runtime.document_store import moved_on

NOW = datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=UTC)
POLICY = ReminderPolicy(first_touch_within=timedelta(days=3))


def test_an_allocation_is_named_by_the_change_that_made_it_and_keeps_its_name_when_read_back():
    holding = {**new_holding("cus_1", "default", Facts(), NOW), "version": 0}  # as the store adds it
    taken = moved_on(take(holding, "alice", "weighted round-robin", "pool", NOW), holding)  # as it writes it
    stored = {**taken, "allocated_at": NOW.replace(microsecond=123000), "version": taken["version"] + 3}
    assert allocation_id(taken) == allocation_id(stored) == "cus_1:alice:from-v0"
    released = moved_on(give_back(taken, "public_pool", "released", "alice", NOW), taken)
    again = take(released, "alice", "claimed", "alice", NOW)
    assert allocation_id(again) != allocation_id(taken)  # a new allocation, a new name
    assert released["allocation_id"] is None


def test_a_holding_taken_before_allocations_had_ids_is_named_by_its_stored_millisecond_time():
    legacy = {"_id": "cus_1", "owner_id": "alice", "allocated_at": NOW}
    read_back = {**legacy, "allocated_at": NOW.replace(microsecond=123000)}
    assert allocation_id(legacy) == allocation_id(read_back) == "cus_1:alice:2026-12-04T09:30:15.123000+00:00"


def test_the_first_touch_reminder_and_the_assigned_entry_are_keyed_by_the_allocation():
    first = first_touch(POLICY, "cus_1", "alice", NOW, "cus_1:alice:v1")
    repeated = first_touch(POLICY, "cus_1", "alice", NOW.replace(microsecond=123000), "cus_1:alice:v1")
    assert first["_id"] == repeated["_id"]
    assert first["_id"] != first_touch(POLICY, "cus_1", "alice", NOW, "cus_1:alice:v5")["_id"]
    entry = owner_assigned("cus_1", "alice", "default", "weighted round-robin", NOW, "cus_1:alice:v1")
    assert (
        entry["_id"]
        == owner_assigned(
            "cus_1", "alice", "default", "weighted round-robin", NOW.replace(microsecond=123000), "cus_1:alice:v1"
        )["_id"]
    )
