from datetime import datetime, timedelta, timezone

from services.notification.domain.reminders import ReminderPolicy, first_touch

ASSIGNED = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


def test_first_touch_is_due_within_the_configured_window():
    reminder = first_touch(ReminderPolicy(first_touch_within=timedelta(days=3)), "cus_1", "alice", ASSIGNED)
    assert reminder["due_at"] == datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
    assert (reminder["user_id"], reminder["customer_id"], reminder["status"]) == ("alice", "cus_1", "pending")
    assert "2026-11-23 09:30" in reminder["message"]


def test_the_window_is_policy_not_a_constant():
    reminder = first_touch(ReminderPolicy(first_touch_within=timedelta(hours=12)), "cus_1", "alice", ASSIGNED)
    assert reminder["due_at"] == ASSIGNED + timedelta(hours=12)


def test_one_first_touch_reminder_per_customer():
    policy = ReminderPolicy(first_touch_within=timedelta(days=3))
    assert first_touch(policy, "cus_1", "alice", ASSIGNED)["_id"] == first_touch(policy, "cus_1", "bob", ASSIGNED)["_id"]
