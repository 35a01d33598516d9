"""Reading inquiry files (CSV or XLSX) and turning their rows into canonical inquiries."""

import csv
import hashlib
import io
import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

# Exports from Chinese platforms are often GB18030 (GBK) rather than UTF-8.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# Year first, as exports write it: 2024-03-05 14:22:10, 2024/3/5 14:22, 2024.03.05, 2024年3月5日 14:22,
# with or without an offset. A day-first date is ambiguous (05/03): a mapping names its date_format.
YEAR_FIRST = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)


class UnreadableFile(Exception):
    pass


def read_rows(path):
    """(header names, list of row dicts) from a .csv or .xlsx file; empty rows are skipped."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path)
    if path.suffix.lower() == ".csv":
        return _csv_rows(path)
    raise UnreadableFile(f"{path.name}: only .csv and .xlsx files can be imported")


def _csv_rows(path):
    data = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(f"{path.name}: neither UTF-8 nor GB18030 text")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = [row for row in reader if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    return list(reader.fieldnames or []), rows


def _xlsx_rows(path):
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True).active
    values = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(values, [])]
    rows = []
    for row in values:
        cells = {h: ("" if v is None else str(v)) for h, v in zip(header, row, strict=False) if h}
        if any(v.strip() for v in cells.values()):
            rows.append(cells)
    return header, rows


def to_inquiry(row, mapping):
    """The canonical inquiry for one row under a mapping ({"channel", "initial_behaviour", "columns"})."""
    inquiry = {"schema_version": 1, "channel": mapping["channel"], "contact": {}}
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


def row_key(channel, row):
    """The idempotency key of a row: its content, so re-importing a file changes nothing."""
    canonical = json.dumps({k: (v or "").strip() for k, v in sorted(row.items()) if k}, ensure_ascii=False)
    return f"import:{channel}:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]
