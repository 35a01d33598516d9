"""intake's examination of a raw body, with the real built-in plugins (no I/O)."""

import json
from functools import partial

import pytest

from plugins import hookimpl
from plugins.builtin import default_fields, website_form
from plugins.host import PluginHost
from services.intake.receiving import (
    examine,
    external_id_of,
    inquiry_id_for,
    message_id_for,
    receive_inquiry,
    storable_errors,
)
from services.runtime.input_limits import InputLimits

LIMIT = InputLimits(max_body_bytes=10_000)


@pytest.fixture(scope="module")
def plugins():
    return PluginHost([("default_fields", default_fields), ("website_form", website_form)])


def body(**inquiry):
    return json.dumps({"schema_version": 1, "channel": "web", "contact": {"email": "a@acme.de"}, **inquiry}).encode()


def test_a_valid_body_becomes_a_canonical_inquiry(plugins):
    examined = examine(body(custom_fields={"industry": "LED"}), None, plugins, LIMIT)
    assert examined.accepted and examined.inquiry["custom_fields"] == {"industry": "LED"}


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"{oops", "The body is not valid JSON: Expecting property name enclosed in double quotes (line 1, column 2)."),
        (b"\xff\xfe", "The body is not UTF-8 text: invalid start byte at byte 0."),
        (b"[1, 2]", "Expected a JSON object, got list."),
        (b"x" * 10_001, "The body is 10001 bytes; the limit is 10000."),
    ],
)
def test_bodies_that_are_not_an_object_are_refused_with_the_reason(plugins, raw, reason):
    assert examine(raw, None, plugins, LIMIT).errors == {"_body": [reason]}


def test_custom_values_are_checked_against_plugin_declarations(plugins):
    examined = examine(body(custom_fields={"purchase_cycle": "weekly"}), None, plugins, LIMIT)
    assert examined.errors == {
        "custom_fields": {"purchase_cycle": ["Must be one of: one_off, monthly, quarterly, yearly."]}
    }


def test_a_channel_payload_goes_through_its_connector_then_the_contract(plugins):
    ok = examine(json.dumps({"email": "li@wei.cn", "name": "Li"}).encode(), "website_form", plugins, LIMIT)
    assert ok.accepted and ok.inquiry["contact"] == {"email": "li@wei.cn", "name": "Li"}
    bad = examine(json.dumps({"name": "Li"}).encode(), "website_form", plugins, LIMIT)
    assert bad.errors == {"contact": {"email": ["A contact needs an email or a phone number."]}}


def test_no_connector_for_the_channel_is_named(plugins):
    assert "'fax'" in examine(b"{}", "fax", plugins, LIMIT).errors["channel"][0]


def test_a_failing_connector_is_named_and_nothing_is_accepted():
    def explode(channel, payload):
        raise RuntimeError("mapping table missing")

    broken = PluginHost([("acme_crm", type("P", (), {"baton_inquiry_from_channel": staticmethod(hookimpl(explode))}))])
    examined = examine(b"{}", "acme", broken, LIMIT)
    assert examined.errors == {
        "_plugin": ["plugin 'acme_crm' failed in baton_inquiry_from_channel: RuntimeError: mapping table missing"]
    }


def test_message_ids_map_to_stable_inquiry_ids():
    assert inquiry_id_for("m-1") == inquiry_id_for("m-1") != inquiry_id_for("m-2")
    assert message_id_for("m-1", "inquiry", b"x") == "m-1"
    derived = message_id_for(None, "inquiry", b"x")
    assert derived.startswith("sha256:") and derived != message_id_for(None, "channel.web", b"x")


def test_a_connector_s_no_inquiry_is_kept_as_rejected_with_its_reason():
    from plugins.builtin import email_inquiry

    raw = "From: MAILER-DAEMON@mx.acme.de\nSubject: Undelivered Mail Returned to Sender\n\nUser unknown\n"
    examined = examine(json.dumps({"raw": raw}).encode(), "email", PluginHost([("email", email_inquiry)]), LIMIT)
    assert examined.errors == {
        "_not_an_inquiry": ["a bounce from the mail system (MAILER-DAEMON@mx.acme.de), not an inquiry"]
    }


def test_the_sender_s_reference_is_kept_for_accepted_and_rejected_bodies(plugins):
    accepted = body(external_id="crm-17")
    assert external_id_of(examine(accepted, None, plugins, LIMIT), accepted) == "crm-17"
    refused = body(external_id="crm-18", colour="red")
    assert external_id_of(examine(refused, None, plugins, LIMIT), refused) == "crm-18"
    for unusable in (body(external_id=18, colour="red"), body(external_id="x" * 201, colour="red"), b"[1]", b"{oops"):
        assert external_id_of(examine(unusable, None, plugins, LIMIT), unusable) is None


class Inquiries:
    """The store's part receive_inquiry uses, in memory."""

    def __init__(self):
        self.records = {}

    def get(self, inquiry_id):
        return self.records.get(inquiry_id)

    def add(self, record):
        return self.records.setdefault(record["_id"], record) is record

    def mark_announced(self, inquiry_id):
        self.records[inquiry_id]["announced"] = True

    def mark_unannounced(self, record):
        self.records[record["_id"]]["announced"] = False


def test_a_record_names_who_submitted_it_and_the_sender_s_reference(plugins):
    inquiries = Inquiries()
    receive = partial(receive_inquiry, inquiries, plugins, LIMIT, lambda *args: None, routing_key="inquiry")
    by_http = receive(body=body(external_id="web-1"), message_id="m-1", via="http", submitted_by="web")
    by_amqp = receive(body=body(), message_id="m-2", via="amqp")
    http_record, amqp_record = inquiries.get(by_http["id"]), inquiries.get(by_amqp["id"])
    assert (http_record["submitted_by"], http_record["external_id"]) == ("web", "web-1")
    assert (amqp_record["submitted_by"], amqp_record["external_id"]) == (None, None)


def test_field_errors_are_kept_with_text_keys_whatever_the_sender_named():
    examined = examine(body(products=[123, "ok"], colour=1), None, PluginHost([]), LIMIT)
    assert examined.errors == {"products": {"0": ["Not a valid string."]}, "colour": ["Unknown field."]}
    assert storable_errors({0: ["x"], "a\0b": {1: ["y"]}}) == {"0": ["x"], "a\\u0000b": {"1": ["y"]}}


@pytest.mark.parametrize(
    "raw, field",
    [
        (b'{"n": ' + b"9" * 5000 + b"}", "n"),
        (b"[" * 5000, "_body"),
        (b'{"company": "\\udc00"}', "company"),
    ],
)
def test_hostile_bodies_are_refused_within_the_limits_before_the_contract(plugins, raw, field):
    assert list(examine(raw, None, plugins, LIMIT).errors) == [field]
