"""The canonical inquiry contract: what it accepts, and the field-level reasons it refuses."""

import pytest
from marshmallow import ValidationError

from contracts.inquiry import InquirySchema

VALID = {"schema_version": 1, "channel": "alibaba", "contact": {"email": "buyer@acme.de"}}


def errors_of(**changes):
    with pytest.raises(ValidationError) as refused:
        InquirySchema().load({**VALID, **changes})
    return refused.value.messages


def test_the_smallest_inquiry_is_a_channel_and_a_way_to_reach_someone():
    assert InquirySchema().load(VALID) == VALID
    assert InquirySchema().load({**VALID, "contact": {"phone": "+86 21 5555 0000"}})


def test_missing_required_fields_are_named():
    with pytest.raises(ValidationError) as refused:
        InquirySchema().load({})
    assert set(refused.value.messages) == {"schema_version", "channel", "contact"}


@pytest.mark.parametrize(
    "changes, field, reason",
    [
        ({"schema_version": 2}, "schema_version", "Must be one of: 1."),
        ({"channel": "Web Form!"}, "channel", "Use lower-case letters, digits, _ . - (max 64)."),
        ({"company": {"$ne": None}}, "company", "Not a valid string."),
        ({"occurred_at": "2026-11-20T10:00:00"}, "occurred_at", "Not a valid aware datetime."),
        ({"products": "lamp"}, "products", "Not a valid list."),
        ({"colour": "red"}, "colour", "Unknown field."),
        ({"external_id": "x" * 201}, "external_id", "Length must be between 1 and 200."),
        ({"external_id": 42}, "external_id", "Not a valid string."),
        ({"allocate": "later"}, "allocate", "Not a valid boolean."),
    ],
)
def test_each_refusal_names_the_field_and_the_reason(changes, field, reason):
    assert errors_of(**changes)[field] == [reason]


def test_the_sender_s_reference_and_the_pool_switch_are_kept_as_given():
    loaded = InquirySchema().load({**VALID, "external_id": "form-2026-0042", "allocate": False})
    assert (loaded["external_id"], loaded["allocate"]) == ("form-2026-0042", False)
    assert "allocate" not in InquirySchema().load(VALID)  # absent: allocated as always


def test_contact_rules_are_reported_inside_contact():
    assert errors_of(contact={"name": "Jane"}) == {
        "contact": {"email": ["A contact needs an email or a phone number."]}
    }
    assert errors_of(contact={"email": "not-an-email"}) == {"contact": {"email": ["Not a valid email address."]}}


def test_custom_field_names_cannot_carry_operators_or_paths():
    errors = errors_of(custom_fields={"$where": 1, "a.b": 2, "industry": "LED"})
    assert set(errors["custom_fields"]) == {"$where", "a.b"}


def test_a_trailing_newline_cannot_sneak_into_names():
    assert "channel" in errors_of(channel="web\n")
    assert set(errors_of(custom_fields={"industry\n": "x"})["custom_fields"]) == {"industry\n"}


def test_the_version_must_be_a_json_number():
    assert "schema_version" in errors_of(schema_version="1")


def test_readers_of_what_baton_sends_ignore_fields_added_later():
    from contracts.events import load_event

    newer = {
        "customer_id": "cus_1",
        "inquiry_id": "inq_1",
        "occurred_at": "2026-11-20T08:00:00+00:00",
        "matched_on": "email",
        "added_in_a_later_version": True,
    }
    assert "added_in_a_later_version" not in load_event("inquiry_matched", newer)
