"""A file an importer uploads, read under a column mapping: each row the batch item it becomes
(services/runtime/import_rows.py reads it alike for ``baton import``). Nothing is filed here: the
importer posts the items to POST /inquiries/batch, where every row is examined as any inquiry."""

import base64
import binascii
from typing import Any

from contracts.errors import InvalidInput
from contracts.imports import ImportMappingListSchema, ImportReadingSchema, ImportReadRequestSchema
from services.runtime.import_rows import (
    BadMapping,
    UnreadableFile,
    batch_item,
    load_mapping,
    mapping_names,
    missing_targets,
    read_rows_from,
)
from services.runtime.queries import load_input

FIRST_ROW = 2  # line 1 holds the headers


def import_mappings() -> dict[str, Any]:
    """The shipped mappings, each with the columns it reads."""
    mappings = []
    for name in mapping_names():
        mapping = load_mapping(name)
        mappings.append({"name": name, **{k: mapping.get(k) for k in ("channel", "columns", "time_zone")}})
    return ImportMappingListSchema().dump({"mappings": mappings})


def read_import(request: Any) -> dict[str, Any]:
    """The file's columns and what each fills, the fields none fills, and every row as a batch item."""
    asked = load_input(ImportReadRequestSchema, request if isinstance(request, dict) else None, what="import")
    if asked["mapping"] not in mapping_names():
        raise InvalidInput.from_messages(
            {"mapping": [f"No mapping {asked['mapping']!r}; the mappings are: {', '.join(mapping_names())}."]},
            what="import",
        )
    try:
        data = base64.b64decode(asked["content"], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput.from_messages({"content": ["Not base64."]}, what="import") from None
    try:
        mapping = load_mapping(asked["mapping"])
        header, rows = read_rows_from(asked["file_name"], data)
    except BadMapping as bad:
        raise InvalidInput.from_messages({"mapping": [str(bad)]}, what="import") from None
    except UnreadableFile as unreadable:
        raise InvalidInput.from_messages({"content": [str(unreadable)]}, what="import") from None
    channel = mapping["channel"]
    return ImportReadingSchema().dump(
        {
            "file_name": asked["file_name"],
            "mapping": asked["mapping"],
            "channel": channel,
            "columns": [{"column": column, "target": mapping["columns"].get(column)} for column in header if column],
            "missing": missing_targets(header, mapping),
            "total": len(rows),
            "items": [
                {"row": number, **batch_item(channel, row, mapping, asked["into_pool"])}
                for number, row in enumerate(rows, start=FIRST_ROW)
            ],
        }
    )
