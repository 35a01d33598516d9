"""Publishing the events a change left in its document's outbox, then clearing them. An event that
cannot go out now (nobody subscribed yet, the broker away) stays there and the timer publishes
it later: a handoff stored is never a handoff nobody hears of."""

import logging
from datetime import datetime
from typing import Any

from contracts.events import dump_event
from services.handoff.domain import Document, outbox
from services.handoff.store import Handoffs

log = logging.getLogger(__name__)


def publish(store: Handoffs, dispatch: Any, collection: str, doc: Document | None) -> None:
    """Publish ``doc``'s waiting events; one that fails waits for the timer, the others go out (each
    kind of event has queues of its own, so no order between kinds is promised anyway)."""
    if not doc or not doc.get("outbox"):
        return
    published = set()
    for event in doc["outbox"]:
        try:
            dispatch(event["name"], dump_event(event["name"], event["payload"]))
        except Exception as exc:  # whatever stops a publish, the outbox keeps the event for the timer
            log.warning(
                "%s %s not published yet (%s: %s); it is retried", event["name"], event["id"], type(exc).__name__, exc
            )
            continue
        published.add(event["id"])
    if published:
        store.change_in(collection, doc["_id"], lambda current: outbox.cleared(current, published))


def publish_pending(store: Handoffs, dispatch: Any, cutoff: datetime, batch: int) -> None:
    """Publish what earlier changes left unpublished (older than ``cutoff``)."""
    for collection, document_id in store.with_unpublished(cutoff, batch):
        publish(store, dispatch, collection, store.document(collection, document_id))
