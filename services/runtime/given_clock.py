"""A clock for tests and demos: a ``now`` given to the recycling sweep, to reminder firing or to a
quality audit run by hand.

An invented time acts on real data (a sweep "in 5034" warns every customer), so it is accepted only
where the environment sets ``BATON_TEST_CLOCK=1`` — the test suite and demos — and every use is
written to the audit trail. Anywhere else it is refused, naming the field.
"""

import os
from datetime import datetime

from contracts.errors import InvalidInput
from services.runtime.audit import AuditRecorder, NotAudited

ENVIRONMENT_VARIABLE = "BATON_TEST_CLOCK"


def test_clock_on() -> bool:
    return os.environ.get(ENVIRONMENT_VARIABLE) == "1"


def accept_given_now(now: datetime | None, audit: AuditRecorder | NotAudited, what: str, field: str = "now") -> None:
    """Let a caller's ``now`` through only on a test clock, in the audit trail. ``audit``: the worker's
    ``AuditRecorder`` (a store's ``audit``); ``what``: what ran on that clock (e.g. "sweep")."""
    if now is None:
        return
    if not test_clock_on():
        reason = f"A given time is accepted only on a test clock ({ENVIRONMENT_VARIABLE}=1); leave it out."
        raise InvalidInput(f"'{field}' is refused: {reason}", {"fields": {field: [reason]}})
    audit.changed("test_clock", None, {"_id": f"{what}@{now}", "what": what, "now": str(now)})
