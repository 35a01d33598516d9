"""Marketing's screening (issue 15, items 1 and 2), the pure rules: the screening record on the
archive, the checklist item that reads it, the pool's screening and invalid states, and the
configuration that names nobody into the allocation."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts.errors import Forbidden
from services.handoff.domain.checklists import ChecklistPolicy, Subject, screening_recorded
from services.handoff.permitting import may_change_owner
from services.notification.domain.reminders import OWNER_HANDOFF, ReminderPolicy, handoff_submitted
from services.pool.directory import as_configured
from services.pool.domain.holdings import (
    CLAIMABLE,
    Facts,
    NotAllowed,
    marked_invalid,
    screening_holding,
    take,
)
from services.profile.domain.screening import screened, screening_summary
from services.runtime.access import Actor

AT = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
POLICY = ChecklistPolicy(vague_words=("wants to cooperate",))
NEED = "2,000 pcs of model X with CE by March"


def record(fit=True, attempted=True, **more):
    contact = {"at": AT - timedelta(minutes=5), "method": "phone", "result": "confirmed, wants a quote"}
    return {
        "by": "mia",
        "fit": fit,
        "need": NEED,
        "contact_attempted": attempted,
        **({"contact": contact} if attempted else {}),
        **more,
    }


def archive(**more):
    return {"_id": "cus_1", "needs": ["We need model X"], "communications": [], "version": 3, **more}


# --- the screening record on the archive ---------------------------------------------------------


def test_screening_keeps_the_record_and_adds_the_need_newest_last():
    after = screened(archive(), record(), "com_1", AT)
    # the domain leaves the version as it was: the guarded write moves it on
    assert after["needs"] == ["We need model X", NEED] and after["version"] == 3
    assert after["screening"] == {
        "fit": True,
        "need": NEED,
        "contact_attempted": True,
        "contact_result": "confirmed, wants a quote",
        "contact_record_id": "com_1",
        "note": None,
        "by": "mia",
        "at": AT,
    }
    assert screened(after, record(), "com_1", AT + timedelta(hours=1)) is None  # asked twice, once
    again = screened(after, record(fit=False, attempted=False), None, AT)
    assert again["needs"] == ["We need model X", NEED] and again["screening"]["fit"] is False


def test_the_summary_says_fit_need_and_contact():
    assert screening_summary(record()) == (
        f"fits the ideal customer profile; need: {NEED}; contact attempted (phone): confirmed, wants a quote"
    )
    assert screening_summary(record(fit=False, attempted=False)).endswith("; no contact attempted")


# --- the checklist item ---------------------------------------------------------------------------


def item(archive_, policy=POLICY):
    return screening_recorded(Subject(archive_, {}), policy)


def test_a_lead_not_screened_fails_only_while_screening_is_in_force():
    assert item(archive()).passed is False and "not screened" in item(archive()).reason
    off = ChecklistPolicy(vague_words=(), screening_required=False)
    assert item(archive(), off).passed is True
    unfit = screened(archive(), record(fit=False, attempted=False), None, AT)
    assert item(unfit, off).passed is False  # a screening that says "no fit" is read all the same


def test_the_screening_passes_when_it_fits_and_agrees_with_the_contacts():
    attempt = {"id": "com_1", "at": (AT - timedelta(minutes=5)).isoformat(), "method": "phone", "summary": "call"}
    ok = screened(archive(communications=[attempt]), record(), "com_1", AT)
    assert (item(ok).passed, item(ok).since) == (True, AT) and "screened by mia" in item(ok).reason
    unfit = screened(archive(), record(fit=False, attempted=False), None, AT)
    assert item(unfit).passed is False and "mark it invalid" in item(unfit).reason
    missing = screened(archive(), record(), "com_1", AT)  # says contacted, but no such record
    assert item(missing).passed is False and "its record is not on the archive" in item(missing).reason
    denied = screened(archive(communications=[attempt]), record(attempted=False), None, AT)
    assert item(denied).passed is False and "1 contact record(s) exist" in item(denied).reason


# --- the pool's states ----------------------------------------------------------------------------


def test_a_lead_in_screening_is_owned_by_nobody_and_claimable_by_none_until_handed_over():
    holding = screening_holding("cus_1", "default", Facts(company="Acme"), AT)
    assert (holding["state"], holding["owner_id"], holding["reason"]) == (
        "screening",
        None,
        "waiting for marketing's screening",
    )
    assert holding["state"] not in CLAIMABLE
    owned = take(holding, "alice", "handed over (marketing_to_sales hof_1)", "alice", AT)
    assert (owned["state"], owned["owner_id"]) == ("owned", "alice")


def test_marking_a_lead_invalid():
    holding = screening_holding("cus_1", "default", Facts(), AT)
    invalid = marked_invalid(holding, "not target industry", "mia", AT, any_owner=False)
    assert (invalid["state"], invalid["reason"], invalid["by"]) == ("invalid", "invalid: not target industry", "mia")
    assert marked_invalid(invalid, "not target industry", "mia", AT, any_owner=False) is None
    owned = take(holding, "alice", "claimed", "alice", AT)
    with pytest.raises(NotAllowed, match="owned by alice"):
        marked_invalid(owned, "contact left", "mia", AT, any_owner=False)
    assert marked_invalid(owned, "contact left", "alice", AT, any_owner=False)["state"] == "invalid"
    assert marked_invalid(owned, "contact left", "meier", AT, any_owner=True)["state"] == "invalid"
    rejected = {**holding, "state": "rejected", "reason": "rejected: price"}
    with pytest.raises(NotAllowed, match="rejected"):
        marked_invalid(rejected, "x", "mia", AT, any_owner=True)


# --- one list of people ---------------------------------------------------------------------------


def person(**more):
    return {
        "_id": "alice",
        "active": True,
        "configured_weight": 1,
        "markets": ["DE"],
        "grades": [],
        "user_version": 2,
        **more,
    }


def test_the_configuration_weighs_users_and_makes_nobody_a_salesperson():
    entry = {"id": "alice", "weight": 3, "markets": [], "grades": [], "role": "sales", "department": "sales"}
    weighed = as_configured(person(), entry)
    assert (weighed["configured_weight"], weighed["markets"], weighed["active"]) == (3, ["DE"], True)
    assert as_configured(weighed, entry) is None
    assert as_configured(person(), None) is None  # a user without an entry keeps their weight
    seeded_by_name = person()
    del seeded_by_name["user_version"]  # an older configuration's, never a user
    assert as_configured(seeded_by_name, entry)["active"] is False


# --- the owner told -------------------------------------------------------------------------------


def test_the_owner_is_told_when_someone_else_hands_their_customer_on():
    submitted = {
        "handoff_id": "hof_1",
        "kind": "ordinary_sync",
        "customer_id": "cus_1",
        "from_user": "meier",
        "to_users": ["bob"],
        "info_pending": False,
        "pending_until": None,
        "missing": [],
        "submitted_at": AT,
        "attempt": 1,
    }
    policy = ReminderPolicy(first_touch_within=timedelta(days=3))
    assert OWNER_HANDOFF not in {r["kind"] for r in handoff_submitted(policy, {**submitted, "owner_id": None})}
    [told] = [r for r in handoff_submitted(policy, {**submitted, "owner_id": "alice"}) if r["kind"] == OWNER_HANDOFF]
    assert (told["user_id"], told["subject_id"], told["due_at"]) == ("alice", "hof_1", AT)
    assert told["details"] == {
        "handoff_id": "hof_1",
        "kind": "ordinary_sync",
        "from_user": "meier",
        "to_users": "bob",
        "submitted_at": AT.isoformat(),
    }
    again = [r for r in handoff_submitted(policy, {**submitted, "owner_id": "alice"}) if r["kind"] == OWNER_HANDOFF]
    assert again[0]["_id"] == told["_id"]  # a redelivered event tells nobody twice


# --- who may give someone's customer to another ----------------------------------------------------


def test_only_the_owner_or_a_manager_hands_an_owned_customer_to_someone_else():
    mia = Actor("mia", "member", "marketing", None)
    owned = {"id": "cus_1", "owner_id": "alice", "departments": ["marketing", "sales"]}
    with pytest.raises(Forbidden, match="alice owns it"):
        may_change_owner(mia, owned, True, "bob")
    may_change_owner(mia, owned, True, "alice")  # to its owner: nobody loses it
    may_change_owner(mia, {**owned, "owner_id": None}, True, "bob")  # a lead nobody owns yet
    may_change_owner(mia, owned, False, "bob")  # the owner stays (sales → service)
    may_change_owner(Actor("alice", "member", "sales", "default"), owned, True, "bob")
    may_change_owner(Actor("meier", "manager", "sales", "default"), owned, True, "bob")
    with pytest.raises(Forbidden):
        may_change_owner(Actor("bob", "member", "sales", "default"), owned, True, "carol")
