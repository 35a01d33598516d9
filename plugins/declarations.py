"""What plugins return: plain, validated value objects (no I/O)."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
FIELD_KINDS = ("text", "number", "boolean", "choice")
GRADES = ("A", "B", "C")
VALUE_GRADES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class CustomField:
    """A field a plugin adds to the customer archive."""

    name: str
    kind: str
    description: str
    choices: tuple = ()
    max_length: int | None = None

    def __post_init__(self):
        if not FIELD_NAME.match(self.name or ""):
            raise ValueError(f"custom field {self.name!r}: name must match {FIELD_NAME.pattern}")
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"custom field {self.name!r}: kind must be one of {', '.join(FIELD_KINDS)}")
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"custom field {self.name!r}: choices go with kind 'choice', and only with it")

    def problems_with(self, value: Any) -> list[str]:
        """Why ``value`` does not fit this field (empty when it does; None clears a field)."""
        if value is None:
            return []
        if self.kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            return ["Not a number."]
        if self.kind == "boolean" and not isinstance(value, bool):
            return ["Not a boolean."]
        if self.kind == "text":
            if not isinstance(value, str):
                return ["Not a text."]
            if self.max_length is not None and len(value) > self.max_length:
                return [f"Longer than {self.max_length} characters."]
        if self.kind == "choice" and value not in self.choices:
            return [f"Must be one of: {', '.join(map(str, self.choices))}."]
        return []


@dataclass(frozen=True)
class _Grade:
    """A grading rule's verdict: the grade, why, and the rule (plugin) that gave it."""

    grade: str
    reasons: tuple
    rule: str
    SCALE: ClassVar[tuple[str, ...]] = ()  # the grades a verdict of this kind may give
    KIND: ClassVar[str] = ""

    def __post_init__(self):
        if self.grade not in self.SCALE:
            raise ValueError(f"{self.KIND} grade must be one of {', '.join(self.SCALE)}, got {self.grade!r}")


class IntentGrade(_Grade):
    """How ready a lead is to buy (seed 003: A, B, C)."""

    SCALE, KIND = GRADES, "intent"


class ValueGrade(_Grade):
    """What a customer is worth (seed 004: A core, B potential, C ordinary, D low value or payment risk)."""

    SCALE, KIND = VALUE_GRADES, "value"


@dataclass(frozen=True)
class Trait:
    """A trait a rule read in a customer's words, with the exact phrase that shows it."""

    name: str
    label: str
    evidence: str
    suggestion: str
    rule: str

    def __post_init__(self):
        if not isinstance(self.name, str) or not FIELD_NAME.match(self.name):
            raise ValueError(f"trait {self.name!r}: name must match {FIELD_NAME.pattern}")
        for field in ("label", "evidence", "rule"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"trait {self.name!r}: {field} must be a non-empty string")
        if not isinstance(self.suggestion, str):
            raise ValueError(f"trait {self.name!r}: suggestion must be a string (it may be empty)")


@dataclass(frozen=True)
class AllocationRule:
    """A rule on who may receive a new customer: ``check(person, customer)`` returns None, or
    the reason this person may not take it. ``person`` has id, team, department, markets,
    grades, on_leave, held and max_held; ``customer`` has country, intent_grade, department
    and team (see ``services.pool.domain.eligibility``)."""

    name: str
    check: object

    def __post_init__(self):
        if not FIELD_NAME.match(self.name or ""):
            raise ValueError(f"allocation rule {self.name!r}: name must match {FIELD_NAME.pattern}")
        if not callable(self.check):
            raise ValueError(f"allocation rule {self.name!r}: check must be callable")

    def __call__(self, person, customer):
        return self.check(person, customer)


@dataclass(frozen=True)
class ChecklistVerdict:
    """A handoff rule's answer: passed or not, and the reason a person reads (what was found, or
    what is missing and where to record it)."""

    passed: bool
    reason: str

    def __post_init__(self):
        if not isinstance(self.passed, bool):
            raise ValueError(f"checklist verdict: passed must be True or False, got {self.passed!r}")
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError("checklist verdict: reason must be a non-empty string")


@dataclass(frozen=True)
class HandoffRule:
    """An item a plugin adds to a handoff checklist: ``check(archive, package)`` returns a
    ``ChecklistVerdict`` (see ``plugins.hookspecs.baton_handoff_rules``)."""

    name: str
    check: object

    def __post_init__(self):
        if not isinstance(self.name, str) or not FIELD_NAME.match(self.name):
            raise ValueError(f"handoff rule {self.name!r}: name must match {FIELD_NAME.pattern}")
        if not callable(self.check):
            raise ValueError(f"handoff rule {self.name!r}: check must be callable")


def validate_custom_values(declarations: list[CustomField], values: dict[str, Any]) -> dict[str, list[str]]:
    """Field name -> reasons, for every value that is unknown or does not fit its declaration."""
    by_name = {field.name: field for field in declarations}
    errors = {}
    for name, value in values.items():
        field = by_name.get(name)
        if field is None:
            known = ", ".join(sorted(by_name)) or "none"
            errors[name] = [f"Unknown custom field; declared fields: {known}."]
        elif problems := field.problems_with(value):
            errors[name] = problems
    return errors


@dataclass(frozen=True)
class OutgoingMessage:
    """One notice as a channel sends it. ``id`` stays the same across retries, so a receiver can
    drop a repeat; a digest lists its notices in ``items`` (each an ``OutgoingMessage``)."""

    id: str
    user_id: str
    kind: str
    title: str
    body: str
    customer_id: str | None
    due_at: datetime | None  # aware
    fired_at: datetime  # aware
    items: tuple = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe: datetimes in ISO 8601."""
        return {
            "id": self.id,
            "user_id": self.user_id,
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "customer_id": self.customer_id,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "fired_at": self.fired_at.isoformat(),
            "items": [item.as_dict() for item in self.items],
        }


@dataclass(frozen=True)
class Recipient:
    """Whom a channel delivers to: the person, their address for this channel (an email address,
    a URL…) and a signing secret they set for it, from their notification preferences."""

    user_id: str
    time_zone: str
    address: str | None = None
    secret: str | None = None


@dataclass(frozen=True)
class NotificationChannel:
    """A way notices reach people. ``send(message, recipient)`` delivers one ``OutgoingMessage``
    and returns None or a short receipt (a message id, a status); it raises
    ``plugins.errors.DeliveryFailed`` when it could not (``permanent`` when retrying cannot help).
    ``check_address(address)`` returns None or why an address cannot work (checked when a person
    sets it). ``digestible``: False for a channel that takes every notice as it fires even from
    a person who reads a daily digest (an inbox)."""

    name: str
    send: object
    description: str
    needs_address: bool = True
    digestible: bool = True
    check_address: object = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not FIELD_NAME.match(self.name):
            raise ValueError(f"notification channel {self.name!r}: name must match {FIELD_NAME.pattern}")
        if not callable(self.send):
            raise ValueError(f"notification channel {self.name!r}: send must be callable")
        if self.check_address is not None and not callable(self.check_address):
            raise ValueError(f"notification channel {self.name!r}: check_address must be callable or None")
