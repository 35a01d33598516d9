"""Errors that cross service boundaries.

Each is registered with nameko so an RPC caller receives the same class (not a generic
``RemoteError``) and the gateway can turn it into an HTTP status. Arguments stay JSON-safe:
a message and a details dict.
"""

import json
from datetime import date
from typing import Any, Self

from marshmallow import fields
from nameko.exceptions import deserialize_to_instance

from contracts.base import OutputSchema


class BatonError(Exception):
    """Base of every error a Baton service raises on purpose."""

    code = "error"

    def __init__(self, message: str, details: dict[str, Any] | str | None = None) -> None:
        # nameko sends an error's args through safe_for_serialization, which turns every value but
        # a string, list or dict into its str() ("False", "30", "None"): the details travel as one
        # JSON text instead, so they arrive with their types. Given that text, it is read back.
        self._details: dict[str, Any] = (json.loads(details) if isinstance(details, str) else details) or {}
        super().__init__(message, json.dumps(self._details, ensure_ascii=False, default=_json_value))

    @property
    def message(self) -> str:
        return self.args[0]

    @property
    def details(self) -> dict[str, Any]:
        return self._details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


@deserialize_to_instance
class InvalidInput(BatonError):
    """The input broke the contract. ``details`` maps each field to its reasons."""

    code = "invalid_input"

    @classmethod
    def from_messages(cls, messages: dict[str, Any] | list[Any], what: str = "input") -> Self:
        return cls(f"The {what} is not valid: see the field errors.", {"fields": messages})


@deserialize_to_instance
class NotFound(BatonError):
    """A named resource does not exist."""

    code = "not_found"

    @classmethod
    def of(cls, resource: str, identifier: Any) -> Self:
        return cls(f"No {resource} with id {identifier!r}.", {"resource": resource, "id": identifier})


@deserialize_to_instance
class Conflict(BatonError):
    """The request collides with existing state (e.g. a customer owned by someone else)."""

    code = "conflict"


@deserialize_to_instance
class Unauthenticated(BatonError):
    """No valid credentials: a missing, unknown or revoked API token."""

    code = "unauthenticated"


@deserialize_to_instance
class Forbidden(BatonError):
    """The caller is known but may not do this; the message says why."""

    code = "forbidden"

    @classmethod
    def because(cls, reason: str, **details: Any) -> Self:
        return cls(reason, details)


@deserialize_to_instance
class Refused(BatonError):
    """A business rule refuses the request; ``details`` say what is missing (a handoff's checklist
    items, a step's required fields) so the person knows exactly what to record."""

    code = "refused"


@deserialize_to_instance
class TooManyAttempts(BatonError):
    """Too many failed attempts in a while (sign-in); ``details.retry_after_seconds`` says when
    trying again can succeed."""

    code = "too_many_attempts"


def _json_value(value: Any) -> str:
    """Details JSON has no type for: a moment or a day as ISO text, anything else as its text."""
    return value.isoformat() if isinstance(value, date) else str(value)


EXPECTED_ERRORS = (InvalidInput, NotFound, Conflict, Refused, Unauthenticated, Forbidden, TooManyAttempts)


class ErrorDetailSchema(OutputSchema):
    code = fields.String(
        required=True,
        metadata={
            "description": "invalid_input, unauthenticated, forbidden, not_found, conflict, refused, unavailable…"
        },
    )
    message = fields.String(required=True)
    details = fields.Dict(required=True, metadata={"description": "e.g. {'fields': {field: [reasons]}}"})


class ErrorBodySchema(OutputSchema):
    """The body of every HTTP error answer."""

    error = fields.Nested(ErrorDetailSchema, required=True)
