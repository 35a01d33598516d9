"""The published JSON Schema files match the contracts and say what marshmallow enforces."""
from pathlib import Path

import pytest
from marshmallow import Schema, fields

from contracts import jsonschema
from contracts.inquiry import InquirySchema

PUBLISHED_DIR = Path(jsonschema.__file__).parent / "jsonschema"


def test_the_committed_files_are_up_to_date():
    stale = [name for name, text in jsonschema.render_all().items()
             if not (PUBLISHED_DIR / name).exists() or (PUBLISHED_DIR / name).read_text() != text]
    assert not stale, f"out of date: {stale}; run `make schemas`"


def test_every_event_is_published():
    from contracts.events import EVENTS
    assert {f"event.{name}.json" for name in EVENTS} <= set(jsonschema.PUBLISHED)


@pytest.fixture(scope="module")
def inquiry():
    return jsonschema.to_json_schema(InquirySchema, "inquiry.v1.json")


def test_inquiry_schema_states_the_contract(inquiry):
    assert inquiry["$id"].endswith("/inquiry.v1.json")
    assert inquiry["required"] == ["schema_version", "channel", "contact"]
    assert inquiry["additionalProperties"] is False
    assert inquiry["properties"]["schema_version"]["enum"] == [1]
    assert inquiry["properties"]["channel"]["pattern"] == "^[a-z0-9][a-z0-9_.-]{0,63}$"
    assert inquiry["properties"]["occurred_at"]["format"] == "date-time"
    assert inquiry["properties"]["products"]["maxItems"] == 50
    contact = inquiry["properties"]["contact"]
    assert contact["anyOf"] == [{"required": ["email"]}, {"required": ["phone"]}]
    assert contact["properties"]["email"]["format"] == "email"
    assert inquiry["properties"]["custom_fields"]["propertyNames"]["pattern"] == "^[a-z][a-z0-9_]{0,63}$"


@pytest.mark.parametrize("payload, constraint", [
    ({"schema_version": 1, "contact": {"email": "a@b.co"}}, ("required", "channel")),
    ({"schema_version": 2, "channel": "web", "contact": {"email": "a@b.co"}}, ("enum", "schema_version")),
    ({"schema_version": 1, "channel": "web", "contact": {"email": "a@b.co"}, "company": {"$ne": 1}},
     ("type", "company")),
    ({"schema_version": 1, "channel": "web", "contact": {"email": "a@b.co"}, "colour": "red"},
     ("additionalProperties", None)),
    ({"schema_version": 1, "channel": "web", "contact": {"email": "a@b.co"}, "custom_fields": {"$where": 1}},
     ("propertyNames", "custom_fields")),
    ({"schema_version": 1, "channel": "web", "contact": {"name": "no way to reach"}}, ("anyOf", "contact")),
])
def test_what_marshmallow_refuses_the_schema_also_forbids(inquiry, payload, constraint):
    assert InquirySchema().validate(payload)
    keyword, field = constraint
    where = inquiry if field is None else inquiry["properties"][field]
    if keyword == "required":
        assert field in inquiry["required"]
    else:
        assert keyword in where


def test_a_valid_inquiry_passes_marshmallow():
    assert InquirySchema().validate({"schema_version": 1, "channel": "web", "contact": {"phone": "+49 30 1"}}) == {}


def test_a_field_without_a_mapping_is_a_clear_error():
    class Odd(Schema):
        when = fields.TimeDelta()

    with pytest.raises(jsonschema.UnsupportedField, match=r"Odd\.when: no JSON Schema mapping for TimeDelta"):
        jsonschema.to_json_schema(Odd)


def test_check_mode_reports_stale_files(tmp_path, capsys):
    assert jsonschema.main([str(tmp_path), "--check"]) == 1
    assert jsonschema.main([str(tmp_path)]) == 0
    assert jsonschema.main([str(tmp_path), "--check"]) == 0
