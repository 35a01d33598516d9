"""handoff over the real archive (profile) and pool: checklists, submit, info pending, sign, return,
resubmit, team sign-off, leavers, requirement changes, gates, measures, quality audits — through real
RabbitMQ and the document server."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.errors import Conflict, InvalidInput, NotFound, Refused
from contracts.events import dump_event
from services.handoff.service import HandoffService
from services.pool.service import PoolService
from services.profile.service import ProfileService
from tests.integration.helpers import canonical_inquiry, recorder_of, start_downstream_of, started, wait_for

NOW = datetime.now(UTC)


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


@pytest.fixture
def crm(container_factory, config):
    start_downstream_of(container_factory, config, "profile", "pool", "handoff")
    profile = started(container_factory, ProfileService, config)
    pool = started(container_factory, PoolService, config)
    handoff = started(container_factory, HandoffService, config)
    dispatch = event_dispatcher(config)

    def file(n, **inquiry):
        """A customer filed from inquiry ``inq_<n>`` and allocated by the pool (alice first)."""
        dispatch(
            "intake",
            "inquiry_received",
            dump_event(
                "inquiry_received",
                {
                    "inquiry_id": f"inq_{n}",
                    "received_at": NOW,
                    "inquiry": canonical_inquiry(email=f"buyer{n}@acme{n}.de", company=f"Acme {n} GmbH", **inquiry),
                },
            ),
        )
        customer_id = f"cus_{n}"
        wait_for(lambda: _owner(profile, customer_id), timeout=30, what=f"{customer_id} to be owned")
        return customer_id

    return SimpleNamespace(
        profile=profile,
        pool=pool,
        handoff=handoff,
        file=file,
        config=config,
        recorder=lambda event: started(container_factory, recorder_of("handoff", event), config),
    )


def _owner(profile, customer_id):
    try:
        return call(profile, "get_customer", customer_id)["owner_id"]
    except NotFound:
        return None


def contacted(crm, customer_id, days=(3, 2, 1), **more):
    for n, days_ago in enumerate(days):
        call(
            crm.profile,
            "record_communication",
            customer_id,
            {
                "at": (NOW - timedelta(days=days_ago)).isoformat(),
                "method": "phone",
                "by": "alice",
                "summary": f"call {n}: discussed model X, quantities and delivery",
                "result": "quote requested",
                **more,
            },
            record_id=f"{customer_id}-call-{n}",
        )


def to_sales(crm, customer_id, to="bob", key=None, **more):
    return call(
        crm.handoff,
        "submit_handoff",
        {"kind": "marketing_to_sales", "customer_id": customer_id, "by": "mia", "to": [to], **more},
        key=key,
    )


def handoff(crm, handoff_id):
    return call(crm.handoff, "get_handoff", handoff_id)


def test_a_vague_lead_is_refused_naming_every_missing_item_and_the_refusal_counts(crm):
    customer = crm.file(1, message="Hello, we want to cooperate")
    with pytest.raises(Refused) as refused:
        to_sales(crm, customer)
    assert refused.value.details["missing"] == ["need_is_specific", "contact_attempted"]
    assert refused.value.details["info_pending_allowed"] is True
    reasons = {i["name"]: i["reason"] for i in refused.value.details["items"]}
    assert "'want to cooperate'" in reasons["need_is_specific"]
    assert call(crm.handoff, "list_handoffs", {"customer_id": customer})["total"] == 0
    measures = call(crm.handoff, "measures")
    assert measures["refused"] == 1 and measures["missing_items"][0] == {"item": "contact_attempted", "count": 1}
    checklist = call(crm.handoff, "evaluate_checklist", "marketing_to_sales", customer)
    assert checklist["passed"] is False and len(checklist["items"]) == 5  # screening_recorded: screening is off


def test_an_accepted_handoff_moves_the_owner_and_the_receiver_reads_package_and_timeline(crm):
    customer = crm.file(2)
    assert _owner(crm.profile, customer) == "alice"
    contacted(crm, customer, days=(1,))
    submitted = crm.recorder("handoff_submitted")
    with entrypoint_waiter(submitted, "record") as event:
        sent = to_sales(
            crm, customer, package={"cautions": ["dislikes hard discount pitches"], "notes": "met at the Canton Fair"}
        )
    assert event.get()["to_users"] == ["bob"] and event.get()["attempt"] == 1
    assert (sent["state"], sent["awaiting"], sent["new_owner_id"], sent["departments"]) == (
        "submitted",
        ["bob"],
        "bob",
        {"mia": "marketing", "bob": "sales"},
    )
    assert call(crm.profile, "get_customer", customer)["cautions"] == ["dislikes hard discount pitches"]
    assert _owner(crm.profile, customer) == "alice"  # nothing moves before acceptance
    assert call(crm.handoff, "list_handoffs", {"awaiting": "bob"})["items"][0]["id"] == sent["id"]
    first_view = handoff(crm, sent["id"])
    assert first_view["package"]["cautions"] == ["dislikes hard discount pitches"]
    assert first_view["package"]["core_needs"] == ["We need 2,000 pcs of model X with CE by March."]
    kinds = [e["kind"] for e in first_view["timeline"]]
    assert {
        "inquiry_received",
        "customer_created",
        "owner_assigned",
        "communication_recorded",
        "details_updated",
        "handoff_submitted",
    } <= set(kinds)
    submitted_entry = next(e for e in first_view["timeline"] if e["kind"] == "handoff_submitted")
    # told once: profile's timeline records the submission (handoff's own entry only until it has)
    assert [e["kind"] for e in first_view["timeline"]].count("handoff_submitted") == 1
    assert submitted_entry["source"] in ("handoff", "profile") and "by mia to bob" in submitted_entry["summary"]
    accepted = crm.recorder("handoff_accepted")
    with entrypoint_waiter(accepted, "record") as event:
        signed = call(crm.handoff, "sign_handoff", sent["id"], {"by": "bob", "note": "read and understood"})
    assert signed["state"] == "accepted" and event.get()["complete"] is True and event.get()["new_owner_id"] == "bob"
    wait_for(lambda: _owner(crm.profile, customer) == "bob", timeout=30, what="bob to own the customer")
    assert call(crm.pool, "get_owner", customer)["reason"] == f"handed over (marketing_to_sales {sent['id']})"
    assert call(crm.handoff, "sign_handoff", sent["id"], {"by": "bob"})["state"] == "accepted"  # twice: no change


def test_info_pending_waits_blocks_signing_and_completes_when_the_archive_is_filled_in(crm):
    customer = crm.file(3, message="interested")
    sent = to_sales(crm, customer, info_pending=True)
    assert (sent["state"], sent["missing"]) == ("info_pending", ["need_is_specific", "contact_attempted"])
    until = datetime.fromisoformat(sent["pending_until"])
    assert timedelta(days=2, hours=23) < until - NOW < timedelta(days=3, hours=1)
    with pytest.raises(Conflict, match="Information is pending"):
        call(crm.handoff, "sign_handoff", sent["id"], {"by": "bob"})
    completed = crm.recorder("handoff_info_completed")
    contacted(crm, customer, days=(1,))
    with entrypoint_waiter(completed, "record", timeout=30) as event:
        call(
            crm.profile,
            "update_customer",
            customer,
            {"by": "mia", "requirements": [{"model": "X-200", "quantity": 500}]},
        )
    assert event.get()["handoff_id"] == sent["id"]
    now = handoff(crm, sent["id"])
    assert (now["state"], now["missing"], now["info_completed_late"]) == ("submitted", [], False)
    assert now["package"]["core_needs"][-1] == "X-200 × 500"
    assert call(crm.handoff, "sign_handoff", sent["id"], {"by": "bob"})["state"] == "accepted"


def test_an_info_pending_deadline_that_passes_is_listed_as_overdue(crm):
    customer = crm.file(4, message="interested")
    soon = datetime.now(UTC) + timedelta(seconds=2)
    sent = to_sales(crm, customer, info_pending=True, pending_until=soon.isoformat())
    assert call(crm.handoff, "list_handoffs", {"overdue": "true"})["total"] == 0
    overdue = wait_for(
        lambda: call(crm.handoff, "list_handoffs", {"overdue": "true"})["items"],
        timeout=10,
        what="the handoff to be overdue",
    )
    assert [h["id"] for h in overdue] == [sent["id"]] and overdue[0]["overdue"] is True
    assert call(crm.handoff, "measures")["overdue"] == [sent["id"]]


def test_a_return_keeps_the_history_and_the_resubmission_is_signed(crm):
    customer = crm.file(5)
    contacted(crm, customer, days=(1,))
    sent = to_sales(crm, customer)
    returned_event = crm.recorder("handoff_returned")
    with entrypoint_waiter(returned_event, "record") as event:
        returned = call(crm.handoff, "return_handoff", sent["id"], {"by": "bob", "reasons": ["no budget recorded"]})
    assert event.get()["from_user"] == "mia" and event.get()["reasons"] == ["no budget recorded"]
    assert returned["state"] == "returned" and returned["returns"][0]["by"] == "bob"
    with pytest.raises(InvalidInput) as not_sender:
        call(crm.handoff, "resubmit_handoff", sent["id"], {"by": "bob"})
    assert "by" in not_sender.value.details["fields"]
    again = call(
        crm.handoff,
        "resubmit_handoff",
        sent["id"],
        {"by": "mia", "package": {"notes": "budget USD 40k confirmed by phone"}},
        key="resubmit-1",
    )
    assert (again["state"], again["attempt"], again["package"]["notes"]) == (
        "resubmitted",
        2,
        "budget USD 40k confirmed by phone",
    )
    assert call(crm.handoff, "resubmit_handoff", sent["id"], {"by": "mia"}, key="resubmit-1")["attempt"] == 2
    signed = call(crm.handoff, "sign_handoff", sent["id"], {"by": "bob"})
    assert [h["action"] for h in signed["history"]] == ["submitted", "returned", "resubmitted", "signed", "accepted"]
    measures = call(crm.handoff, "measures")
    assert measures["return_rate"] == 1.0
    mia = next(p for p in measures["people"] if p["name"] == "mia")
    assert (mia["department"], mia["sent"], mia["returned"]) == ("marketing", 1, 1)


def test_a_handoff_returned_by_the_wrong_person_is_resubmitted_to_another(crm):
    customer = crm.file(14)
    contacted(crm, customer, days=(1,))
    sent = to_sales(crm, customer)
    call(crm.handoff, "return_handoff", sent["id"], {"by": "bob", "reasons": ["not my market"]})
    with pytest.raises(InvalidInput) as wrong:
        call(crm.handoff, "resubmit_handoff", sent["id"], {"by": "mia", "to": ["tom"]})
    assert "to" in wrong.value.details["fields"]
    again = call(crm.handoff, "resubmit_handoff", sent["id"], {"by": "mia", "to": ["carol"]})
    assert (again["to_users"], again["new_owner_id"], again["awaiting"]) == (["carol"], "carol", ["carol"])
    call(crm.handoff, "sign_handoff", sent["id"], {"by": "carol"})
    wait_for(lambda: _owner(crm.profile, customer) == "carol", timeout=30, what="carol to own the customer")


def test_a_team_handoff_needs_every_member_and_only_then_changes_owner_and_collaborators(crm):
    customer = crm.file(6)
    contacted(crm, customer)
    call(crm.profile, "update_customer", customer, {"by": "alice", "cautions": ["machines need ±0.01 mm"]})
    request = {
        "kind": "high_value_team",
        "customer_id": customer,
        "by": "alice",
        "to": ["bob", "tom", "sam"],
        "package": {
            "expected_annual_value": 2_000_000,
            "pain_points": ["downtime"],
            "no_open_items": True,
            "no_special_requirements": True,
        },
    }
    with pytest.raises(InvalidInput, match="at least 1,000,000 CNY a year") as too_small:
        call(crm.handoff, "submit_handoff", {**request, "package": {**request["package"], "expected_annual_value": 10}})
    assert "kind" in too_small.value.details["fields"]
    team = call(crm.handoff, "submit_handoff", request)
    assert team["package"]["annual_value"]["value"] == 2_000_000
    for member in ("tom", "bob"):
        team = call(crm.handoff, "sign_handoff", team["id"], {"by": member})
    assert (team["state"], team["awaiting"]) == ("submitted", ["sam"])
    assert call(crm.pool, "get_owner", customer)["owner_id"] == "alice"
    call(crm.handoff, "sign_handoff", team["id"], {"by": "sam"})
    owner = wait_for(
        lambda: (o := call(crm.pool, "get_owner", customer))["owner_id"] == "bob" and o,
        timeout=30,
        what="bob to own the customer",
    )
    assert owner["collaborators"] == ["alice", "tom", "sam"]


def test_one_owner_changing_handoff_at_a_time_and_a_retried_submit_is_one_handoff(crm):
    customer = crm.file(7)
    contacted(crm, customer, days=(1,))
    first = to_sales(crm, customer, key="k-1")
    assert to_sales(crm, customer, key="k-1")["id"] == first["id"]
    with pytest.raises(Conflict) as busy:
        to_sales(crm, customer, to="carol", key="k-2")
    assert busy.value.details == {"handoff_id": first["id"]}
    with pytest.raises(InvalidInput) as wrong:
        to_sales(crm, customer, to="sam")
    assert wrong.value.details["fields"]["to"] == [
        "sam (service) may not receive this kind of handoff: only sales may."
    ]
    call(crm.handoff, "sign_handoff", first["id"], {"by": "bob"})
    assert to_sales(crm, customer, to="carol", key="k-3")["state"] == "submitted"


def test_a_user_an_admin_adds_to_sales_receives_handoffs_and_one_deactivated_does_not(crm):
    customer = crm.file(12)
    contacted(crm, customer, days=(1,))
    with pytest.raises(InvalidInput, match="dave"):
        to_sales(crm, customer, to="dave")  # nobody told handoff of dave yet

    def saved(version, **user):
        with entrypoint_waiter(crm.handoff, "on_user_saved"):
            event_dispatcher(crm.config)(
                "gateway",
                "user_saved",
                dump_event(
                    "user_saved",
                    {
                        "user_id": "dave",
                        "name": "Dave",
                        "role": "member",
                        "department": "sales",
                        "team": None,
                        "active": True,
                        "version": version,
                        "at": NOW,
                        **user,
                    },
                ),
            )

    saved(0)
    first = to_sales(crm, customer, to="dave", key="dave-1")
    call(crm.handoff, "withdraw_handoff", first["id"], {"by": "mia", "reason": "dave starts next month"})
    saved(1, active=False)
    saved(0)  # older, redelivered: changes nothing
    with pytest.raises(InvalidInput) as refused:
        to_sales(crm, customer, to="dave", key="dave-2")
    assert refused.value.details["fields"]["to"] == [
        "dave is in no department: not an active user of the directory, nor listed in BATON.handoff.departments."
    ]
    saved(2, department="service")  # moved to service, active again
    with pytest.raises(InvalidInput, match=r"dave \(service\)"):
        to_sales(crm, customer, to="dave", key="dave-3")


def test_a_withdrawn_handoff_frees_the_customer_for_another_and_cannot_be_signed(crm):
    customer = crm.file(11)
    contacted(crm, customer, days=(1,))
    first = to_sales(crm, customer, key="w-1")
    with pytest.raises(Conflict):
        to_sales(crm, customer, to="carol", key="w-2")  # one owner-changing handoff at a time
    withdrawn = call(crm.handoff, "withdraw_handoff", first["id"], {"by": "mia", "reason": "bob is on leave"})
    assert (withdrawn["state"], withdrawn["awaiting"]) == ("withdrawn", [])
    assert call(crm.handoff, "withdraw_handoff", first["id"], {"by": "mia", "reason": "again"})["state"] == "withdrawn"
    with pytest.raises(Conflict, match="withdrawn"):
        call(crm.handoff, "sign_handoff", first["id"], {"by": "bob"})
    second = to_sales(crm, customer, to="carol", key="w-2")
    call(crm.handoff, "sign_handoff", second["id"], {"by": "carol"})
    wait_for(lambda: _owner(crm.profile, customer) == "carol", timeout=30, what="carol to own the customer")
    with pytest.raises(Conflict, match="only one not yet accepted"):
        call(crm.handoff, "withdraw_handoff", second["id"], {"by": "mia", "reason": "too late"})
    assert "withdrawn" in [h["action"] for h in handoff(crm, first["id"])["history"]]


def test_a_leaver_serving_notice_keeps_each_customer_until_its_successor_signs(crm):
    first, second = crm.file(8), crm.file(9)
    assert {_owner(crm.profile, first), _owner(crm.profile, second)} == {"alice", "bob"}
    alices = first if _owner(crm.profile, first) == "alice" else second
    contacted(crm, alices)
    result = call(
        crm.handoff,
        "hand_over_leaver",
        "alice",
        {"by": "manager", "to": "carol", "packages": {alices: {"open_items": ["send the CE file"]}}},
    )
    assert (result["effective"], result["unassigned"], result["waiting"]) == ("on_acceptance", [], [])
    leaving = result["handoffs"][0]
    assert (leaving["kind"], leaving["from_user"], leaving["submitted_by"], leaving["to_users"], leaving["state"]) == (
        "salesperson_leaving",
        "alice",
        "manager",
        ["carol"],
        "submitted",
    )
    assert leaving["package"]["open_items"] == ["send the CE file"]
    assert call(crm.pool, "get_owner", alices)["owner_id"] == "alice"  # nothing changes owner until signed
    again = call(crm.handoff, "hand_over_leaver", "alice", {"by": "manager", "to": "carol"})
    assert [h["id"] for h in again["handoffs"]] == [leaving["id"]]
    call(crm.handoff, "sign_handoff", leaving["id"], {"by": "carol"})
    wait_for(lambda: _owner(crm.profile, alices) == "carol", timeout=30, what="carol to own alice's customer")


def test_a_leavers_customer_with_an_open_handoff_waits_for_it_to_be_settled(crm):
    first, second = crm.file(8), crm.file(9)
    alices = first if _owner(crm.profile, first) == "alice" else second
    contacted(crm, alices, days=(1,))
    open_one = to_sales(crm, alices)
    result = call(crm.handoff, "hand_over_leaver", "alice", {"by": "manager", "to": "carol"})
    assert (result["handoffs"], result["waiting"]) == ([], [alices])
    call(crm.handoff, "sign_handoff", open_one["id"], {"by": "bob"})
    wait_for(lambda: _owner(crm.profile, alices) == "bob", timeout=30, what="bob to own the customer")
    after = call(crm.handoff, "hand_over_leaver", "alice", {"by": "manager", "to": "carol"})
    assert (after["handoffs"], after["waiting"]) == ([], [])  # bob's now: nothing of alice's to hand over


def test_a_leaver_already_gone_hands_over_at_once_and_the_successor_signs_for_the_package(crm):
    first, second = crm.file(8), crm.file(9)
    alices = first if _owner(crm.profile, first) == "alice" else second
    result = call(
        crm.handoff,
        "hand_over_leaver",
        "alice",
        {
            "by": "manager",
            "to": "carol",
            "effective": "now",
            "packages": {alices: {"open_items": ["send the CE file"]}},
        },
    )
    assert result["unassigned"] == [] and len(result["handoffs"]) == 1
    leaving = result["handoffs"][0]
    # a lead nobody contacted yet has no history to carry: the checklist says so instead of failing
    assert (leaving["state"], leaving["missing"]) == ("submitted", [])
    history = {i["name"]: i for i in leaving["checklist"]}["history_recorded"]
    assert history["passed"] and history["reason"].startswith("no contact yet")
    wait_for(lambda: _owner(crm.profile, alices) == "carol", timeout=30, what="carol to own alice's customer")
    again = call(crm.handoff, "hand_over_leaver", "alice", {"by": "manager", "to": "carol", "effective": "now"})
    assert [h["id"] for h in again["handoffs"]] == [leaving["id"]]


def test_moving_a_leavers_customers_at_once_closes_their_open_leaving_handoffs(crm):
    first, second = crm.file(8), crm.file(9)
    alices = first if _owner(crm.profile, first) == "alice" else second
    contacted(crm, alices, days=(1,))
    serving = call(crm.handoff, "hand_over_leaver", "alice", {"by": "manager", "to": "carol"})
    pending = serving["handoffs"][0]
    assert pending["state"] == "info_pending" and pending["missing"] == ["open_items_listed"]
    withdrawn = crm.recorder("handoff_withdrawn")
    with entrypoint_waiter(withdrawn, "record") as told:
        gone = call(
            crm.handoff,
            "hand_over_leaver",
            "alice",
            {"by": "manager", "effective": "now", "packages": {alices: {"open_items": ["send the CE file"]}}},
        )
    assert told.get()["handoff_id"] == pending["id"] and "moved at once to carol" in told.get()["reason"]
    by_state = {h["state"]: h for h in gone["handoffs"]}
    assert set(by_state) == {"withdrawn", "submitted"} and by_state["withdrawn"]["id"] == pending["id"]
    moved = by_state["submitted"]
    assert (moved["to_users"], moved["package"]["open_items"]) == (["carol"], ["send the CE file"])
    wait_for(lambda: _owner(crm.profile, alices) == "carol", timeout=30, what="carol to own alice's customer")
    assert call(crm.handoff, "get_handoff", pending["id"])["state"] == "withdrawn"
    call(crm.handoff, "sign_handoff", moved["id"], {"by": "carol"})
    again = call(crm.handoff, "hand_over_leaver", "alice", {"by": "manager", "effective": "now"})
    assert [h["id"] for h in again["handoffs"]] == [moved["id"]]  # asked again: nothing closed or opened twice


def test_a_requirement_change_is_recorded_once_and_names_everyone_holding_the_customer(crm):
    customer = crm.file(10)
    contacted(crm, customer)
    call(
        crm.profile,
        "record_deal_step",
        customer,
        "orders",
        {
            "at": NOW.isoformat(),
            "by": "alice",
            "amount": 30000,
            "currency": "USD",
            "delivery_date": "2026-05-20",
            "payment_method": "30% T/T",
        },
        record_id="order-1",
    )
    sent = call(
        crm.handoff,
        "submit_handoff",
        {
            "kind": "sales_to_service",
            "customer_id": customer,
            "by": "alice",
            "to": ["sam"],
            "package": {
                "pain_points": ["late deliveries"],
                "solution": "X-200 with spare parts kit",
                "no_special_requirements": True,
                "outstanding_payments": [{"amount": 50000, "currency": "CNY", "due_date": "2026-06-30"}],
            },
        },
    )
    assert sent["package"]["outstanding_payments"] == [{"amount": 50000.0, "currency": "CNY", "due_date": "2026-06-30"}]
    call(crm.handoff, "sign_handoff", sent["id"], {"by": "sam"})
    wait_for(
        lambda: call(crm.pool, "get_owner", customer)["collaborators"] == ["sam"], timeout=30, what="sam to collaborate"
    )
    call(crm.handoff, "set_requirement", customer, "voltage", {"value": "110V", "by": "alice"})
    call(crm.handoff, "start_step", customer, "order_confirmed", {"by": "alice"})
    call(crm.handoff, "start_step", customer, "production_start", {"by": "pete"})
    changed = crm.recorder("requirement_changed")
    with entrypoint_waiter(changed, "record") as event:
        register = call(
            crm.handoff,
            "set_requirement",
            customer,
            "delivery_date",
            {"value": "2026-05-10", "by": "alice", "note": "deliver 10 days earlier", "source": "whatsapp"},
        )
    assert event.get()["notify_users"] == ["pete", "sam"]  # service and production; not alice, who changed it
    order = call(crm.profile, "get_customer", customer)["orders"][-1]
    # the order it concerns changed with it: before is the order's date, the note travels
    assert (event.get()["before"], event.get()["after"], event.get()["order_id"]) == (
        "2026-05-20",
        "2026-05-10",
        order["id"],
    )
    assert (event.get()["note"], event.get()["owner_id"]) == ("deliver 10 days earlier", "alice")
    assert order["delivery_date"] == "2026-05-10"
    assert register["fields"]["delivery_date"]["value"] == "2026-05-10"
    earlier = call(crm.handoff, "set_requirement", customer, "delivery_date", {"shift_days": -3, "by": "alice"})
    assert (earlier["changes"][-1]["before"], earlier["changes"][-1]["after"]) == ("2026-05-10", "2026-05-07")
    assert call(crm.profile, "get_customer", customer)["orders"][-1]["delivery_date"] == "2026-05-07"
    call(crm.handoff, "set_requirement", customer, "delivery_date", {"value": "2026-05-10", "by": "alice"})
    again = call(crm.handoff, "set_requirement", customer, "delivery_date", {"value": "2026-05-10", "by": "alice"})
    assert [c["field"] for c in again["changes"]] == ["voltage", "delivery_date", "delivery_date", "delivery_date"]
    with pytest.raises(InvalidInput):
        call(crm.handoff, "set_requirement", customer, "Delivery Date", {"value": "x", "by": "alice"})


def test_a_special_line_stating_the_voltage_counts_as_the_voltage_once(crm):
    customer = crm.file(12)
    changed = crm.recorder("requirement_changed")
    with entrypoint_waiter(changed, "record") as event:
        call(
            crm.profile,
            "record_communication",
            customer,
            {
                "at": (NOW - timedelta(minutes=5)).isoformat(),
                "method": "phone",
                "by": "alice",
                "summary": "Called Jane.\n【特殊】needs 110V\n【特殊】CE and RoHS",
                "result": "quote requested",
            },
            record_id="call-special",
        )
    assert event.get()["by"] == "alice"
    fields = wait_for(
        lambda: (f := call(crm.handoff, "get_requirements", customer)["fields"]).get("certification") and f,
        timeout=30,
        what="the certification read from the call",
    )
    assert (
        fields["voltage"]["value"],
        fields["voltage"]["note"],
        fields["voltage"]["source"],
        fields["certification"]["value"],
    ) == ("110V", "needs 110V", "phone", "CE, RoHS")
    call(crm.handoff, "set_requirement", customer, "voltage", {"value": "220V", "by": "alice"})
    # the same contact announced again (a redelivery) does not undo the change made since
    dispatch = event_dispatcher(crm.config)
    contact = call(crm.profile, "get_customer", customer)["communications"][-1]
    with entrypoint_waiter(crm.handoff, "on_communication_recorded"):
        dispatch(
            "profile",
            "communication_recorded",
            dump_event(
                "communication_recorded",
                {
                    **contact,
                    "at": datetime.fromisoformat(contact["at"]),
                    "recorded_at": datetime.fromisoformat(contact["recorded_at"]),
                    "next_follow_up_at": None,
                    "customer_id": customer,
                    "record_id": contact["id"],
                    "owner_id": "alice",
                    "answered": True,
                    "stated_requirements": [{"field": "voltage", "value": "110V", "line": "needs 110V"}],
                },
            ),
        )
    register = call(crm.handoff, "get_requirements", customer)
    assert register["fields"]["voltage"]["value"] == "220V"
    assert [c["field"] for c in register["changes"]].count("voltage") == 2


def test_production_cannot_start_before_the_voltage_is_recorded(crm):
    customer = crm.file(11)
    call(
        crm.profile,
        "record_deal_step",
        customer,
        "orders",
        {
            "at": NOW.isoformat(),
            "by": "alice",
            "amount": 30000,
            "currency": "USD",
            "delivery_date": "2026-05-20",
            "payment_method": "30% T/T",
        },
        record_id="order-1",
    )
    with pytest.raises(Refused) as closed:
        call(crm.handoff, "start_step", customer, "production_start", {"by": "pete"})
    assert closed.value.details["missing_fields"] == ["voltage"]
    assert closed.value.details["missing_steps"] == ["order_confirmed"]
    with pytest.raises(InvalidInput, match="done by sales"):
        call(crm.handoff, "start_step", customer, "order_confirmed", {"by": "pete"})
    call(crm.handoff, "start_step", customer, "order_confirmed", {"by": "alice"})
    with pytest.raises(Refused, match="voltage is not recorded"):
        call(crm.handoff, "start_step", customer, "production_start", {"by": "pete"})
    call(crm.handoff, "set_requirement", customer, "voltage", {"value": "110V", "by": "alice"})
    steps = {
        s["step"]: s for s in call(crm.handoff, "start_step", customer, "production_start", {"by": "pete"})["steps"]
    }
    assert steps["production_start"]["started"]["by"] == "pete" and steps["production_start"]["open"]
    with pytest.raises(NotFound, match="the steps are: order_confirmed, production_start"):
        call(crm.handoff, "start_step", customer, "shipping", {"by": "pete"})


def test_the_weekly_quality_audit_returns_records_missing_required_fields_and_reports(crm):
    complete, vague = crm.file(12), crm.file(13, message="interested")
    contacted(crm, complete, days=(1,))
    assert call(crm.handoff, "run_quality_audit") == []  # nobody is due yet
    later = (datetime.now(UTC) + timedelta(days=8)).isoformat()
    reports = {r["person"]: r for r in call(crm.handoff, "run_quality_audit", later)}
    assert set(reports) == {"alice", "bob", "carol"}
    alice, bob = reports["alice"], reports["bob"]
    assert (alice["sampled"], alice["passed"], alice["returned"]) == (1, True, [])
    assert (bob["passed"], bob["returned"]) == (False, [vague])
    assert set(bob["records"][0]["missing"]) == {"need_is_specific", "contact_attempted"}
    assert reports["carol"]["sampled"] == 0
    assert call(crm.handoff, "run_quality_audit", later) == []  # done once
    listed = call(crm.handoff, "list_quality_audits", {"person": "bob"})
    assert listed["total"] == 1
    assert call(crm.handoff, "get_quality_audit", listed["items"][0]["id"])["returned"] == [vague]


def test_an_event_nobody_hears_yet_waits_in_the_outbox_and_goes_out_later(container_factory, config, db):
    start_downstream_of(container_factory, config, "profile", "pool")
    profile = started(container_factory, ProfileService, config)
    started(container_factory, PoolService, config)
    handoff_service = started(container_factory, HandoffService, config)
    event_dispatcher(config)(
        "intake",
        "inquiry_received",
        dump_event("inquiry_received", {"inquiry_id": "inq_1", "received_at": NOW, "inquiry": canonical_inquiry()}),
    )
    wait_for(lambda: _owner(profile, "cus_1"), timeout=30, what="an owner")
    sent = call(
        handoff_service,
        "submit_handoff",
        {"kind": "marketing_to_sales", "customer_id": "cus_1", "by": "mia", "to": ["bob"], "info_pending": True},
    )
    assert sent["state"] == "info_pending"
    # Profile hears of submissions (its timeline); only notification, not running here, hears of completions.
    for n in range(2):
        call(
            profile,
            "record_communication",
            "cus_1",
            {
                "at": (NOW - timedelta(days=2 - n)).isoformat(),
                "method": "phone",
                "by": "mia",
                "summary": f"call {n}: customer confirmed 2,000 pcs of model X",
                "result": "wants a quote",
            },
            record_id=f"outbox-call-{n}",
        )
    # The archive changed, so the handoff is read again: complete now, it waits for signatures.
    wait_for(lambda: db.handoffs.find_one({"_id": sent["id"]})["state"] == "submitted", what="the handoff complete")
    assert [e["name"] for e in db.handoffs.find_one({"_id": sent["id"]})["outbox"]] == ["handoff_info_completed"]
    late = started(container_factory, recorder_of("handoff", "handoff_info_completed"), config)
    with entrypoint_waiter(late, "record", timeout=30) as event:
        pass
    assert event.get()["handoff_id"] == sent["id"]
    wait_for(lambda: db.handoffs.find_one({"_id": sent["id"]})["outbox"] == [], what="the outbox to be cleared")


def as_user(container, method, actor, *args):
    """Call as a person the gateway authenticated: (user id, role, department)."""
    user_id, role, department = actor
    with entrypoint_hook(
        container,
        method,
        context_data={"actor": {"user_id": user_id, "role": role, "department": department, "team": None}},
    ) as hook:
        return hook(*args)


SAM, ALICE = ("sam", "member", "service"), ("alice", "member", "sales")
PRICES = ("48000", "48,000", "340,800", "33600", "33,600", "4.10")  # the order, its yearly value, a payment, a target
# as figures of their own: an id's hex or a time's microseconds may hold the same digits
PRICED = re.compile(r"(?<![\w.:-])(?:" + "|".join(re.escape(p) for p in PRICES) + r")(?!\w)")


def test_service_reads_the_package_checklist_and_requirements_without_prices(crm):
    customer = crm.file(14)
    contacted(crm, customer)
    call(
        crm.profile,
        "record_deal_step",
        customer,
        "orders",
        {
            "at": NOW.isoformat(),
            "by": "alice",
            "amount": 48000,
            "currency": "USD",
            "delivery_date": "2026-05-20",
            "payment_method": "30% T/T",
        },
        record_id="order-14",
    )
    call(
        crm.handoff,
        "set_requirement",
        customer,
        "target_price",
        {"value": "USD 4.10 FOB", "by": "alice", "note": "agreed at 4.10"},
    )
    submit = {
        "kind": "sales_to_service",
        "customer_id": customer,
        "by": "alice",
        "to": ["sam"],
        "package": {
            "pain_points": ["late deliveries"],
            "solution": "X-200 with spare parts kit",
            "no_special_requirements": True,
            "outstanding_payments": [{"amount": 33600, "currency": "USD", "due_date": "2026-06-30"}],
        },
    }
    sent = as_user(crm.handoff, "submit_handoff", ALICE, submit)
    assert (sent["package"]["orders"][0]["amount"], sent["package"]["outstanding_payments"][0]["amount"]) == (
        48000.0,
        33600.0,
    )  # the sales sender sees them
    order_item = next(i for i in sent["checklist"] if i["name"] == "order_details_complete")
    assert order_item["reason"].startswith("order of ") and "48" not in order_item["reason"]  # nobody's reason has it
    briefing = as_user(crm.handoff, "get_handoff", SAM, sent["id"])
    waiting = as_user(crm.handoff, "list_handoffs", SAM, {"awaiting": "sam"})["items"][0]
    signed = as_user(crm.handoff, "sign_handoff", SAM, sent["id"], {"by": "sam"})
    for view in (briefing, waiting, signed):
        assert [o["amount"] for o in view["package"]["orders"]] == [None]
        assert [p["amount"] for p in view["package"]["outstanding_payments"]] == [None]
        assert view["package"]["agreed_requirements"] == {"target_price": None}
        assert not PRICED.findall(repr(view)), PRICED.findall(repr(view))
    # told once, without its values (from profile's timeline, or handoff's own until profile has it)
    priced = [
        e
        for e in briefing["timeline"]
        if e["kind"] == "requirement_changed" and e["details"]["field"] == "target_price"
    ]
    assert len(priced) == 1 and priced[0]["details"]["priced"] is True and priced[0]["details"]["after"] is None
    # sam's access is read off profile's archive, which hears of the collaborator after pool
    wait_for(
        lambda: call(crm.profile, "get_customer", customer)["collaborators"] == ["sam"],
        timeout=30,
        what="sam to collaborate",
    )
    checklist = as_user(crm.handoff, "evaluate_checklist", SAM, "sales_to_service", customer)
    requirements = as_user(crm.handoff, "get_requirements", SAM, customer)
    assert requirements["fields"]["target_price"]["value"] is None
    assert [(c["before"], c["after"], c["note"]) for c in requirements["changes"]] == [(None, None, None)]
    assert not PRICED.findall(repr((checklist, requirements)))
    assert (
        as_user(crm.handoff, "get_requirements", ALICE, customer)["fields"]["target_price"]["value"] == "USD 4.10 FOB"
    )
    assert as_user(crm.handoff, "get_handoff", ALICE, sent["id"])["package"]["orders"][0]["amount"] == 48000.0


def test_the_kinds_are_listed_as_configured(crm):
    kinds = {k["name"]: k for k in call(crm.handoff, "list_kinds")["items"]}
    assert list(kinds) == list(crm.config["BATON"]["handoff"]["kinds"])
    assert kinds["sales_to_service"] | {"checklist": None} == {
        "name": "sales_to_service",
        "from": ["sales"],
        "to": ["service"],
        "min_receivers": 1,
        "max_receivers": 3,
        "each_signs": True,
        "changes_owner": False,
        "sender_collaborates": False,
        "info_pending": True,
        "annual_value": None,
        "checklist": None,
    }
    assert kinds["sales_to_service"]["checklist"][-1] == "solution_offered"
    assert kinds["high_value_team"]["annual_value"] == {"currency": "CNY", "at_least": 1_000_000, "below": None}
    assert (kinds["ordinary_sync"]["each_signs"], kinds["ordinary_sync"]["annual_value"]["below"]) == (False, 100_000)
