"""Limits on untrusted JSON, checked before anything that could blow up on it.

Both doors use this: intake's AMQP consumer on every message's bytes, and the gateway on every
HTTP body. ``json.loads`` alone is not safe on hostile bytes: deep nesting raises
``RecursionError``, a 5,000-digit number raises a plain ``ValueError`` (Python's int digit
limit), a lone surrogate (``"\\ud800"``) parses fine and then cannot be stored, an integer beyond
int64 cannot be stored either. Each of these is refused here as ``InputRefused(field, reason)``,
an ordinary bad input, never an unexpected fault.

Order: size, then strict UTF-8, then a nesting pre-scan that needs no parser, then parsing with
hooks that keep over-long number literals from ever becoming ints, then one walk over the value
for numbers, strings and keys, naming the path of the first offending value.

    limits = load_section(config, "limits", InputLimitsSchema)      # an InputLimits
    try:
        payload = check_json_bytes(raw, limits)
    except InputRefused as refused:
        ... refused.field, refused.reason, refused.messages() -> {field: [reason]}
"""

import functools
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, post_load, validate

from contracts.errors import InvalidInput

BODY_FIELD = "_body"  # the field named when the body as a whole is refused
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Python's own recursion limit is 1,000 frames; the parser and our callers need some of them.
DEEPEST_ALLOWED_SETTING = 200

# A JSON string as the parser reads it (possessive, so no backtracking on hostile input).
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]++")
_SURROGATE = re.compile("[\ud800-\udfff]")


class InputRefused(ValueError):
    """Untrusted input broke a limit: ``field`` names where (``_body``, or a path such as
    ``contact.name`` / ``products[0]``), ``reason`` says why in a sentence."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason

    def messages(self) -> dict[str, list[str]]:
        """In the shape of marshmallow's field errors."""
        return {self.field: [self.reason]}

    def as_invalid_input(self, what: str = "body") -> InvalidInput:
        """The contract's error for the same refusal (HTTP 400/422 at the gateway)."""
        return InvalidInput.from_messages(self.messages(), what=what)


@dataclass(frozen=True)
class InputLimits:
    max_body_bytes: int = 1_048_576
    max_depth: int = 32
    max_number_chars: int = 40
    max_string_chars: int = 524_288


class InputLimitsSchema(Schema):
    """``BATON.limits`` (deploy/config.yaml documents each default)."""

    max_body_bytes = fields.Integer(
        load_default=InputLimits.max_body_bytes, validate=validate.Range(1024, 64 * 1024 * 1024)
    )
    max_depth = fields.Integer(load_default=InputLimits.max_depth, validate=validate.Range(2, DEEPEST_ALLOWED_SETTING))
    max_number_chars = fields.Integer(load_default=InputLimits.max_number_chars, validate=validate.Range(20, 1000))
    max_string_chars = fields.Integer(load_default=InputLimits.max_string_chars, validate=validate.Range(1, 2**30))

    @post_load
    def as_limits(self, data: dict, **_kwargs: Any) -> InputLimits:
        return InputLimits(**data)


@dataclass(frozen=True)
class _Unparsed:
    """A number literal (or NaN/Infinity) left as text for the walk to refuse with its path."""

    literal: str


def check_json_bytes(raw: bytes, limits: InputLimits) -> Any:
    """Parse untrusted JSON bytes within ``limits``; raises ``InputRefused`` for anything else
    (too large, not UTF-8, not JSON, too deep, numbers too long or beyond int64, strings too
    long, lone surrogates, NUL in object keys)."""
    if len(raw) > limits.max_body_bytes:
        raise InputRefused(BODY_FIELD, f"The body is {len(raw)} bytes; the limit is {limits.max_body_bytes}.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputRefused(BODY_FIELD, f"The body is not UTF-8 text: {exc.reason} at byte {exc.start}.") from None
    return _check_json(text, limits)


def check_value(value: Any, limits: InputLimits, path: str = "") -> None:
    """Check an already parsed value (an RPC payload, query parameters) against the limits that
    apply after parsing: nesting, numbers, strings and keys. Raises ``InputRefused``."""
    _walk(value, limits, path)


def _check_json(text: str, limits: InputLimits) -> Any:
    structure = _JSON_STRING.sub("", text)  # what is left once strings are out: brackets, numbers…
    if _deepest(structure, limits.max_depth) > limits.max_depth:
        raise InputRefused(BODY_FIELD, f"The JSON is nested more than {limits.max_depth} levels deep, its limit.")
    # Over-long number literals are kept as text (the walk refuses them naming the path) only when
    # there is one: the hook costs a Python call per number.
    long_number = _long_number(limits.max_number_chars).search(structure)
    decoder = json.JSONDecoder(
        parse_constant=_Unparsed,
        **({"parse_int": _int_or_unparsed(limits), "parse_float": _float_or_unparsed(limits)} if long_number else {}),
    )
    try:
        value = decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise InputRefused(
            BODY_FIELD, f"The body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
    except RecursionError:  # the pre-scan makes this unreachable; kept so no input can crash a worker
        raise InputRefused(BODY_FIELD, f"The JSON is nested too deep; the limit is {limits.max_depth}.") from None
    _walk(value, limits, "")
    return value


def _deepest(structure: str, stop_above: int | None) -> int:
    depth = deepest = 0
    for bracket in _NOT_A_BRACKET.sub("", structure):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if stop_above is not None and deepest > stop_above:
                break
        else:
            depth = max(depth - 1, 0)
    return deepest


@functools.lru_cache(maxsize=8)
def _long_number(max_chars: int) -> re.Pattern:
    return re.compile(rf"[-+0-9.eE]{{{max_chars + 1},}}")


def _int_or_unparsed(limits: InputLimits):
    def parse_int(literal: str) -> int | _Unparsed:
        return _Unparsed(literal) if len(literal) > limits.max_number_chars else int(literal)

    return parse_int


def _float_or_unparsed(limits: InputLimits):
    def parse_float(literal: str) -> float | _Unparsed:
        return _Unparsed(literal) if len(literal) > limits.max_number_chars else float(literal)

    return parse_float


def _walk(value: Any, limits: InputLimits, root: str) -> None:
    # Iterative, so a value nested as deep as a caller's own data cannot exhaust the stack. A path
    # is written out only for a container or a value refused: most values are checked in passing.
    stack: list[tuple[Any, str, int]] = [(value, root, 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict):
            if depth > limits.max_depth:
                raise InputRefused(path or BODY_FIELD, f"Nested deeper than the limit of {limits.max_depth} levels.")
            for key, child in item.items():
                _check_key(key, path, limits)
                if isinstance(child, (dict, list)) or _needs_a_look(child, limits):
                    stack.append((child, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(item, list):
            if depth > limits.max_depth:
                raise InputRefused(path or BODY_FIELD, f"Nested deeper than the limit of {limits.max_depth} levels.")
            stack.extend(
                (child, f"{path}[{index}]", depth + 1)
                for index, child in enumerate(item)
                if isinstance(child, (dict, list)) or _needs_a_look(child, limits)
            )
        elif _needs_a_look(item, limits):
            _refuse_value(item, path or BODY_FIELD, limits)


def _needs_a_look(item: Any, limits: InputLimits) -> bool:
    """Whether a scalar breaks a limit (the cheap test; ``_refuse_value`` says how)."""
    if isinstance(item, str):
        return len(item) > limits.max_string_chars or _SURROGATE.search(item) is not None
    if isinstance(item, bool) or item is None:
        return False
    if isinstance(item, int):
        return not INT64_MIN <= item <= INT64_MAX
    if isinstance(item, float):
        return math.isinf(item) or math.isnan(item)
    return isinstance(item, _Unparsed)


def _refuse_value(item: Any, where: str, limits: InputLimits) -> None:
    if isinstance(item, str):
        _check_string(item, where, limits)
    elif isinstance(item, _Unparsed):
        _refuse_number(item.literal, where, limits)
    elif isinstance(item, int):
        raise InputRefused(where, f"The integer is outside the 64-bit range ({INT64_MIN} to {INT64_MAX}).")
    else:  # 1e999 is infinity: JSON has no such number, and no store keeps it faithfully
        raise InputRefused(where, "The number is beyond what a 64-bit float holds.")


def _check_key(key: Any, path: str, limits: InputLimits) -> None:
    where = path or BODY_FIELD
    if not isinstance(key, str):
        return  # parsed JSON has only text keys; a caller's own dict may use others
    if len(key) > limits.max_string_chars:
        raise InputRefused(where, f"A key is {len(key)} characters long; the limit is {limits.max_string_chars}.")
    if _SURROGATE.search(key):
        raise InputRefused(where, "A key holds a lone surrogate (\\ud800-\\udfff), which is not text.")
    if "\0" in key:
        shown = key.replace("\0", "\\u0000")
        raise InputRefused(where, f"The key '{shown}' holds a NUL character.")


def _check_string(text: str, path: str, limits: InputLimits) -> None:
    where = path or BODY_FIELD
    if len(text) > limits.max_string_chars:
        raise InputRefused(where, f"The text is {len(text)} characters long; the limit is {limits.max_string_chars}.")
    found = _SURROGATE.search(text)
    if found:
        raise InputRefused(
            where,
            f"The text holds a lone surrogate (\\u{ord(found.group()):04x}) at character "
            f"{found.start()}, which is not text.",
        )


def _refuse_number(literal: str, path: str, limits: InputLimits) -> None:
    where = path or BODY_FIELD
    if literal in ("NaN", "Infinity", "-Infinity"):
        raise InputRefused(where, f"{literal} is not a JSON number.")
    if len(literal) > limits.max_number_chars:
        shown = literal if len(literal) <= 24 else f"{literal[:12]}…{literal[-6:]}"
        raise InputRefused(
            where,
            f"The number {shown} is written with {len(literal)} characters; the limit is {limits.max_number_chars}.",
        )
    raise InputRefused(where, "The number is beyond what a 64-bit float holds.")
