"""The sender's side: submitting a handoff, resubmitting a returned one, completing what an
info-pending one lacked (also noticed on its own when the archive changes).

The checklist is read over the archive as profile has it now; special requirements and cautions
the sender writes into the package are added to the archive first, so the archive stays the one
record. A submission refused by its checklist is kept (without the handoff) for the measures.
"""

import hashlib
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from contracts.errors import Conflict, InvalidInput, NotFound
from contracts.handoff import PackageSchema
from services.handoff.answering import checklist_refused, refusals_answered
from services.handoff.checking import checklist_items
from services.handoff.domain import Document
from services.handoff.domain.checklists import missing, ready_since
from services.handoff.domain.handoffs import (
    INFO_PENDING,
    OPEN,
    ChecklistFailed,
    Draft,
    Receivers,
    complete_info,
    open_handoff,
    resubmit,
    withdraw,
)
from services.handoff.domain.kinds import KindSpec, annual_value, check_parties, check_value, collaborators_after
from services.handoff.domain.package import archive_additions, package_of
from services.handoff.domain.requirements import agreed
from services.handoff.store import Handoffs


@dataclass(frozen=True)
class Submission:
    spec: KindSpec
    handoff_id: str
    customer_id: str
    sender: str
    by: str  # who submits: the sender, or a manager for someone leaving
    receivers: tuple
    new_owner: str | None
    written: dict  # contracts.handoff.PackageSchema
    info_pending: bool
    pending_until: datetime | None
    key: str | None
    pool_decided: bool = False  # the pool chose the receiver (a leaver's successor): no department check
    moved_already: bool = False  # the pool moved the customer already (a leaver gone): no transfer to hold
    current_owner: str | None = None  # who owns the customer as the sender submits


def submit(
    store: Handoffs,
    profile: Any,
    plugins: Any,
    policy: dict[str, Any],
    request: Document,
    key: str | None,
    now: datetime,
) -> Document:
    """The stored handoff (the one submitted first under the same ``key``, if any)."""
    spec = kind_of(policy, request["kind"])
    return open_submitted(
        store,
        profile,
        plugins,
        policy,
        Submission(
            spec,
            _handoff_id(request["customer_id"], spec.name, key),
            request["customer_id"],
            request["by"],
            request["by"],
            tuple(request["to"]),
            request.get("new_owner"),
            storable(request["package"]),
            request["info_pending"],
            request.get("pending_until"),
            key,
            current_owner=request.get("current_owner"),
        ),
        now,
    )


def open_submitted(
    store: Handoffs, profile: Any, plugins: Any, policy: dict[str, Any], submission: Submission, now: datetime
) -> Document:
    """Check a submission against its kind and checklist, and store the handoff it opens."""
    spec, customer_id = submission.spec, submission.customer_id
    if (existing := store.handoff(submission.handoff_id)) is not None:
        return existing
    archive = profile.get_customer(customer_id)
    with refusals_answered():
        new_owner = check_parties(
            spec,
            policy["directory"],
            submission.sender,
            submission.receivers,
            submission.new_owner,
            checked_departments=not submission.pool_decided,
        )
        value = _checked_value(spec, policy, archive, submission.written, now)
    archive = with_sender_additions(profile, archive, submission.written, submission.by)
    items = checklist_items(plugins, policy, spec, archive, submission.written)
    draft = Draft(
        submission.handoff_id,
        spec,
        customer_id,
        submission.sender,
        submission.by,
        submission.receivers,
        new_owner,
        tuple(collaborators_after(spec, submission.sender, submission.receivers, new_owner)),
        {p: policy["directory"].department_of(p) for p in (submission.sender, *submission.receivers)},
        submission.written,
        package_of(archive, submission.written, agreed(store.register(customer_id)), value),
        _owner_told(spec, submission),
    )
    with (
        refusals_answered(),
        _refusal_kept(store, spec.name, customer_id, submission.sender, submission.by, submission.key, now),
    ):
        doc = open_handoff(
            draft, items, submission.info_pending, submission.pending_until, ready_since(items), policy["deadline"], now
        )
    if spec.transfers_owner and not submission.moved_already:
        _hold_transfer(store, customer_id, submission.handoff_id)
    return store.add_handoff(doc)[0]


def resubmit_returned(
    store: Handoffs,
    profile: Any,
    plugins: Any,
    policy: dict[str, Any],
    doc: Document,
    request: Document,
    key: str | None,
    now: datetime,
) -> Document:
    """The returned handoff sent again, with a new package and to other receivers if given."""
    spec = kind_of(policy, doc["kind"], configured=True)
    archive = profile.get_customer(doc["customer_id"])
    written = storable(request["package"]) if "package" in request else doc["written"]
    with refusals_answered():
        value = _checked_value(spec, policy, archive, written, now)
        receivers = _other_receivers(spec, policy, doc, request)
    archive = with_sender_additions(profile, archive, written, request["by"])
    items = checklist_items(plugins, policy, spec, archive, written)
    package = package_of(archive, written, agreed(store.register(doc["customer_id"])), value)
    with (
        refusals_answered(),
        _refusal_kept(store, spec.name, doc["customer_id"], doc["from_user"], request["by"], key, now),
    ):
        before, after = store.change_handoff(
            doc["_id"],
            lambda current: resubmit(
                current,
                request["by"],
                items,
                written,
                package,
                request["info_pending"],
                request.get("pending_until"),
                policy["deadline"],
                key,
                now,
                spec.info_pending,
                receivers,
            ),
            doc,
        )
    return after or before or doc


def complete_pending(
    store: Handoffs, profile: Any, plugins: Any, policy: dict[str, Any], doc: Document, request: Document, now: datetime
) -> Document:
    """The sender says what was missing is done (on the archive, or in the package given now)."""
    if request["by"] not in (doc["from_user"], doc["submitted_by"]):
        raise InvalidInput(
            f"Only the sender ({doc['from_user']}) completes this handoff.", {"fields": {"by": ["Not the sender."]}}
        )
    if doc["state"] != INFO_PENDING:
        raise Conflict(f"This handoff is {doc['state']}: no information is pending.", {"state": doc["state"]})
    written = storable(request["package"]) if "package" in request else doc["written"]
    archive = with_sender_additions(profile, profile.get_customer(doc["customer_id"]), written, request["by"])
    before, after = _read_again(store, plugins, policy, doc, archive, written, now)
    return after or before or doc


def recheck_pending(
    store: Handoffs, profile: Any, plugins: Any, policy: dict[str, Any], customer_id: str, now: datetime
) -> list[Document]:
    """The customer's info-pending handoffs read again after its archive changed: those now
    complete wait for signatures. Returns the handoffs that changed."""
    pending = store.of_customer(customer_id, [INFO_PENDING])
    if not pending:
        return []
    try:
        archive = profile.get_customer(customer_id)
    except NotFound:  # merged away meanwhile: nothing more will complete it
        return []
    changed = [_read_again(store, plugins, policy, doc, archive, doc["written"], now)[1] for doc in pending]
    return [doc for doc in changed if doc is not None]


def withdraw_open(store: Handoffs, handoff: Document, request: Document, now: datetime) -> Document:
    """The handoff withdrawn by its sender (or a manager); its hold on the customer's owner ends
    with it (a withdrawn handoff is not open)."""
    with refusals_answered():
        before, after = store.change_handoff(
            handoff["_id"], lambda doc: withdraw(doc, request["by"], request["reason"], now), handoff
        )
    return after or before or handoff


def kind_of(policy: dict[str, Any], kind: str, configured: bool = False) -> KindSpec:
    if kind not in policy["kinds"]:
        if configured:
            raise Conflict(f"Handoffs of kind {kind!r} are no longer configured (BATON.handoff.kinds).", {"kind": kind})
        known = ", ".join(sorted(policy["kinds"]))
        raise InvalidInput(
            f"No handoff kind {kind!r}; the kinds are: {known}.", {"fields": {"kind": [f"One of: {known}."]}}
        )
    return policy["kinds"][kind]


def existing_handoff(store: Handoffs, handoff_id: str) -> Document:
    doc = store.handoff(handoff_id)
    if doc is None:
        raise NotFound.of("handoff", handoff_id)
    return doc


def storable(written: Document) -> Document:
    """What the sender wrote as JSON (a due date as its ISO text): documents have no dates."""
    return PackageSchema().dump(written)


def with_sender_additions(profile: Any, archive: Document, written: Document, by: str) -> Document:
    """The archive with the special requirements and cautions the sender wrote added to it."""
    changes = archive_additions(archive, written)
    return profile.update_customer(archive["id"], {"by": by, **changes}) if changes else archive


def leaving_spec(policy: dict[str, Any]) -> KindSpec:
    """The kind a leaver's customers go by: always through, info pending when incomplete (one
    refused customer must not stop the rest, nor leave a customer with nobody's package)."""
    return replace(kind_of(policy, "salesperson_leaving", configured=True), info_pending=True)


def _read_again(store, plugins, policy, doc, archive, written, now):
    spec = kind_of(policy, doc["kind"], configured=True)
    items = checklist_items(plugins, policy, spec, archive, written)
    package = package_of(
        archive, written, agreed(store.register(doc["customer_id"])), doc["package"].get("annual_value")
    )
    return store.change_handoff(
        doc["_id"],
        lambda current: complete_info(current, items, now, written if written != current["written"] else None, package),
        doc,
    )


def _other_receivers(spec, policy, doc, request):
    if "to" not in request:
        return None
    new_owner = check_parties(spec, policy["directory"], doc["from_user"], request["to"], request.get("new_owner"))
    return Receivers(
        tuple(request["to"]),
        new_owner,
        tuple(collaborators_after(spec, doc["from_user"], request["to"], new_owner)),
        {p: policy["directory"].department_of(p) for p in request["to"]},
    )


def _checked_value(spec, policy, archive, written, now):
    if spec.min_annual_value is None and spec.below_annual_value is None:
        return None
    valuation = policy["valuation"]
    value, note = annual_value(archive, written.get("expected_annual_value"), valuation, now)
    check_value(spec, value, note, valuation.currency)
    return {"value": value, "currency": valuation.currency, "note": note}


def _owner_told(spec, submission):
    """The owner a handoff would take the customer from when they are not the one sending it."""
    owner = submission.current_owner
    if spec.transfers_owner and owner and owner not in (submission.sender, submission.by, *submission.receivers):
        return owner
    return None


def _hold_transfer(store, customer_id, handoff_id):
    def still_open(other_id):
        other = store.handoff(other_id)
        return other is not None and other["state"] in OPEN

    holder = store.hold_transfer(customer_id, handoff_id, still_open)
    if holder != handoff_id:
        raise Conflict(
            f"Customer {customer_id} already has an open handoff that changes its owner ({holder}): "
            "it must be accepted first, or resubmitted if it was returned.",
            {"handoff_id": holder},
        )


class _refusal_kept:
    """Keeps a submission refused by its checklist (for the measures) and answers with the items."""

    def __init__(self, store, kind, customer_id, sender, by, key, now):
        self.store, self.refusal = (
            store,
            {"kind": kind, "customer_id": customer_id, "from_user": sender, "by": by, "at": now},
        )
        self.refusal_id = keyed_id("ref_", customer_id, kind, key) if key else "ref_" + uuid.uuid4().hex[:20]

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if not isinstance(exc, ChecklistFailed):
            return False
        self.store.add_refusal({"_id": self.refusal_id, **self.refusal, "missing": missing(exc.items)})
        raise checklist_refused(
            self.refusal["kind"], self.refusal["customer_id"], exc.items, exc.pending_allowed
        ) from exc


def _handoff_id(customer_id, kind, key):
    """From the caller's idempotency key (a retried submit finds the first), else new."""
    if key is None:
        return "hof_" + uuid.uuid4().hex[:20]
    return keyed_id("hof_", customer_id, kind, key)


def keyed_id(prefix: str, *parts: object) -> str:
    """An id derived from what caused the record: the same cause, the same id (idempotency)."""
    return prefix + hashlib.sha256(":".join(str(part) for part in parts).encode()).hexdigest()[:20]
