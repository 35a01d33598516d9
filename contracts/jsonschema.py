"""JSON Schema (draft 2020-12) for the published contracts, for integrations in any language.

``python -m contracts.jsonschema OUTDIR`` writes one file per contract; ``--check OUTDIR``
exits 1 if the files on disk differ from the contracts (CI runs it through the tests).
"""
import argparse
import json
import sys
from pathlib import Path

from marshmallow import RAISE, fields, validate

from contracts.customer import CustomerSchema, TimelineEntrySchema
from contracts.errors import ErrorBodySchema
from contracts.events import EVENTS
from contracts.handoff import ChecklistSchema
from contracts.inquiry import InquiryRecordSchema, InquirySchema, SubmissionSchema
from contracts.ownership import OwnershipSchema
from contracts.reminder import ReminderSchema

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://baton.dev/contracts/"

PUBLISHED = {
    "inquiry.v1.json": InquirySchema,
    "inquiry-record.json": InquiryRecordSchema,
    "submission.json": SubmissionSchema,
    "customer.json": CustomerSchema,
    "timeline-entry.json": TimelineEntrySchema,
    "ownership.json": OwnershipSchema,
    "reminder.json": ReminderSchema,
    "checklist.json": ChecklistSchema,
    "error.json": ErrorBodySchema,
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


class UnsupportedField(TypeError):
    pass


def to_json_schema(schema, file_name=None):
    """The JSON Schema document of a marshmallow schema (class or instance)."""
    schema = schema() if isinstance(schema, type) else schema
    document = {"$schema": DRAFT}
    if file_name:
        document["$id"] = BASE_ID + file_name
    document["title"] = type(schema).__name__.removesuffix("Schema")
    document.update(_object(schema))
    return document


def _object(schema):
    name = type(schema).__name__
    out = {"type": "object"}
    if doc := (type(schema).__doc__ or "").strip():
        out["description"] = doc.split("\n\n")[0].replace("\n", " ")
    out["properties"] = {field.data_key or key: _field(field, f"{name}.{key}")
                         for key, field in schema.fields.items() if not field.dump_only}
    required = [field.data_key or key for key, field in schema.fields.items() if field.required]
    if required:
        out["required"] = required
    if schema.unknown == RAISE:
        out["additionalProperties"] = False
    # Rules across fields that marshmallow checks in code, stated for other validators too.
    out.update(getattr(schema, "json_schema_extra", {}))
    return out


def _field(field, where):
    if isinstance(field, fields.Nested):
        inner = _object(field.schema)
        out = {"type": "array", "items": inner} if field.many else inner
    elif isinstance(field, fields.List):
        out = {"type": "array", "items": _field(field.inner, where + "[]")}
    elif isinstance(field, fields.Dict):
        out = {"type": "object"}
        if field.key_field is not None:
            out["propertyNames"] = _field(field.key_field, where + "{key}")
        if field.value_field is not None:
            out["additionalProperties"] = _field(field.value_field, where + "{value}")
    else:
        out = next((dict(shape) for kind, shape in SIMPLE_TYPES if isinstance(field, kind)), None)
        if out is None:
            raise UnsupportedField(f"{where}: no JSON Schema mapping for {type(field).__name__}")
    for validator in field.validators:
        out.update(_constraint(validator, out.get("type")))
    if description := field.metadata.get("description"):
        out["description"] = description
    default = field.load_default
    if default is not None and not callable(default) and default is not fields.missing_:
        out["default"] = default
    if field.allow_none and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def _constraint(validator, json_type):
    if isinstance(validator, (validate.Email, validate.URL)):
        return {}  # the field's "format" already says it
    if isinstance(validator, validate.Length):
        low, high = ("minItems", "maxItems") if json_type == "array" else ("minLength", "maxLength")
        return {k: v for k, v in ((low, validator.min), (high, validator.max)) if v is not None}
    if isinstance(validator, validate.Range):
        out = {}
        if validator.min is not None:
            out["minimum" if validator.min_inclusive else "exclusiveMinimum"] = validator.min
        if validator.max is not None:
            out["maximum" if validator.max_inclusive else "exclusiveMaximum"] = validator.max
        return out
    if isinstance(validator, validate.OneOf):
        return {"enum": list(validator.choices)}
    if isinstance(validator, validate.Regexp):
        return {"pattern": validator.regex.pattern}
    raise UnsupportedField(f"no JSON Schema mapping for validator {type(validator).__name__}")


def render_all():
    """File name -> file text, for every published contract plus an index."""
    files = {name: _dump(to_json_schema(schema, name)) for name, schema in PUBLISHED.items()}
    files["index.json"] = _dump({name: to_json_schema(schema)["title"] for name, schema in PUBLISHED.items()})
    return files


def _dump(document):
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m contracts.jsonschema", description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args(argv)
    stale = []
    for name, text in render_all().items():
        path = args.outdir / name
        if path.exists() and path.read_text() == text:
            continue
        stale.append(name)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if args.check and stale:
        print(f"out of date in {args.outdir}: {', '.join(stale)} (run: make schemas)", file=sys.stderr)
        return 1
    print(f"{len(stale)} file(s) {'stale' if args.check else 'written'} in {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
