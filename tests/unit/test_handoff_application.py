"""handoff's application functions over in-memory stores (``tests.fakes``) with explicit times: the
behaviours tests/integration/test_handoff_service.py checks over the real broker and store, at
the fast tier — refusals naming the missing items, acceptance moving the customer, info-pending
deadlines passing, returns and resubmissions, one owner-changing handoff at a time, gated steps,
and events that wait in the outbox until a later pass publishes them (no timer waited for)."""

import copy
from datetime import UTC, datetime, timedelta

import pytest

from contracts.errors import Conflict, InvalidInput, NotFound, Refused
from contracts.handoff import SubmitSchema
from plugins.declarations import ChecklistVerdict, HandoffRule
from plugins.errors import PluginFailed
from services.handoff.agreeing import set_requirement
from services.handoff.announcing import publish, publish_pending
from services.handoff.domain.handoffs import acknowledge
from services.handoff.measuring import measures_between
from services.handoff.people import PeopleDirectory, save_user
from services.handoff.receiving import give_back, sign
from services.handoff.settings import HandoffSettingsSchema
from services.handoff.stepping import start_step
from services.handoff.submitting import recheck_pending, resubmit_returned, submit, withdraw_open
from services.runtime.document_store import moved_on
from services.runtime.guarded import MAX_WRITE_ATTEMPTS, DocumentBusy
from services.runtime.queries import load_input
from services.runtime.settings import load_section
from tests.conftest import load_config_file
from tests.fakes import FakeHandoffs, FakePlugins, FakePool, FakeProfile

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PEOPLE = {
    "marketing": ["mia"],
    "sales": ["alice", "bob", "carol"],
    "service": ["sam"],
    "tech": ["tom"],
    "production": ["pete"],
}


def _settings():
    config = copy.deepcopy(load_config_file())
    handoff = config["BATON"]["handoff"]
    # the numbers these tests count on, whatever the environment sets
    handoff.update(departments=PEOPLE, screening_required=False, info_pending_days=3, max_info_pending_days=30)
    return load_section(config, "handoff", HandoffSettingsSchema)


SETTINGS = _settings()


def archive(n=1, need="We need 2,000 pcs of model X with CE by March.", contacted=True, **more):
    """An archive as profile's get_customer returns it."""
    return {
        "id": f"cus_{n}",
        "company": f"Acme {n} GmbH",
        "country": "Germany",
        "contacts": [{"name": "Hans Weber", "email": f"buyer{n}@acme{n}.de"}],
        "sources": [{"channel": "website_form", "at": (NOW - timedelta(days=5)).isoformat()}],
        "needs": [need],
        "stage": "inquiry",
        "owner_id": "alice",
        "communications": [call(days_ago=1)] if contacted else [],
        **more,
    }


def call(days_ago, n=0, by="mia"):
    at = (NOW - timedelta(days=days_ago)).isoformat()
    return {
        "id": f"call-{days_ago}-{n}",
        "at": at,
        "recorded_at": at,
        "method": "phone",
        "by": by,
        "summary": f"call {n}: discussed model X, quantities and delivery",
        "result": "quote requested",
    }


class Handoff:
    """One test's handoff service without the service: the application functions over fakes."""

    def __init__(self, *archives, plugins=None):
        self.store = FakeHandoffs()
        self.profile = FakeProfile(*(archives or (archive(),)))
        self.pool = FakePool({a["id"]: {"owner_id": a.get("owner_id")} for a in self.profile.archives.values()})
        self.plugins = plugins or FakePlugins()
        self.published: list = []

    @property
    def policy(self):
        # as HandoffService.policy: the settings, departments looked up in the kept users first
        return {**SETTINGS, "directory": PeopleDirectory(self.store, SETTINGS["directory"])}

    def submit(self, customer_id="cus_1", by="mia", to=("bob",), key=None, now=NOW, kind="marketing_to_sales", **more):
        request = load_input(
            SubmitSchema, {"kind": kind, "customer_id": customer_id, "by": by, "to": list(to), **more}, what="handoff"
        )
        request["current_owner"] = self.profile.archives[customer_id].get("owner_id")
        return submit(self.store, self.profile, self.plugins, self.policy, request, key, now)

    def sign(self, doc, by, now=NOW, note=None):
        return sign(self.store, self.store.handoff(doc["_id"]), {"by": by, "note": note}, now)

    def dispatch(self, name, payload):
        self.published.append((name, payload))


def events(doc):
    return [event["name"] for event in doc["outbox"]]


def test_a_vague_lead_is_refused_naming_every_missing_item_and_the_refusal_counts():
    handoff = Handoff(archive(need="Hello, we want to cooperate", contacted=False))
    with pytest.raises(Refused) as refused:
        handoff.submit()
    assert refused.value.details["missing"] == ["need_is_specific", "contact_attempted"]
    assert refused.value.details["info_pending_allowed"] is True
    reasons = {i["name"]: i["reason"] for i in refused.value.details["items"]}
    assert "'want to cooperate'" in reasons["need_is_specific"]
    assert handoff.store.page(50, 0, customer_id="cus_1") == ([], 0)
    measures = measures_between(handoff.store, handoff.policy, {}, NOW)
    assert measures["refused"] == 1 and measures["missing_items"][0] == {"item": "contact_attempted", "count": 1}


def test_a_refusal_retried_with_its_key_is_kept_once():
    handoff = Handoff(archive(contacted=False))
    for _ in range(2):
        with pytest.raises(Refused):
            handoff.submit(key="k-1")
    assert len(handoff.store.refusals.find()) == 1


def test_a_plugin_that_cannot_list_its_rules_fails_the_checklist_naming_it():
    broken = FakePlugins(failure=PluginFailed.of("acme", "baton_handoff_rules", "KeyError: 'x'"))
    with pytest.raises(Refused) as refused:
        Handoff(plugins=broken).submit()
    assert refused.value.details["missing"] == ["plugin_rules"]
    assert "plugin 'acme' failed" in refused.value.details["items"][-1]["reason"]
    strict = FakePlugins([HandoffRule("has_website", lambda a, p: ChecklistVerdict(bool(a.get("website")), "web"))])
    with pytest.raises(Refused, match="has_website"):
        Handoff(plugins=strict).submit()


def test_an_accepted_handoff_moves_the_customer_to_the_receiver_and_their_department():
    handoff = Handoff()
    sent = handoff.submit(package={"cautions": ["dislikes hard discount pitches"], "notes": "met at the Canton Fair"})
    assert (sent["state"], sent["awaiting"], sent["new_owner_id"]) == ("submitted", ["bob"], "bob")
    assert (sent["from_department"], sent["to_departments"]) == ("marketing", ["sales"])
    # what the sender wrote that belongs on the archive went there first
    assert handoff.profile.archives["cus_1"]["cautions"] == ["dislikes hard discount pitches"]
    assert sent["package"]["cautions"] == ["dislikes hard discount pitches"]
    assert events(sent) == ["handoff_submitted"]
    assert handoff.store.page(50, 0, awaiting="bob")[0][0]["_id"] == sent["_id"]
    signed = handoff.sign(sent, "bob", now=NOW + timedelta(hours=2), note="read and understood")
    assert (signed["state"], signed["accepted_at"]) == ("accepted", NOW + timedelta(hours=2))
    accepted = signed["outbox"][-1]
    assert accepted["name"] == "handoff_accepted"
    assert accepted["payload"]["complete"] is True
    assert (accepted["payload"]["new_owner_id"], accepted["payload"]["to_departments"]) == ("bob", ["sales"])
    assert handoff.store.audit.resources() == ["handoff", "handoff"]
    again = handoff.sign(signed, "bob", now=NOW + timedelta(hours=3))  # twice: no change
    assert again["version"] == signed["version"] and handoff.store.handoffs.writes == 2


def test_one_owner_changing_handoff_at_a_time_and_a_retried_submit_is_one_handoff():
    handoff = Handoff()
    first = handoff.submit(key="k-1")
    assert handoff.submit(key="k-1")["_id"] == first["_id"]
    assert handoff.store.handoffs.writes == 1
    with pytest.raises(Conflict) as busy:
        handoff.submit(to=("carol",), key="k-2")
    assert busy.value.details == {"handoff_id": first["_id"]}
    with pytest.raises(InvalidInput) as wrong:
        handoff.submit(to=("sam",))
    assert wrong.value.details["fields"]["to"] == [
        "sam (service) may not receive this kind of handoff: only sales may."
    ]
    handoff.sign(first, "bob")
    assert handoff.submit(to=("carol",), key="k-3")["state"] == "submitted"


def test_a_user_the_directory_moves_to_sales_receives_handoffs_and_one_deactivated_does_not():
    handoff = Handoff()
    with pytest.raises(InvalidInput, match="dave"):
        handoff.submit(to=("dave",))
    save_user(handoff.store, {"user_id": "dave", "department": "sales", "active": True, "version": 1})
    save_user(handoff.store, {"user_id": "dave", "department": "tech", "active": True, "version": 0})  # older: ignored
    sent = handoff.submit(to=("dave",))
    assert sent["to_departments"] == ["sales"]
    withdraw_open(handoff.store, sent, {"by": "mia", "reason": "wrong person"}, NOW)
    save_user(handoff.store, {"user_id": "dave", "department": "sales", "active": False, "version": 2})
    with pytest.raises(InvalidInput, match="dave"):
        handoff.submit(to=("dave",))


def test_info_pending_blocks_signing_until_the_archive_is_filled_in():
    handoff = Handoff(archive(need="interested", contacted=False))
    sent = handoff.submit(info_pending=True)
    assert (sent["state"], sent["missing"]) == ("info_pending", ["need_is_specific", "contact_attempted"])
    assert sent["pending_until"] == NOW + timedelta(days=3)
    with pytest.raises(Conflict, match="Information is pending"):
        handoff.sign(sent, "bob")
    later = NOW + timedelta(days=1)
    assert recheck_pending(handoff.store, handoff.profile, handoff.plugins, handoff.policy, "cus_1", later) == []
    handoff.profile.update_customer(
        "cus_1",
        {"by": "mia", "communications": [call(days_ago=0)], "requirements": [{"model": "X-200", "quantity": 500}]},
    )
    [completed] = recheck_pending(handoff.store, handoff.profile, handoff.plugins, handoff.policy, "cus_1", later)
    assert (completed["state"], completed["missing"], completed["info_completed_late"]) == ("submitted", [], False)
    assert completed["package"]["core_needs"][-1] == "X-200 × 500"
    assert events(completed) == ["handoff_submitted", "handoff_info_completed"]
    assert handoff.sign(completed, "bob", now=later)["state"] == "accepted"


def test_an_info_pending_deadline_that_passes_is_overdue_and_a_late_completion_says_so():
    handoff = Handoff(archive(need="interested", contacted=False))
    until = NOW + timedelta(hours=6)
    sent = handoff.submit(info_pending=True, pending_until=until.isoformat())
    assert sent["pending_until"] == until
    assert handoff.store.page(50, 0, overdue_at=until) == ([], 0)  # due, not yet overdue
    overdue, total = handoff.store.page(50, 0, overdue_at=until + timedelta(seconds=1))
    assert (total, [h["_id"] for h in overdue]) == (1, [sent["_id"]])
    assert measures_between(handoff.store, handoff.policy, {}, until + timedelta(minutes=1))["overdue"] == [sent["_id"]]
    handoff.profile.update_customer(
        "cus_1", {"by": "mia", "needs": ["2,000 pcs of model X"], "communications": [call(0)]}
    )
    [late] = recheck_pending(
        handoff.store, handoff.profile, handoff.plugins, handoff.policy, "cus_1", until + timedelta(hours=1)
    )
    assert (late["state"], late["info_completed_late"]) == ("submitted", True)
    assert measures_between(handoff.store, handoff.policy, {}, until + timedelta(hours=2))["overdue"] == []


@pytest.mark.parametrize(
    ("pending_until", "message"),
    [(NOW - timedelta(minutes=1), "must be in the future"), (NOW + timedelta(days=31), "at most 30 days away")],
)
def test_an_info_pending_deadline_out_of_bounds_is_refused_naming_the_field(pending_until, message):
    handoff = Handoff(archive(need="interested"))
    with pytest.raises(InvalidInput, match=message) as refused:
        handoff.submit(info_pending=True, pending_until=pending_until.isoformat())
    assert "pending_until" in refused.value.details["fields"]
    assert handoff.store.handoffs.find() == []


def test_a_return_keeps_the_history_and_the_resubmission_is_signed():
    handoff = Handoff()
    sent = handoff.submit()
    returned = give_back(handoff.store, sent, {"by": "bob", "reasons": ["no budget recorded"]}, NOW)
    assert returned["state"] == "returned" and returned["returns"][0]["by"] == "bob"
    assert returned["outbox"][-1]["payload"]["reasons"] == ["no budget recorded"]
    with pytest.raises(InvalidInput) as not_sender:
        resubmit_returned(
            handoff.store, handoff.profile, handoff.plugins, handoff.policy, returned, _resubmission("bob"), None, NOW
        )
    assert "by" in not_sender.value.details["fields"]
    request = _resubmission("mia", package={"notes": "budget USD 40k confirmed by phone"})
    later = NOW + timedelta(hours=1)
    again = resubmit_returned(
        handoff.store, handoff.profile, handoff.plugins, handoff.policy, returned, request, "resubmit-1", later
    )
    assert (again["state"], again["attempt"], again["package"]["notes"]) == (
        "resubmitted",
        2,
        "budget USD 40k confirmed by phone",
    )
    retried = resubmit_returned(
        handoff.store,
        handoff.profile,
        handoff.plugins,
        handoff.policy,
        again,
        _resubmission("mia"),
        "resubmit-1",
        later,
    )
    assert (retried["attempt"], retried["version"]) == (2, again["version"])
    signed = handoff.sign(again, "bob", now=later)
    assert [h["action"] for h in signed["history"]] == ["submitted", "returned", "resubmitted", "signed", "accepted"]
    assert measures_between(handoff.store, handoff.policy, {}, later)["return_rate"] == 1.0


def _resubmission(by, **more):
    return {"by": by, "info_pending": False, **more}


def test_a_withdrawn_handoff_frees_the_customer_for_another_and_cannot_be_signed():
    handoff = Handoff()
    first = handoff.submit(key="w-1")
    withdrawn = withdraw_open(handoff.store, first, {"by": "mia", "reason": "bob is on leave"}, NOW)
    assert (withdrawn["state"], withdrawn["awaiting"]) == ("withdrawn", [])
    assert (
        withdraw_open(handoff.store, withdrawn, {"by": "mia", "reason": "again"}, NOW)["version"]
        == withdrawn["version"]
    )
    with pytest.raises(Conflict, match="withdrawn"):
        handoff.sign(first, "bob")
    second = handoff.submit(to=("carol",), key="w-2")
    handoff.sign(second, "carol")
    with pytest.raises(Conflict, match="only one not yet accepted"):
        withdraw_open(handoff.store, handoff.store.handoff(second["_id"]), {"by": "mia", "reason": "too late"}, NOW)


def test_two_members_signing_at_once_both_count_the_loser_reads_again():
    handoff = Handoff(
        archive(
            owner_id="alice",
            communications=[call(3, 0, "alice"), call(2, 1, "alice"), call(1, 2, "alice")],
            intent_grade={"grade": "A", "reasons": ["asked for a quote"]},
            cautions=["machines need ±0.01 mm"],
        )
    )
    team = handoff.submit(
        kind="high_value_team",
        by="alice",
        to=("bob", "tom", "sam"),
        package={
            "expected_annual_value": 2_000_000,
            "pain_points": ["downtime"],
            "no_open_items": True,
            "no_special_requirements": True,
        },
    )
    read_by_bob = handoff.store.handoff(team["_id"])
    # tom's signature lands between bob's read and bob's write: bob's guarded write fails, is decided again
    handoff.store.handoffs.race(team["_id"], lambda doc: moved_on(acknowledge(doc, "tom", None, NOW), doc))
    signed = sign(handoff.store, read_by_bob, {"by": "bob"}, NOW)
    assert [a["user"] for a in signed["acknowledgements"]] == ["tom", "bob"]
    assert (signed["state"], signed["awaiting"]) == ("submitted", ["sam"])
    accepted = handoff.sign(signed, "sam")["outbox"][-1]["payload"]
    assert (accepted["new_owner_id"], accepted["collaborators"]) == ("bob", ["alice", "tom", "sam"])
    assert accepted["to_departments"] == ["sales", "service", "tech"]


def test_a_document_that_keeps_changing_under_a_writer_is_busy_not_lost():
    handoff = Handoff()
    sent = handoff.submit()
    handoff.store.handoffs.race(sent["_id"], lambda doc: moved_on(doc, doc), times=MAX_WRITE_ATTEMPTS)
    with pytest.raises(DocumentBusy):
        handoff.sign(sent, "bob")
    assert handoff.store.handoff(sent["_id"])["state"] == "submitted"


def test_an_event_that_cannot_be_published_waits_in_the_outbox_for_a_later_pass():
    handoff = Handoff()
    sent = handoff.submit()

    def nobody_listens(name, payload):
        raise ConnectionError("broker away")

    publish(handoff.store, nobody_listens, "handoffs", sent)
    assert events(handoff.store.handoff(sent["_id"])) == ["handoff_submitted"]
    # the timer's pass, called with its cutoff: only events older than the cutoff are looked for
    publish_pending(handoff.store, handoff.dispatch, NOW - timedelta(seconds=5), 100)
    assert handoff.published == []
    publish_pending(handoff.store, handoff.dispatch, NOW + timedelta(seconds=5), 100)
    assert [(name, payload["handoff_id"]) for name, payload in handoff.published] == [
        ("handoff_submitted", sent["_id"])
    ]
    stored = handoff.store.handoff(sent["_id"])
    assert (stored["outbox"], stored["outbox_since"]) == ([], None)
    publish_pending(handoff.store, handoff.dispatch, NOW + timedelta(minutes=5), 100)
    assert len(handoff.published) == 1  # published once


def test_the_announce_timer_s_pass_is_one_instance_s_turn_per_period():
    """``HandoffService.retry_announcements`` as its timer would run it, ticked by hand."""
    handoff = Handoff()
    sent = handoff.submit()
    every = SETTINGS["announce_retry_after"]

    def tick(now):
        if handoff.store.take_turn("announce", now, every):
            publish_pending(handoff.store, handoff.dispatch, now - every, 100)
            return True
        return False

    assert [tick(NOW), tick(NOW)] == [True, False]  # two instances on the same tick: one pass
    assert handoff.published == []  # the event is not older than the cutoff yet
    assert tick(NOW + every - timedelta(seconds=1)) is False
    assert tick(NOW + every) is True
    assert [(name, payload["handoff_id"]) for name, payload in handoff.published] == [
        ("handoff_submitted", sent["_id"])
    ]


def test_production_cannot_start_before_the_voltage_is_recorded():
    order = {
        "id": "ord_1",
        "at": NOW.isoformat(),
        "amount": 30000,
        "currency": "USD",
        "delivery_date": "2026-05-20",
        "payment_method": "30% T/T",
    }
    handoff = Handoff(archive(orders=[order]))
    with pytest.raises(Refused) as closed:
        start_step(handoff.store, handoff.profile, handoff.policy, "cus_1", "production_start", {"by": "pete"}, NOW)
    assert closed.value.details["missing_fields"] == ["voltage"]
    assert closed.value.details["missing_steps"] == ["order_confirmed"]
    with pytest.raises(InvalidInput, match="done by sales"):
        start_step(handoff.store, handoff.profile, handoff.policy, "cus_1", "order_confirmed", {"by": "pete"}, NOW)
    started = []
    start_step(
        handoff.store, handoff.profile, handoff.policy, "cus_1", "order_confirmed", {"by": "alice"}, NOW, started.append
    )
    assert [record["step"] for record in started] == ["order_confirmed"]
    with pytest.raises(Refused, match="voltage is not recorded"):
        start_step(handoff.store, handoff.profile, handoff.policy, "cus_1", "production_start", {"by": "pete"}, NOW)
    register = set_requirement(
        handoff.store,
        handoff.profile,
        handoff.pool,
        handoff.policy["requirements"],
        "cus_1",
        "voltage",
        {"value": "110V", "by": "alice"},
        NOW,
    )
    assert register["fields"]["voltage"]["value"] == "110V"
    assert events(register) == ["requirement_changed"]
    steps = start_step(handoff.store, handoff.profile, handoff.policy, "cus_1", "production_start", {"by": "pete"}, NOW)
    production = next(s for s in steps["steps"] if s["step"] == "production_start")
    assert production["open"] and production["started"]["by"] == "pete"
    with pytest.raises(NotFound, match="the steps are: order_confirmed, production_start"):
        start_step(handoff.store, handoff.profile, handoff.policy, "cus_1", "shipping", {"by": "pete"}, NOW)


def test_a_customer_merged_away_is_not_found_and_pending_handoffs_are_left_alone():
    handoff = Handoff(archive(need="interested", contacted=False))
    sent = handoff.submit(info_pending=True)
    del handoff.profile.archives["cus_1"]
    assert recheck_pending(handoff.store, handoff.profile, handoff.plugins, handoff.policy, "cus_1", NOW) == []
    assert handoff.store.handoff(sent["_id"])["state"] == "info_pending"
