"""A leaver's sign-in ends when their last customer has moved or at the date given, whichever is first."""

from datetime import UTC, datetime, timedelta

from services.gateway.leavers import may_sign_in, refusal
from services.handoff.domain.leavers import DATE_GIVEN, LAST_CUSTOMER_MOVED, new_leaver, sign_in_ended
from services.handoff.leaving import leavers_a_move_may_release
from tests.fakes import FakeHandoffs

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
LAST_DAY = NOW + timedelta(days=14)


def test_a_date_given_is_announced_and_the_leaver_still_waits_for_the_last_customer():
    record = sign_in_ended(new_leaver("lena", "meier", NOW), LAST_DAY, DATE_GIVEN, "meier", NOW)
    assert (record["sign_in_ends_at"], record["waits_for_customers"]) == (LAST_DAY, True)
    assert record["outbox"][-1]["name"] == "leaver_sign_in_ends"
    assert record["outbox"][-1]["payload"] == {"user_id": "lena", "at": LAST_DAY, "reason": DATE_GIVEN, "by": "meier"}
    assert sign_in_ended(record, LAST_DAY, DATE_GIVEN, "meier", NOW) is None  # asked twice


def test_the_last_customer_moving_ends_it_now_before_the_date_and_a_later_date_changes_nothing():
    dated = sign_in_ended(new_leaver("lena", "meier", NOW), LAST_DAY, DATE_GIVEN, "meier", NOW)
    moved = sign_in_ended(dated, NOW + timedelta(days=1), LAST_CUSTOMER_MOVED, "meier", NOW + timedelta(days=1))
    assert (moved["sign_in_ends_at"], moved["waits_for_customers"]) == (NOW + timedelta(days=1), False)
    assert [e["payload"]["reason"] for e in moved["outbox"]] == [DATE_GIVEN, LAST_CUSTOMER_MOVED]
    assert sign_in_ended(moved, LAST_DAY + timedelta(days=3), DATE_GIVEN, "meier", NOW) is None


def test_a_date_given_after_the_last_customer_moved_only_stops_the_waiting():
    early = sign_in_ended(new_leaver("lena", "meier", NOW), NOW - timedelta(days=1), DATE_GIVEN, "meier", NOW)
    done = sign_in_ended(early, NOW, LAST_CUSTOMER_MOVED, "meier", NOW)
    assert (done["sign_in_ends_at"], done["waits_for_customers"], len(done["outbox"])) == (
        NOW - timedelta(days=1),
        False,
        1,
    )


def test_the_gateway_refuses_a_leaver_from_the_end_on_and_says_why():
    user = {"_id": "lena", "active": True, "sign_in_ends_at": LAST_DAY}
    assert may_sign_in(user, NOW) and may_sign_in({**user, "sign_in_ends_at": None}, NOW)
    assert not may_sign_in(user, LAST_DAY) and not may_sign_in({**user, "active": False}, NOW)
    assert not may_sign_in(None, NOW)
    assert refusal("lena", user) == "The user lena has left: their sign-in ended at 2026-12-18 09:00 UTC."
    assert refusal("lena", {**user, "active": False}) == "The user lena is not active."


def test_an_allocation_asks_only_about_the_person_it_moved_from():
    """Nobody's customer (a new one) releases no leaver: nothing is read; a pool older than
    ``previous_owner_id`` leaves every waiting leaver to be asked, as before."""
    store = FakeHandoffs()
    store.add_leaver(new_leaver("lena", "meier", NOW))
    assert leavers_a_move_may_release(store, {"customer_id": "cus_1", "previous_owner_id": None}) == []
    assert leavers_a_move_may_release(store, {"customer_id": "cus_1", "previous_owner_id": "lena"}) == ["lena"]
    assert leavers_a_move_may_release(store, {"customer_id": "cus_1"}) == ["lena"]
