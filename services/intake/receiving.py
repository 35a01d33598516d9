"""Receiving one inquiry: examine the body, record the outcome once, announce accepted ones.

The same code serves AMQP deliveries and HTTP submissions, so both paths keep every body,
reject with the same field-level errors, and treat a repeated message id as already done.
"""

import base64
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError

from contracts.inquiry import EXTERNAL_ID_MAX, InquiryBatchItemSchema, InquirySchema
from contracts.topology import channel_of_routing_key
from plugins.errors import NotAnInquiry, PluginFailed
from services.intake.store import Inquiries, Record
from services.runtime.document_store import epoch
from services.runtime.input_limits import InputLimits, InputRefused, check_json_bytes

# publish(inquiry id, received at, inquiry): announces an accepted inquiry (raises when it cannot)
Publish = Callable[[str, datetime, dict[str, Any]], None]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Examined:
    inquiry: dict[str, Any] | None
    errors: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return not self.errors


INQUIRY_ID_PREFIX = "inq_"


def inquiry_id_for(message_id: str) -> str:
    """A stable id for a message id: the same message always maps to the same inquiry."""
    return INQUIRY_ID_PREFIX + hashlib.sha256(message_id.encode()).hexdigest()[:24]


def link_customer(inquiries: Inquiries, inquiry_id: str, customer_id: str, filed_as: str) -> bool:
    """Link the inquiry profile filed as ``customer_id``; a source intake did not receive (a
    customer filed by hand) is none of its records: nothing to ask the store. Whether it linked."""
    if not inquiry_id.startswith(INQUIRY_ID_PREFIX):
        return False
    return inquiries.link_customer(inquiry_id, customer_id, filed_as)


def message_id_for(message_id: Any, routing_key: str | None, body: bytes) -> str:
    """The publisher's message id, or one derived from the content when it sent none."""
    if message_id:
        return str(message_id)
    return "sha256:" + hashlib.sha256((routing_key or "").encode() + b"\0" + body).hexdigest()


def examine(body: bytes, channel: str | None, plugins: Any, limits: InputLimits) -> Examined:
    """Turn a raw body into a canonical inquiry, or the errors that say why not. Whatever the
    bytes, this returns: hostile ones are refused within ``limits`` before anything parses them."""
    try:
        payload = check_json_bytes(body, limits)
    except InputRefused as refused:
        return Examined(None, refused.messages())
    if not isinstance(payload, dict):
        return Examined(None, {"_body": [f"Expected a JSON object, got {type(payload).__name__}."]})
    if channel:
        try:
            payload = plugins.inquiry_from_channel(channel, payload)
        except PluginFailed as exc:
            return Examined(None, {"_plugin": [exc.message]})
        except NotAnInquiry as exc:
            return Examined(None, {"_not_an_inquiry": [exc.reason]})
        if payload is None:
            installed = ", ".join(plugins.plugin_names()) or "none"
            return Examined(None, {"channel": [f"No connector handles channel {channel!r} (plugins: {installed})."]})
    try:
        inquiry = InquirySchema().load(payload)
    except ValidationError as exc:
        return Examined(None, storable_errors(exc.messages))
    custom_errors = plugins.validate_custom_values(inquiry.get("custom_fields") or {})
    if custom_errors:
        return Examined(None, storable_errors({"custom_fields": custom_errors}))
    return Examined(inquiry)


def storable_errors(messages: Any) -> Any:
    """Field errors as the store keeps them: marshmallow keys a list's items by int (``{"products":
    {0: [...]}}``) and an unknown field by the sender's own key, and a document's keys must be text
    without NUL."""
    if isinstance(messages, dict):
        return {str(key).replace("\0", "\\u0000"): storable_errors(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [storable_errors(item) for item in messages]
    return messages


def receive_inquiry(
    inquiries: Inquiries,
    plugins: Any,
    limits: InputLimits,
    publish: Publish,
    *,
    body: bytes,
    message_id: str | None,
    routing_key: str,
    via: str,
    submitted_by: str | None = None,
) -> dict[str, Any]:
    """Record one delivery and publish it if accepted. Returns the submission outcome.
    ``submitted_by``: the user whose token sent it over HTTP (AMQP names none).

    Idempotent: a message id seen before changes nothing, except that an accepted inquiry whose
    announcement failed is announced again (downstream handlers are idempotent).
    The insert is the duplicate check (its id derives from the message id): no read first. An
    accepted record is stored as announced, and unconfirmed until a customer is filed for it, so
    announcing costs no second write: a failed publish marks it unannounced for the outbox
    (``announce_pending``), and one whose publish never happened (the process stopped in between)
    is announced again by ``announce_unconfirmed``.
    """
    message_id = message_id_for(message_id, routing_key, body)
    record = new_record(body, message_id, routing_key, via, submitted_by, plugins, limits)
    if record["status"] == "accepted":
        record = {**record, "announced": True, "unconfirmed_epoch": epoch(record["received_at"])}
    duplicate = not inquiries.add(record)
    if duplicate:
        record = inquiries.get(record["_id"]) or record  # the one stored first (kept for good)
        if record["status"] == "accepted" and not record["announced"]:
            announce(inquiries, publish, record)
    else:
        _note_rejected(record)
        if record["status"] == "accepted" and not _published(publish, record):
            inquiries.mark_unannounced(record)
    return {"id": record["_id"], "status": record["status"], "duplicate": duplicate, "errors": record["errors"]}


def new_record(
    body: bytes,
    message_id: str,
    routing_key: str,
    via: str,
    submitted_by: str | None,
    plugins: Any,
    limits: InputLimits,
) -> Record:
    """The record a first delivery of ``message_id`` is kept as, accepted or rejected."""
    examined = examine(body, channel_of_routing_key(routing_key), plugins, limits)
    return {
        "_id": inquiry_id_for(message_id),
        "message_id": message_id,
        "status": "accepted" if examined.accepted else "rejected",
        "via": via,
        "routing_key": routing_key,
        "received_at": datetime.now(UTC),
        "inquiry": examined.inquiry,
        "errors": examined.errors,
        **kept_body(body, limits.max_body_bytes),
        "customer_id": None,
        "announced": False,
        "submitted_by": submitted_by,
        "external_id": external_id_of(examined, body),
    }


def _note_rejected(record: Record) -> None:
    if record["status"] == "rejected":  # bad input is expected: said once, naming the fields, not the bytes
        log.info(
            "inquiry %s (%s, %r) kept as rejected; fields: %.500r",
            record["_id"],
            record["via"],
            record["routing_key"],
            sorted(record["errors"]),
        )


def batch_message_id(item: dict[str, Any], submitted_by: str | None) -> str | None:
    """A batch item's idempotency key: its own ``message_id``, else its inquiry's ``external_id``
    scoped to the submitter (two integrations may use the same references), else None (the
    content then decides, as for a single submission without a key)."""
    if item.get("message_id"):
        return item["message_id"]
    reference = item["inquiry"].get("external_id")
    if isinstance(reference, str) and reference:
        return f"external_id:{submitted_by or ''}:{reference}"
    return None


def item_body(inquiry: dict[str, Any]) -> bytes:
    """A batch item's inquiry as the bytes a single submission would have sent (kept, and hashed
    for a content-derived message id)."""
    return json.dumps(inquiry, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def receive_batch(
    inquiries: Inquiries,
    plugins: Any,
    limits: InputLimits,
    publish: Publish,
    *,
    items: list[Any],
    routing_key: str,
    via: str,
    submitted_by: str | None = None,
) -> list[dict[str, Any]]:
    """Record many inquiries at once: each item is examined, kept and announced exactly as
    ``receive_inquiry`` would, but the store is asked a fixed number of times for the whole batch
    (``receive_arrivals``) instead of per item.
    Returns one outcome per item, in order: {index, outcome, id, message_id, status, errors}."""
    outcomes: list[dict[str, Any]] = []
    arrivals: list[Arrival] = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise ValidationError(
                    {"_item": [f"Expected an object {{message_id?, inquiry}}, got {type(item).__name__}."]}
                )
            item = InquiryBatchItemSchema().load(item)
        except ValidationError as exc:  # not even an item: nothing to keep, its place says why
            outcomes.append(
                {
                    "index": index,
                    "outcome": "rejected",
                    "id": None,
                    "message_id": None,
                    "status": None,
                    "errors": storable_errors(exc.messages),
                }
            )
            continue
        arrivals.append(Arrival(item_body(item["inquiry"]), routing_key, batch_message_id(item, submitted_by)))
        outcomes.append({"index": index})
    received = iter(receive_arrivals(inquiries, plugins, limits, publish, arrivals, via, submitted_by))
    for outcome in outcomes:
        if "outcome" not in outcome:
            outcome.update(next(received))
    return outcomes


@dataclass(frozen=True)
class Arrival:
    """One inquiry as it arrived: its bytes, the routing key it came with (a channel connector's or
    the canonical one) and its message id (None: derived from the content, see ``message_id_for``)."""

    body: bytes
    routing_key: str
    message_id: str | None


def receive_arrivals(
    inquiries: Inquiries,
    plugins: Any,
    limits: InputLimits,
    publish: Publish,
    arrivals: list[Arrival],
    via: str,
    submitted_by: str | None = None,
) -> list[dict[str, Any]]:
    """Record many arrivals at once, each examined, kept and announced as ``receive_inquiry`` would
    (its own routing key and message id, so the same inquiry id), with a fixed number of store
    commands for them all: one read of the ids, one insert, one audit insert, one announced mark.
    An arrival whose message id came before (stored, or earlier in ``arrivals``) is a duplicate.
    Returns one outcome per arrival, in order: {outcome, id, message_id, status, errors}."""
    outcomes: list[dict[str, Any]] = []
    wanted: dict[str, tuple[str, Arrival]] = {}  # inquiry id -> (message id, arrival) of its first one
    for arrival in arrivals:
        message_id = message_id_for(arrival.message_id, arrival.routing_key, arrival.body)
        inquiry_id = inquiry_id_for(message_id)
        wanted.setdefault(inquiry_id, (message_id, arrival))
        outcomes.append({"id": inquiry_id, "message_id": message_id})
    stored = inquiries.get_many(list(wanted))
    fresh = {
        inquiry_id: new_record(arrival.body, message_id, arrival.routing_key, via, submitted_by, plugins, limits)
        for inquiry_id, (message_id, arrival) in wanted.items()
        if inquiry_id not in stored
    }
    taken = inquiries.add_many(list(fresh.values()))
    stored |= inquiries.get_many(list(taken))  # recorded by a concurrent submission meanwhile
    for record in (fresh[i] for i in fresh if i not in taken):
        _note_rejected(record)
    records = {**{i: r for i, r in fresh.items() if i not in taken}, **stored}
    announced = [
        r["_id"]
        for r in records.values()
        if r["status"] == "accepted" and not r["announced"] and _published(publish, r)
    ]
    inquiries.mark_many_announced(announced)
    first_seen = {i for i in fresh if i not in taken}
    for outcome in outcomes:
        record = records[outcome["id"]]
        new = outcome["id"] in first_seen
        first_seen.discard(outcome["id"])  # a second arrival with the same message id is its duplicate
        outcome.update(
            status=record["status"], errors=record["errors"], outcome=record["status"] if new else "duplicate"
        )
    return outcomes


def external_id_of(examined: Examined, body: bytes) -> str | None:
    """The sender's own reference: the inquiry's; for a rejected one, the body's when it is a JSON
    object naming one that fits the contract, so a sender finds its rejections by it too."""
    if examined.inquiry is not None:
        return examined.inquiry.get("external_id")
    if "_body" in examined.errors:
        return None  # too large, not text, too deep, not a JSON object: nothing to read it from
    try:
        reference = json.loads(body.decode("utf-8")).get("external_id")
    except (ValueError, RecursionError, AttributeError):  # refused by the limits somewhere inside
        return None
    if not isinstance(reference, str) or not 0 < len(reference) <= EXTERNAL_ID_MAX or not reference.isprintable():
        return None  # not printable: a lone surrogate cannot even be stored
    return reference


def kept_body(body: bytes, max_body_bytes: int) -> dict[str, Any]:
    """How a body is kept with its record: as text to read (``raw_body``) and, when that text is
    not the exact bytes (not UTF-8), the bytes too, so a replay examines what was sent. Only the
    first ``max_body_bytes`` are kept (then ``raw_body_complete`` is False)."""
    kept = body[:max_body_bytes]
    text = kept.decode("utf-8", errors="replace")
    exact = None if text.encode("utf-8") == kept else base64.b64encode(kept).decode("ascii")
    return {"raw_body": text, "raw_body_base64": exact, "raw_body_complete": len(body) <= max_body_bytes}


def body_of(record: Record) -> bytes:
    """The bytes a record kept (see ``kept_body``)."""
    if record.get("raw_body_base64"):
        return base64.b64decode(record["raw_body_base64"])
    return record["raw_body"].encode("utf-8")


def announce(inquiries: Inquiries, publish: Publish, record: Record) -> bool:
    """Publish an accepted inquiry; on failure it stays pending for ``announce_pending``.

    The inquiry is already stored, so the submitter's answer does not depend on the broker.
    """
    if not _published(publish, record):
        return False
    inquiries.mark_announced(record["_id"])
    return True


def _published(publish: Publish, record: Record) -> bool:
    try:
        publish(record["_id"], record["received_at"], record["inquiry"])
    except Exception as exc:  # any publish failure: the outbox timer retries
        log.warning(
            "inquiry %s stored but not yet announced (%s: %s); will retry", record["_id"], type(exc).__name__, exc
        )
        return False
    return True


def announce_pending(inquiries: Inquiries, publish: Publish, older_than: datetime, batch_size: int) -> int:
    """Announce accepted inquiries whose announcement failed (the outbox). Returns how many."""
    return sum(announce(inquiries, publish, record) for record in inquiries.unannounced(older_than, batch_size))


def announce_unconfirmed(inquiries: Inquiries, publish: Publish, announced_before: datetime, batch_size: int) -> int:
    """Announce again, once, inquiries stored as announced before ``announced_before`` for which no
    customer was filed since (the process may have stopped between storing and publishing one).
    Returns how many."""
    again = [r["_id"] for r in inquiries.unconfirmed(announced_before, batch_size) if _published(publish, r)]
    inquiries.mark_confirmed(again)
    return len(again)


def replay_rejected(
    inquiries: Inquiries,
    plugins: Any,
    limits: InputLimits,
    publish: Publish,
    ids: list[str] | None,
    limit: int,
    now: datetime,
) -> dict[str, Any]:
    """Examine rejected inquiries again, after a fix to a connector, a plugin or the contract:
    those that pass now are accepted and announced as if just received; the others keep their
    new errors. Returns {"examined", "accepted": [ids], "still_rejected": [ids]}.

    A replay guards on the record still being rejected, so two replays accept it once.
    """
    accepted, still_rejected = [], []
    for record in inquiries.rejected(ids, limit):
        if not record.get("raw_body_complete", True):
            still_rejected.append(record["_id"])  # only its start was kept: nothing to examine again
            continue
        examined = examine(body_of(record), channel_of_routing_key(record["routing_key"]), plugins, limits)
        replayed = {
            **record,
            "errors": examined.errors,
            "replayed_at": now,
            "external_id": external_id_of(examined, body_of(record)),
        }
        if examined.accepted:
            replayed = {**replayed, "status": "accepted", "inquiry": examined.inquiry, "announced": False}
        if not inquiries.replace_rejected(replayed, record):
            continue  # replayed by someone else meanwhile
        if examined.accepted:
            accepted.append(record["_id"])
            announce(inquiries, publish, replayed)
        else:
            still_rejected.append(record["_id"])
    return {"examined": len(accepted) + len(still_rejected), "accepted": accepted, "still_rejected": still_rejected}


def receive_deliveries(
    inquiries: Inquiries, plugins: Any, limits: InputLimits, publish: Publish, deliveries: list[dict[str, Any]]
) -> None:
    """Record AMQP deliveries ({body, routing_key, message_id}, ``entrypoints.delivery_of``) taken
    together: a lone one as ``receive_inquiry`` does (one store command), several with the fixed
    number of commands of ``receive_arrivals``. Bad input never raises (it is kept as rejected)."""
    if len(deliveries) == 1:
        [delivery] = deliveries
        receive_inquiry(
            inquiries,
            plugins,
            limits,
            publish,
            body=delivery["body"],
            message_id=delivery["message_id"],
            routing_key=delivery["routing_key"],
            via="amqp",
        )
        return
    arrivals = [Arrival(d["body"], d["routing_key"], d["message_id"]) for d in deliveries]
    receive_arrivals(inquiries, plugins, limits, publish, arrivals, via="amqp")
