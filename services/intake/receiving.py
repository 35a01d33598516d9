"""Receiving one inquiry: examine the body, record the outcome once, announce accepted ones.

The same code serves AMQP deliveries and HTTP submissions, so both paths keep every body,
reject with the same field-level errors, and treat a repeated message id as already done.
"""
import base64
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

from marshmallow import ValidationError

from contracts.inquiry import EXTERNAL_ID_MAX, InquirySchema
from contracts.topology import channel_of_routing_key
from plugins.errors import NotAnInquiry, PluginFailed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Examined:
    inquiry: dict | None
    errors: dict = field(default_factory=dict)

    @property
    def accepted(self):
        return not self.errors


def inquiry_id_for(message_id):
    """A stable id for a message id: the same message always maps to the same inquiry."""
    return "inq_" + hashlib.sha256(message_id.encode()).hexdigest()[:24]


def message_id_for(message_id, routing_key, body):
    """The publisher's message id, or one derived from the content when it sent none."""
    if message_id:
        return str(message_id)
    return "sha256:" + hashlib.sha256((routing_key or "").encode() + b"\0" + body).hexdigest()


def examine(body, channel, plugins, max_body_bytes):
    """Turn a raw body into a canonical inquiry, or the errors that say why not."""
    if len(body) > max_body_bytes:
        return Examined(None, {"_body": [f"The body is {len(body)} bytes; the limit is {max_body_bytes}."]})
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Examined(None, {"_body": [f"The body is not UTF-8 text: {exc.reason} at byte {exc.start}."]})
    except json.JSONDecodeError as exc:
        return Examined(None, {"_body": [f"The body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."]})
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
        return Examined(None, exc.messages)
    custom_errors = plugins.validate_custom_values(inquiry.get("custom_fields") or {})
    if custom_errors:
        return Examined(None, {"custom_fields": custom_errors})
    return Examined(inquiry)


def receive_inquiry(inquiries, plugins, max_body_bytes, publish, *, body, message_id, routing_key, via,
                    submitted_by=None):
    """Record one delivery and publish it if accepted. Returns the submission outcome.
    ``submitted_by``: the user whose token sent it over HTTP (AMQP names none).

    Idempotent: a message id seen before changes nothing, except that an accepted inquiry whose
    announcement was interrupted is announced again (downstream handlers are idempotent).
    """
    message_id = message_id_for(message_id, routing_key, body)
    inquiry_id = inquiry_id_for(message_id)
    record = inquiries.get(inquiry_id)
    duplicate = record is not None
    if not duplicate:
        examined = examine(body, channel_of_routing_key(routing_key), plugins, max_body_bytes)
        record = {
            "_id": inquiry_id,
            "message_id": message_id,
            "status": "accepted" if examined.accepted else "rejected",
            "via": via,
            "routing_key": routing_key,
            "received_at": datetime.now(timezone.utc),
            "inquiry": examined.inquiry,
            "errors": examined.errors,
            **kept_body(body, max_body_bytes),
            "customer_id": None,
            "announced": False,
            "submitted_by": submitted_by,
            "external_id": external_id_of(examined, body),
        }
        if not inquiries.add(record):
            # Another worker recorded the same message a moment ago.
            duplicate, record = True, inquiries.get(inquiry_id)
    if record["status"] == "accepted" and not record["announced"]:
        announce(inquiries, publish, record)
    return {"id": inquiry_id, "status": record["status"], "duplicate": duplicate, "errors": record["errors"]}


def external_id_of(examined: Examined, body: bytes) -> str | None:
    """The sender's own reference: the inquiry's; for a rejected one, the body's when it is a JSON
    object naming one that fits the contract, so a sender finds its rejections by it too."""
    if examined.inquiry is not None:
        return examined.inquiry.get("external_id")
    if "_body" in examined.errors:
        return None        # too large, not text, not a JSON object: nothing to read it from
    try:
        reference = json.loads(body.decode("utf-8")).get("external_id")
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return None
    return reference if isinstance(reference, str) and 0 < len(reference) <= EXTERNAL_ID_MAX else None


def kept_body(body, max_body_bytes):
    """How a body is kept with its record: as text to read (``raw_body``) and, when that text is
    not the exact bytes (not UTF-8), the bytes too, so a replay examines what was sent. Only the
    first ``max_body_bytes`` are kept (then ``raw_body_complete`` is False)."""
    kept = body[:max_body_bytes]
    text = kept.decode("utf-8", errors="replace")
    exact = None if text.encode("utf-8") == kept else base64.b64encode(kept).decode("ascii")
    return {"raw_body": text, "raw_body_base64": exact, "raw_body_complete": len(body) <= max_body_bytes}


def body_of(record):
    """The bytes a record kept (see ``kept_body``)."""
    if record.get("raw_body_base64"):
        return base64.b64decode(record["raw_body_base64"])
    return record["raw_body"].encode("utf-8")


def announce(inquiries, publish, record):
    """Publish an accepted inquiry; on failure it stays pending for ``announce_pending``.

    The inquiry is already stored, so the submitter's answer does not depend on the broker.
    """
    try:
        publish(record["_id"], record["received_at"], record["inquiry"])
    except Exception as exc:  # any publish failure: the outbox timer retries
        log.warning("inquiry %s stored but not yet announced (%s: %s); will retry",
                    record["_id"], type(exc).__name__, exc)
        return False
    inquiries.mark_announced(record["_id"])
    return True


def announce_pending(inquiries, publish, older_than, batch_size):
    """Announce accepted inquiries whose announcement failed (the outbox). Returns how many."""
    return sum(announce(inquiries, publish, record) for record in inquiries.unannounced(older_than, batch_size))


def replay_rejected(inquiries, plugins, max_body_bytes, publish, ids, limit, now):
    """Examine rejected inquiries again, after a fix to a connector, a plugin or the contract:
    those that pass now are accepted and announced as if just received; the others keep their
    new errors. Returns {"examined", "accepted": [ids], "still_rejected": [ids]}.

    A replay guards on the record still being rejected, so two replays accept it once.
    """
    accepted, still_rejected = [], []
    for record in inquiries.rejected(ids, limit):
        if not record.get("raw_body_complete", True):
            still_rejected.append(record["_id"])     # only its start was kept: nothing to examine again
            continue
        examined = examine(body_of(record), channel_of_routing_key(record["routing_key"]), plugins, max_body_bytes)
        replayed = {**record, "errors": examined.errors, "replayed_at": now,
                    "external_id": external_id_of(examined, body_of(record))}
        if examined.accepted:
            replayed = {**replayed, "status": "accepted", "inquiry": examined.inquiry, "announced": False}
        if not inquiries.replace_rejected(replayed, record):
            continue   # replayed by someone else meanwhile
        if examined.accepted:
            accepted.append(record["_id"])
            announce(inquiries, publish, replayed)
        else:
            still_rejected.append(record["_id"])
    return {"examined": len(accepted) + len(still_rejected), "accepted": accepted, "still_rejected": still_rejected}
