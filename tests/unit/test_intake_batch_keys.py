"""The pure parts of bulk intake: each item's idempotency key and the bytes it is kept as."""

import json

from services.intake.receiving import batch_message_id, inquiry_id_for, item_body, message_id_for


def test_an_item_is_keyed_by_its_message_id_else_its_reference_scoped_to_its_sender_else_nothing():
    inquiry = {"schema_version": 1, "external_id": "crm-7"}
    assert batch_message_id({"message_id": "row-1", "inquiry": inquiry}, "web") == "row-1"
    assert batch_message_id({"inquiry": inquiry}, "web") == "external_id:web:crm-7"
    assert batch_message_id({"inquiry": inquiry}, "shop") != batch_message_id({"inquiry": inquiry}, "web")
    assert batch_message_id({"inquiry": {"external_id": 7}}, "web") is None  # not a reference: content decides
    assert batch_message_id({"inquiry": {}}, None) is None


def test_an_item_without_a_key_is_identified_by_its_content_as_a_single_submission_is():
    inquiry = {"schema_version": 1, "company": "Müller GmbH"}
    body = item_body(inquiry)
    assert json.loads(body) == inquiry and "Müller".encode() in body  # kept as written, not escaped
    same = message_id_for(None, "inquiry", item_body(dict(inquiry)))
    assert same == message_id_for(None, "inquiry", body) != message_id_for(None, "inquiry", item_body({}))
    assert inquiry_id_for(same).startswith("inq_")


def test_text_that_is_not_utf8_survives_as_bytes_to_be_refused_naming_why():
    assert item_body({"company": "\ud800"}).endswith(b'"}') and b"\xed\xa0\x80" in item_body({"company": "\ud800"})
