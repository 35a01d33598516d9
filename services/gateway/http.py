"""HTTP entrypoints that speak JSON both ways, errors included.

Every error body has one shape, ``{"error": {"code", "message", "details"}}``, and no stack
trace ever reaches a client: unexpected failures are logged here with a reference the client
can quote.
"""
import json
import logging
import uuid

from nameko.web.handlers import HttpRequestHandler
from werkzeug.wrappers import Response

from contracts.errors import BatonError

log = logging.getLogger(__name__)

STATUS_OF_CODE = {"invalid_input": 400, "not_found": 404, "conflict": 409, "refused": 422, "unavailable": 503}


class ServiceUnavailable(BatonError):
    """A service did not answer in time (raised in the gateway only)."""

    code = "unavailable"


def json_response(payload, status=200, headers=None):
    return Response(json.dumps(payload, ensure_ascii=False), status=status, headers=headers,
                    mimetype="application/json")


def error_response(code, message, details=None, status=None):
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return json_response(body, status or STATUS_OF_CODE.get(code, 400))


class JsonRoute(HttpRequestHandler):
    """Handlers return a JSON-able value, or ``(status, value)``, or a ready ``Response``."""

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status, payload = result if isinstance(result, tuple) else (200, result)
        return json_response(payload, status)

    def response_from_exception(self, exc):
        if isinstance(exc, BatonError):
            return error_response(exc.code, exc.message, exc.details)
        reference = uuid.uuid4().hex[:12]
        log.error("unexpected error (reference %s)", reference, exc_info=(type(exc), exc, exc.__traceback__))
        return error_response("internal", f"Internal error; the gateway log has the details (reference {reference}).",
                              status=500)


json_route = JsonRoute.decorator
