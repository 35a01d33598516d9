"""A handoff's life (移交): submitted → accepted, or returned to its sender and resubmitted.

    submitted / info_pending ──every receiver signs──▶ accepted
         │        └─info completed─▶ submitted           (info pending: 信息待补全, with a deadline)
         └──a receiver returns it──▶ returned ──sender resubmits──▶ resubmitted (or info_pending) …
    any state but accepted ──the sender (or a manager) withdraws it──▶ withdrawn

A handoff that fails its checklist is refused with the missing items, unless the sender asks
for it to go through flagged "info pending" with a deadline. A receiver cannot sign while
information is pending: they wait for it, or return the handoff. Nothing is forgotten: every
step is in ``history``, every return with its reasons. Each change returns a new document with
the events it causes in its outbox, so one guarded write stores both (the write moves the version).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.handoff.domain import Document, outbox
from services.handoff.domain.checklists import Item, missing
from services.handoff.domain.kinds import NOBODY_SIGNS, SYSTEM, KindSpec, NotAllowed

SUBMITTED, INFO_PENDING, RESUBMITTED = "submitted", "info_pending", "resubmitted"
ACCEPTED, RETURNED, WITHDRAWN = "accepted", "returned", "withdrawn"
WITH_RECEIVERS = (SUBMITTED, INFO_PENDING, RESUBMITTED)  # waiting for the receivers
OPEN = WITH_RECEIVERS + (RETURNED,)  # not yet accepted


class ChecklistFailed(Exception):
    """The checklist did not pass and the sender did not ask for "info pending"."""

    def __init__(self, items: Sequence[Item], pending_allowed: bool):
        super().__init__(f"missing: {', '.join(missing(items))}")
        self.items = items
        self.pending_allowed = pending_allowed


@dataclass(frozen=True)
class Draft:
    """What a sender submits, checked against its kind (``kinds.check_parties``)."""

    handoff_id: str
    spec: KindSpec
    customer_id: str
    sender: str
    submitted_by: str  # the sender, or a manager submitting for someone leaving
    receivers: tuple
    new_owner: str | None
    collaborators: tuple
    departments: dict  # person -> department, for the measures
    written: dict  # what the sender wrote (contracts.handoff.PackageSchema)
    package: dict  # the package the receivers read (domain.package.package_of)
    owner_told: str | None = None  # the owner it is taken from, not the sender: told of it


@dataclass(frozen=True)
class Deadline:
    """Info pending: ``days`` by default; a sender may set an earlier or later one, within ``most_days``."""

    days: float
    most_days: float

    def until(self, requested: datetime | None, now: datetime) -> datetime:
        if requested is None:
            return now + timedelta(days=self.days)
        if requested <= now:
            raise NotAllowed("The info-pending deadline must be in the future.", "pending_until")
        if requested > now + timedelta(days=self.most_days):
            raise NotAllowed(f"The info-pending deadline may be at most {self.most_days:g} days away.", "pending_until")
        return requested


def open_handoff(
    draft: Draft,
    items: Sequence[Item],
    want_pending: bool,
    pending_until: datetime | None,
    ready_at: datetime | None,
    deadline: Deadline,
    now: datetime,
) -> Document:
    """A new handoff, or ``ChecklistFailed`` when items are missing and info pending is not asked for."""
    spec = draft.spec
    doc = {
        "_id": draft.handoff_id,
        "kind": spec.name,
        "customer_id": draft.customer_id,
        "from_user": draft.sender,
        "submitted_by": draft.submitted_by,
        "to_users": list(draft.receivers),
        "new_owner_id": draft.new_owner,
        "collaborators": list(draft.collaborators),
        "transfers_owner": spec.transfers_owner,
        "written": draft.written,
        "signatures": spec.signatures,
        "from_department": draft.departments.get(draft.sender),
        "to_departments": [draft.departments.get(r) for r in draft.receivers],
        "attempt": 0,
        "returns": [],
        "history": [],
        "submitted_at": now,
        "ready_at": ready_at,
        "accepted_at": None,
        "keys": [],
        "created_at": now,
        "owner_told": draft.owner_told,
        **outbox.empty(),
    }
    return _submitted(
        doc, spec.info_pending, items, draft.package, want_pending, pending_until, deadline, now, draft.submitted_by
    )


@dataclass(frozen=True)
class Receivers:
    """Who a resubmitted handoff goes to, when the sender sends it to others (checked like a draft's)."""

    users: tuple
    new_owner: str | None
    collaborators: tuple
    departments: dict  # person -> department


def resubmit(
    doc: Document,
    by: str,
    items: Sequence[Item],
    written: Document,
    package: Document,
    want_pending: bool,
    pending_until: datetime | None,
    deadline: Deadline,
    key: str | None,
    now: datetime,
    pending_allowed: bool,
    receivers: Receivers | None = None,
) -> Document | None:
    """The returned handoff sent again with what the sender now wrote and the package read again,
    to the same receivers or to ``receivers`` (a new attempt: every receiver signs again), or None
    if this request (``key``) was already applied."""
    if key is not None and key in doc["keys"]:
        return None
    if by not in (doc["from_user"], doc["submitted_by"]):
        raise NotAllowed(f"Only the sender ({doc['from_user']}) resubmits this handoff.", "by")
    if doc["state"] != RETURNED:
        raise NotAllowed(f"Only a returned handoff is resubmitted; this one is {doc['state']}.")
    doc = {**doc, "keys": doc["keys"] + ([key] if key else []), "written": written}
    if receivers is not None:
        doc = {
            **doc,
            "to_users": list(receivers.users),
            "new_owner_id": receivers.new_owner,
            "collaborators": list(receivers.collaborators),
            "to_departments": [receivers.departments.get(u) for u in receivers.users],
        }
    return _submitted(doc, pending_allowed, items, package, want_pending, pending_until, deadline, now, by)


def acknowledge(doc: Document, user: str, note: str | None, now: datetime) -> Document | None:
    """``user`` signs; once every receiver has, the handoff is accepted. None if they had signed."""
    _receiver(doc, user)
    if any(a["user"] == user for a in doc["acknowledgements"]):
        return None
    if doc["state"] == INFO_PENDING:
        raise NotAllowed(
            f"Information is pending until {doc['pending_until']:%Y-%m-%d %H:%M} UTC "
            f"(missing: {', '.join(doc['missing'])}): wait for the sender to complete it, or return it."
        )
    if doc["state"] == RETURNED:
        raise NotAllowed("This handoff was returned to its sender; sign the resubmission.")
    if doc["state"] == ACCEPTED:
        raise NotAllowed("This handoff is already accepted.")
    if doc["state"] == WITHDRAWN:
        raise NotAllowed("This handoff was withdrawn by its sender: there is nothing to sign.")
    return _signed(doc, user, note, now)


def return_to_sender(doc: Document, user: str, reasons: Sequence[str], now: datetime) -> Document | None:
    """A receiver returns the handoff with reasons (退回); the sender is told. None if they just did."""
    _receiver(doc, user)
    last = doc["returns"][-1] if doc["returns"] else None
    if doc["state"] == RETURNED and last and (last["by"], last["reasons"]) == (user, list(reasons)):
        return None
    if doc["state"] not in WITH_RECEIVERS:
        raise NotAllowed(f"Only a handoff waiting for its receivers can be returned; this one is {doc['state']}.")
    changed = {
        **doc,
        "state": RETURNED,
        "acknowledgements": [],
        "awaiting": [],
        "returns": doc["returns"] + [{"by": user, "at": now, "reasons": list(reasons), "attempt": doc["attempt"]}],
    }
    changed = _noted(changed, "returned", user, now, "; ".join(reasons))
    return outbox.added(
        changed,
        "handoff_returned",
        {**_about(doc), "by": user, "from_user": doc["from_user"], "reasons": list(reasons), "at": now},
        now,
    )


def withdraw(doc: Document, by: str, reason: str | None, now: datetime) -> Document | None:
    """The sender takes back a handoff not yet accepted (wrong receiver, a receiver away, the deal
    changed): it waits for nobody, holds no change of owner, and the receivers are told. None if
    already withdrawn."""
    if doc["state"] == WITHDRAWN:
        return None
    if doc["state"] not in OPEN:
        raise NotAllowed(f"This handoff is {doc['state']}: only one not yet accepted can be withdrawn.")
    changed = _noted({**doc, "state": WITHDRAWN, "awaiting": [], "withdrawn_at": now}, "withdrawn", by, now, reason)
    return outbox.added(
        changed,
        "handoff_withdrawn",
        {
            **_about(doc),
            "by": by,
            "from_user": doc["from_user"],
            "to_users": list(doc["to_users"]),
            "reason": reason,
            "at": now,
        },
        now,
    )


def complete_info(
    doc: Document,
    items: Sequence[Item],
    now: datetime,
    written: Document | None = None,
    package: Document | None = None,
) -> Document | None:
    """An info-pending handoff read again (with what the sender now wrote, and the package read
    again): once nothing is missing, it waits for signatures (or, needing none, is accepted).
    None when nothing changed."""
    if doc["state"] != INFO_PENDING:
        return None
    checklist = _checklist(items)
    if written is not None:
        doc = {**doc, "written": written}
    if missing(items):
        if checklist == doc["checklist"] and written is None:
            return None
        return {**doc, "checklist": checklist, "missing": missing(items)}
    doc = {**doc, "package": package} if package is not None else doc
    changed = {
        **doc,
        "state": SUBMITTED if doc["attempt"] == 1 else RESUBMITTED,
        "checklist": checklist,
        "missing": [],
        "info_completed_at": now,
        "info_completed_late": now > doc["pending_until"],
    }
    changed = _noted(changed, "info_completed", doc["from_user"], now, "")
    changed = outbox.added(changed, "handoff_info_completed", {**_about(doc), "at": now}, now)
    return _signed(changed, SYSTEM, "archive synced", now) if doc["signatures"] == NOBODY_SIGNS else changed


def is_overdue(doc: Document, now: datetime) -> bool:
    return doc["state"] == INFO_PENDING and doc["pending_until"] < now


def department_in(doc: Document, person: str) -> str | None:
    """The department ``person`` was in when they took part (None when not known)."""
    if person == doc["from_user"]:
        return doc["from_department"]
    if person in doc["to_users"]:
        return doc["to_departments"][doc["to_users"].index(person)]
    return None


# --- plumbing -------------------------------------------------------------------------------


def _submitted(doc, pending_allowed, items, package, want_pending, pending_until, deadline, now, by):
    failed = missing(items)
    if failed and not (want_pending and pending_allowed):
        raise ChecklistFailed(items, pending_allowed)
    attempt = doc["attempt"] + 1
    state = INFO_PENDING if failed else (SUBMITTED if attempt == 1 else RESUBMITTED)
    until = deadline.until(pending_until, now) if failed else None
    changed = {
        **doc,
        "state": state,
        "attempt": attempt,
        "checklist": _checklist(items),
        "missing": failed,
        "package": package,
        "info_pending": bool(failed),
        "pending_until": until,
        "info_completed_at": None,
        "info_completed_late": False,
        "acknowledgements": [],
        "awaiting": list(doc["to_users"]),
        "last_submitted_at": now,
    }
    note = f"missing: {', '.join(failed)}; info pending until {until:%Y-%m-%d %H:%M} UTC" if failed else ""
    changed = _noted(changed, "submitted" if attempt == 1 else "resubmitted", by, now, note, missing=failed)
    changed = outbox.added(
        changed,
        "handoff_submitted",
        {
            **_about(changed),
            "from_user": doc["from_user"],
            "to_users": list(doc["to_users"]),
            "info_pending": bool(failed),
            "pending_until": until,
            "missing": failed,
            "submitted_at": now,
            "owner_id": doc.get("owner_told"),
        },
        now,
    )
    if not failed and doc["signatures"] == NOBODY_SIGNS:
        changed = _signed(changed, SYSTEM, "archive synced", now)
    return changed


def _signed(doc, user, note, now):
    awaiting = [u for u in doc["awaiting"] if u != user] if user != SYSTEM else []
    complete = not awaiting
    changed = {
        **doc,
        "acknowledgements": doc["acknowledgements"] + [{"user": user, "at": now, "note": note}],
        "awaiting": awaiting,
    }
    changed = _noted(changed, "signed", user, now, note or "")
    if complete:
        changed = _noted({**changed, "state": ACCEPTED, "accepted_at": now}, "accepted", user, now, "")
    return outbox.added(
        changed,
        "handoff_accepted",
        {
            **_about(doc),
            "by": user,
            "at": now,
            "complete": complete,
            "from_user": doc["from_user"],
            "new_owner_id": doc["new_owner_id"] if complete else None,
            "collaborators": list(doc["collaborators"]) if complete else [],
            "to_departments": sorted({d for d in doc.get("to_departments") or [] if d}) if complete else [],
        },
        now,
    )


def _receiver(doc, user):
    if user not in doc["to_users"]:
        raise NotAllowed(f"{user} is not a receiver of this handoff ({', '.join(doc['to_users'])}).", "by")


def _about(doc):
    return {"handoff_id": doc["_id"], "kind": doc["kind"], "customer_id": doc["customer_id"], "attempt": doc["attempt"]}


def _checklist(items):
    return [{"name": i.name, "passed": i.passed, "reason": i.reason} for i in items]


def _noted(doc, action, by, at, note, **more):
    return {
        **doc,
        "history": doc["history"]
        + [{"at": at, "action": action, "by": by, "attempt": doc["attempt"], "note": note, **more}],
    }
