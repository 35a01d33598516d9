"""The recycling sweep: owners warned, neglected customers back to the public pool, long-silent
pool customers to the dormant pool. Candidates come from index ranges (``due_thresholds``),
never a scan: for each rule, the customers whose clock says warn, and the customers warned of a
deadline that has come. They are read page by page in clock order until a batch of changes is
made, so one found but kept cannot hold back those behind it. Each verdict is decided on the
fresh holding and written version-guarded, so two pool instances sweeping at once change each
customer once.
"""

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from contracts.events import dump_event
from services.pool.announcing import Dispatch, announce
from services.pool.changing import change_holding
from services.pool.domain.holdings import SYSTEM, give_back, recycle, warned, warning_answered
from services.pool.domain.recycling import (
    DORMANT,
    OWNED,
    PUBLIC_POOL,
    Keep,
    MoveToDormant,
    OwnedCustomer,
    PooledCustomer,
    RecyclingRules,
    ReturnToPool,
    Warn,
    dormancy_verdict,
    due_thresholds,
    recycling_verdict,
)
from services.pool.store import Pool

Document = dict[str, Any]
Outcome = tuple[Document, Document, Any]  # (holding before, holding after, the verdict that changed it)


def sweep_announced(pool: Pool, dispatch: Dispatch, rules: RecyclingRules, batch: int, now: datetime) -> dict[str, int]:
    """One sweep (``sweep``), each change told to the others: owners warned (``recycling_warned``),
    customers returned or moved to dormant. How many of each (``SweepResultSchema``)."""
    warnings, returns, dormant = sweep(pool, rules, batch, now)
    for _before, after, verdict in warnings:
        dispatch(
            "recycling_warned",
            dump_event(
                "recycling_warned",
                {
                    "customer_id": after["_id"],
                    "owner_id": after["owner_id"],
                    "reason": verdict.reason,
                    "due_at": verdict.due_at,
                    "warned_at": now,
                },
            ),
        )
    for before, after, _verdict in returns + dormant:
        announce(dispatch, before, after, now)
    return {"warned": len(warnings), "returned": len(returns), "dormant": len(dormant)}


def sweep(
    pool: Pool, rules: RecyclingRules, batch: int, now: datetime
) -> tuple[list[Outcome], list[Outcome], list[Outcome]]:
    """(warnings, returns, moves to dormant): each a list of (holding before, holding after, verdict),
    at most ``batch`` changes from each range of candidates."""
    cutoffs = due_thresholds(rules, now)
    deals = (False,) if rules.closed_deals_exempt else (False, True)  # no deal: closed deals never due
    ranges = [("follow_up_clock", cutoffs.warn_follow_up_clock_at_or_before, deal) for deal in deals]
    ranges.append(("allocated_at", cutoffs.warn_claimed_at_or_before, False))
    warnings: list[Outcome] = []
    returns: list[Outcome] = []
    for clock, cutoff, deal_closed in ranges:
        for warned_range, until in ((False, cutoff), (True, now)):
            for outcome in _changes(
                pool,
                batch,
                partial(_recycle, pool, rules=rules, now=now, deadline_come=warned_range),
                clock,
                until,
                OWNED,
                warned=warned_range,
                deal_closed=deal_closed,
            ):
                (warnings if isinstance(outcome[2], Warn) else returns).append(outcome)
    dormant = _changes(
        pool,
        batch,
        lambda h: _to_dormant(pool, h["_id"], rules, now),
        "contact_clock",
        cutoffs.dormant_contact_clock_at_or_before,
        PUBLIC_POOL,
        has_open_need=False,
    )
    return warnings, returns, dormant


def _changes(
    pool: Pool,
    batch: int,
    change: Callable[[Document], Outcome | None],
    clock: str,
    cutoff: datetime,
    state: str,
    **condition: bool,
) -> list[Outcome]:
    """What ``change`` changed among the candidates of one range, at most ``batch``."""
    changes: list[Outcome] = []
    after = None
    while True:
        page = pool.due(clock, cutoff, state, batch, after=after, **condition)
        for holding in page:
            if outcome := change(holding):
                changes.append(outcome)
                if len(changes) == batch:
                    return changes
        if len(page) < batch:
            return changes
        after = page[-1]


def _recycle(
    pool: Pool, found: Document, rules: RecyclingRules, now: datetime, deadline_come: bool = False
) -> Outcome | None:
    """(before, after, verdict) for a warning or a return; None when kept. ``deadline_come``: the
    holding was found warned of a deadline at or before ``now``."""
    verdicts: dict[str, Any] = {}

    def change(holding: Document) -> Document | None:
        if holding["state"] != OWNED:
            return None
        verdict = verdicts["v"] = recycling_verdict(_owned(holding), rules, now)
        if isinstance(verdict, Warn):
            return warned(holding, verdict.key)
        if isinstance(verdict, ReturnToPool):
            return recycle(holding, verdict.reason, now)
        if deadline_come and holding.get("warned_for") == found["warned_for"]:
            # Kept although the deadline it was warned of has come: the warning was answered (a
            # follow-up moved the clock on), so it no longer counts. Forgetting it changes no
            # verdict and puts the customer back in its clock's range, for a warning in time.
            return warning_answered(holding)
        return None

    before, after = change_holding(pool, found["_id"], change, found)
    return (before, after, verdicts["v"]) if after is not None and not isinstance(verdicts["v"], Keep) else None


def _to_dormant(pool: Pool, customer_id: str, rules: RecyclingRules, now: datetime) -> Outcome | None:
    verdicts: dict[str, Any] = {}

    def change(holding: Document) -> Document | None:
        if holding["state"] != PUBLIC_POOL:
            return None
        verdict = verdicts["v"] = dormancy_verdict(_pooled(holding), rules, now)
        return give_back(holding, DORMANT, verdict.reason, SYSTEM, now) if isinstance(verdict, MoveToDormant) else None

    before, after = change_holding(pool, customer_id, change)
    return (before, after, verdicts["v"]) if after is not None else None


def _owned(holding: Document) -> OwnedCustomer:
    return OwnedCustomer(
        holding["_id"],
        holding["owner_id"],
        holding["allocated_at"],
        holding.get("last_follow_up_at"),
        bool(holding.get("deal_closed")),
        bool(holding.get("has_open_need")),
        holding.get("last_contact_at"),
        holding.get("warned_for"),
    )


def _pooled(holding: Document) -> PooledCustomer:
    return PooledCustomer(
        holding["_id"], holding.get("last_contact_at"), bool(holding.get("has_open_need")), holding["created_at"]
    )
