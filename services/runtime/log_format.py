"""Logs as one JSON object per line (``BATON_LOG_FORMAT=json``), for log collectors.

Each line has the time (UTC, ISO 8601), the level, the service, the logger, the event (the
message), the ids a log call passes as ``extra`` (customer, inquiry, handoff, user, caller…) and,
for a fault, its traceback as one string. A token or a password never reaches a line: bearer
tokens and ``password``/``token``/``secret`` values are masked, in case a message quotes a request.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime

# The ids a log call may pass as ``extra={...}``; anything else in a record is logging's own.
ID_FIELDS = (
    "customer_id",
    "inquiry_id",
    "handoff_id",
    "reminder_id",
    "user_id",
    "caller",
    "message_id",
    "route",
    "status",
    "code",
)
MASK = "***"
_SECRETS = (
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)([\"']?(?:password|passwd|token|secret)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}&]+"),
)


def service_name() -> str:
    """The service this process runs: the supervisor names it in ``BATON_SERVICE``; a bare
    ``nameko run services.pool.service`` is named from its module."""
    if named := os.environ.get("BATON_SERVICE"):
        return named
    modules = [arg for arg in sys.argv[1:] if arg.startswith("services.")]
    return modules[-1].split(".")[1] if modules else os.path.basename(sys.argv[0] or "baton")


def masked(text: str) -> str:
    """``text`` with bearer tokens and password/token/secret values replaced by ``***``."""
    text = _SECRETS[0].sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _SECRETS[1].sub(lambda m: f"{m.group(1)}{MASK}", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per record; named in ``deploy/config.yaml``'s LOGGING as ``()``."""

    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        self.service = service or service_name()

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "event": masked(record.getMessage()),
        }
        line.update({name: getattr(record, name) for name in ID_FIELDS if getattr(record, name, None) is not None})
        if record.exc_info:
            line["exception"] = masked(self.formatException(record.exc_info))
        elif record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)
