"""Anti-hoarding rules (issue 15, item 4): contacts dated ahead, claiming back a customer recycled
for neglect, the claimer's own pool, and the owner told when a customer returns to the pool."""

from datetime import UTC, datetime, timedelta

import pytest

from services.notification.domain import reminders as rules
from services.pool.domain.claiming import (
    RECYCLE_PROTECTION,
    ClaimLimits,
    check_claim_back,
    outside_pool_scope,
)
from services.pool.domain.holdings import Facts, new_holding, recycle, recycled_from, take
from services.pool.guarding import PersonLock
from services.profile.domain.communications import dated_ahead

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
SKEW = timedelta(minutes=10)


@pytest.mark.parametrize(
    "ahead, refused",
    [
        (timedelta(0), False),
        (timedelta(minutes=10), False),
        (timedelta(minutes=10, seconds=1), True),
        (timedelta(days=182), True),
        (-timedelta(days=3), False),
    ],
)
def test_a_contact_is_refused_only_when_dated_later_than_now_plus_the_clock_skew(ahead, refused):
    why = dated_ahead(NOW + ahead, NOW, SKEW)
    assert (why is not None) is refused
    if refused:
        assert "later than now plus 10 minutes" in why and "2026-12-04T08:10:00+00:00" in why


def owned_by(person, at=NOW - timedelta(days=20)):
    return take(new_holding("cus_1", "default", Facts(), at), person, "claimed", person, at)


def test_recycling_remembers_whom_it_was_taken_from_and_why_once_per_person():
    recycled = recycle(owned_by("li.wei"), "no follow-up recorded for 15 days", NOW)
    assert (recycled["state"], recycled["owner_id"], recycled["by"]) == ("public_pool", None, "pool")
    assert recycled["reason"] == "recycled: no follow-up recorded for 15 days"
    assert recycled_from(recycled, "li.wei") == (NOW, "no follow-up recorded for 15 days")
    assert recycled_from(recycled, "bob") is None
    assert recycled["released_by"] == {}  # not a release by its owner
    later = NOW + timedelta(days=40)
    again = recycle(
        take(recycled, "li.wei", "claimed", "li.wei", later),
        "no deal within 90 days of claiming",
        later + timedelta(days=1),
    )
    assert [r["person"] for r in again["recycled_from"]] == ["li.wei"]
    assert recycled_from(again, "li.wei") == (later + timedelta(days=1), "no deal within 90 days of claiming")


def test_the_person_a_customer_was_recycled_from_waits_out_the_protection_period():
    days = ClaimLimits().recycle_protection_days
    refusal = check_claim_back(NOW, days, NOW + timedelta(days=2), tz="Asia/Shanghai", reason="no follow-up")
    assert (refusal.limit, refusal.allowed, refusal.used, refusal.reason) == (
        RECYCLE_PROTECTION,
        days,
        2,
        "no follow-up",
    )
    assert refusal.resets_at == NOW + timedelta(days=days) and refusal.resets_at.utcoffset() == timedelta(hours=8)
    assert "returned to the pool from you 2 day(s) ago (no follow-up)" in refusal.message
    assert f"may not be claimed back by you for {days} days" in refusal.message
    assert check_claim_back(NOW, days, NOW + timedelta(days=days), tz="Asia/Shanghai") is None
    assert check_claim_back(None, days, NOW) is None
    assert check_claim_back(NOW, 0, NOW) is None  # 0: no protection


def test_a_salesperson_claims_only_from_their_own_team_s_pool():
    assert outside_pool_scope("default", "default") is None
    assert outside_pool_scope("export-2", None) is None  # no team holds it: everyone's
    assert outside_pool_scope("export-2", "default") == (
        "the customer is in the public pool of team default; you claim from team export-2's"
    )


def returned(**overrides):
    return {
        "customer_id": "cus_1",
        "state": "public_pool",
        "previous_owner_id": "alice",
        "reason": "recycled: no follow-up recorded for 15 days",
        "by": "pool",
        "at": NOW,
        **overrides,
    }


def test_the_owner_is_told_when_their_customer_returns_to_the_pool_and_why():
    told = rules.returned_to_pool(returned())
    assert (told["kind"], told["user_id"], told["customer_id"], told["due_at"]) == (
        "returned_to_pool",
        "alice",
        "cus_1",
        NOW,
    )
    assert told["details"] == {
        "returned_at": NOW.isoformat(),
        "reason": "recycled: no follow-up recorded for 15 days",
        "by": "pool",
    }
    assert "returned to the public pool" in told["message"] and "no follow-up recorded" in told["message"]
    assert rules.returned_to_pool(returned())["_id"] == told["_id"]  # redelivered: the same reminder
    assert rules.returned_to_pool(returned(at=NOW + timedelta(days=30)))["_id"] != told["_id"]
    released_by_manager = rules.returned_to_pool(returned(by="meier", reason="released: key account"))
    assert released_by_manager["user_id"] == "alice" and released_by_manager["details"]["by"] == "meier"


@pytest.mark.parametrize(
    "event",
    [
        returned(by="alice", reason="released: no answer"),  # they let it go themselves
        returned(previous_owner_id=None),
        returned(state="dormant"),
        returned(state="rejected", by="meier"),
    ],
)
def test_nobody_is_told_of_a_return_they_made_or_that_had_no_owner(event):
    assert rules.returned_to_pool(event) is None


def test_a_person_lock_needs_a_lease_and_a_wait():
    assert PersonLock() == PersonLock(lease_seconds=10, wait_seconds=5)
    with pytest.raises(ValueError):
        PersonLock(lease_seconds=0)
