"""Outgoing webhook: each notice POSTed as JSON to the person's URL, signed.

Headers: ``X-Baton-Delivery`` (the notice id: the same on every retry), ``X-Baton-Timestamp``
(Unix seconds) and ``X-Baton-Signature: sha256=<hex>``, the HMAC-SHA256 of
``<timestamp>.<body>`` under the person's webhook secret (or ``BATON.notification.channels.
webhook.secret``). A receiver recomputes it, compares in constant time and refuses old
timestamps. Retried with backoff on no answer, 408, 425, 429 and 5xx; any other 4xx is permanent.
"""

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

from plugins.builtin.posting import check_url, encoded, post_json
from plugins.declarations import NotificationChannel, OutgoingMessage, Recipient
from plugins.errors import DeliveryFailed
from plugins.markers import hookimpl

NAME = "webhook"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def body_of(message: OutgoingMessage) -> bytes:
    """The JSON POSTed (published as contracts/jsonschema/webhook-notification.json)."""
    return encoded({"event": "baton.notification", **message.as_dict()})


def sender_of(settings: dict[str, Any]) -> Callable[[OutgoingMessage, Recipient], str]:
    def send(message, recipient):
        secret = recipient.secret or settings.get("secret")
        if not secret:
            raise DeliveryFailed(
                "no webhook secret: set one in the preferences or BATON.notification.channels.webhook.secret",
                permanent=True,
            )
        body = body_of(message)
        timestamp = str(int(time.time()))
        status, _ = post_json(
            recipient.address,
            body,
            {
                "X-Baton-Delivery": message.id,
                "X-Baton-Timestamp": timestamp,
                "X-Baton-Signature": signature(secret, timestamp, body),
            },
            float(settings.get("timeout_seconds", 10)),
        )
        return f"HTTP {status}"

    return send


@hookimpl
def baton_notification_channels(settings: dict[str, Any]) -> list[NotificationChannel]:
    return [
        NotificationChannel(
            NAME, sender_of(settings.get(NAME) or {}), "Signed JSON POSTed to your URL.", check_address=check_url
        )
    ]
