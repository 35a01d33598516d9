"""handoff's leaving (a leaver's customers handed over, their open handoffs closed, their sign-in
ended) and the weekly quality audit (one per person and period, what passes and what is returned,
lighter after passes in a row), as application functions over in-memory stores with explicit
times: what tests/integration/test_handoff_service.py checks over the broker, at the fast tier."""

import copy
from datetime import UTC, datetime, timedelta

import pytest

from contracts.errors import NotFound
from contracts.pool import EFFECTIVE_NOW, EFFECTIVE_ON_ACCEPTANCE
from services.handoff.domain.handoffs import INFO_PENDING, SUBMITTED, WITHDRAWN
from services.handoff.domain.quality_audit import quality_audit_id, report
from services.handoff.leaving import end_sign_in, hand_over_leaver, sign_in_when_nothing_held
from services.handoff.people import PeopleDirectory
from services.handoff.quality_auditing import run_quality_audits
from tests.fakes import FakeHandoffs, FakePlugins, FakePool, FakeProfile
from tests.unit.test_handoff_application import SETTINGS, archive

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# every 7 days, 28 once relaxed after 3 passes, 10 records held 3 days or more
QUALITY_AUDIT = SETTINGS["quality_audit"]


class LeavingPool(FakePool):
    """pool as handoff asks it (``SystemRpcProxy("pool")``): owners, a leaver's reassignment
    (``salesperson_leaves``: the moves this test plans), the salespeople and their holdings."""

    def __init__(self, owners=None, people=("alice", "bob", "carol"), inactive=()):
        super().__init__(owners)
        self.people, self.inactive = list(people), set(inactive)
        self.allocated_at: dict = {}  # customer id -> when its owner got it (ISO), for the quality audit's holdings
        self.moves: list = []  # (customer id, successor or None, effective) the next reassignment records
        self.reassignments = 0

    def salesperson_leaves(self, leaver, request):
        self.reassignments += 1
        moved = []
        for customer_id, successor, effective in self.moves:
            moved.append({"customer_id": customer_id, "to": successor, "effective": effective})
            if effective == EFFECTIVE_NOW and successor is not None:
                self.owners[customer_id] = {"owner_id": successor}
        return {
            "id": f"rsg_{leaver}_{self.reassignments}",
            "leaver": leaver,
            "by": request["by"],
            "at": NOW.isoformat(),
            "to": request.get("to"),
            "moved": moved,
        }

    def list_salespeople(self):
        return {"items": [{"id": person, "active": person not in self.inactive} for person in self.people]}

    def search_pool(self, query):
        owned = sorted(
            customer_id for customer_id, owner in self.owners.items() if owner.get("owner_id") == query["owner_id"]
        )
        offset, limit = query.get("offset", 0), query["limit"]
        items = [
            {"customer_id": customer_id, "allocated_at": self.allocated_at.get(customer_id)}
            for customer_id in owned[offset : offset + limit]
        ]
        return {"items": items, "total": len(owned)}


class Leaving:
    """One test's handoff service for a leaver: the application functions over fakes."""

    def __init__(self, *archives):
        self.store = FakeHandoffs()
        self.profile = FakeProfile(*archives)
        self.pool = LeavingPool({a["id"]: {"owner_id": a["owner_id"]} for a in archives})

    @property
    def policy(self):
        return {**SETTINGS, "directory": PeopleDirectory(self.store, SETTINGS["directory"])}

    def hand_over(self, *moves, leaver="alice", now=NOW, packages=None):
        self.pool.moves = list(moves)
        request = {"by": "meier", "effective": moves[0][2], "packages": packages or {}}
        return hand_over_leaver(self.store, self.profile, self.pool, FakePlugins(), self.policy, leaver, request, now)


def owned(n, owner="alice", **more):
    return archive(n, owner_id=owner, intent_grade={"grade": "A", "reasons": ["clear need"]}, **more)


# --- leaving ----------------------------------------------------------------------------------


def test_a_leaver_serving_notice_hands_each_customer_to_its_successor_and_keeps_it_until_they_sign():
    leaving = Leaving(owned(1), owned(2), owned(3))
    record, handoffs, unassigned, waiting = leaving.hand_over(
        ("cus_1", "bob", EFFECTIVE_ON_ACCEPTANCE),
        ("cus_2", "carol", EFFECTIVE_ON_ACCEPTANCE),
        ("cus_3", None, EFFECTIVE_ON_ACCEPTANCE),  # nobody eligible: stays with the leaver
    )
    assert record["id"] == "rsg_alice_1" and (unassigned, waiting) == (["cus_3"], [])
    by_customer = {doc["customer_id"]: doc for doc in handoffs}
    assert sorted(by_customer) == ["cus_1", "cus_2"]
    first = by_customer["cus_1"]
    assert (first["kind"], first["from_user"], first["submitted_by"], first["to_users"]) == (
        "salesperson_leaving",
        "alice",
        "meier",
        ["bob"],
    )
    assert first["state"] in (SUBMITTED, INFO_PENDING) and first["new_owner_id"] == "bob"
    assert leaving.pool.owners["cus_1"] == {"owner_id": "alice"}  # nothing moves before bob signs
    # the same reassignment again (a retried request) opens nothing new
    leaving.pool.reassignments -= 1
    _, again, _, _ = leaving.hand_over(("cus_1", "bob", EFFECTIVE_ON_ACCEPTANCE))
    assert [doc["_id"] for doc in again] == [first["_id"]] and len(leaving.store.handoffs.docs) == 2


def test_a_leaver_already_gone_moves_at_once_and_the_earlier_leaving_handoff_is_withdrawn():
    leaving = Leaving(owned(1))
    _, [waiting_for_bob], _, _ = leaving.hand_over(("cus_1", "bob", EFFECTIVE_ON_ACCEPTANCE))
    _, handoffs, _, _ = leaving.hand_over(("cus_1", "carol", EFFECTIVE_NOW))
    withdrawn, opened = handoffs
    assert (withdrawn["_id"], withdrawn["state"]) == (waiting_for_bob["_id"], WITHDRAWN)
    assert "moved at once to carol" in withdrawn["history"][-1]["note"]
    assert (opened["to_users"], opened["state"] in (SUBMITTED, INFO_PENDING)) == (["carol"], True)
    assert opened["_id"] != waiting_for_bob["_id"] and leaving.pool.owners["cus_1"] == {"owner_id": "carol"}
    assert leaving.store.transfers.docs["cus_1"]["handoff_id"] == waiting_for_bob["_id"]  # moved: no hold taken


def test_a_customer_that_is_no_longer_the_leavers_or_no_longer_an_archive_gets_no_handoff():
    leaving = Leaving(owned(1), owned(2))
    leaving.pool.owners["cus_1"] = {"owner_id": "dave"}  # accepted elsewhere meanwhile
    del leaving.profile.archives["cus_2"]  # merged into another archive
    _, handoffs, unassigned, waiting = leaving.hand_over(
        ("cus_1", "bob", EFFECTIVE_ON_ACCEPTANCE), ("cus_2", "bob", EFFECTIVE_ON_ACCEPTANCE)
    )
    assert (handoffs, unassigned, waiting) == ([], [], [])
    assert leaving.store.handoffs.docs == {}


def test_a_customer_with_another_owner_changing_handoff_open_waits_for_it():
    leaving = Leaving(owned(1), owned(2))
    leaving.store.transfers.insert_once({"_id": "cus_1", "handoff_id": "hof_other", "version": 0})
    leaving.store.handoffs.insert_once({"_id": "hof_other", "state": SUBMITTED})
    _, handoffs, _, waiting = leaving.hand_over(
        ("cus_1", "bob", EFFECTIVE_ON_ACCEPTANCE), ("cus_2", "bob", EFFECTIVE_ON_ACCEPTANCE)
    )
    assert waiting == ["cus_1"] and [doc["customer_id"] for doc in handoffs] == ["cus_2"]


def test_the_sign_in_ends_at_the_date_given_or_once_the_last_customer_has_moved():
    leaving = Leaving(owned(1))
    last_day = NOW + timedelta(days=14)
    record = end_sign_in(leaving.store, leaving.pool, "alice", "meier", last_day, NOW)
    assert (record["sign_in_ends_at"], record["waits_for_customers"]) == (last_day, True)
    assert [e["payload"]["reason"] for e in record["outbox"]] == ["date_given"]
    later = NOW + timedelta(days=2)
    assert sign_in_when_nothing_held(leaving.store, leaving.pool, "alice", later)["sign_in_ends_at"] == last_day
    leaving.pool.owners["cus_1"] = {"owner_id": "bob"}  # bob signed: the last customer moved
    ended = sign_in_when_nothing_held(leaving.store, leaving.pool, "alice", later)
    assert (ended["sign_in_ends_at"], ended["waits_for_customers"]) == (later, False)
    assert [e["payload"]["reason"] for e in ended["outbox"]] == ["date_given", "last_customer_moved"]
    assert ended["version"] == record["version"] + 1  # the store's write moved the version on
    assert leaving.store.leavers_holding_customers() == []


def test_a_leaver_who_holds_nothing_any_more_is_signed_out_at_once():
    leaving = Leaving()
    record = end_sign_in(leaving.store, leaving.pool, "alice", "meier", None, NOW)
    assert (record["sign_in_ends_at"], record["waits_for_customers"]) == (NOW, False)
    assert end_sign_in(leaving.store, leaving.pool, "alice", "meier", None, NOW + timedelta(hours=1)) == record


# --- the weekly quality audit -------------------------------------------------------------------


class QualityAudits:
    """The weekly quality audit's service without the service: ``run`` is the timer's pass at ``now``."""

    def __init__(self, *archives, held_since=NOW - timedelta(days=30), people=("alice",), inactive=()):
        self.store = FakeHandoffs()
        self.profile = FakeProfile(*archives)
        owners = {a["id"]: {"owner_id": a["owner_id"]} for a in archives}
        self.pool = LeavingPool(owners, people, inactive)
        self.pool.allocated_at = {a["id"]: held_since.isoformat() for a in archives}

    def run(self, now):
        return {r["person"]: r for r in run_quality_audits(self.store, self.pool, self.profile, SETTINGS, now)}


def vague(n, owner="bob"):
    """A record missing required fields: a vague need, never contacted."""
    return owned(n, owner, need="interested", contacted=False)


def test_the_first_pass_only_schedules_and_a_period_later_each_active_salesperson_is_audited_once():
    auditing = QualityAudits(
        owned(1), vague(2), owned(3, "dave"), people=("alice", "bob", "carol", "dave"), inactive=("dave",)
    )
    assert auditing.run(NOW) == {}  # first seen: audited one period later
    due = NOW + QUALITY_AUDIT.every + timedelta(minutes=1)
    reports = auditing.run(due)
    assert set(reports) == {"alice", "bob", "carol"}  # dave is not active
    alice, bob, carol = reports["alice"], reports["bob"], reports["carol"]
    assert (alice["sampled"], alice["passed"], alice["returned"]) == (1, True, [])
    assert (bob["passed"], bob["returned"]) == (False, ["cus_2"])
    assert set(bob["records"][0]["missing"]) == {"need_is_specific", "contact_attempted"}
    assert (carol["sampled"], carol["passes_in_a_row"]) == (0, 0)  # nothing to sample is no pass
    assert all(r["next_at"] == due + QUALITY_AUDIT.every for r in reports.values())
    assert auditing.run(due) == {} and len(auditing.store.quality_audits.docs) == 3  # once per period
    assert (
        auditing.store.schedule("bob")["last_quality_audit_id"]
        == bob["_id"]
        == quality_audit_id("bob", NOW + QUALITY_AUDIT.every)
    )


def test_records_still_being_filled_in_are_not_sampled_and_at_most_the_sample_size_is():
    fresh = QualityAudits(
        owned(1), held_since=NOW - QUALITY_AUDIT.min_age + timedelta(days=QUALITY_AUDIT.every.days + 1)
    )
    fresh.run(NOW)
    assert fresh.run(NOW + QUALITY_AUDIT.every)["alice"]["sampled"] == 0
    many = QualityAudits(*(owned(n) for n in range(1, QUALITY_AUDIT.sample_size + 6)))
    many.run(NOW)
    first = many.run(NOW + QUALITY_AUDIT.every)["alice"]
    assert first["sampled"] == QUALITY_AUDIT.sample_size
    # the same person and due date sample the same records (a rerun after a crash audits the same ones)
    again = QualityAudits(*(owned(n) for n in range(1, QUALITY_AUDIT.sample_size + 6)))
    again.run(NOW)
    assert [r["customer_id"] for r in again.run(NOW + QUALITY_AUDIT.every)["alice"]["records"]] == [
        r["customer_id"] for r in first["records"]
    ]


def test_passes_in_a_row_make_the_quality_audit_lighter_until_a_record_fails_again():
    auditing = QualityAudits(owned(1))
    auditing.run(NOW)
    at = NOW
    for passes in range(1, QUALITY_AUDIT.passes_to_relax + 1):
        at = auditing.store.schedule("alice")["next_at"]
        done = auditing.run(at)["alice"]
        assert (done["passed"], done["passes_in_a_row"]) == (True, passes)
    assert done["relaxed"] and done["next_at"] == at + QUALITY_AUDIT.relaxed_every
    assert auditing.run(at + QUALITY_AUDIT.every) == {}  # not due at the usual period any more
    auditing.profile.archives["cus_1"] = vague(1, "alice")  # the record loses what it had
    failed = auditing.run(done["next_at"])["alice"]
    assert (failed["passed"], failed["passes_in_a_row"], failed["relaxed"]) == (False, 0, False)
    assert failed["next_at"] == done["next_at"] + QUALITY_AUDIT.every


def test_a_run_that_stored_its_report_but_not_the_schedule_moves_the_schedule_on_without_a_second_report():
    auditing = QualityAudits(owned(1))
    auditing.run(NOW)
    schedule = auditing.store.schedule("alice")
    due = schedule["next_at"]
    made, _ = report(quality_audit_id("alice", due), "alice", schedule, [], due, QUALITY_AUDIT)
    auditing.store.add_quality_audit(made)  # then the instance died
    assert auditing.run(due)["alice"]["_id"] == made["_id"]
    moved = auditing.store.schedule("alice")
    assert (moved["next_at"], moved["last_quality_audit_id"], moved["version"]) == (
        made["next_at"],
        made["_id"],
        schedule["version"] + 1,
    )
    assert len(auditing.store.quality_audits.docs) == 1 and auditing.run(due) == {}


def test_two_instances_auditing_at_once_keep_one_report_and_one_schedule_move():
    auditing = QualityAudits(owned(1))
    auditing.run(NOW)
    due = auditing.store.schedule("alice")["next_at"]
    # another instance moves the schedule on between this one's read and its write
    auditing.store.schedules.race(
        "alice", lambda doc: {**doc, "next_at": due + QUALITY_AUDIT.every, "version": doc["version"] + 1}
    )
    reports = auditing.run(due)
    assert list(reports) == ["alice"] and len(auditing.store.quality_audits.docs) == 1
    assert auditing.store.schedule("alice")["next_at"] == due + QUALITY_AUDIT.every
    assert auditing.run(due) == {}


def test_a_record_merged_away_since_the_pool_listed_it_is_not_audited():
    auditing = QualityAudits(owned(1), owned(2))
    auditing.run(NOW)
    del auditing.profile.archives["cus_2"]
    [record] = auditing.run(NOW + QUALITY_AUDIT.every)["alice"]["records"]
    assert record["customer_id"] == "cus_1"
    with pytest.raises(NotFound):
        auditing.profile.get_customer("cus_2")


def test_the_quality_audit_timer_runs_once_per_check_period_whatever_the_instances():
    auditing = QualityAudits(owned(1))
    every = SETTINGS["quality_audit_check_every"]

    def tick(now):  # HandoffService.quality_audit_when_due, with the time given
        if auditing.store.take_turn("quality_audit", now, every):
            return run_quality_audits(auditing.store, auditing.pool, auditing.profile, SETTINGS, now)
        return None

    assert tick(NOW) == [] and tick(NOW + every / 2) is None  # the other instance's tick: not its turn
    due = NOW + QUALITY_AUDIT.every
    assert [r["person"] for r in tick(due)] == ["alice"]
    assert tick(due + timedelta(seconds=1)) is None


def test_the_archives_the_quality_audit_reads_are_not_changed_by_it():
    auditing = QualityAudits(vague(1, "alice"))
    before = copy.deepcopy(auditing.profile.archives)
    auditing.run(NOW)
    auditing.run(NOW + QUALITY_AUDIT.every)
    assert auditing.profile.archives == before and auditing.profile.updates == []
