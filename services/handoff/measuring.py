"""The handoff KPIs over a period: the handoffs submitted in it and the submissions refused."""

from datetime import datetime, timedelta
from typing import Any

from services.handoff.domain import Document
from services.handoff.domain.measures import measures
from services.handoff.store import Handoffs

DEFAULT_PERIOD = timedelta(days=90)


def measures_between(store: Handoffs, policy: dict[str, Any], query: Document, now: datetime) -> Document:
    until = query.get("until") or now
    since = query.get("since") or until - DEFAULT_PERIOD
    kind = query.get("kind")
    figures = measures(
        store.submitted_between(since, until, kind),
        store.refused_between(since, until, kind),
        policy["directory"].department_of,
        now,
    )
    return {"since": since, "until": until, "kind": kind, **figures}
