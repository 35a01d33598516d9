"""HTTP entrypoints that speak JSON both ways, errors included.

Every error body has one shape, ``{"error": {"code", "message", "details"}}``, and no stack
trace ever reaches a client: unexpected failures are logged here with a reference the client
can quote.
"""

import json
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from functools import partial
from typing import Any

from eventlet.event import Event
from marshmallow import Schema
from nameko.web.handlers import HttpRequestHandler
from werkzeug.wrappers import Request, Response

from contracts.access import ACTOR_CONTEXT_KEY
from contracts.errors import EXPECTED_ERRORS, BatonError
from services.gateway import metrics
from services.gateway.authenticating import Authenticator
from services.gateway.console import ConsoleFolder
from services.gateway.idempotency import HEADER as IDEMPOTENCY_HEADER
from services.gateway.idempotency import IdempotencyLog
from services.gateway.web_server import NoDelayWebServer
from services.runtime.access import require
from services.runtime.input_limits import BODY_FIELD, InputLimitsSchema, InputRefused, check_json_bytes, check_value
from services.runtime.settings import load_section

log = logging.getLogger(__name__)

WRITES = ("POST", "PUT", "PATCH", "DELETE")
# Bodies a channel's connector reads as a form, not as JSON (the JSON limits do not apply to them).
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
STATUS_OF_CODE = {
    "invalid_input": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "refused": 422,
    "too_many_attempts": 429,
    "unavailable": 503,
}


# What a route's handler returns: a JSON-able value, (status, value), or a ready Response.
RouteAnswer = Response | tuple[int, Any] | dict[str, Any] | list[Any]


class ServiceUnavailable(BatonError):
    """A service did not answer in time (raised in the gateway only)."""

    code = "unavailable"


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(payload, ensure_ascii=False), status=status, headers=headers, mimetype="application/json"
    )


def error_response(
    code: str, message: str, details: dict[str, Any] | None = None, status: int | None = None
) -> Response:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return json_response(body, status or STATUS_OF_CODE.get(code, 400))


class JsonRoute(HttpRequestHandler):
    """Handlers return a JSON-able value, or ``(status, value)``, or a ready ``Response``.

    Each route also states what it takes and gives, by contract, so the OpenAPI document is
    generated from the same declarations (``services.gateway.openapi``):

    - ``summary``: one line for the docs; the handler's docstring adds a description;
    - ``query`` / ``body``: the contract schema of the query string / JSON body;
    - ``returns``: the contract schema of the answer, with ``status`` its HTTP status;
    - ``tag``: the group it is listed under;
    - ``errors``: answers it may give besides the common ones, {status: what it means};
    - ``also_succeeds``: other success statuses with the same answer, {status: what it means};
    - ``replayable``: False for a route whose answer holds a secret (a token): an Idempotency-Key
      is not honoured there, so no secret is ever kept for a replay.
    """

    server = NoDelayWebServer()

    authenticator = Authenticator()
    idempotency = IdempotencyLog()
    console = ConsoleFolder()

    def __init__(
        self,
        method: str,
        url: str,
        summary: str | None = None,
        query: type[Schema] | None = None,
        body: type[Schema] | None = None,
        returns: type[Schema] | None = None,
        status: int = 200,
        tag: str | None = None,
        allow: Iterable[str] | None = None,
        public: bool = False,
        errors: dict[str, str] | None = None,
        replayable: bool = True,
        also_succeeds: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``allow``: who may call it — roles, departments or department:role (the services
        then decide per record); ``public``: no token needed (health, the API's own docs)."""
        if not public and not allow:
            raise ValueError(f"{method} {url}: say who may call it (allow=...) or that it is public")
        self.summary, self.query, self.body, self.returns = summary, query, body, returns
        self.status, self.tag, self.allow, self.public = status, tag, tuple(allow or ()), public
        self.errors, self.replayable = dict(errors or {}), replayable
        self.also_succeeds = dict(also_succeeds or {})
        super().__init__(method, url, **kwargs)

    def setup(self) -> None:
        super().setup()
        self.limits = load_section(self.container.config, "limits", InputLimitsSchema)

    def handle_request(self, request: Request) -> Response:
        """Timed and counted per route template for /metrics (``services.gateway.metrics``)."""
        started = time.perf_counter()
        response = self._handle(request)
        metrics.observe(request.method, self.url, response.status_code, time.perf_counter() - started)
        return response

    def _handle(self, request):
        """As nameko's, but the worker's context carries the authenticated caller, and a caller
        the route does not allow is refused before any service is asked."""
        request.shallow = False
        if not self.public and self.console.wants_page(request):
            return self.console.page(request)  # a reload of a console page sharing an API address
        try:
            context_data = {} if self.public else {ACTOR_CONTEXT_KEY: self._caller(request)}
            self._check_input(request)
            key = request.headers.get(IDEMPOTENCY_HEADER)
            if key and request.method in WRITES and not self.public and self.replayable:
                return self._once(request, key, context_data)
            return self._run(request, context_data)
        except Exception as exc:
            if isinstance(exc, EXPECTED_ERRORS):  # refused before any worker ran, so nameko logged nothing
                log.info("refused %s %s: %s: %s", request.method, request.path, exc.code, exc.message)
            return self.response_from_exception(exc)

    def _run(self, request, context_data):
        try:
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            event = Event()
            self.container.spawn_worker(
                self, args, kwargs, context_data=context_data, handle_result=partial(self.handle_result, event)
            )
            return self.response_from_result(event.wait())
        except Exception as exc:
            return self.response_from_exception(exc)

    def _once(self, request, key, context_data):
        """A write with an Idempotency-Key: run once, and answer a retry with the first answer."""
        replay = self.idempotency.begin(
            context_data[ACTOR_CONTEXT_KEY]["user_id"], request.method, request.path, key, request.get_data()
        )
        if replay.conflict:
            return error_response("conflict", replay.conflict, {"idempotency_key": key})
        if replay.status is not None:
            return Response(
                replay.body, status=replay.status, mimetype="application/json", headers={"Idempotent-Replay": "true"}
            )
        response = self._run(request, context_data)
        self.idempotency.finish(replay.record_id, response.status_code, response.get_data(as_text=True))
        return response

    def _check_input(self, request):
        """Refuse what no service should parse (BATON.limits): a body too large, not UTF-8, too deep,
        with numbers beyond 64 bits or NUL in keys; query values too long or not text."""
        try:
            check_value(request.args.to_dict(), self.limits)
            if request.method not in WRITES or request.mimetype in FORM_TYPES:
                return
            if (request.content_length or 0) > self.limits.max_body_bytes:
                raise InputRefused(
                    BODY_FIELD,
                    f"The body is {request.content_length} bytes; the limit is {self.limits.max_body_bytes}.",
                )
            raw = request.get_data()
            if raw:
                check_json_bytes(raw, self.limits)
        except InputRefused as refused:
            raise refused.as_invalid_input("request") from None

    def _caller(self, request):
        actor = self.authenticator.actor_for(request.headers.get("Authorization"))
        require(actor, self.allow, f"call {self.method} {self.url}")
        return asdict(actor)

    def response_from_result(self, result: RouteAnswer) -> Response:
        if isinstance(result, Response):
            return result
        status, payload = result if isinstance(result, tuple) else (200, result)
        return json_response(payload, status)

    def response_from_exception(self, exc: BaseException) -> Response:
        if isinstance(exc, BatonError):
            return error_response(exc.code, exc.message, exc.details)
        reference = uuid.uuid4().hex[:12]
        log.error("unexpected error (reference %s)", reference, exc_info=(type(exc), exc, exc.__traceback__))
        return error_response(
            "internal", f"Internal error; the gateway log has the details (reference {reference}).", status=500
        )


json_route = JsonRoute.decorator
