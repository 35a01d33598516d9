"""Pure handoff rules: no nameko, pymongo or marshmallow here."""

from typing import Any

Document = dict[str, Any]  # a stored record, as the store reads and writes it
