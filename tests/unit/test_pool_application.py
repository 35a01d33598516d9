"""pool's application functions over an in-memory store (``tests.fakes.pool``) with explicit times:
what tests/integration/test_pool_service.py checks over the real broker and store, at the fast
tier — claims within their limits and scope, never straight back after a recycling; the sweep
warning before it returns, once per deadline, in batches, one instance a turn; allocation by the
weighted rotation up to each person's holding cap, the counters following every holding."""

import copy
from datetime import UTC, datetime, timedelta

import pytest

from contracts.errors import Conflict, Forbidden
from services.pool.claims import claim, release
from services.pool.directory import sync_user
from services.pool.domain.claiming import limits_for
from services.pool.domain.holdings import NOBODY_ELIGIBLE, Facts, new_holding, with_facts
from services.pool.domain.recycling import DORMANT, NO_FOLLOW_UP, OWNED, PUBLIC_POOL
from services.pool.placing import Placement, keep_facts, place_new_customer
from services.pool.settings import AllocationSettingsSchema, PoolSettingsSchema
from services.pool.sweeping import sweep_announced
from services.pool.upgrading import structure_warnings
from services.runtime.settings import load_section
from tests.conftest import load_config_file
from tests.fakes.pool import FakePoolStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 17:00 in Asia/Shanghai
DAY = timedelta(days=1)
CONFIG = load_config_file()
WEIGHTS = {"alice": 3, "bob": 2, "carol": 1}


def _settings(**limits):
    config = copy.deepcopy(CONFIG)
    pool = config["BATON"]["pool"]
    # the numbers these tests count on, whatever the environment sets
    pool["claim_limits"] = {**pool["claim_limits"], "per_day": 5, "max_held": 200, **limits}
    pool["recycling"] = {"no_follow_up_days": 15, "no_deal_days": 90, "warn_days_before": 3, "dormant_after_days": 180}
    pool.update(time_zone="Asia/Shanghai", week_starts_on=0, sweep_batch=1000)
    allocation = config["BATON"]["allocation"]
    allocation.update(
        team="default",
        department="sales",
        screening=False,
        salespeople=[{"id": person, "weight": weight} for person, weight in WEIGHTS.items()],
    )
    return load_section(config, "pool", PoolSettingsSchema), load_section(
        config, "allocation", AllocationSettingsSchema
    )


class Pool:
    """The service's wiring of the application functions, over the fake store and a recording
    dispatcher: what the entrypoints pass them, with the time given."""

    def __init__(self, people=tuple(WEIGHTS), team="default", **limits):
        self.store = FakePoolStore()
        self.settings, self.allocation = _settings(**limits)
        self.published: list = []
        for n, person in enumerate(people):
            self.user(person, team=team, version=n + 1)

    def user(self, person, team="default", version=1, active=True):
        event = {
            "user_id": person,
            "role": "member",
            "department": "sales",
            "team": team,
            "active": active,
            "version": version,
        }
        return sync_user(self.store, self.allocation, event, NOW - 400 * DAY)

    def limits_of(self, role):
        return limits_for(role, self.settings["claim_limits"], self.settings["role_limits"])

    def dispatch(self, name, payload):
        self.published.append((name, payload))

    def events(self, name):
        return [payload for published, payload in self.published if published == name]

    def created(self, customer_id, now=NOW, allocate=True, requested_owner=None, **facts):
        event = {
            "customer_id": customer_id,
            "company": f"{customer_id} GmbH",
            "country": "Germany",
            "country_code": "DE",
            "intent_grade": "A",
            "allocate": allocate,
            "requested_owner": requested_owner,
            "needs_review": False,
            **facts,
        }
        place_new_customer(self.placement(), event, now)
        return self.store.holding(customer_id)

    def placement(self):
        return Placement(
            self.store,
            self.dispatch,
            self.allocation,
            self.limits_of,
            self.allocation["rules"],
        )

    def pooled(self, customer_id, now=NOW - 400 * DAY, **facts):
        return self.store.add_holding(new_holding(customer_id, "default", Facts(**facts), now))

    def claim(self, customer_id, person, now=NOW):
        return claim(self.store, self.settings, self.limits_of, customer_id, person, now)

    def sweep(self, now, batch=None):
        rules = self.settings["recycling"]
        return sweep_announced(self.store, self.dispatch, rules, batch or self.settings["sweep_batch"], now)

    def followed_up(self, customer_id, at, version):
        """profile's customer_updated: a follow-up recorded at ``at``."""
        holding = self.store.holding(customer_id)
        facts = Facts(last_follow_up_at=at, last_contact_at=at, company=holding["company"])
        assert self.store.replace_holding(with_facts(holding, facts, version), holding)


# --- claims ----------------------------------------------------------------------------------


def test_a_claim_takes_a_pool_customer_once_and_the_loser_is_told_who_won():
    pool = Pool()
    pool.pooled("cus_1")
    taken = pool.claim("cus_1", "bob")
    assert (taken["state"], taken["owner_id"], taken["version"]) == (OWNED, "bob", 1)  # moved on by the store
    with pytest.raises(Conflict, match="was claimed by bob"):
        pool.claim("cus_1", "carol")
    assert [c["customer_id"] for c in pool.store.claims_of("bob")] == ["cus_1"]
    assert pool.store.claims_of("carol") == []  # the refused claim does not count


def test_the_daily_limit_refuses_the_claim_over_it_until_the_next_day_in_the_company_zone():
    pool = Pool(per_day=2)
    for n in range(4):
        pool.pooled(f"cus_{n}")
    pool.claim("cus_0", "bob")
    pool.claim("cus_1", "bob")
    with pytest.raises(Conflict) as refused:
        pool.claim("cus_2", "bob")
    assert refused.value.details["limit"] == "per_day" and refused.value.details["used"] == 2
    assert refused.value.details["resets_at"] == "2026-03-03T00:00:00+08:00"
    assert pool.store.holding("cus_2")["state"] == PUBLIC_POOL
    assert pool.claim("cus_2", "bob", now=datetime(2026, 3, 2, 16, 0, tzinfo=UTC))["owner_id"] == "bob"  # 00:00 +8


def test_the_holding_cap_counts_allocated_customers_too_and_a_release_makes_room():
    pool = Pool(max_held=1)
    pool.created("cus_1", requested_owner="bob")  # filed by hand: bob owns it
    pool.pooled("cus_2")
    with pytest.raises(Conflict) as refused:
        pool.claim("cus_2", "bob")
    assert refused.value.details["limit"] == "max_held"
    release(pool.store, "cus_1", "bob", "no answer to 4 mails", NOW, any_owner=False)
    assert pool.store.held("bob") == 0
    assert pool.claim("cus_2", "bob")["owner_id"] == "bob"


def test_a_released_customer_is_protected_from_its_releasers_own_reclaim():
    pool = Pool()
    pool.pooled("cus_1")
    pool.claim("cus_1", "bob")
    release(pool.store, "cus_1", "bob", "wrong market", NOW + DAY, any_owner=False)
    with pytest.raises(Conflict) as refused:
        pool.claim("cus_1", "bob", now=NOW + 2 * DAY)
    assert refused.value.details["limit"] == "release_protection"
    assert pool.claim("cus_1", "carol", now=NOW + 2 * DAY)["owner_id"] == "carol"


def test_a_customer_recycled_for_neglect_is_not_claimed_back_by_its_owner_until_the_protection_ends():
    pool = Pool()
    pool.pooled("cus_1")
    pool.claim("cus_1", "bob")
    assert pool.sweep(NOW + 12 * DAY)["warned"] == 1  # due at day 15, warned 3 days before
    assert pool.sweep(NOW + 15 * DAY)["returned"] == 1
    with pytest.raises(Conflict) as refused:
        pool.claim("cus_1", "bob", now=NOW + 16 * DAY)
    assert refused.value.details["limit"] == "recycle_protection"
    assert "no follow-up recorded for 15 days" in refused.value.details["reason"]
    assert pool.claim("cus_1", "bob", now=NOW + 30 * DAY)["owner_id"] == "bob"  # 15 days on


def test_a_salesperson_claims_only_from_their_own_teams_pool():
    pool = Pool()
    pool.user("erin", team="east", version=9)
    pool.pooled("cus_1")
    with pytest.raises(Forbidden) as refused:
        pool.claim("cus_1", "erin")
    assert refused.value.details["limit"] == "pool_scope"
    assert pool.store.holding("cus_1")["state"] == PUBLIC_POOL


# --- the recycling sweep -----------------------------------------------------------------------


def test_the_owner_is_warned_once_per_deadline_and_the_customer_returns_when_it_comes():
    pool = Pool()
    pool.pooled("cus_1")
    pool.claim("cus_1", "bob")
    assert pool.sweep(NOW + 11 * DAY) == {"warned": 0, "returned": 0, "dormant": 0}  # not yet in the window
    assert pool.sweep(NOW + 12 * DAY) == {"warned": 1, "returned": 0, "dormant": 0}
    [warning] = pool.events("recycling_warned")
    assert (warning["owner_id"], warning["due_at"]) == ("bob", (NOW + 15 * DAY).isoformat())
    stored = pool.store.holding("cus_1")
    assert stored["warned_for"] == {"rule": NO_FOLLOW_UP, "due_at": NOW + 15 * DAY}  # a value, not text
    assert pool.sweep(NOW + 14 * DAY)["warned"] == 0  # warned already of this deadline
    assert pool.sweep(NOW + 15 * DAY) == {"warned": 0, "returned": 1, "dormant": 0}
    [returned] = pool.events("customer_returned")
    assert (returned["state"], returned["previous_owner_id"]) == (PUBLIC_POOL, "bob")
    assert pool.store.holding("cus_1")["reason"].startswith("recycled: no follow-up")


def test_a_follow_up_answers_the_warning_and_the_customer_stays_to_be_warned_of_the_new_deadline():
    pool = Pool()
    pool.pooled("cus_1")
    pool.claim("cus_1", "bob")
    pool.sweep(NOW + 12 * DAY)
    pool.followed_up("cus_1", NOW + 13 * DAY, version=1)
    assert pool.sweep(NOW + 15 * DAY) == {"warned": 0, "returned": 0, "dormant": 0}
    assert pool.store.holding("cus_1")["warned_for"] is None  # forgotten: back in its clock's range
    assert pool.sweep(NOW + 25 * DAY)["warned"] == 1  # 13 + 15 - 3
    assert pool.store.holding("cus_1")["warned_for"]["due_at"] == NOW + 28 * DAY


def test_a_long_silent_pool_customer_without_an_open_need_goes_dormant():
    pool = Pool()
    pool.pooled("quiet", now=NOW - 200 * DAY, has_open_need=False)
    pool.pooled("asking", now=NOW - 200 * DAY, has_open_need=True)
    pool.pooled("recent", now=NOW - 100 * DAY, has_open_need=False)
    assert pool.sweep(NOW)["dormant"] == 1
    assert {c: pool.store.holding(c)["state"] for c in ("quiet", "asking", "recent")} == {
        "quiet": DORMANT,
        "asking": PUBLIC_POOL,
        "recent": PUBLIC_POOL,
    }


def test_a_sweep_changes_at_most_a_batch_from_each_range_and_the_next_one_goes_on():
    pool = Pool()
    for n in range(3):
        pool.pooled(f"cus_{n}")
        pool.claim(f"cus_{n}", "bob", now=NOW + n * timedelta(hours=1))
    assert pool.sweep(NOW + 13 * DAY, batch=2)["warned"] == 2
    assert [w["customer_id"] for w in pool.events("recycling_warned")] == ["cus_0", "cus_1"]  # oldest first
    assert pool.sweep(NOW + 13 * DAY, batch=2)["warned"] == 1
    assert pool.events("recycling_warned")[-1]["customer_id"] == "cus_2"


def test_one_instance_takes_each_turn_of_the_sweep():
    store, every = FakePoolStore(), timedelta(seconds=300)
    assert store.take_turn("recycling", NOW, every) is True
    assert store.take_turn("recycling", NOW, every) is False  # the other instance, the same tick
    assert store.take_turn("recycling", NOW + every - timedelta(seconds=1), every) is False
    assert store.take_turn("recycling", NOW + every, every) is True


def test_warnings_kept_as_text_by_earlier_releases_are_upgraded_to_values():
    pool = Pool()
    pool.pooled("cus_1")
    pool.claim("cus_1", "bob")
    holding = pool.store.holding("cus_1")
    pool.store.holdings.put({**holding, "warned_for": f"{NO_FOLLOW_UP}@{(NOW + 15 * DAY).isoformat()}"})
    pool.pooled("cus_2")
    pool.store.holdings.put({**pool.store.holding("cus_2"), "warned_for": "no_follow_up@yesterday"})
    assert structure_warnings(pool.store, None, 10) is None
    assert pool.store.holding("cus_1")["warned_for"] == {"rule": NO_FOLLOW_UP, "due_at": NOW + 15 * DAY}
    assert pool.store.holding("cus_2")["warned_for"] is None  # unreadable: warned again rather than returned
    assert pool.sweep(NOW + 15 * DAY)["returned"] == 1  # the warning read as before counts


# --- allocation ---------------------------------------------------------------------------------


def test_new_customers_go_round_the_weighted_rotation_and_each_allocation_is_announced():
    pool = Pool()
    owners = [pool.created(f"cus_{n}")["owner_id"] for n in range(12)]
    assert {person: owners.count(person) for person in WEIGHTS} == {"alice": 6, "bob": 4, "carol": 2}
    assert all(owners[i : i + 6].count("alice") == 3 for i in (0, 6))  # every six, shares kept
    allocated = pool.events("customer_allocated")
    assert [a["owner_id"] for a in allocated] == owners
    assert allocated[0]["allocation_id"] == "cus_0:alice:from-v0"
    assert {person: pool.store.held(person) for person in WEIGHTS} == {"alice": 6, "bob": 4, "carol": 2}


def test_a_redelivered_new_customer_takes_no_second_turn_and_is_announced_again():
    pool = Pool()
    first = pool.created("cus_1")
    again = pool.created("cus_1")
    assert again == first
    assert [a["owner_id"] for a in pool.events("customer_allocated")] == [first["owner_id"]] * 2
    assert pool.created("cus_2")["owner_id"] != first["owner_id"]  # the rotation moved on once


def test_people_at_their_holding_cap_are_passed_over_and_with_nobody_left_the_customer_waits():
    pool = Pool(max_held=1)
    owners = {pool.created(f"cus_{n}")["owner_id"] for n in range(3)}
    assert owners == set(WEIGHTS)
    waiting = pool.created("cus_9")
    assert (waiting["state"], waiting["owner_id"], waiting["reason"]) == (PUBLIC_POOL, None, NOBODY_ELIGIBLE)
    [stalled] = pool.events("allocation_stalled")
    assert stalled["customer_id"] == "cus_9"
    assert all("holding_cap" in reason for person in WEIGHTS for reason in stalled["reasons"][person])
    release(pool.store, "cus_0", pool.store.holding("cus_0")["owner_id"], "duplicate", NOW, any_owner=False)
    assert pool.created("cus_10")["state"] == OWNED  # room again


def test_the_counters_follow_every_holding_write():
    pool = Pool()
    pool.created("cus_1", requested_owner="carol")
    assert pool.store.held("carol") == 1
    release(pool.store, "cus_1", "carol", "not our market", NOW, any_owner=False)
    assert pool.store.held("carol") == 0
    assert pool.claim("cus_1", "bob")["version"] == 3  # added, filed by hand, released, claimed
    assert (pool.store.held("bob"), pool.store.held("carol")) == (1, 0)


def test_a_customer_asking_for_the_pool_waits_there_unallocated():
    pool = Pool()
    waiting = pool.created("cus_1", allocate=False)
    assert (waiting["state"], waiting["owner_id"]) == (PUBLIC_POOL, None)
    assert pool.events("customer_allocated") == []


def test_facts_that_come_before_the_holding_is_written_are_kept_once_it_is():
    """profile may change a new archive at once (a second inquiry, a change by hand); the allocation
    writes the holding only once it has chosen the owner, so the update may find no holding at first."""
    pool = Pool()
    stored_holding = pool.store.holding
    reads = []

    def holding_written_meanwhile(customer_id):
        reads.append(customer_id)
        if len(reads) == 3:
            pool.created(customer_id)  # the allocation lands between the second try and the third
        return stored_holding(customer_id)

    pool.store.holding = holding_written_meanwhile
    early = {"tries": 5, "wait_seconds": 0}
    keep_facts(pool.store, "cus_1", Facts(company="cus_1 GmbH", tags=("vip",)), 3, early)
    kept = stored_holding("cus_1")
    assert (kept["owner_id"] is not None, kept["tags"], kept["profile_version"]) == (True, ["vip"], 3)
    keep_facts(pool.store, "cus_gone", Facts(company="Gone"), 3, {"tries": 2, "wait_seconds": 0})  # merged away
    assert stored_holding("cus_gone") is None


def test_a_new_customer_s_holding_is_written_with_its_creation_s_summary_allocated_or_waiting():
    pool = Pool()
    last = NOW - DAY

    def summary(customer_id, version):
        return {
            "customer_id": customer_id,
            "version": version,
            "company": f"{customer_id} GmbH",
            "country": "Germany",
            "country_code": None,  # the creation's code stands in
            "intent_grade": "A",
            "stage": "inquiry",
            "tags": ["inquiry", "A"],
            "last_contact_at": last,
            "last_follow_up_at": None,
            "has_open_need": True,
            "deal_closed": False,
        }

    owned = pool.created("cus_1", summary=summary("cus_1", 2))
    waiting = pool.created("cus_2", allocate=False, summary=summary("cus_2", 1))
    assert (owned["state"], waiting["state"]) == (OWNED, PUBLIC_POOL)
    for holding, version in ((owned, 2), (waiting, 1)):
        assert (holding["stage"], holding["tags"], holding["contact_clock"]) == ("inquiry", ["inquiry", "A"], last)
        assert (holding["profile_version"], holding["country_code"], holding["has_open_need"]) == (version, "DE", True)
    keep_facts(pool.store, "cus_1", Facts(company="cus_1 GmbH", stage="quoted"), 1, {"tries": 1, "wait_seconds": 0})
    assert pool.store.holding("cus_1")["stage"] == "inquiry"  # older than the creation's summary
    keep_facts(pool.store, "cus_1", Facts(company="cus_1 GmbH", stage="quoted"), 3, {"tries": 1, "wait_seconds": 0})
    assert pool.store.holding("cus_1")["stage"] == "quoted"
    plain = pool.created("cus_3")  # from a profile before creations carried a summary
    assert (plain["stage"], plain["tags"], plain["profile_version"]) == ("new_contact", [], 0)
