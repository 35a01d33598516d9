"""intake through real RabbitMQ and the document server."""

import json
from datetime import UTC, datetime

import pytest
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.errors import Forbidden, InvalidInput, NotFound
from contracts.events import dump_event
from services.intake.service import IntakeService
from tests.integration.helpers import call, canonical_inquiry, publish_inquiry, recorder_of, started, wait_for


@pytest.fixture
def intake(container_factory, config):
    return started(container_factory, IntakeService, config)


@pytest.fixture
def announced(container_factory, config):
    return started(container_factory, recorder_of("intake", "inquiry_received"), config)


def receive(intake, config, body, **kwargs):
    with entrypoint_waiter(intake, "receive_published"):
        publish_inquiry(config["AMQP_URI"], body, **kwargs)


def test_a_published_inquiry_is_stored_and_announced(intake, announced, config, db):
    with entrypoint_waiter(announced, "record") as event:
        receive(intake, config, canonical_inquiry(), message_id="site-1")
    payload = event.get()
    assert payload["inquiry"]["contact"]["email"] == "jane@acme.de"
    record = db.inquiries.find_one({"_id": payload["inquiry_id"]})
    assert (record["status"], record["message_id"], record["via"], record["announced"]) == (
        "accepted",
        "site-1",
        "amqp",
        True,
    )


def test_the_same_message_twice_is_stored_and_announced_once(intake, announced, config, db):
    receive(intake, config, canonical_inquiry(), message_id="site-2")
    with pytest.raises(entrypoint_waiter.Timeout):
        with entrypoint_waiter(announced, "record", timeout=1.5):
            receive(intake, config, canonical_inquiry(), message_id="site-2")
    assert db.inquiries.count_documents({"message_id": "site-2"}) == 1


def test_a_body_that_is_not_json_is_kept_as_rejected_and_does_not_block_the_queue(intake, config, db):
    receive(intake, config, b"\x00{not json", message_id="bad-1")
    receive(intake, config, canonical_inquiry(), message_id="good-after-bad")
    rejected = db.inquiries.find_one({"message_id": "bad-1"})
    assert rejected["status"] == "rejected"
    assert "not valid JSON" in rejected["errors"]["_body"][0]
    assert rejected["raw_body"] == "\x00{not json"
    assert db.inquiries.find_one({"message_id": "good-after-bad"})["status"] == "accepted"


def test_a_contract_violation_names_each_field(intake, config, db):
    body = canonical_inquiry(company={"$ne": 1}, schema_version=2, contact={"name": "x"}, colour="red")
    receive(intake, config, body, message_id="bad-2")
    errors = db.inquiries.find_one({"message_id": "bad-2"})["errors"]
    assert errors["company"] == ["Not a valid string."]
    assert "schema_version" in errors and "colour" in errors
    assert errors["contact"]["email"] == ["A contact needs an email or a phone number."]


def test_a_channel_payload_goes_through_its_connector(intake, announced, config):
    form = {
        "name": "Li Wei",
        "email": "li@wei-trading.cn",
        "company": "Wei Trading",
        "message": "想要2000件",
        "utm_campaign": "canton-fair",
    }
    with entrypoint_waiter(announced, "record") as event:
        receive(intake, config, form, routing_key="channel.website_form", message_id="form-1")
    inquiry = event.get()["inquiry"]
    assert (inquiry["channel"], inquiry["campaign"], inquiry["contact"]["email"]) == (
        "website_form",
        "canton-fair",
        "li@wei-trading.cn",
    )


def test_an_unknown_channel_is_rejected_naming_it(intake, config, db):
    receive(intake, config, {"x": 1}, routing_key="channel.fax", message_id="fax-1")
    assert "'fax'" in db.inquiries.find_one({"message_id": "fax-1"})["errors"]["channel"][0]


def test_without_a_message_id_the_content_identifies_the_message(intake, config, db):
    receive(intake, config, canonical_inquiry(email="noid@acme.de"))
    receive(intake, config, canonical_inquiry(email="noid@acme.de"))
    assert db.inquiries.count_documents({}) == 1


def test_submission_over_rpc_reports_outcome_and_duplicates(intake):
    with entrypoint_hook(intake, "submit_inquiry") as submit:
        first = submit(json.dumps(canonical_inquiry()), message_id="http-1")
        again = submit(json.dumps(canonical_inquiry()), message_id="http-1")
        bad = submit("[]", message_id="http-2")
    assert (first["status"], first["duplicate"], again["duplicate"], again["id"]) == (
        "accepted",
        False,
        True,
        first["id"],
    )
    assert bad["status"] == "rejected" and bad["errors"] == {"_body": ["Expected a JSON object, got list."]}


def test_stored_inquiries_are_listed_and_fetched_with_their_outcome(intake, config):
    receive(intake, config, canonical_inquiry(), message_id="ok-1")
    receive(intake, config, "nope", message_id="bad-3")
    with entrypoint_hook(intake, "list_inquiries") as list_inquiries:
        rejected = list_inquiries({"status": "rejected"})
        everything = list_inquiries({"limit": "1"})
        with pytest.raises(InvalidInput) as refused:
            list_inquiries({"status": "maybe", "colour": "red"})
    assert rejected["total"] == 1 and rejected["items"][0]["raw_body"] == "nope"
    assert (everything["total"], len(everything["items"]), everything["limit"]) == (2, 1, 1)
    assert set(refused.value.details["fields"]) == {"status", "colour"}
    with entrypoint_hook(intake, "get_inquiry") as get_inquiry:
        assert get_inquiry(rejected["items"][0]["id"])["status"] == "rejected"
        with pytest.raises(NotFound):
            get_inquiry("inq_missing")


def test_an_inquiry_accepted_while_nobody_listens_is_announced_later(container_factory, config, db):
    config["BATON"]["intake"]["announce_retry_after_seconds"] = 0.2
    intake = started(container_factory, IntakeService, config)
    receive(intake, config, canonical_inquiry(), message_id="early-1")  # no consumer for its event yet
    assert db.inquiries.find_one({"message_id": "early-1"})["announced"] is False
    listener = started(container_factory, recorder_of("intake", "inquiry_received"), config)
    with entrypoint_waiter(listener, "record", timeout=10) as event:
        pass
    assert event.get()["inquiry"]["contact"]["email"] == "jane@acme.de"
    wait_for(lambda: db.inquiries.find_one({"message_id": "early-1"})["announced"], what="the outbox mark")


def test_an_email_published_raw_is_filed_through_its_connector(intake, announced, config):
    raw = (
        "From: Jane Doe <jane@acme-lighting.de>\nSubject: LED panels\n\n2,000 pcs with CE please.\n\n"
        "Best regards\nAcme Lighting GmbH\n"
    )
    with entrypoint_waiter(announced, "record") as event:
        receive(intake, config, {"raw": raw}, routing_key="channel.email", message_id="mail-1")
    inquiry = event.get()["inquiry"]
    assert (inquiry["channel"], inquiry["company"], inquiry["contact"]["email"]) == (
        "email",
        "Acme Lighting GmbH",
        "jane@acme-lighting.de",
    )


def test_rejected_inquiries_are_replayed_after_a_fix_and_accepted_once(container_factory, config, db, announced):
    """Google Ads leads arrive while its connector is not enabled: kept as rejected. Once it is
    enabled, a replay accepts and announces them; a second replay changes nothing. A body that was
    not UTF-8 is examined again as the bytes sent; one over the size limit stays rejected as such."""
    config["BATON"]["limits"]["max_body_bytes"] = 2000
    enabled = config["BATON"]["plugins"]["enabled"]
    config["BATON"]["plugins"]["enabled"] = [name for name in enabled if name != "google_ads"]
    before_fix = started(container_factory, IntakeService, config)
    lead = {
        "lead_id": "L1",
        "campaign_id": 7,
        "user_column_data": [
            {"column_id": "FULL_NAME", "string_value": "Li Wei"},
            {"column_id": "WORK_EMAIL", "string_value": "li@wei.cn"},
        ],
    }
    receive(before_fix, config, lead, routing_key="channel.google_ads", message_id="ads-1")
    receive(before_fix, config, b"{not json", message_id="broken-1")
    latin1 = json.dumps(canonical_inquiry(company="Müller GmbH"), ensure_ascii=False).encode("latin-1")
    receive(before_fix, config, latin1, message_id="latin1-1")
    receive(before_fix, config, json.dumps(canonical_inquiry(message="x" * 3000)), message_id="big-1")
    assert db.inquiries.find_one({"message_id": "ads-1"})["errors"]["channel"][0].startswith("No connector")
    before_fix.stop()
    config["BATON"]["plugins"]["enabled"] = enabled
    fixed = started(container_factory, IntakeService, config)
    with entrypoint_waiter(announced, "record") as event:
        with entrypoint_hook(fixed, "replay_rejected") as replay:
            result = replay({})
    assert (result["examined"], len(result["accepted"]), len(result["still_rejected"])) == (4, 1, 3)
    assert "not UTF-8" in db.inquiries.find_one({"message_id": "latin1-1"})["errors"]["_body"][0]
    big = db.inquiries.find_one({"message_id": "big-1"})
    assert (big["errors"]["_body"], big["raw_body_complete"], len(big["raw_body"])) == (
        ["The body is 3162 bytes; the limit is 2000."],
        False,
        2000,
    )
    assert event.get()["inquiry"]["contact"]["email"] == "li@wei.cn"
    record = db.inquiries.find_one({"message_id": "ads-1"})
    # a replay is a guarded write: the record kept from before versions is at its first version now
    assert (record["status"], record["errors"], record["announced"], record["version"]) == ("accepted", {}, True, 1)
    with entrypoint_hook(fixed, "replay_rejected") as replay:
        assert replay({"ids": result["accepted"]})["examined"] == 0
        with pytest.raises(InvalidInput):
            replay({"ids": "all"})
    trail = [e for e in db.of("intake").audit.find({"resource_id": record["_id"]})]
    assert any(e["changes"].get("status") == {"before": "rejected", "after": "accepted"} for e in trail)


def test_a_bounce_mailed_in_is_kept_as_rejected_with_the_reason_and_listed(intake, announced, config):
    bounce = (
        "From: Mail Delivery System <MAILER-DAEMON@mx1.example-sales.com>\nSubject: Undelivered Mail\n"
        "Auto-Submitted: auto-replied\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="b"\n\n--b\nContent-Type: text/plain\n\nUser unknown\n--b\n'
        "Content-Type: message/delivery-status\n\nAction: failed\nStatus: 5.1.1\n--b--\n"
    )
    with pytest.raises(entrypoint_waiter.Timeout):
        with entrypoint_waiter(announced, "record", timeout=1.5):
            receive(intake, config, {"raw": bounce}, routing_key="channel.email", message_id="bounce-1")
    [record] = call(intake, "list_inquiries", {"status": "rejected"})["items"]
    assert record["errors"] == {
        "_not_an_inquiry": ["a delivery report (multipart/report, report-type delivery-status), not an inquiry"]
    }
    assert record["routing_key"] == "channel.email" and "MAILER-DAEMON" in record["raw_body"]


def as_caller(container, method, actor, *args):
    """Call as the gateway would for a token's user: (user id, role, department)."""
    user_id, role, department = actor
    with entrypoint_hook(
        container,
        method,
        context_data={"actor": {"user_id": user_id, "role": role, "department": department, "team": None}},
    ) as hook:
        return hook(*args)


WEB, SHOP, MIA, ALICE = (
    ("web", "integration", None),
    ("shop", "integration", None),
    ("mia", "member", "marketing"),
    ("alice", "member", "sales"),
)


def test_an_integration_reads_its_own_inquiries_by_its_reference_and_no_one_else_s(intake):
    mine = as_caller(intake, "submit_inquiry", WEB, json.dumps(canonical_inquiry(external_id="form-42")), "w-1")
    refused = as_caller(intake, "submit_inquiry", WEB, json.dumps({"external_id": "form-43", "channel": 5}), "w-2")
    theirs = as_caller(intake, "submit_inquiry", SHOP, json.dumps(canonical_inquiry(external_id="form-42")), "s-1")
    found = as_caller(intake, "list_inquiries", WEB, {"external_id": "form-42"})
    assert [(i["id"], i["submitted_by"], i["external_id"]) for i in found["items"]] == [(mine["id"], "web", "form-42")]
    assert as_caller(intake, "list_inquiries", WEB, {"external_id": "form-43"})["items"][0]["status"] == "rejected"
    assert {i["id"] for i in as_caller(intake, "list_inquiries", WEB, {})["items"]} == {mine["id"], refused["id"]}
    assert as_caller(intake, "get_inquiry", WEB, mine["id"])["inquiry"]["external_id"] == "form-42"
    with pytest.raises(Forbidden, match="only the inquiries it submitted itself"):
        as_caller(intake, "get_inquiry", WEB, theirs["id"])
    with pytest.raises(NotFound):
        as_caller(intake, "get_inquiry", WEB, "inq_missing")
    # marketing reads every one, by anyone's reference; a salesperson none
    assert as_caller(intake, "list_inquiries", MIA, {"external_id": "form-42"})["total"] == 2
    assert as_caller(intake, "get_inquiry", MIA, theirs["id"])["submitted_by"] == "shop"
    with pytest.raises(Forbidden):
        as_caller(intake, "list_inquiries", ALICE, {})


def created(inquiry_id, customer_id):
    return dump_event(
        "customer_created",
        {
            "customer_id": customer_id,
            "inquiry_id": inquiry_id,
            "occurred_at": datetime.now(UTC),
            "company": "Acme GmbH",
            "country": "DE",
            "intent_grade": None,
            "needs_review": False,
        },
    )


def test_a_filed_customer_links_its_inquiry_once_with_one_audit_entry(intake, announced, config, db):
    """The link and its audit entry are one write; a redelivered event, or a merge's relink
    followed by a late copy, changes nothing and leaves no entry; a customer filed by hand (no
    inquiry of intake's) is not looked for."""
    receive(intake, config, canonical_inquiry(), message_id="link-1")
    inquiry_id = db.inquiries.find_one({"message_id": "link-1"})["_id"]
    assert db.inquiries.find_one({"_id": inquiry_id})["unconfirmed_epoch"] is not None
    for _ in range(2):
        call(intake, "on_customer_created", created(inquiry_id, "cus_1"))
    db.inquiries.update_one({"_id": inquiry_id}, {"$set": {"customer_id": "cus_2"}})  # a merge moved it on
    call(intake, "on_customer_created", created(inquiry_id, "cus_1"))
    call(intake, "on_customer_created", created("man_" + "0" * 24, "cus_3"))
    record = db.inquiries.find_one({"_id": inquiry_id})
    assert (record["customer_id"], record["filed_as"], record["unconfirmed_epoch"]) == ("cus_2", "created", None)
    entries = list(db.of("intake").audit.find({"resource_id": inquiry_id, "changes.customer_id": {"$exists": True}}))
    assert [e["changes"]["customer_id"] for e in entries] == [{"before": None, "after": "cus_1"}]
    assert db.of("intake").audit.count_documents({"resource_id": "man_" + "0" * 24}) == 0


def test_an_inquiry_no_customer_was_filed_for_is_announced_again_once(container_factory, announced, config, db):
    """Stored as announced, the publish may never have happened (the process stopped between):
    without a customer filed for it within the setting's time, the outbox announces it again, once."""
    config["BATON"]["intake"]["announce_confirmed_within_seconds"] = 1
    intake = started(container_factory, IntakeService, config)
    with entrypoint_waiter(announced, "record"):
        receive(intake, config, canonical_inquiry(), message_id="lost-1")
    with entrypoint_waiter(announced, "record", timeout=10) as again:
        pass
    assert again.get()["inquiry"]["contact"]["email"] == "jane@acme.de"
    wait_for(lambda: db.inquiries.find_one({"message_id": "lost-1"})["unconfirmed_epoch"] is None, what="confirmed")
    with pytest.raises(entrypoint_waiter.Timeout):
        with entrypoint_waiter(announced, "record", timeout=2.5):
            pass
