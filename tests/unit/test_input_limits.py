"""The limits on untrusted JSON (services.runtime.input_limits): each hostile body is refused
naming the field and the reason, and nothing raises anything but ``InputRefused``."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from contracts.errors import InvalidInput
from services.runtime.input_limits import (
    InputLimits,
    InputLimitsSchema,
    InputRefused,
    check_json_bytes,
    check_value,
)
from tests.conftest import load_config_file

LIMITS = InputLimits(max_body_bytes=200_000, max_depth=8, max_number_chars=25, max_string_chars=100)


def refusal(raw: bytes, limits: InputLimits = LIMITS) -> dict:
    with pytest.raises(InputRefused) as refused:
        check_json_bytes(raw, limits)
    return refused.value.messages()


def test_ordinary_json_passes_unchanged():
    body = {
        "company": "Müller GmbH",
        "products": ["LED", "面板"],
        "n": -9223372036854775808,
        "x": 1.5e300,
        "ok": True,
        "none": None,
        "nested": [[[{"a": '[{"}]'}]]],
    }
    assert check_json_bytes(json.dumps(body, ensure_ascii=False).encode(), LIMITS) == body


@pytest.mark.parametrize(
    "raw, field, reason",
    [
        (b"x" * 200_001, "_body", "The body is 200001 bytes; the limit is 200000."),
        (b'{"a": "\xff"}', "_body", "The body is not UTF-8 text: invalid start byte at byte 7."),
        (b'{"a": "\xed\xa0\x80"}', "_body", "The body is not UTF-8 text: invalid continuation byte at byte 7."),
        (
            b"{oops",
            "_body",
            "The body is not valid JSON: Expecting property name enclosed in double quotes (line 1, column 2).",
        ),
        (b"[" * 9 + b"]" * 9, "_body", "The JSON is nested more than 8 levels deep, its limit."),
        (b"[" * 100_000, "_body", "The JSON is nested more than 8 levels deep, its limit."),
        (
            b'{"products": ["\\ud800"]}',
            "products[0]",
            "The text holds a lone surrogate (\\ud800) at character 0, which is not text.",
        ),
        (b'{"a": {"b": "' + b"x" * 101 + b'"}}', "a.b", "The text is 101 characters long; the limit is 100."),
        (
            b'{"n": ' + b"9" * 5000 + b"}",
            "n",
            "The number 999999999999…999999 is written with 5000 characters; the limit is 25.",
        ),
        (
            b'{"q": [1, 9223372036854775808]}',
            "q[1]",
            "The integer is outside the 64-bit range (-9223372036854775808 to 9223372036854775807).",
        ),
        (b'{"f": 1e999}', "f", "The number is beyond what a 64-bit float holds."),
        (b'{"f": [1.5, "' + b"x" * 30 + b'", -1e999]}', "f[2]", "The number is beyond what a 64-bit float holds."),
        (
            b'{"f": 0.' + b"1" * 40 + b"}",
            "f",
            "The number 0.1111111111…111111 is written with 42 characters; the limit is 25.",
        ),
        (b'{"f": NaN}', "f", "NaN is not a JSON number."),
        (b'{"f": -Infinity}', "f", "-Infinity is not a JSON number."),
        (b'{"custom": {"a\\u0000b": 1}}', "custom", "The key 'a\\u0000b' holds a NUL character."),
        (b'{"\\udfff": 1}', "_body", "A key holds a lone surrogate (\\ud800-\\udfff), which is not text."),
    ],
)
def test_each_hostile_body_is_refused_naming_the_field_and_the_reason(raw, field, reason):
    assert refusal(raw) == {field: [reason]}


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert check_json_bytes(b'["[[[[", {"a": "\\"{{{{"}]', LIMITS) == ["[[[[", {"a": '"{{{{'}]
    assert check_json_bytes(json.dumps(["[" * 50, "{" * 50]).encode(), LIMITS) == ["[" * 50, "{" * 50]


def test_a_refusal_becomes_the_contract_s_invalid_input():
    with pytest.raises(InputRefused) as refused:
        check_json_bytes(b'{"n": "\xff"}', LIMITS)
    error = refused.value.as_invalid_input()
    assert isinstance(error, InvalidInput) and error.details == {
        "fields": {"_body": ["The body is not UTF-8 text: invalid start byte at byte 7."]}
    }


def test_already_parsed_values_are_checked_with_their_path():
    check_value({"limit": 50, "q": "acme"}, LIMITS)
    with pytest.raises(InputRefused) as refused:
        check_value({"offset": 2**63}, LIMITS, path="query")
    assert refused.value.field == "query.offset"


def test_the_shipped_configuration_documents_every_limit():
    limits = InputLimitsSchema().load(load_config_file()["BATON"]["limits"])
    assert limits == InputLimits(max_body_bytes=1_048_576, max_depth=32, max_number_chars=40, max_string_chars=524_288)
    with pytest.raises(ValidationError) as invalid:
        InputLimitsSchema().load({"max_depth": 5000})
    assert "max_depth" in invalid.value.messages


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_are_parsed_or_refused_never_anything_else(raw):
    try:
        check_json_bytes(raw, LIMITS)
    except InputRefused as refused:
        assert refused.field and refused.reason
