"""JSON Schema (draft 2020-12) for the published contracts, for integrations in any language.

``python -m contracts.jsonschema OUTDIR`` writes one file per contract; ``--check OUTDIR``
exits 1 if the files on disk differ from the contracts (CI runs it through the tests).

Each document states what ``Schema().load`` accepts (dump-only fields are left out, as
marshmallow refuses them on load). Where marshmallow is more lenient (``"1"`` for an Integer,
``"yes"`` for a Boolean), the document asks for the plain JSON type.

Rules that marshmallow checks in code (``@validates_schema``, function validators) cannot be
derived. A schema states them as a class attribute, merged into its object::

    json_schema_extra = {"anyOf": [{"required": ["email"]}, {"required": ["phone"]}]}

and a field as ``metadata={"json_schema": {...}}``, merged into its property (it also stands
for the field's validators that have no mapping).
"""

import argparse
import copy
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, fields, missing, validate

from contracts.customer import CheckResultSchema, CustomerSchema, TimelineEntrySchema
from contracts.duplicates import DuplicatePairSchema, KeptApartSchema
from contracts.errors import ErrorBodySchema
from contracts.events import EVENTS
from contracts.handoff import ChecklistSchema, HandoffSchema, MeasuresSchema, QualityAuditSchema, SubmitSchema
from contracts.health import HealthSchema
from contracts.inquiry import InquiryRecordSchema, InquirySchema, SubmissionSchema
from contracts.notification import DeliverySchema, InboxEntrySchema, PreferencesSchema, WebhookNotificationSchema
from contracts.ownership import OwnershipSchema
from contracts.parked import ParkedEventSchema
from contracts.reminder import ReminderSchema

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://baton.dev/contracts/"
INDEX = "index.json"

PUBLISHED = {
    "inquiry.v1.json": InquirySchema,
    "inquiry-record.json": InquiryRecordSchema,
    "submission.json": SubmissionSchema,
    "customer.json": CustomerSchema,
    "timeline-entry.json": TimelineEntrySchema,
    "check-result.json": CheckResultSchema,
    "duplicate-pair.json": DuplicatePairSchema,
    "kept-apart.json": KeptApartSchema,
    "ownership.json": OwnershipSchema,
    "reminder.json": ReminderSchema,
    "preferences.json": PreferencesSchema,
    "inbox-entry.json": InboxEntrySchema,
    "delivery.json": DeliverySchema,
    "webhook-notification.json": WebhookNotificationSchema,
    "checklist.json": ChecklistSchema,
    "handoff.json": HandoffSchema,
    "handoff-submission.json": SubmitSchema,
    "handoff-measures.json": MeasuresSchema,
    "quality-audit.json": QualityAuditSchema,
    "error.json": ErrorBodySchema,
    "health.json": HealthSchema,
    "parked-event.json": ParkedEventSchema,
    **{f"event.{name}.json": schema for name, (_source, schema) in EVENTS.items()},
}

SIMPLE_TYPES = [  # most specific first: Email is a String, AwareDateTime a DateTime
    (fields.Email, {"type": "string", "format": "email"}),
    (fields.Url, {"type": "string", "format": "uri"}),
    (fields.UUID, {"type": "string", "format": "uuid"}),
    (fields.DateTime, {"type": "string", "format": "date-time"}),
    (fields.Date, {"type": "string", "format": "date"}),
    (fields.String, {"type": "string"}),
    (fields.Boolean, {"type": "boolean"}),
    (fields.Integer, {"type": "integer"}),
    (fields.Number, {"type": "number"}),
    (fields.Raw, {}),
]
ISO_FORMATS = (None, "iso", "iso8601")  # DateTime/Date formats that JSON Schema's formats describe

# What the generator writes itself; a json_schema_extra may add keywords, not replace these.
GENERATED_KEYWORDS = {"type", "properties", "required", "additionalProperties", "items"}

END = r"(?![\s\S])"
# Python-only regex syntax: JSON Schema patterns are ECMA-262.
PYTHON_ONLY_REGEX = re.compile(r"\(\?P[<=]|\(\?[aiLmsux]+[:)]|(?<!\\)(?:\\\\)*\\[AZ]")


class UnsupportedField(TypeError):
    """A field, validator or rule that has no faithful JSON Schema form; names schema.field."""


def to_json_schema(schema: Schema | type[Schema], file_name: str | None = None) -> dict[str, Any]:
    """The JSON Schema document of a marshmallow schema (class or instance).

    ``$id`` is ``BASE_ID + file_name``; the file name defaults to the schema's name in
    ``PUBLISHED`` (a schema that is not published gets no ``$id``).
    """
    schema = schema() if isinstance(schema, type) else schema
    file_name = file_name or next((name for name, cls in PUBLISHED.items() if cls is type(schema)), None)
    document = {"$schema": DRAFT}
    if file_name:
        document["$id"] = BASE_ID + file_name
    document["title"] = type(schema).__name__.removesuffix("Schema")
    body = _object(schema, schema.unknown, ())
    if schema.many:
        body = {"type": "array", "items": body}
    document.update(body)
    return document


def _object(schema, unknown, enclosing):
    cls = type(schema)
    name = cls.__name__
    if cls in enclosing:
        path = " -> ".join(c.__name__ for c in (*enclosing, cls))
        raise UnsupportedField(f"{name}: nests itself ({path}); recursive schemas are not supported")
    enclosing = (*enclosing, cls)
    out = {"type": "object"}
    if description := _first_paragraph(cls.__doc__):
        out["description"] = description
    loaded = schema.load_fields  # marshmallow refuses dump-only fields on load
    out["properties"] = {
        field.data_key or key: _field(field, f"{name}.{key}", enclosing) for key, field in loaded.items()
    }
    required = [field.data_key or key for key, field in loaded.items() if field.required]
    if required:
        out["required"] = required
    if unknown == RAISE:
        out["additionalProperties"] = False
    # Rules across fields that marshmallow checks in code, stated for other validators too.
    extra = copy.deepcopy(getattr(schema, "json_schema_extra", None) or {})
    if clash := GENERATED_KEYWORDS & set(extra):
        raise UnsupportedField(f"{name}.json_schema_extra: may not replace generated {sorted(clash)}")
    for rule in _subschemas(extra):
        if missing_names := [n for n in rule.get("required", []) if n not in out["properties"]]:
            raise UnsupportedField(f"{name}.json_schema_extra: requires unknown properties {missing_names}")
    out.update(extra)
    return out


def _subschemas(extra):
    """The rules of a json_schema_extra that speak of this object's own properties."""
    for keyword in ("anyOf", "oneOf", "allOf"):
        yield from extra.get(keyword, [])
    for keyword in ("not", "if", "then", "else"):
        if keyword in extra:
            yield extra[keyword]
    yield extra


def _first_paragraph(doc):
    return " ".join(inspect.cleandoc(doc or "").split("\n\n")[0].split())


def _field(field, where, enclosing):
    if isinstance(field, fields.Pluck):  # a Nested that (de)serialises one field of its schema
        plucked = field.schema.fields[field.field_name]
        inner = _field(plucked, f"{where}<{field.field_name}>", enclosing)
        out = {"type": "array", "items": inner} if field.many else inner
    elif isinstance(field, fields.Nested):
        schema = field.schema
        inner = _object(schema, field.unknown or schema.unknown, enclosing)
        out = {"type": "array", "items": inner} if field.many else inner
    elif isinstance(field, fields.List):
        out = {"type": "array", "items": _field(field.inner, where + "[]", enclosing)}
    elif isinstance(field, fields.Mapping):
        out = {"type": "object"}
        if field.key_field is not None:
            out["propertyNames"] = _field(field.key_field, where + "{key}", enclosing)
        if field.value_field is not None:
            out["additionalProperties"] = _field(field.value_field, where + "{value}", enclosing)
    else:
        out = next((dict(shape) for kind, shape in SIMPLE_TYPES if isinstance(field, kind)), None)
        if out is None:
            raise UnsupportedField(f"{where}: no JSON Schema mapping for {type(field).__name__}")
        if isinstance(field, (fields.DateTime, fields.Date)) and field.format not in ISO_FORMATS:
            raise UnsupportedField(
                f"{where}: no JSON Schema mapping for {type(field).__name__}"
                f"(format={field.format!r}); only ISO 8601 is supported"
            )
        if isinstance(field, fields.Url) and field.relative:
            out["format"] = "uri-reference"
    stated = field.metadata.get("json_schema")
    for validator in field.validators:
        for keyword, value in _constraint(validator, out.get("type"), where, tolerate=stated is not None).items():
            if keyword in out and out[keyword] != value:  # a second rule of the same kind: both apply
                out.setdefault("allOf", []).append({keyword: value})
            else:
                out[keyword] = value
    if description := field.metadata.get("description"):
        out["description"] = description
    default = field.load_default if field.load_default is not missing else field.dump_default
    if default is not missing and default is not None and not callable(default):
        out["default"] = _json_value(field, default, where)
    if field.allow_none:
        if "type" in out:
            out["type"] = [out["type"], "null"]
        for rule in (out, *out.get("allOf", [])):  # marshmallow skips validators for an allowed None
            if "enum" in rule and None not in rule["enum"]:
                rule["enum"].append(None)
            if "const" in rule:
                rule["enum"] = [rule.pop("const"), None]
    if stated:
        out.update(copy.deepcopy(stated))
    return out


def _json_value(field, value, where):
    try:
        json.dumps(value)
        return copy.deepcopy(value)
    except TypeError:
        pass
    try:
        return field.serialize("value", {"value": value})
    except Exception as error:  # any failure means the same to the author
        raise UnsupportedField(f"{where}: default {value!r} has no JSON form ({error})") from error


def _constraint(validator, json_type, where, tolerate=False):
    if isinstance(validator, (validate.Email, validate.URL)):
        return {}  # the field's "format" already says it
    if isinstance(validator, validate.Length):
        low, high = {"array": ("minItems", "maxItems"), "object": ("minProperties", "maxProperties")}.get(
            json_type, ("minLength", "maxLength")
        )
        if validator.equal is not None:
            return {low: validator.equal, high: validator.equal}
        return {k: v for k, v in ((low, validator.min), (high, validator.max)) if v is not None}
    if isinstance(validator, validate.Range):
        out = {}
        if validator.min is not None:
            out["minimum" if validator.min_inclusive else "exclusiveMinimum"] = validator.min
        if validator.max is not None:
            out["maximum" if validator.max_inclusive else "exclusiveMaximum"] = validator.max
        return out
    # ContainsOnly is a OneOf and ContainsNoneOf a NoneOf, but they speak of a list's items.
    if isinstance(validator, validate.ContainsOnly) and json_type == "array":
        return {"items": {"enum": list(validator.choices)}}
    if isinstance(validator, validate.ContainsNoneOf) and json_type == "array":
        return {"items": {"not": {"enum": list(validator.iterable)}}}
    if isinstance(validator, (validate.ContainsOnly, validate.ContainsNoneOf)):
        raise UnsupportedField(f"{where}: {type(validator).__name__} only has a JSON Schema form on a list")
    if isinstance(validator, validate.OneOf):
        return {"enum": list(validator.choices)}
    if isinstance(validator, validate.NoneOf):
        return {"not": {"enum": list(validator.iterable)}}
    if isinstance(validator, validate.Equal):
        return {"const": validator.comparable}
    if isinstance(validator, validate.Regexp):
        return {"pattern": _pattern(validator.regex, where)}
    if tolerate:
        return {}  # the field's metadata["json_schema"] states what this validator checks
    kind = getattr(validator, "__name__", None) or type(validator).__name__
    raise UnsupportedField(
        f"{where}: no JSON Schema mapping for validator {kind}; state the rule as metadata={{'json_schema': {{...}}}}"
    )


def _pattern(regex, where):
    """An ECMA-262 pattern that accepts what ``regex.match`` accepts."""
    pattern = regex.pattern
    if regex.flags & ~re.UNICODE:
        raise UnsupportedField(
            f"{where}: regex flags {re.RegexFlag(regex.flags & ~re.UNICODE)!r} "
            f"have no JSON Schema form; write them into the pattern"
        )
    if pattern.startswith("\\A"):
        pattern = "^" + pattern[2:]
    if re.search(r"(?<!\\)(?:\\\\)*\\Z$", pattern):
        # "Nothing follows": the end of the text under every regex engine. ECMA-262's $ would say
        # the same, but Python's $ (used by Python validators such as jsonschema) allows a final \n.
        pattern = pattern[:-2] + END
    if PYTHON_ONLY_REGEX.search(pattern):
        raise UnsupportedField(f"{where}: pattern {pattern!r} uses Python-only syntax")
    if not pattern.startswith("^") or _has_top_level_alternation(pattern):
        pattern = f"^(?:{pattern})"  # marshmallow's Regexp uses re.match: anchored at the start
    return pattern


def _has_top_level_alternation(pattern):
    depth, in_class, escaped = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


def render_all() -> dict[str, str]:
    """File name -> file text, for every published contract plus an index."""
    documents = {name: to_json_schema(schema, name) for name, schema in PUBLISHED.items()}
    files = {name: _dump(document) for name, document in documents.items()}
    files[INDEX] = _dump({name: document["title"] for name, document in documents.items()})
    return files


def _dump(document):
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def differences(files: dict[str, str], on_disk: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """What to do about a folder holding ``on_disk`` ({file name: text} of its *.json files).

    Returns (stale, obsolete, removable): generated files that differ or are missing, files
    no longer generated, and those of them the folder's own index listed (ours to delete).
    """
    stale = [name for name, text in files.items() if on_disk.get(name) != text]
    obsolete = sorted(set(on_disk) - set(files))
    try:
        listed = set(json.loads(on_disk.get(INDEX) or "{}"))
    except ValueError:
        listed = set()
    return stale, obsolete, [name for name in obsolete if name in listed]


def read_folder(outdir: str | Path) -> dict[str, str]:
    """{file name: text} of the *.json files in outdir (empty if it does not exist)."""
    outdir = Path(outdir)
    if not outdir.is_dir():
        return {}
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(outdir.glob("*.json"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.jsonschema", description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args(argv)
    files = render_all()
    stale, obsolete, removable = differences(files, read_folder(args.outdir))
    if args.check:
        if stale or obsolete:
            problems = [*stale, *(f"{name} (not generated: no longer published?)" for name in obsolete)]
            print(f"out of date in {args.outdir}: {', '.join(problems)} (run: make schemas)", file=sys.stderr)
            return 1
        print(f"{args.outdir} is up to date")
        return 0
    args.outdir.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (args.outdir / name).write_text(files[name], encoding="utf-8", newline="\n")
    for name in removable:
        (args.outdir / name).unlink()
    print(f"{len(stale)} file(s) written, {len(removable)} removed in {args.outdir}")
    kept = [name for name in obsolete if name not in removable]
    if kept:
        print(f"not generated here, left alone: {', '.join(kept)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
