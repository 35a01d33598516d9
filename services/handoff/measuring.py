"""The handoff KPIs over a period: the handoffs submitted in it and the submissions refused, read
off the monthly totals kept of them (``domain.measure_totals``): one document per UTC month the
period touches, each checked against an index count of its handoffs (or refusals) and made again
from them when it counts otherwise. A month wholly in the period is read by its sums alone (a
projection: its entries are not sent); one the period covers in part (a report's months in a zone
other than UTC begin and end inside UTC months), or kept before sums were, by its entries."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from services.handoff.domain import Document
from services.handoff.domain import measure_totals as totals
from services.handoff.domain.measures import handoff_sums, measures_of_sums, refusal_sums
from services.runtime.collector import collector_paused
from services.runtime.document_store import epoch
from services.runtime.report_rules import month_start, months_from, shifted

DEFAULT_PERIOD = timedelta(days=90)
SUMS_FIELDS = ("kind", "month", "count", "sums")  # what a month wholly in the period is read by


def measures_between(store: Any, policy: dict[str, Any], query: dict[str, Any], now: datetime) -> Document:
    """The measures of the handoffs submitted (and submissions refused) in [since, until]."""
    with collector_paused():
        return _measures_between(store, policy, query, now)


def _measures_between(store: Any, policy: dict[str, Any], query: dict[str, Any], now: datetime) -> Document:
    until = query.get("until") or now
    since = query.get("since") or until - DEFAULT_PERIOD
    kind = query.get("kind")
    figures = measures_of_sums(
        _between(store, totals.HANDOFFS, since, until, kind, "submitted_at"),
        _between(store, totals.REFUSALS, since, until, kind, "at"),
        policy["directory"].department_of,
        now,
    )
    return {"since": since, "until": until, "kind": kind, **figures}


def _between(
    store: Any, kind: str, since: datetime, until: datetime, of_kind: str | None, when: str
) -> list[list[Document]]:
    """Per month of [since, until] (in whole seconds, as the store ranges over them), the sums of
    the handoffs (or refusals) of ``of_kind`` (all kinds if None) it holds: a month wholly inside
    read by its sums alone, one in part (or kept before sums were) by its entries."""
    first, last = epoch(since) or 0, epoch(until) or 0
    months = months_from(totals.month_of(since), totals.month_of(until))
    whole = {
        month
        for month in months
        if first <= (epoch(month_start(month, UTC)) or 0)
        and (epoch(month_start(shifted(month, 1), UTC)) or 0) - 1 <= last
    }
    found = []
    for month, month_totals in _months(store, kind, months, whole):
        if month in whole and totals.has_sums(month_totals):
            summed = totals.sums_in(month_totals)
        else:
            read = totals.handoffs_in if kind == totals.HANDOFFS else totals.refusals_in
            documents = [
                doc
                for doc in read(month_totals)
                if first <= (epoch(doc[when]) or 0) <= last and (of_kind is None or doc["kind"] == of_kind)
            ]
            summed = (handoff_sums if kind == totals.HANDOFFS else refusal_sums)(documents)
        found.append([sums for name, sums in summed.items() if of_kind is None or name == of_kind])
    return found


def _months(store: Any, kind: str, months: list[str], whole: set[str]) -> list[tuple[str, Document]]:
    """(month, its totals) of each month with any: the sums alone of the ``whole`` months, the
    entries too of the others (and of those stored before sums were kept), each checked against
    an index count of its handoffs (or refusals) and made again from them when it counts otherwise."""
    ids = {month: totals.totals_id(kind, month) for month in months}
    stored = store.measure_totals(list(ids.values()), SUMS_FIELDS)
    entries_of = [
        ids[month]
        for month in months
        if ids[month] in stored and (month not in whole or not totals.has_sums(stored[ids[month]]))
    ]
    if entries_of:
        stored.update(store.measure_totals(entries_of))
    answer = []
    for month in months:
        since, until = month_start(month, UTC), month_start(shifted(month, 1), UTC)
        counted = (store.count_submitted if kind == totals.HANDOFFS else store.count_refused)(since, until)
        found = stored.get(ids[month])
        if found is not None and found["count"] == counted:
            answer.append((month, found))
        elif counted:
            answer.append(
                (month, _made(store, kind, month, since, until, store.measure_totals([ids[month]]).get(ids[month])))
            )
    return answer


def _made(store: Any, kind: str, month: str, since: datetime, until: datetime, before: Document | None) -> Document:
    """A month's totals made from its handoffs (or refusals), and kept."""
    read: Callable[..., list[Document]] = store.submitted_between if kind == totals.HANDOFFS else store.refused_between
    documents = read(since, until - timedelta(seconds=1))
    made = totals.made_of(kind, month, documents, before)
    store.keep_measure_totals(made, before)
    return made


def sum_totals_after(store: Any, after: str | None, limit: int) -> str | None:
    """The upgrade to monthly totals that keep their sums: up to ``limit`` months' totals after
    ``after`` (an id) given them where they have none; the last id, or None after the last."""
    found = store.measure_totals_after(after, limit)
    for month_totals in found:
        if not totals.has_sums(month_totals):
            store.keep_measure_totals(totals.with_sums(month_totals), month_totals)
    return found[-1]["_id"] if len(found) == limit else None
