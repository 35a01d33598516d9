"""Tables as files people open in a spreadsheet: CSV (UTF-8 with a byte-order mark, so Excel reads
Chinese names) or XLSX (one sheet per table). The one place every export of the API is written."""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from werkzeug.wrappers import Response

from contracts.errors import InvalidInput
from contracts.paging import EXPORT_FORMATS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell starting with these as a formula: a company name is data, never one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31  # Excel's limit on a sheet's name


@dataclass(frozen=True)
class Table:
    """One table of an export: its name (the XLSX sheet), column headings and rows."""

    name: str
    columns: Sequence[str]
    rows: Iterable[Sequence[object]]


def export_format(query: dict) -> str | None:
    """Takes ``format`` out of a query: None (answer JSON), "csv" or "xlsx"; anything else is a 400."""
    wanted = query.pop("format", None)
    if wanted in (None, ""):
        return None
    if wanted not in EXPORT_FORMATS:
        raise InvalidInput.from_messages({"format": [f"Must be one of: {', '.join(EXPORT_FORMATS)}."]}, what="query")
    return wanted


def safe_cell(value: object) -> object:
    """Numbers stay numbers; text that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(tables: Sequence[Table]) -> bytes:
    """Each table with its heading row; tables one after the other, a blank line between them."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow(table.columns)
        writer.writerows([[safe_cell(value) for value in row] for row in table.rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """One sheet per table, its heading row first (write-only: memory stays flat for long lists)."""
    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(title=table.name[:SHEET_TITLE_MAX])
        sheet.append(list(table.columns))
        for row in table.rows:
            sheet.append([safe_cell(value) for value in row])
    if not tables:
        book.create_sheet(title="empty")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_response(filename: str, tables: Sequence[Table], fmt: str) -> Response:
    """The tables as a download named ``filename``.csv / .xlsx."""
    if fmt == "xlsx":
        body, mimetype = xlsx_bytes(tables), XLSX_TYPE
    else:
        body, mimetype = csv_bytes(tables), "text/csv"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'}
    )
