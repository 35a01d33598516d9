"""The handoff KPIs over a period: the handoffs submitted in it and the submissions refused, read
off the monthly totals kept of them (``domain.measure_totals``): one document per UTC month the
period touches, each checked against an index count of its handoffs (or refusals) and made again
from them when it counts otherwise."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from services.handoff.domain import Document
from services.handoff.domain import measure_totals as totals
from services.handoff.domain.measures import measures
from services.runtime.collector import collector_paused
from services.runtime.document_store import epoch
from services.runtime.report_rules import month_start, months_from, shifted

DEFAULT_PERIOD = timedelta(days=90)


def measures_between(store: Any, policy: dict[str, Any], query: dict[str, Any], now: datetime) -> Document:
    """The measures of the handoffs submitted (and submissions refused) in [since, until]."""
    with collector_paused():
        return _measures_between(store, policy, query, now)


def _measures_between(store: Any, policy: dict[str, Any], query: dict[str, Any], now: datetime) -> Document:
    until = query.get("until") or now
    since = query.get("since") or until - DEFAULT_PERIOD
    kind = query.get("kind")
    figures = measures(
        _between(store, totals.HANDOFFS, since, until, kind, "submitted_at"),
        _between(store, totals.REFUSALS, since, until, kind, "at"),
        policy["directory"].department_of,
        now,
    )
    return {"since": since, "until": until, "kind": kind, **figures}


def _between(store: Any, kind: str, since: datetime, until: datetime, of_kind: str | None, when: str) -> list[Document]:
    """The handoffs (or refusals) of [since, until] in whole seconds (as the store ranges over
    them), of ``of_kind`` if given, from the totals of the months they fall in."""
    first, last = epoch(since) or 0, epoch(until) or 0
    found = []
    for month_totals in _months(store, kind, totals.month_of(since), totals.month_of(until)):
        read = totals.handoffs_in if kind == totals.HANDOFFS else totals.refusals_in
        found += [
            doc
            for doc in read(month_totals)
            if first <= (epoch(doc[when]) or 0) <= last and (of_kind is None or doc["kind"] == of_kind)
        ]
    return found


def _months(store: Any, kind: str, first: str, last: str) -> list[Document]:
    months = months_from(first, last)
    stored = store.measure_totals([totals.totals_id(kind, month) for month in months])
    answer = []
    for month in months:
        since, until = month_start(month, UTC), month_start(shifted(month, 1), UTC)
        counted = (store.count_submitted if kind == totals.HANDOFFS else store.count_refused)(since, until)
        found = stored.get(totals.totals_id(kind, month))
        if found is not None and found["count"] == counted:
            answer.append(found)
        elif counted:
            answer.append(_made(store, kind, month, since, until, found))
    return answer


def _made(store: Any, kind: str, month: str, since: datetime, until: datetime, before: Document | None) -> Document:
    """A month's totals made from its handoffs (or refusals), and kept."""
    read: Callable[..., list[Document]] = store.submitted_between if kind == totals.HANDOFFS else store.refused_between
    documents = read(since, until - timedelta(seconds=1))
    made = totals.made_of(kind, month, documents, before)
    store.keep_measure_totals(made, before)
    return made
