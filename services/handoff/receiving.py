"""The receiver's side: the first view (the package beside the customer's whole timeline),
signing, returning to the sender with reasons."""

from datetime import datetime
from typing import Any

from services.handoff.answering import refusals_answered
from services.handoff.domain import Document
from services.handoff.domain.handoffs import acknowledge, return_to_sender
from services.handoff.domain.requirements import requirement_change_summary
from services.handoff.store import Handoffs
from services.runtime.prices import is_price_name

TIMELINE_SHOWN = 200  # the latest entries of the archive's timeline in the first view
ACTIONS = {
    "submitted": "handed over",
    "resubmitted": "handed over again",
    "info_completed": "missing information completed",
    "signed": "signed",
    "accepted": "accepted",
    "returned": "returned to the sender",
    "withdrawn": "withdrawn by the sender",
}


def sign(store: Handoffs, handoff: Document, request: Document, now: datetime) -> Document:
    with refusals_answered():
        before, after = store.change_handoff(
            handoff["_id"], lambda doc: acknowledge(doc, request["by"], request.get("note"), now), handoff
        )
    return after or before or handoff  # before: None only if it were gone (handoffs stay)


def give_back(store: Handoffs, handoff: Document, request: Document, now: datetime) -> Document:
    with refusals_answered():
        before, after = store.change_handoff(
            handoff["_id"], lambda doc: return_to_sender(doc, request["by"], request["reasons"], now), handoff
        )
    return after or before or handoff  # before: None only if it were gone (handoffs stay)


def briefing_timeline(store: Handoffs, profile: Any, customer_id: str) -> list[Document]:
    """The archive's timeline (its latest entries) with the customer's handoffs, requirement changes
    and started steps, in time order: a newcomer reads the history in a minute. Each event once:
    profile's timeline records what handoff announces (acceptances, submissions, returns, changes,
    steps), so handoff adds only what it alone knows (a team member's signature, completed
    information) and what profile has not recorded yet (or never did, before it recorded them)."""
    page = profile.get_timeline(customer_id, {"limit": TIMELINE_SHOWN})
    if page["total"] > TIMELINE_SHOWN:
        page = profile.get_timeline(customer_id, {"limit": TIMELINE_SHOWN, "offset": page["total"] - TIMELINE_SHOWN})
    entries = [{**e, "at": datetime.fromisoformat(e["at"]), "source": "profile"} for e in page["items"]]
    recorded = {_profile_key(e) for e in page["items"]}
    own = []
    for doc in store.of_customer(customer_id):
        completing = {(h["by"], h["at"]) for h in doc["history"] if h["action"] == "accepted"}
        own += [
            (_history_key(doc, h), _handoff_entry(doc, h))
            for h in doc["history"]
            # the signature that completed it is the acceptance itself: told once
            if not (h["action"] == "signed" and (h["by"], h["at"]) in completing)
        ]
    register = store.register(customer_id) or {"changes": []}
    own += [
        (
            ("requirement_changed", c.get("id")),
            _entry(c["at"], "requirement_changed", requirement_change_summary(c), c["by"], _change_details(c)),
        )
        for c in register["changes"]
    ]
    own += [
        (
            ("step_started", s["step"]),
            _entry(
                s["at"],
                "step_started",
                f"{s['step'].replace('_', ' ')} started ({s['department']})",
                s["by"],
                {"step": s["step"], "department": s["department"], "by": s["by"]},
            ),
        )
        for s in store.started_steps(customer_id).values()
    ]
    entries += [entry for key, entry in own if key not in recorded]
    return sorted(entries, key=lambda e: e["at"])


# handoff's history actions as profile's timeline kinds (the others only handoff records)
RECORDED_BY_PROFILE = {
    "submitted": "handoff_submitted",
    "resubmitted": "handoff_submitted",
    "accepted": "handoff_accepted",
    "returned": "handoff_returned",
    "withdrawn": "handoff_withdrawn",
}


def _history_key(doc, history):
    kind = RECORDED_BY_PROFILE.get(history["action"])
    if kind is None:
        return (f"handoff_{history['action']}", doc["_id"], id(history))  # never recorded by profile
    if kind in ("handoff_accepted", "handoff_withdrawn"):
        return (kind, doc["_id"])
    return (kind, doc["_id"], str(history.get("attempt") or 1))


def _profile_key(entry):
    """The key of a profile timeline entry as ``_history_key`` and the changes and steps name theirs."""
    kind, refs = entry["kind"], entry.get("refs") or {}
    if kind in ("handoff_accepted", "handoff_withdrawn"):
        return (kind, refs.get("handoff_id"))
    if kind in ("handoff_submitted", "handoff_returned"):
        return (kind, refs.get("handoff_id"), refs.get("attempt") or "1")
    if kind == "requirement_changed":
        return (kind, refs.get("change_id"))
    if kind == "step_started":
        return (kind, refs.get("step"))
    return (kind, entry.get("id"))


def _handoff_entry(doc, history):
    summary = f"{doc['kind'].replace('_', ' ')} {doc['_id']}: {ACTIONS.get(history['action'], history['action'])}"
    if history["action"] in ("submitted", "resubmitted"):
        summary += f" by {doc['from_user']} to {', '.join(doc['to_users'])}"
    if history["note"]:
        summary += f" — {history['note']}"
    return _entry(
        history["at"],
        f"handoff_{history['action']}",
        summary,
        history["by"],
        {
            "kind": doc["kind"],
            "action": history["action"],
            "by": history["by"],
            "from": doc["from_user"],
            "to": list(doc["to_users"]),
            "note": history["note"] or None,
        },
    )


def _change_details(change):
    """A requirement change as data; one named as a price without its values or note (as its summary)."""
    priced = is_price_name(change["field"])
    return {
        "field": change["field"],
        "by": change["by"],
        "source": change.get("source"),
        "before": None if priced else change["before"],
        "after": None if priced else change["after"],
        "note": None if priced else change.get("note"),
        "priced": priced,
    }


def _entry(at, kind, summary, actor, details=None):
    """``details``: what ``summary`` says as data (people by id), for a client to word it in the reader's language."""
    return {"at": at, "kind": kind, "summary": summary, "actor": actor, "source": "handoff", "details": details or {}}
