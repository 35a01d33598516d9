"""Who is calling, and the access rules every service applies to its own data.

The gateway authenticates an HTTP call and puts the caller in the call's context data
(``contracts.access.ACTOR_CONTEXT_KEY``); nameko passes it on with every RPC and event that call
causes. ``Caller`` hands a worker that actor, or None for the system (an event handler with no
person behind it, the admin CLI over RPC, a timer). The rules below are pure: each service asks
them about its own records — the gateway's routing is only the first fence.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy, ServiceProxy

from contracts.access import ACTOR_CONTEXT_KEY, MANAGERS, ActorSchema
from contracts.errors import Forbidden, InvalidInput

ADMIN, MANAGER, INTEGRATION = "admin", "manager", "integration"


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: str
    department: str | None = None
    team: str | None = None

    @property
    def labels(self) -> set[str]:
        """What a policy list may name this actor by: role, department, or 'department:role'."""
        labels = {self.role}
        if self.department:
            labels |= {self.department, f"{self.department}:{self.role}"}
        return labels

    def is_any(self, *labels: str) -> bool:
        return bool(self.labels & set(labels))

    def describe(self) -> str:
        return f"{self.user_id} ({f'{self.department} ' if self.department else ''}{self.role})"


def allowed(actor: Actor | None, labels: Collection[str]) -> bool:
    """True for the system, or an actor named by any of ``labels``."""
    return actor is None or actor.is_any(*labels)


def require(actor: Actor | None, labels: Collection[str], doing: str) -> None:
    """Raise ``Forbidden`` unless ``allowed``; the message names who may."""
    if actor is not None and not allowed(actor, labels):
        raise Forbidden.because(
            f"{actor.describe()} may not {doing}; allowed: {', '.join(sorted(labels))}.", allowed=sorted(labels)
        )


def acting_user(actor: Actor | None, claimed: str | None, doing: str) -> str:
    """The user a write is done as: the caller, unless the system or an admin/manager names
    someone else (a manager reassigning, the CLI importing). A member may not act as another."""
    if actor is None:
        if not claimed:
            raise InvalidInput(
                "Say who does this: no user is calling.", {"fields": {"by": ["Missing: no user is calling."]}}
            )
        return claimed
    if claimed is None or claimed == actor.user_id:
        return actor.user_id
    if actor.is_any(*MANAGERS):
        return claimed
    raise Forbidden.because(f"{actor.describe()} may not {doing} as {claimed}.", by=claimed)


def own_or_managed(actor: Actor | None, user_id: str, doing: str) -> None:
    """A person's own things (reminders, inbox, preferences) are theirs; managers and admins may
    look after anyone's. Raises ``Forbidden`` for anyone else."""
    if actor is None or actor.user_id == user_id or actor.is_any(*MANAGERS):
        return
    raise Forbidden.because(f"{actor.describe()} may not {doing} of {user_id}: only their own.", user_id=user_id)


def sees_prices(actor: Actor | None, price_readers: Collection[str]) -> bool:
    """Whether quotes, target prices and order amounts are shown to this caller."""
    return allowed(actor, price_readers)


NOBODY = Actor("invalid-caller", "none")  # named by no policy: every check refuses it


def actor_of(context_data: dict[str, Any] | None) -> Actor | None:
    """The actor in a worker's context data, or None. A malformed one is never trusted: it
    becomes ``NOBODY`` (raising here would kill the worker before it could answer)."""
    raw = (context_data or {}).get(ACTOR_CONTEXT_KEY)
    if raw is None:
        return None
    try:
        return Actor(**ActorSchema().load(raw))
    except (ValidationError, TypeError):
        return NOBODY


class Caller(DependencyProvider):
    """Gives a worker the ``Actor`` that caused it, or None for the system."""

    def get_dependency(self, worker_ctx: Any) -> Actor | None:
        return actor_of(worker_ctx.data)


class AccessSettingsSchema(Schema):
    """``BATON.access``, read by every service that applies the policy."""

    # Who sees quotes, target prices and order amounts: roles, departments or department:role.
    price_readers = fields.List(fields.String(validate=validate.Length(min=1)), required=True)
    # How long the gateway trusts a token it looked up (a revoked token may serve this long).
    token_cache_seconds = fields.Float(required=True, validate=validate.Range(min=0))
    # A signed-in session ends after this many hours without a call, and at sign-out.
    session_idle_hours = fields.Float(required=True, validate=validate.Range(min=0.01))
    # Failed sign-ins allowed per user id, and per address, within the window; then a wait.
    sign_in_failures_allowed = fields.Integer(required=True, validate=validate.Range(min=1))
    sign_in_failures_per_address = fields.Integer(required=True, validate=validate.Range(min=1))
    sign_in_window_minutes = fields.Float(required=True, validate=validate.Range(min=0.1))


class SystemRpcProxy(RpcProxy):
    """Calls another service as the system, not as the person behind the current call: for what
    a service must read or write to do its own job, when its own rules have already decided
    that this person may (e.g. the receiver of a handoff reads the archive before owning it)."""

    def get_dependency(self, worker_ctx: Any) -> Any:
        return ServiceProxy(_AsSystem(worker_ctx), self.target_service, self.rpc_reply_listener, **self.options)


class _AsSystem:
    """The worker's context without its caller; everything else (call ids, the service) as is."""

    def __init__(self, worker_ctx):
        self._worker_ctx = worker_ctx

    @property
    def context_data(self):
        data = self._worker_ctx.context_data
        data.pop(ACTOR_CONTEXT_KEY, None)
        return data

    def __getattr__(self, name):
        return getattr(self._worker_ctx, name)
