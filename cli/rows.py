"""Reading inquiry files (CSV or XLSX) and turning their rows into canonical inquiries: the
services' reading (services/runtime/import_rows.py), so the console's imports and ``baton import``
read a file alike."""

from services.runtime.import_rows import UnreadableFile, inquiry_time, read_rows, row_key, to_inquiry

__all__ = ["UnreadableFile", "inquiry_time", "read_rows", "row_key", "to_inquiry"]
