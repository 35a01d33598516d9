"""A new customer held unallocated for a review of its possible duplicates (撞单) is placed once a
person keeps them apart — as it would have been on arrival — over the fake pool store: allocated by
the rotation or given to whoever filed it, never when someone took it meanwhile, it asked for the
pool, or it still waits for other decisions; once, however often the decision is delivered."""

from services.pool.claims import claim, release
from services.pool.domain.holdings import HELD_FOR_REVIEW, NEW_UNALLOCATED, POOL_ASKED
from services.pool.domain.recycling import OWNED, PUBLIC_POOL
from services.pool.reviewing import place_after_review
from tests.unit.test_pool_application import NOW, WEIGHTS, Pool


def kept_apart(pool, customer_id, other_id="cus_old", still_waiting=()):
    """pool's handling of profile's ``duplicates_kept_apart``; the ids it placed."""
    event = {
        "decision_id": "|".join(sorted((customer_id, other_id))),
        "customer_id": customer_id,
        "other_id": other_id,
        "with_open_duplicates": list(still_waiting),
        "by": "manager.meier",
        "at": NOW,
    }
    return place_after_review(pool.placement(), event, NOW)


def test_a_customer_held_for_review_waits_unallocated_and_is_allocated_by_the_rotation_once_kept_apart():
    pool = Pool()
    held = pool.created("cus_new", needs_review=True)
    assert (held["state"], held["owner_id"], held[HELD_FOR_REVIEW]) == (PUBLIC_POOL, None, True)
    assert pool.events("customer_allocated") == []
    assert kept_apart(pool, "cus_new") == ["cus_new"]
    placed = pool.store.holding("cus_new")
    assert (placed["state"], placed["owner_id"], placed[HELD_FOR_REVIEW]) == (OWNED, "alice", False)
    [allocated] = pool.events("customer_allocated")
    assert (allocated["customer_id"], allocated["owner_id"]) == ("cus_new", "alice")
    assert pool.created("cus_next")["owner_id"] == "bob"  # the rotation took one turn for it


def test_a_redelivered_decision_takes_no_second_turn_and_announces_the_same_allocation():
    pool = Pool()
    pool.created("cus_new", needs_review=True)
    kept_apart(pool, "cus_new")
    again = kept_apart(pool, "cus_new")
    assert again == ["cus_new"]
    first, second = pool.events("customer_allocated")
    assert first == second  # the same allocation id: downstream handlers take it once
    assert {person: pool.store.held(person) for person in WEIGHTS} == {"alice": 1, "bob": 0, "carol": 0}
    assert pool.created("cus_next")["owner_id"] == "bob"


def test_a_customer_filed_by_hand_goes_to_whoever_filed_it_not_the_rotation():
    pool = Pool()
    pool.created("cus_new", needs_review=True, requested_owner="carol")
    assert pool.store.holding("cus_new")["owner_id"] is None
    kept_apart(pool, "cus_new")
    placed = pool.store.holding("cus_new")
    assert (placed["owner_id"], placed["reason"], placed["by"]) == ("carol", "filed by hand", "carol")


def test_a_customer_claimed_while_it_waited_keeps_its_claimer():
    pool = Pool()
    pool.created("cus_new", needs_review=True)
    claim(pool.store, pool.settings, pool.limits_of, "cus_new", "carol", NOW)
    assert pool.store.holding("cus_new")[HELD_FOR_REVIEW] is False  # a claim decides its place
    assert kept_apart(pool, "cus_new") == []
    assert pool.store.holding("cus_new")["owner_id"] == "carol"
    assert pool.events("customer_allocated") == []


def test_a_customer_claimed_and_released_while_it_waited_stays_in_the_pool():
    pool = Pool()
    pool.created("cus_new", needs_review=True)
    claim(pool.store, pool.settings, pool.limits_of, "cus_new", "carol", NOW)
    release(pool.store, "cus_new", "carol", "not our market", NOW, any_owner=False)
    assert kept_apart(pool, "cus_new") == []
    assert pool.store.holding("cus_new")["state"] == PUBLIC_POOL


def test_a_customer_whose_inquiry_asked_for_the_pool_is_not_held_and_stays_there():
    pool = Pool()
    waiting = pool.created("cus_new", needs_review=True, allocate=False)
    assert (waiting["reason"], waiting.get(HELD_FOR_REVIEW)) == (POOL_ASKED, None)
    assert kept_apart(pool, "cus_new") == []
    assert pool.store.holding("cus_new")["owner_id"] is None


def test_a_customer_with_other_open_possible_duplicates_keeps_waiting_for_them():
    pool = Pool()
    pool.created("cus_new", needs_review=True)
    assert kept_apart(pool, "cus_new", "cus_a", still_waiting=["cus_new"]) == []
    still = pool.store.holding("cus_new")
    assert (still["state"], still["reason"], still[HELD_FOR_REVIEW]) == (PUBLIC_POOL, NEW_UNALLOCATED, True)
    assert kept_apart(pool, "cus_new", "cus_b") == ["cus_new"]  # the last decision places it
    assert pool.store.holding("cus_new")["state"] == OWNED


def test_the_other_archive_of_the_pair_is_left_as_it_is():
    pool = Pool()
    old = pool.created("cus_old")  # allocated on arrival: not held
    pool.created("cus_new", needs_review=True)
    assert kept_apart(pool, "cus_old", "cus_new") == ["cus_new"]
    assert pool.store.holding("cus_old") == old
    assert kept_apart(pool, "cus_gone", "cus_missing") == []  # neither in the pool: nothing to place


def test_with_nobody_eligible_the_released_customer_waits_and_the_stall_is_told_once():
    pool = Pool(people=())
    pool.created("cus_new", needs_review=True)
    assert kept_apart(pool, "cus_new") == ["cus_new"]
    waiting = pool.store.holding("cus_new")
    assert (waiting["state"], waiting["owner_id"], waiting[HELD_FOR_REVIEW]) == (PUBLIC_POOL, None, False)
    assert len(pool.events("allocation_stalled")) == 1
    assert kept_apart(pool, "cus_new") == []  # redelivered: stalled and told already
    assert len(pool.events("allocation_stalled")) == 1
