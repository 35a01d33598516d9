"""The published JSON Schema files match the contracts and say what marshmallow enforces.

No I/O besides reading the committed files. The ``jsonschema`` library is not a dependency:
``violations`` below evaluates the keywords the exporter writes (and fails on any other), with
formats asserted; when the library happens to be installed it must agree on every sample.
"""

import copy
import datetime as dt
import enum
import json
import re
from pathlib import Path
from typing import ClassVar

import pytest
from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from contracts import jsonschema
from contracts.errors import InvalidInput
from contracts.events import EVENTS, dump_event
from contracts.inquiry import ContactSchema, InquirySchema

PUBLISHED_DIR = Path(jsonschema.__file__).parent / "jsonschema"
RUN = "run `make schemas` (python -m contracts.jsonschema contracts/jsonschema) and commit the result"


# --- a small evaluator for the keywords the exporter writes -------------------------------------

ANNOTATIONS = {"$schema", "$id", "title", "description", "default", "format"}
ASSERTIONS = {
    "type",
    "enum",
    "const",
    "required",
    "properties",
    "additionalProperties",
    "propertyNames",
    "items",
    "pattern",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "anyOf",
    "allOf",
    "oneOf",
    "not",
}
JSON_TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
FORMATS = {
    "email": lambda v: re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v) is not None,
    "date-time": lambda v: RFC3339.match(v) is not None and _parses(dt.datetime.fromisoformat, v),
    "date": lambda v: re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None and _parses(dt.date.fromisoformat, v),
    "uri": lambda v: re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", v) is not None,
    "uuid": lambda v: re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", v) is not None,
}


def _parses(parse, value):
    try:
        parse(value.replace("z", "Z"))
    except ValueError:
        return False
    return True


def _ecma(pattern):
    """The pattern for Python's re.search with ECMA-262's $ (end of input, no final \\n allowed)."""
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        out.append(char)
    return "".join(out)


def _same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


def violations(schema, value, at="$"):
    """Why ``value`` fails ``schema`` (empty when it passes)."""
    if schema is True or schema == {}:
        return []
    if schema is False:
        return [f"{at}: not allowed"]
    unknown = set(schema) - ANNOTATIONS - ASSERTIONS
    assert not unknown, f"teach violations() the keywords {unknown}"
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        if not any(JSON_TYPES[t](value) for t in types):
            return [f"{at}: {value!r} is not {'/'.join(types)}"]
    found = []
    if "enum" in schema and not any(_same(value, choice) for choice in schema["enum"]):
        found.append(f"{at}: {value!r} not in {schema['enum']}")
    if "const" in schema and not _same(value, schema["const"]):
        found.append(f"{at}: {value!r} is not {schema['const']!r}")
    if isinstance(value, str):
        if "format" in schema and not FORMATS[schema["format"]](value):
            found.append(f"{at}: {value!r} is not a {schema['format']}")
        if "pattern" in schema and not re.search(_ecma(schema["pattern"]), value):
            found.append(f"{at}: {value!r} does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", float("inf")):
            found.append(f"{at}: length {len(value)} out of range")
    if JSON_TYPES["number"](value):
        for keyword, broken in (
            ("minimum", lambda v, m: v < m),
            ("maximum", lambda v, m: v > m),
            ("exclusiveMinimum", lambda v, m: v <= m),
            ("exclusiveMaximum", lambda v, m: v >= m),
        ):
            if keyword in schema and broken(value, schema[keyword]):
                found.append(f"{at}: {value} breaks {keyword} {schema[keyword]}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", float("inf")):
            found.append(f"{at}: {len(value)} items out of range")
        for index, item in enumerate(value):
            found += violations(schema.get("items", {}), item, f"{at}[{index}]")
    if isinstance(value, dict):
        found += [f"{at}: {name} is required" for name in schema.get("required", []) if name not in value]
        if len(value) < schema.get("minProperties", 0) or len(value) > schema.get("maxProperties", float("inf")):
            found.append(f"{at}: {len(value)} properties out of range")
        properties = schema.get("properties", {})
        for key, item in value.items():
            found += violations(schema.get("propertyNames", {}), key, f"{at}{{{key!r}}}")
            where = properties[key] if key in properties else schema.get("additionalProperties", {})
            found += violations(where, item, f"{at}.{key}")
    for sub in schema.get("allOf", []):
        found += violations(sub, value, at)
    if "anyOf" in schema and all(violations(sub, value, at) for sub in schema["anyOf"]):
        found.append(f"{at}: matches none of anyOf")
    if "oneOf" in schema and sum(not violations(sub, value, at) for sub in schema["oneOf"]) != 1:
        found.append(f"{at}: does not match exactly one of oneOf")
    if "not" in schema and not violations(schema["not"], value, at):
        found.append(f"{at}: matches what 'not' forbids")
    return found


def library_verdict(document, payload):
    """The jsonschema library's verdict if it is installed (it is not a dependency), else None."""
    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        return None
    validator = Draft202012Validator(document, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validator.is_valid(payload)


def schema_accepts(document, payload):
    verdict = not violations(document, payload)
    assert library_verdict(document, payload) in (None, verdict), "the jsonschema library disagrees"
    return verdict


def test_the_evaluator_knows_every_keyword_the_published_files_use():
    def walk(node):
        if isinstance(node, dict):
            yield node
            for key, child in node.items():
                if key not in ("properties", "enum", "const", "default", "required"):
                    yield from walk(child)
                elif key == "properties":
                    for sub in child.values():
                        yield from walk(sub)
        elif isinstance(node, list):
            for child in node:
                yield from walk(child)

    used = {
        key
        for name, text in jsonschema.render_all().items()
        if name != jsonschema.INDEX
        for node in walk(json.loads(text))
        for key in node
    }
    assert used <= ANNOTATIONS | ASSERTIONS


# --- the committed files ------------------------------------------------------------------------


def test_the_committed_files_are_up_to_date():
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in PUBLISHED_DIR.glob("*.json")}
    stale, obsolete, _ = jsonschema.differences(jsonschema.render_all(), on_disk)
    assert not stale, f"out of date in {PUBLISHED_DIR}: {stale}; {RUN}"
    assert not obsolete, f"no longer published but still in {PUBLISHED_DIR}: {obsolete}; {RUN}"


def test_check_mode_passes_on_the_committed_files(capsys):
    assert jsonschema.main(["--check", str(PUBLISHED_DIR)]) == 0, capsys.readouterr().err


def test_every_event_and_contract_is_published():
    assert {f"event.{name}.json" for name in EVENTS} <= set(jsonschema.PUBLISHED)
    assert {
        "inquiry.v1.json",
        "inquiry-record.json",
        "submission.json",
        "customer.json",
        "timeline-entry.json",
        "reminder.json",
        "error.json",
    } <= set(jsonschema.PUBLISHED)


def test_the_index_lists_every_file_with_its_title():
    files = jsonschema.render_all()
    index = json.loads(files[jsonschema.INDEX])
    assert set(index) == set(jsonschema.PUBLISHED)
    assert all(json.loads(files[name])["title"] == title for name, title in index.items())


def test_files_are_pretty_sorted_and_end_with_a_newline():
    for name, text in jsonschema.render_all().items():
        document = json.loads(text)
        assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", name
        if name != jsonschema.INDEX:
            assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
            assert document["$id"] == jsonschema.BASE_ID + name


def test_differences_finds_stale_missing_and_obsolete_files():
    files = {"a.json": "A\n", "b.json": "B\n", "index.json": '{"a.json": "A", "b.json": "B"}\n'}
    on_disk = {
        "a.json": "A\n",
        "b.json": "old\n",
        "gone.json": "G\n",
        "mine.json": "M\n",
        "index.json": '{"a.json": "A", "gone.json": "Gone"}\n',
    }
    stale, obsolete, removable = jsonschema.differences(files, on_disk)
    assert stale == ["b.json", "index.json"]
    assert obsolete == ["gone.json", "mine.json"]
    assert removable == ["gone.json"]  # only what our own index published is ours to delete
    assert jsonschema.differences(files, {})[0] == list(files)


# --- the inquiry: what integrations send --------------------------------------------------------


@pytest.fixture(scope="module")
def inquiry():
    return json.loads((PUBLISHED_DIR / "inquiry.v1.json").read_text(encoding="utf-8"))


def test_inquiry_schema_states_the_contract(inquiry):
    assert inquiry["$id"] == "https://baton.dev/contracts/inquiry.v1.json"
    assert inquiry["title"] == "Inquiry"
    assert inquiry["description"].startswith("Canonical inquiry, version 1.")
    assert inquiry["type"] == "object"
    assert inquiry["required"] == ["schema_version", "channel", "contact"]
    assert inquiry["additionalProperties"] is False
    properties = inquiry["properties"]
    assert properties["schema_version"] == {"type": "integer", "enum": [1]}
    assert properties["channel"]["pattern"] == "^[a-z0-9][a-z0-9_.-]{0,63}(?![\\s\\S])"
    assert properties["occurred_at"]["format"] == "date-time"
    assert properties["products"]["maxItems"] == 50
    assert properties["products"]["items"] == {"type": "string", "maxLength": 200}
    contact = properties["contact"]
    assert contact["anyOf"] == [{"required": ["email"]}, {"required": ["phone"]}]
    assert contact["additionalProperties"] is False
    assert contact["properties"]["email"] == {"type": "string", "format": "email", "maxLength": 320}
    assert contact["properties"]["phone"] == {"type": "string", "minLength": 3, "maxLength": 50}
    assert properties["custom_fields"]["propertyNames"]["pattern"] == "^[a-z][a-z0-9_]{0,63}(?![\\s\\S])"
    assert properties["custom_fields"]["additionalProperties"] == {}


def test_to_json_schema_takes_a_class_or_an_instance_and_finds_the_published_id():
    assert jsonschema.to_json_schema(InquirySchema) == jsonschema.to_json_schema(InquirySchema())
    assert jsonschema.to_json_schema(InquirySchema)["$id"] == jsonschema.BASE_ID + "inquiry.v1.json"


CONTACT = {"email": "ana@example.com"}
VALID = [
    {"schema_version": 1, "channel": "website_form", "contact": CONTACT},
    {"schema_version": 1, "channel": "trade-show.2025", "contact": {"phone": "+49 30 1234567"}},
    {
        "schema_version": 1,
        "channel": "google_ads",
        "campaign": "spring",
        "initial_behaviour": "submitted inquiry",
        "company": "Acme GmbH",
        "country": "DE",
        "city": "Berlin",
        "website": "acme.example",
        "registration_code": "DE123456789",
        "message": "500 pumps, please",
        "products": ["pump", "valve"],
        "occurred_at": "2025-03-01T09:30:00+08:00",
        "contact": {
            "name": "Ana",
            "title": "Buyer",
            "email": "ana@acme.example",
            "phone": "+49 30 1",
            "whatsapp": "+49 30 1",
            "linkedin": "in/ana",
        },
        "custom_fields": {"budget_usd": 5000, "notes": None, "tags": ["a"], "meta": {"x": 1}},
    },
    {"schema_version": 1, "channel": "a", "contact": CONTACT, "products": [], "custom_fields": {}},
]
INVALID = {  # marshmallow refuses these, and so does the published schema
    "missing channel": {"schema_version": 1, "contact": CONTACT},
    "wrong schema_version": {"schema_version": 2, "channel": "web", "contact": CONTACT},
    "boolean schema_version": {"schema_version": True, "channel": "web", "contact": CONTACT},
    "company as an operator": {"schema_version": 1, "channel": "web", "contact": CONTACT, "company": {"$ne": 1}},
    "unknown top-level field": {"schema_version": 1, "channel": "web", "contact": CONTACT, "colour": "red"},
    "custom field key $where": {
        "schema_version": 1,
        "channel": "web",
        "contact": CONTACT,
        "custom_fields": {"$where": 1},
    },
    "custom field key with a dot": {
        "schema_version": 1,
        "channel": "web",
        "contact": CONTACT,
        "custom_fields": {"a.b": 1},
    },
    "contact without email or phone": {"schema_version": 1, "channel": "web", "contact": {"name": "no way"}},
    "empty contact": {"schema_version": 1, "channel": "web", "contact": {}},
    "no contact": {"schema_version": 1, "channel": "web"},
    "unknown contact field": {"schema_version": 1, "channel": "web", "contact": {**CONTACT, "fax": "1"}},
    "null email": {"schema_version": 1, "channel": "web", "contact": {"email": None, "phone": "+49 30 1"}},
    "upper-case channel": {"schema_version": 1, "channel": "Website", "contact": CONTACT},
    "empty channel": {"schema_version": 1, "channel": "", "contact": CONTACT},
    "phone too short": {"schema_version": 1, "channel": "web", "contact": {"phone": "12"}},
    "51 products": {"schema_version": 1, "channel": "web", "contact": CONTACT, "products": ["p"] * 51},
    "a product that is a number": {"schema_version": 1, "channel": "web", "contact": CONTACT, "products": [1]},
    "company too long": {"schema_version": 1, "channel": "web", "contact": CONTACT, "company": "x" * 301},
    "not an object": [],
}
FORMAT_ONLY = {  # refused only through "format", which validators assert when asked to
    "occurred_at without offset": {
        "schema_version": 1,
        "channel": "web",
        "contact": CONTACT,
        "occurred_at": "2025-03-01T09:30:00",
    },
    "email without a domain": {"schema_version": 1, "channel": "web", "contact": {"email": "ana"}},
}
STRICTER = {  # marshmallow lets these through today; the published schema does not
    "schema_version as a string": {"schema_version": "1", "channel": "web", "contact": CONTACT},
    "channel with a final newline": {"schema_version": 1, "channel": "web\n", "contact": CONTACT},
    "custom field key with a final newline": {
        "schema_version": 1,
        "channel": "web",
        "contact": CONTACT,
        "custom_fields": {"abc\n": 1},
    },
}


@pytest.mark.parametrize("payload", VALID)
def test_a_valid_inquiry_passes_both(inquiry, payload):
    assert InquirySchema().validate(payload) == {}
    assert violations(inquiry, payload) == []
    assert schema_accepts(inquiry, payload)


@pytest.mark.parametrize("case", list(INVALID))
def test_what_marshmallow_refuses_the_schema_also_refuses(inquiry, case):
    payload = INVALID[case]
    assert InquirySchema().validate(payload) if isinstance(payload, dict) else _refused(payload)
    assert not schema_accepts(inquiry, payload)


def _refused(payload):
    with pytest.raises(ValidationError):
        InquirySchema().load(payload)
    return True


@pytest.mark.parametrize("case", list(FORMAT_ONLY))
def test_format_assertion_catches_the_rest(inquiry, case):
    assert InquirySchema().validate(FORMAT_ONLY[case])
    assert violations(inquiry, FORMAT_ONLY[case])


@pytest.mark.parametrize("case", list(STRICTER))
def test_the_schema_is_never_looser_than_marshmallow(inquiry, case):
    # What an integration's validator accepts, Baton must accept: the reverse may differ.
    assert not schema_accepts(inquiry, STRICTER[case])


@pytest.mark.parametrize(
    ("case", "keyword", "field"),
    [
        ("missing channel", "required", "channel"),
        ("wrong schema_version", "enum", "schema_version"),
        ("company as an operator", "type", "company"),
        ("unknown top-level field", "additionalProperties", None),
        ("custom field key $where", "propertyNames", "custom_fields"),
        ("contact without email or phone", "anyOf", "contact"),
    ],
)
def test_each_refusal_comes_from_the_named_constraint(inquiry, case, keyword, field):
    """Removing the constraint from the document lets the payload through: that is the one at work."""
    payload = INVALID[case]
    loosened = copy.deepcopy(inquiry)
    where = loosened if field is None else loosened["properties"][field]
    if keyword == "required":
        loosened["required"].remove(field)
    else:
        del where[keyword]
    assert violations(inquiry, payload)
    assert violations(loosened, payload) == []


# --- everything else: what Baton sends, checked by dumping samples ----------------------------

AT = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
INQUIRY = {**VALID[2], "occurred_at": dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))}
SAMPLES = {
    "inquiry.v1.json": INQUIRY,
    "inquiry-record.json": {
        "id": "r1",
        "message_id": "m1",
        "status": "accepted",
        "via": "amqp",
        "routing_key": "inquiry",
        "received_at": AT,
        "inquiry": INQUIRY,
        "errors": {},
        "raw_body": None,
        "customer_id": "c1",
    },
    "submission.json": {"id": "r1", "status": "rejected", "duplicate": False, "errors": {"channel": ["Missing."]}},
    "customer.json": {
        "id": "c1",
        "company": "Acme GmbH",
        "contacts": [INQUIRY["contact"]],
        "country": "DE",
        "city": None,
        "website": None,
        "registration_code": None,
        "stage": "inquiry",
        "sources": [{"channel": "web", "campaign": None, "initial_behaviour": None, "inquiry_id": "r1"}],
        "needs": ["pumps"],
        "products": ["pump"],
        "intent_grade": {"grade": "A", "reasons": ["budget"], "rule": "intent_grading"},
        "grading_error": None,
        "owner_id": None,
        "possible_duplicates": [],
        "custom_fields": {"budget_usd": 5000},
        "inquiry_count": 1,
        "created_at": AT,
        "updated_at": AT,
    },
    "timeline-entry.json": {
        "id": "t1",
        "customer_id": "c1",
        "at": AT,
        "kind": "customer_created",
        "summary": "Archive opened",
        "actor": "profile",
        "refs": {"inquiry_id": "r1"},
    },
    "check-result.json": {
        "candidates": [
            {
                "customer_id": "c1",
                "company": "Acme GmbH",
                "country": "DE",
                "owner_id": None,
                "pool_status": "public_pool",
                "matched_on": ["email"],
                "similarity": 97,
            }
        ]
    },
    "duplicate-pair.json": {
        "id": "c1|c2",
        "flagged_at": AT,
        "customer": {"customer_id": "c2", "company": "Acme Tools", "country": "DE", "owner_id": None},
        "other": {"customer_id": "c1", "company": "Acme GmbH", "country_code": "DE", "owner_id": "u1"},
        "shared": ["domain"],
    },
    "kept-apart.json": {"customer_id": "c1", "other_id": "c2", "by": "u1", "note": None, "at": AT},
    "ownership.json": {
        "customer_id": "c1",
        "state": "owned",
        "owner_id": "u1",
        "collaborators": ["u2"],
        "team": "eu",
        "allocated_at": AT,
        "reason": "rotation",
        "since": AT,
        "by": "pool",
    },
    "reminder.json": {
        "id": "n1",
        "kind": "first_touch",
        "user_id": "u1",
        "customer_id": "c1",
        "due_at": AT,
        "status": "pending",
        "message": "Call Acme",
        "created_at": AT,
    },
    "preferences.json": {
        "user_id": "u1",
        "time_zone": "Asia/Shanghai",
        "quiet_hours": {"start": "22:00", "end": "07:30"},
        "digest": False,
        "digest_at": "08:30",
        "channels": ["inbox", "email"],
        "addresses": {"email": "u1@example.com"},
        "secrets_set": [],
        "updated_at": AT,
    },
    "inbox-entry.json": {
        "id": "e1",
        "user_id": "u1",
        "kind": "first_touch",
        "title": "First touch due",
        "body": "Call",
        "customer_id": "c1",
        "due_at": AT,
        "fired_at": AT,
        "read": False,
        "read_at": None,
    },
    "delivery.json": {
        "id": "d1",
        "notice_id": "e1",
        "user_id": "u1",
        "channel": "webhook",
        "kind": "first_touch",
        "title": "First touch due",
        "status": "pending",
        "next_attempt_at": AT,
        "created_at": AT,
        "attempts": [{"at": AT, "ok": False, "error": "503", "receipt": None, "permanent": False}],
        "delivered_at": None,
        "failed_at": None,
        "receipt": None,
        "last_error": "503",
    },
    "webhook-notification.json": {
        "event": "baton.notification",
        "id": "e1",
        "user_id": "u1",
        "kind": "digest",
        "title": "Your Baton digest",
        "body": "- …",
        "customer_id": None,
        "due_at": AT,
        "fired_at": AT,
        "items": [
            {
                "id": "e0",
                "user_id": "u1",
                "kind": "first_touch",
                "title": "First touch due",
                "body": "Call",
                "customer_id": "c1",
                "due_at": AT,
                "fired_at": AT,
            }
        ],
    },
    "checklist.json": {
        "kind": "marketing_to_sales",
        "customer_id": "c1",
        "passed": False,
        "items": [{"name": "contact", "passed": False, "reason": "no phone"}],
    },
    "handoff.json": {
        "id": "h1",
        "kind": "marketing_to_sales",
        "customer_id": "c1",
        "from_user": "m1",
        "submitted_by": "m1",
        "to_users": ["u1"],
        "new_owner_id": "u1",
        "collaborators": [],
        "state": "info_pending",
        "attempt": 1,
        "info_pending": True,
        "pending_until": AT,
        "overdue": False,
        "info_completed_at": None,
        "info_completed_late": False,
        "missing": ["need_is_specific"],
        "checklist": [{"name": "need_is_specific", "passed": False, "reason": "vague"}],
        "acknowledgements": [],
        "awaiting": ["u1"],
        "returns": [{"by": "u1", "at": AT, "reasons": ["no need"], "attempt": 1}],
        "history": [{"at": AT, "action": "submitted", "by": "m1", "attempt": 1, "note": "", "missing": ["x"]}],
        "package": {
            "customer": {"company": "Acme"},
            "stage": "inquiry",
            "intent_grade": "A",
            "core_needs": ["pumps"],
            "pain_points": [],
            "solution": None,
            "quotes": [],
            "special_requirements": ["CE"],
            "cautions": [],
            "traits": [],
            "competitors": [],
            "open_items": [],
            "outstanding_payments": [],
            "orders": [],
            "deal_closed": False,
            "agreed_requirements": {"voltage": "110V"},
            "recent_communications": [],
            "case": None,
            "expected_annual_value": None,
            "annual_value": None,
            "notes": None,
            "stated_none": [],
        },
        "departments": {"m1": "marketing", "u1": "sales"},
        "ready_at": None,
        "submitted_at": AT,
        "last_submitted_at": AT,
        "accepted_at": None,
    },
    "handoff-submission.json": {
        "kind": "sales_to_service",
        "customer_id": "c1",
        "by": "u1",
        "to": ["s1"],
        "package": {
            "pain_points": ["late deliveries"],
            "no_special_requirements": True,
            "outstanding_payments": [{"amount": 5.0, "currency": "CNY"}],
            "case": {"order_id": "o1", "fault": "noise", "address": "Hamburg"},
        },
        "info_pending": True,
        "pending_until": AT,
    },
    "handoff-measures.json": {
        "since": AT,
        "until": AT,
        "kind": None,
        "handoffs": 2,
        "accepted": 1,
        "returned": 1,
        "return_rate": 0.5,
        "refused": 1,
        "info_pending": 0,
        "overdue": [],
        "info_completed_late": 0,
        "people": [
            {
                "name": "m1",
                "department": "marketing",
                "sent": 2,
                "returned": 1,
                "return_rate": 0.5,
                "refused": 1,
                "ready_to_submit_hours": {"count": 1, "mean": 2.0, "median": 2.0, "max": 2.0},
                "received": 0,
                "signed": 0,
                "returns_made": 0,
                "submit_to_sign_hours": {"count": 0, "mean": None, "median": None, "max": None},
            }
        ],
        "departments": [],
        "kinds": [
            {
                "kind": "marketing_to_sales",
                "handoffs": 2,
                "return_rate": 0.5,
                "submit_to_accept_hours": {"count": 1, "mean": 3.0, "median": 3.0, "max": 3.0},
            }
        ],
        "missing_items": [{"item": "need_is_specific", "count": 3}],
    },
    "quality-audit.json": {
        "id": "a1",
        "person": "u1",
        "at": AT,
        "due_at": AT,
        "sampled": 1,
        "passed": False,
        "records": [
            {"customer_id": "c1", "passed": False, "missing": ["basic_info_complete"], "reasons": ["Missing: company."]}
        ],
        "returned": ["c1"],
        "passes_in_a_row": 0,
        "relaxed": False,
        "next_at": AT,
    },
    "error.json": {"error": InvalidInput.from_messages({"channel": ["Missing."]}, "inquiry").to_dict()},
    "health.json": {
        "status": "failing",
        "failing": ["pool"],
        "services": {
            "intake": {"status": "ok", "reason": None, "checks": {"store": {"status": "ok", "reason": None}}},
            "pool": {"status": "failing", "reason": "did not answer within 2 s", "checks": {}},
        },
    },
    "parked-event.json": {
        "id": "prk_" + "0" * 24,
        "service": "profile",
        "handler": "on_customer_allocated",
        "source": "pool",
        "event_type": "customer_allocated",
        "payload": {"customer_id": "c1"},
        "error": "InvalidInput: owner_id: Missing data for required field.",
        "attempts": 8,
        "parked_at": AT,
    },
    "event.inquiry_received.json": {"inquiry_id": "r1", "received_at": AT, "inquiry": INQUIRY},
    "event.customer_created.json": {
        "customer_id": "c1",
        "inquiry_id": "r1",
        "occurred_at": AT,
        "company": None,
        "country": "DE",
        "intent_grade": "A",
        "needs_review": True,
    },
    "event.inquiry_matched.json": {"customer_id": "c1", "inquiry_id": "r1", "occurred_at": AT, "matched_on": "email"},
    "event.customers_merged.json": {"kept_id": "c1", "absorbed_id": "c2", "by": "manager", "merged_at": AT},
    "event.duplicates_kept_apart.json": {
        "decision_id": "c1|c2",
        "customer_id": "c2",
        "other_id": "c1",
        "with_open_duplicates": ["c1"],
        "by": "manager",
        "at": AT,
    },
    "event.customer_allocated.json": {
        "customer_id": "c1",
        "owner_id": "u1",
        "team": "eu",
        "allocated_at": AT,
        "reason": "rotation",
    },
    "event.customer_updated.json": {
        "customer_id": "c1",
        "version": 3,
        "company": "Acme",
        "country": "DE",
        "intent_grade": "B",
        "stage": "quoted",
        "tags": ["quoted", "DE"],
        "last_contact_at": AT,
        "last_follow_up_at": None,
        "has_open_need": True,
        "deal_closed": False,
    },
    "event.customer_returned.json": {
        "customer_id": "c1",
        "state": "public_pool",
        "previous_owner_id": "u1",
        "reason": "released: no answer",
        "by": "u1",
        "at": AT,
    },
    "event.recycling_warned.json": {
        "customer_id": "c1",
        "owner_id": "u1",
        "reason": "no follow-up for 12 days",
        "due_at": AT,
        "warned_at": AT,
    },
    "event.collaborators_changed.json": {"customer_id": "c1", "collaborators": ["u2"], "by": "u1", "at": AT},
    "event.allocation_stalled.json": {"customer_id": "c1", "team": "eu", "reasons": {"u1": ["on leave"]}, "at": AT},
    "event.communication_recorded.json": {
        "customer_id": "c1",
        "record_id": "com_1",
        "owner_id": "u1",
        "at": AT,
        "recorded_at": AT,
        "method": "phone",
        "by": "u1",
        "result": "no answer",
        "answered": False,
        "next_follow_up_at": None,
    },
    "event.handoff_submitted.json": {
        "handoff_id": "h1",
        "kind": "marketing_to_sales",
        "customer_id": "c1",
        "from_user": "m1",
        "to_users": ["u1"],
        "info_pending": True,
        "pending_until": AT,
        "missing": ["specific_need"],
        "submitted_at": AT,
    },
    "event.handoff_info_completed.json": {"handoff_id": "h1", "customer_id": "c1", "at": AT},
    "event.handoff_accepted.json": {
        "handoff_id": "h1",
        "kind": "marketing_to_sales",
        "customer_id": "c1",
        "by": "u1",
        "at": AT,
        "complete": True,
        "from_user": "m1",
        "new_owner_id": "u1",
        "collaborators": ["m1"],
        "to_departments": ["sales"],
    },
    "event.handoff_returned.json": {
        "handoff_id": "h1",
        "kind": "marketing_to_sales",
        "customer_id": "c1",
        "by": "u1",
        "from_user": "m1",
        "reasons": ["need is vague"],
        "at": AT,
    },
    "event.user_saved.json": {
        "user_id": "u1",
        "name": "Dave",
        "role": "member",
        "department": "sales",
        "team": None,
        "active": True,
        "version": 0,
        "at": AT,
    },
    "event.handoff_withdrawn.json": {
        "handoff_id": "h1",
        "kind": "marketing_to_sales",
        "customer_id": "c1",
        "by": "m1",
        "from_user": "m1",
        "to_users": ["u1"],
        "reason": "wrong person",
        "at": AT,
    },
    "event.requirement_changed.json": {
        "change_id": "rc1",
        "customer_id": "c1",
        "field": "delivery_date",
        "before": "2026-12-20",
        "after": "2026-12-10",
        "by": "u1",
        "at": AT,
        "notify_users": ["s1", "p1"],
        "note": "deliver 10 days earlier",
        "source": "whatsapp",
        "order_id": "o1",
        "owner_id": "u1",
    },
    "event.leaver_sign_in_ends.json": {"user_id": "u1", "at": AT, "reason": "last_customer_moved", "by": "m1"},
    "event.step_started.json": {
        "customer_id": "c1",
        "step": "production_start",
        "department": "production",
        "by": "u1",
        "at": AT,
    },
    "event.reminder_updated.json": {
        "reminder_id": "n1",
        "kind": "first_touch",
        "user_id": "u1",
        "customer_id": "c1",
        "change": "snoozed",
        "by": "u1",
        "at": AT,
        "until": AT,
        "note": "travelling",
    },
    "event.reminder_scheduled.json": {
        "reminder_id": "n1",
        "kind": "first_touch",
        "user_id": "u1",
        "customer_id": "c1",
        "due_at": AT,
        "scheduled_at": AT,
    },
}


def test_every_published_file_has_a_sample():
    assert set(SAMPLES) == set(jsonschema.PUBLISHED), "add a sample for each published contract to SAMPLES"


@pytest.mark.parametrize("name", sorted(jsonschema.PUBLISHED))
def test_what_marshmallow_dumps_the_published_schema_accepts(name):
    if name not in SAMPLES:
        pytest.fail(f"no sample for {name} in SAMPLES")
    schema = jsonschema.PUBLISHED[name]()
    dumped = json.loads(json.dumps(schema.dump(SAMPLES[name])))
    document = json.loads((PUBLISHED_DIR / name).read_text(encoding="utf-8"))
    assert violations(document, dumped) == []
    assert schema_accepts(document, dumped)
    schema.load(dumped)  # and the other side loads it back


def test_events_go_through_dump_event():
    for name in EVENTS:
        document = json.loads((PUBLISHED_DIR / f"event.{name}.json").read_text(encoding="utf-8"))
        assert violations(document, dump_event(name, SAMPLES[f"event.{name}.json"])) == []


# --- the mapping, on small schemas -------------------------------------------------------------


def _property(field):
    return jsonschema.to_json_schema(Schema.from_dict({"x": field}, name="One"))["properties"]["x"]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (fields.String(), {"type": "string"}),
        (fields.Email(), {"type": "string", "format": "email"}),
        (fields.Url(), {"type": "string", "format": "uri"}),
        (fields.Url(relative=True), {"type": "string", "format": "uri-reference"}),
        (fields.UUID(), {"type": "string", "format": "uuid"}),
        (fields.Integer(), {"type": "integer"}),
        (fields.Float(), {"type": "number"}),
        (fields.Decimal(), {"type": "number"}),
        (fields.Boolean(), {"type": "boolean"}),
        (fields.DateTime(), {"type": "string", "format": "date-time"}),
        (fields.AwareDateTime(), {"type": "string", "format": "date-time"}),
        (fields.Date(), {"type": "string", "format": "date"}),
        (fields.Raw(), {}),
        (fields.Raw(allow_none=True), {}),
        (fields.String(allow_none=True), {"type": ["string", "null"]}),
        (
            fields.List(fields.Integer(), validate=validate.Length(min=1, max=3)),
            {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3},
        ),
        (
            fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[a-z]+$")), values=fields.Integer()),
            {
                "type": "object",
                "propertyNames": {"type": "string", "pattern": "^[a-z]+$"},
                "additionalProperties": {"type": "integer"},
            },
        ),
        (fields.Dict(), {"type": "object"}),
        (fields.Dict(validate=validate.Length(max=2)), {"type": "object", "maxProperties": 2}),
        (fields.String(validate=validate.Length(equal=2)), {"type": "string", "minLength": 2, "maxLength": 2}),
        (fields.Integer(validate=validate.Range(0, 10)), {"type": "integer", "minimum": 0, "maximum": 10}),
        (
            fields.Float(validate=validate.Range(0, 1, min_inclusive=False, max_inclusive=False)),
            {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        ),
        (fields.String(validate=validate.OneOf(["a", "b"])), {"type": "string", "enum": ["a", "b"]}),
        (
            fields.String(allow_none=True, validate=validate.OneOf(["a", "b"])),
            {"type": ["string", "null"], "enum": ["a", "b", None]},
        ),
        (fields.String(validate=validate.NoneOf(["root"])), {"type": "string", "not": {"enum": ["root"]}}),
        (fields.Integer(validate=validate.Equal(1)), {"type": "integer", "const": 1}),
        (fields.Integer(allow_none=True, validate=validate.Equal(1)), {"type": ["integer", "null"], "enum": [1, None]}),
        (
            fields.String(allow_none=True, validate=[validate.OneOf(["a", "b"]), validate.OneOf(["b", "c"])]),
            {"type": ["string", "null"], "enum": ["a", "b", None], "allOf": [{"enum": ["b", "c", None]}]},
        ),
        (
            fields.String(validate=[validate.Regexp(r"^a"), validate.Regexp(r"b$")]),
            {"type": "string", "pattern": "^a", "allOf": [{"pattern": "^(?:b$)"}]},
        ),
        (
            fields.List(fields.String(), validate=validate.ContainsOnly(["a", "b"])),
            {"type": "array", "items": {"type": "string"}, "allOf": [{"items": {"enum": ["a", "b"]}}]},
        ),
        (
            fields.List(fields.String(), validate=validate.ContainsNoneOf(["c"])),
            {"type": "array", "items": {"type": "string"}, "allOf": [{"items": {"not": {"enum": ["c"]}}}]},
        ),
        (fields.String(validate=validate.Regexp(r"ab")), {"type": "string", "pattern": "^(?:ab)"}),
        (fields.String(validate=validate.Regexp(r"^a|b")), {"type": "string", "pattern": "^(?:^a|b)"}),
        (fields.String(validate=validate.Regexp(r"\A[a-z]+\Z")), {"type": "string", "pattern": r"^[a-z]+(?![\s\S])"}),
        (fields.String(metadata={"description": "What it is."}), {"type": "string", "description": "What it is."}),
        (fields.String(load_default="x"), {"type": "string", "default": "x"}),
        (fields.String(dump_default="y"), {"type": "string", "default": "y"}),
        (fields.Boolean(load_default=False), {"type": "boolean", "default": False}),
        (fields.List(fields.String(), load_default=list), {"type": "array", "items": {"type": "string"}}),
        (
            fields.DateTime(load_default=AT),
            {"type": "string", "format": "date-time", "default": "2025-03-01T09:30:00+00:00"},
        ),
        (
            fields.String(validate=lambda v: v.isupper(), metadata={"json_schema": {"pattern": "^[A-Z]*$"}}),
            {"type": "string", "pattern": "^[A-Z]*$"},
        ),
    ],
)
def test_field_mapping(field, expected):
    assert _property(field) == expected


def test_regexp_patterns_accept_what_marshmallow_accepts():
    for regex, samples in [
        (r"ab", ["ab", "abc", "xab"]),
        (r"^a|b", ["a", "b", "xb", "ba"]),
        (r"\A[a-z]+\Z", ["abc", "abc\n", "ABC"]),
    ]:
        pattern = _property(fields.String(validate=validate.Regexp(regex)))["pattern"]
        for sample in samples:
            assert bool(re.match(regex, sample)) == bool(re.search(_ecma(pattern), sample)), (regex, sample)


def test_data_key_names_the_property_and_dump_only_fields_are_left_out():
    class Renamed(Schema):
        """First paragraph,
        over two lines.

        Not this one.
        """

        given_name = fields.String(data_key="givenName", required=True)
        secret = fields.String(load_only=True)
        made_at = fields.AwareDateTime(dump_only=True, required=True)

    document = jsonschema.to_json_schema(Renamed)
    assert document["description"] == "First paragraph, over two lines."
    assert set(document["properties"]) == {"givenName", "secret"}
    assert document["required"] == ["givenName"]
    assert "$id" not in document  # not published, so no address
    assert jsonschema.to_json_schema(Renamed, "renamed.json")["$id"] == jsonschema.BASE_ID + "renamed.json"


class Part(Schema):
    """A part."""

    sku = fields.String(required=True)


class LenientPart(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = fields.String()


def test_nested_schemas_are_inlined_with_their_own_unknown_setting():
    class Order(Schema):
        class Meta:
            unknown = EXCLUDE

        part = fields.Nested(Part)
        parts = fields.Nested(Part, many=True, validate=validate.Length(max=5))
        listed = fields.List(fields.Nested(Part))
        lenient = fields.Nested(LenientPart)
        overridden = fields.Nested(Part, unknown=EXCLUDE)
        optional = fields.Nested(Part, allow_none=True)
        only = fields.Nested(LenientPart, only=("sku",), unknown=RAISE)
        plucked = fields.Pluck(Part, "sku", many=True)

    properties = jsonschema.to_json_schema(Order)
    assert "additionalProperties" not in properties  # Order excludes unknown fields
    properties = properties["properties"]
    part = {
        "type": "object",
        "description": "A part.",
        "properties": {"sku": {"type": "string"}},
        "required": ["sku"],
        "additionalProperties": False,
    }
    assert properties["part"] == part
    assert properties["parts"] == {"type": "array", "items": part, "maxItems": 5}
    assert properties["listed"] == {"type": "array", "items": part}
    assert "additionalProperties" not in properties["lenient"]
    assert "additionalProperties" not in properties["overridden"]  # Nested(unknown=...) wins
    assert properties["only"]["additionalProperties"] is False
    assert properties["optional"]["type"] == ["object", "null"]
    assert properties["plucked"] == {"type": "array", "items": {"type": "string"}}
    assert jsonschema.to_json_schema(Part(many=True))["type"] == "array"
    assert Order().validate({"overridden": {"sku": "a", "extra": 1}, "only": {"sku": "a"}}) == {}
    assert Order().validate({"part": {"sku": "a", "extra": 1}})


def test_schema_rules_come_from_json_schema_extra_without_sharing_state():
    document = jsonschema.to_json_schema(ContactSchema)
    assert document["anyOf"] == [{"required": ["email"]}, {"required": ["phone"]}]
    document["anyOf"].append({"required": ["name"]})
    assert len(ContactSchema.json_schema_extra["anyOf"]) == 2


def test_json_schema_extra_may_not_name_unknown_fields_or_replace_generated_keywords():
    class Renamed(Schema):
        json_schema_extra: ClassVar[dict] = {"anyOf": [{"required": ["mail"]}, {"required": ["phone"]}]}
        email = fields.Email()
        phone = fields.String()

    class Replacing(Schema):
        json_schema_extra: ClassVar[dict] = {"required": ["email"]}
        email = fields.Email()

    with pytest.raises(jsonschema.UnsupportedField, match=r"Renamed\.json_schema_extra: .*\['mail'\]"):
        jsonschema.to_json_schema(Renamed)
    with pytest.raises(jsonschema.UnsupportedField, match=r"Replacing\.json_schema_extra: .*required"):
        jsonschema.to_json_schema(Replacing)


def test_a_schema_rule_matches_validates_schema():
    class Pair(Schema):
        json_schema_extra: ClassVar[dict] = {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}
        a = fields.String()
        b = fields.String()

        @validates_schema
        def one_of_them(self, data, **kwargs):
            if "a" not in data and "b" not in data:
                raise ValidationError("a or b")

    document = jsonschema.to_json_schema(Pair)
    for payload in ({}, {"a": "1"}, {"b": "1"}, {"a": "1", "b": "2"}):
        assert (Pair().validate(payload) == {}) == (violations(document, payload) == [])


# --- what cannot be exported says so -----------------------------------------------------------


def test_a_field_without_a_mapping_is_a_clear_error():
    class Odd(Schema):
        when = fields.TimeDelta()

    with pytest.raises(jsonschema.UnsupportedField, match=r"Odd\.when: no JSON Schema mapping for TimeDelta"):
        jsonschema.to_json_schema(Odd)


def test_an_unmapped_field_inside_a_container_names_its_place():
    class Holder(Schema):
        spans = fields.Dict(keys=fields.String(), values=fields.List(fields.TimeDelta()))

    with pytest.raises(jsonschema.UnsupportedField, match=r"Holder\.spans\{value\}\[\]: .*TimeDelta"):
        jsonschema.to_json_schema(Holder)


class Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (fields.Function(serialize=str, deserialize=str), r"One\.x: no JSON Schema mapping for Function"),
        (fields.Enum(Colour), r"One\.x: no JSON Schema mapping for Enum"),
        (fields.Time(), r"One\.x: no JSON Schema mapping for Time"),
        (fields.Tuple((fields.String(),)), r"One\.x: no JSON Schema mapping for Tuple"),
        (fields.DateTime(format="timestamp"), r"One\.x: .*format='timestamp'"),
        (fields.Date(format="%d.%m.%Y"), r"One\.x: .*format='%d\.%m\.%Y'"),
        (fields.String(validate=lambda v: v.isupper()), r"One\.x: no JSON Schema mapping for validator <lambda>"),
        (
            fields.String(validate=validate.ContainsOnly(["a"])),
            r"One\.x: ContainsOnly only has a JSON Schema form on a list",
        ),
        (
            fields.String(validate=validate.Predicate("isupper")),
            r"One\.x: no JSON Schema mapping for validator Predicate",
        ),
        (fields.String(validate=validate.Regexp("ab", re.IGNORECASE)), r"One\.x: regex flags"),
        (fields.String(validate=validate.Regexp(r"(?P<word>\w+)")), r"One\.x: pattern .* Python-only"),
    ],
)
def test_what_has_no_faithful_form_is_refused_by_name(field, message):
    with pytest.raises(jsonschema.UnsupportedField, match=message):
        _property(field)


def test_a_recursive_schema_is_a_clear_error():
    class Node(Schema):
        children = fields.List(fields.Nested(lambda: Node()))

    with pytest.raises(jsonschema.UnsupportedField, match=r"Node: nests itself \(Node -> Node\)"):
        jsonschema.to_json_schema(Node)
