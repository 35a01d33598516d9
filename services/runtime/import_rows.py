"""Reading inquiry files (CSV or XLSX) and turning their rows into canonical inquiries under a
column mapping (deploy/import_mappings/*.yaml): for ``baton import`` (cli/import_file.py) and the
console's imports, which intake reads for (``read_import``). No I/O beyond the file given and the
mappings folder.
"""

import csv
import hashlib
import io
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

# Exports from Chinese platforms are often GB18030 (GBK) rather than UTF-8.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# Year first, as exports write it: 2024-03-05 14:22:10, 2024/3/5 14:22, 2024.03.05, 2024年3月5日 14:22,
# with or without an offset. A day-first date is ambiguous (05/03): a mapping names its date_format.
YEAR_FIRST = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)


MAPPINGS = Path(__file__).resolve().parents[2] / "deploy" / "import_mappings"
# What a mapping's columns may fill: inquiry fields ("contact.email" is the contact's email).
TARGETS = frozenset(
    {
        "company",
        "country",
        "city",
        "website",
        "message",
        "products",
        "registration_code",
        "occurred_at",
        "contact.name",
        "contact.title",
        "contact.email",
        "contact.phone",
        "contact.whatsapp",
        "contact.linkedin",
    }
)
Row = dict[str, str]


class UnreadableFile(Exception):
    pass


class BadMapping(Exception):
    """A mapping that cannot be used, in one line naming it."""


def read_rows(path: str | Path) -> tuple[list[str], list[Row]]:
    """(header names, list of row dicts) from a .csv or .xlsx file; empty rows are skipped."""
    path = Path(path)
    return read_rows_from(path.name, path.read_bytes() if path.suffix.lower() in (".csv", ".xlsx") else b"")


def read_rows_from(name: str, data: bytes) -> tuple[list[str], list[Row]]:
    """As ``read_rows``, for a file's ``data`` under its ``name`` (an upload)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_rows(name, data)
    if suffix == ".csv":
        return _csv_rows(name, data)
    raise UnreadableFile(f"{name}: only .csv and .xlsx files can be imported")


def _csv_rows(name: str, data: bytes) -> tuple[list[str], list[Row]]:
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(f"{name}: neither UTF-8 nor GB18030 text")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = [row for row in reader if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    return list(reader.fieldnames or []), rows


def _xlsx_rows(name: str, data: bytes) -> tuple[list[str], list[Row]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    except Exception as error:  # zipfile, XML or openpyxl's own: the file is not a workbook
        raise UnreadableFile(f"{name}: not an XLSX workbook ({type(error).__name__})") from None
    if sheet is None:
        raise UnreadableFile(f"{name}: the workbook has no sheet")
    values = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(values, [])]
    rows = []
    for row in values:
        cells = {h: ("" if v is None else str(v)) for h, v in zip(header, row, strict=False) if h}
        if any(v.strip() for v in cells.values()):
            rows.append(cells)
    return header, rows


def to_inquiry(row: Row, mapping: dict[str, Any]) -> dict[str, Any]:
    """The canonical inquiry for one row under a mapping ({"channel", "initial_behaviour", "columns"})."""
    inquiry: dict[str, Any] = {"schema_version": 1, "channel": mapping["channel"], "contact": {}}
    if mapping.get("initial_behaviour"):
        inquiry["initial_behaviour"] = mapping["initial_behaviour"]
    messages = []
    for header, target in mapping["columns"].items():
        value = (row.get(header) or "").strip()
        if not value:
            continue
        if target == "message":
            messages.append(
                value if header.lower() in ("message", "inquiry content", "询盘内容") else f"{header}: {value}"
            )
        elif target == "products":
            inquiry.setdefault("products", []).extend(
                p.strip() for p in value.replace("，", ",").split(",") if p.strip()
            )
        elif target.startswith("contact."):
            inquiry["contact"].setdefault(target.split(".", 1)[1], value)
        elif target == "occurred_at":
            inquiry.setdefault(target, inquiry_time(value, mapping.get("time_zone"), mapping.get("date_format")))
        else:
            inquiry.setdefault(target, value)
    if messages:
        inquiry["message"] = "\n".join(messages)
    return inquiry


def inquiry_time(value: str, time_zone: str | None, date_format: str | None = None) -> str:
    """When the customer inquired, as ISO 8601 with an offset: a time written without one is in
    ``time_zone`` (the export's). A value that cannot be read is returned as written, so the
    contract refuses the row naming the field."""
    if date_format:
        try:
            moment = datetime.strptime(value, date_format)
        except ValueError:
            return value
    elif (found := YEAR_FIRST.fullmatch(value)) is None:
        return value
    else:
        year, month, day, hour, minute, second, offset = found.groups()
        text = f"{year}-{int(month):02d}-{int(day):02d}T{int(hour or 0):02d}:{minute or '00'}:{second or '00'}"
        try:
            moment = datetime.fromisoformat(text + ("+00:00" if offset == "Z" else offset or ""))
        except ValueError:
            return value  # no such day (2024-02-30)
    if moment.tzinfo is None:
        if not time_zone:
            return value
        moment = moment.replace(tzinfo=ZoneInfo(time_zone))
    return moment.isoformat()


def row_key(channel: str, row: Row) -> str:
    """The idempotency key of a row: its content, so re-importing a file changes nothing."""
    canonical = json.dumps({k: (v or "").strip() for k, v in sorted(row.items()) if k}, ensure_ascii=False)
    return f"import:{channel}:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def mapping_names() -> list[str]:
    """The mappings shipped in deploy/import_mappings."""
    return sorted(path.stem for path in MAPPINGS.glob("*.yaml"))


def load_mapping(name_or_path: str | Path) -> dict[str, Any]:
    """A shipped mapping by name, or a mapping file by path; ``BadMapping`` says what is wrong."""
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPINGS / f"{name_or_path}.yaml"
    if not path.exists():
        raise BadMapping(
            f"no mapping {str(name_or_path)!r} (built in: {', '.join(mapping_names())}; or give a .yaml path)"
        )
    mapping = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    bad = {h: t for h, t in (mapping.get("columns") or {}).items() if t not in TARGETS}
    if not mapping.get("channel") or not mapping.get("columns") or bad:
        raise BadMapping(
            f"mapping {path.name}: needs 'channel' and 'columns'"
            + (f"; unknown targets {bad} (allowed: {', '.join(sorted(TARGETS))})" if bad else "")
        )
    if "occurred_at" in mapping["columns"].values():
        # The file's times are written without an offset: say whose clock they are on.
        try:
            ZoneInfo(str(mapping.get("time_zone")))
        except (ZoneInfoNotFoundError, ValueError):
            raise BadMapping(
                f"mapping {path.name}: 'occurred_at' needs 'time_zone', the export's time zone "
                f"(e.g. Asia/Shanghai); {mapping.get('time_zone')!r} is none"
            ) from None
    return mapping


def missing_targets(header: list[str], mapping: dict[str, Any]) -> list[str]:
    """The fields no column of this file fills (a mapping lists alternative headers: English and
    Chinese exports)."""
    filled = {target for column, target in mapping["columns"].items() if column in header}
    return sorted(set(mapping["columns"].values()) - filled)


def batch_item(channel: str, row: Row, mapping: dict[str, Any], into_pool: bool = False) -> dict[str, Any]:
    """One item of POST /inquiries/batch for a row: keyed by its content, so a repeated import
    files it once; ``into_pool``: the customer it opens waits in the public pool."""
    return {
        "message_id": row_key(channel, row),
        "inquiry": to_inquiry(row, mapping) | ({"allocate": False} if into_pool else {}),
    }
