"""Expected refusals in one INFO line; real faults stay at ERROR with their traceback.

nameko logs every exception an entrypoint raises: ``expected_exceptions`` at WARNING, anything
else at ERROR, both with a traceback. A refusal (404, 409, 422: a ``BatonError`` a service
raises on purpose, or the gateway passes on from one) is the system working, and dozens of
tracebacks a session hid the real incidents. ``ExpectedRefusals`` is a logging filter on
nameko's container logger (``deploy/config.yaml``, ``LOGGING``): it rewrites such a record into
one INFO line naming the entrypoint, the caller, the code and the reason; every other record
passes unchanged.
"""

import json
import logging
from typing import Any

from contracts.access import ACTOR_CONTEXT_KEY
from contracts.errors import EXPECTED_ERRORS, BatonError


class ExpectedRefusals(logging.Filter):
    """Turns a worker's expected refusal into one INFO line without a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        refusal = _refusal_of(record)
        if refusal is not None:
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
            record.msg, record.args = one_line(_worker_of(record), refusal), ()
            record.exc_info = record.exc_text = record.stack_info = None
            record.code = refusal.code  # for the JSON lines (services.runtime.log_format)
        return True


def one_line(worker_ctx: Any, refusal: BatonError) -> str:
    """``refused profile.get_customer for mia: not_found: No customer with id 'x'. {details}``"""
    entrypoint = getattr(worker_ctx, "entrypoint", None)
    where = (
        f"{getattr(worker_ctx, 'service_name', '?')}.{entrypoint.method_name}" if entrypoint is not None else "a worker"
    )
    actor = (getattr(worker_ctx, "data", None) or {}).get(ACTOR_CONTEXT_KEY) or {}
    caller = f" for {actor['user_id']}" if actor.get("user_id") else ""
    details = json.dumps(refusal.details, ensure_ascii=False, default=str) if refusal.details else ""
    return " ".join(filter(None, [f"refused {where}{caller}: {refusal.code}: {refusal.message}", details])).replace(
        "\n", " "
    )


def _refusal_of(record):
    exc = record.exc_info[1] if record.exc_info else None
    return exc if isinstance(exc, EXPECTED_ERRORS) else None


def _worker_of(record):
    return record.args[0] if isinstance(record.args, tuple) and record.args else None
