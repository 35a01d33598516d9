"""Changing a customer's holding without losing a concurrent change (two claims, a claim and
the recycling sweep, two pool instances): re-read and decide again when the version moved."""

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from contracts.errors import NotFound
from services.runtime.guarded import change_guarded

if TYPE_CHECKING:
    from services.pool.store import Pool

Document = dict[str, Any]


def change_holding(
    pool: "Pool",
    customer_id: str,
    change: Callable[[Document], Document | None],
    current: Document | None = None,
    cap: int | None = None,
) -> tuple[Document, Document | None]:
    """(holding before, holding after) — after is None when ``change`` found nothing to change.
    ``change`` may raise (e.g. ``NotAllowed``) after seeing the current holding. ``current``: the
    holding as the caller just read it, if it has it. ``cap``: whoever the change makes its owner
    must hold fewer customers (``counting.AtCap`` when their counter says they do not)."""
    replace = pool.replace_holding if cap is None else partial(pool.replace_holding, cap=cap)
    before, after = change_guarded(pool.holding, replace, customer_id, change, current)
    if before is None:
        raise NotFound.of("customer in the pool", customer_id)
    return before, after
