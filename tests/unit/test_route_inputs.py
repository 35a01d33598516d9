"""Every route's documented body and query parameters are what the gateway reads.

Each route's handler runs against a stand-in gateway whose calls to the services are recorded:
given a body and a query that carry a distinct value in every documented field, each value must
reach a service (or the gateway's own reading of that contract) as sent. A field the gateway
overwrites from the path, drops, or never reads fails here, as does a path parameter the body or
the query also documents.
"""

import contextlib
import json
from types import MethodType
from unittest import mock

import pytest
from marshmallow import fields, validate
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from contracts.pool import CollaboratorSchema
from services.gateway import openapi
from services.gateway import service as gateway
from services.gateway.service import GatewayService

ROUTES = openapi.routes(GatewayService)
# Routes that answer from the gateway's own stores or rules, not by forwarding to a service: what
# they read is not seen by this check (each is tested where its store is).
NOT_FORWARDED = {
    "list_people",
    "list_users",
    "create_user_route",
    "update_user_route",
    "set_password_route",
    "issue_token_route",
    "sign_in",
    "update_me",
    "submit_channel_inquiry",
    "metrics_text",
    "check_configuration",  # asks every service at once (check_settings), tested in tests/e2e
}
SOME_TIME = "2026-01-02T03:04:05+00:00"


class _Answer(dict):
    """What a stand-in service answers: an empty page, and anything else asked of it."""

    def __init__(self):
        super().__init__(items=[], total=0)

    def __missing__(self, key):
        return mock.MagicMock()


def _sample(key, field):
    """A value the field accepts, told apart from every other field's where it can be."""
    choices = next((v.choices for v in field.validators if isinstance(v, validate.OneOf)), None)
    if choices:
        return str(list(choices)[0])
    if isinstance(field, fields.Boolean):
        return "true"
    if isinstance(field, fields.Number):
        return "7"
    if isinstance(field, fields.DateTime):
        return SOME_TIME
    if isinstance(field, fields.Date):
        return "2026-01-02"
    if isinstance(field, fields.Email):
        return f"{key}@example.com"
    return f"<{key}>"


def _documented(schema_cls):
    if schema_cls is None:
        return {}
    return {(f.data_key or name): _sample(f.data_key or name, f) for name, f in schema_cls().load_fields.items()}


def _path_parameters(route):
    return [p["name"] for p in openapi._path_and_parameters(route.url)[1]]


def _pairs(value, found):
    """Every (key, value) of the dicts in ``value`` and every plain value, recursively."""
    if isinstance(value, dict):
        for k, v in value.items():
            found.add((k, json.dumps(v, default=str)))
            _pairs(v, found)
    elif isinstance(value, list | tuple):
        for v in value:
            _pairs(v, found)
    elif isinstance(value, str) and value.startswith("{"):  # a body passed on as it came
        _pairs(json.loads(value), found)
    else:
        found.add((None, json.dumps(value, default=str)))
    return found


def _recording(load, received):
    def recorded(self, data, *args, **kwargs):
        _pairs(data, received)
        return load(self, data, *args, **kwargs)

    return recorded


def _run(name, handler, route):
    """What reaches the services (and the gateway's own loading of its contracts) from a call
    with every documented field set."""
    body, query = _documented(route.body), _documented(route.query)
    method = route.method.split(",")[0]
    request = Request(
        EnvironBuilder(
            method=method,
            path="/",
            query_string=query,
            data=json.dumps(body) if route.body is not None else None,
            content_type="application/json",
        ).get_environ()
    )
    stand_in = mock.MagicMock()
    for helper, function in vars(GatewayService).items():
        if helper.startswith("_") and not helper.startswith("__") and callable(function) and helper != "_call":
            setattr(stand_in, helper, MethodType(function, stand_in))
    received: set = set()

    def call(service, method, *args, **kwargs):
        _pairs((args, kwargs), received)
        return _Answer()

    stand_in._call.side_effect = call
    real_export_format = gateway.export_format

    def export_format(query):  # the gateway's own reading of ``format``: JSON or a file
        received.add(("format", json.dumps(query.pop("format", None))))
        return real_export_format(query)

    with contextlib.ExitStack() as patches:
        patches.enter_context(mock.patch.object(gateway, "export_format", export_format))
        for schema in {route.body, route.query} - {None}:  # the gateway loading a contract reads it
            patches.enter_context(mock.patch.object(schema, "load", _recording(schema.load, received)))
        try:
            handler(stand_in, request, **{p: f"<path {p}>" for p in _path_parameters(route)})
            failure = None
        except Exception as exc:  # what it did with the answer is not this check's business
            failure = exc
    return body, query, received, stand_in._call.called, failure


def test_no_path_parameter_is_also_in_the_body_or_the_query():
    for name, _handler, route in ROUTES:
        for schema in (route.body, route.query):
            documented = set(_documented(schema))
            for parameter in _path_parameters(route):
                assert parameter not in documented, (
                    f"{name}: {parameter} comes from the path ({route.url}); {schema.__name__} documents it too"
                )


@pytest.mark.parametrize(
    "name, handler, route",
    [r for r in ROUTES if (r[2].body is not None or r[2].query is not None) and r[0] not in NOT_FORWARDED],
    ids=lambda r: r if isinstance(r, str) else "",
)
def test_every_documented_field_reaches_what_reads_it(name, handler, route):
    body, query, received, called, failure = _run(name, handler, route)
    assert called, f"{name}: forwards nothing to a service ({failure!r}); list it in NOT_FORWARDED if it answers itself"
    for where, documented in (("body", body), ("query", query)):
        for key, value in documented.items():
            assert (key, json.dumps(value)) in received or (None, json.dumps(value)) in received, (
                f"{name}: the documented {where} field {key!r} is not what the gateway passes on "
                f"(dropped, renamed or overwritten, e.g. from the path; it raised {failure!r})"
            )


def test_the_routes_not_forwarded_are_routes():
    assert NOT_FORWARDED <= {name for name, _handler, _route in ROUTES}


def test_a_body_field_taken_from_the_path_is_caught():
    """The check itself: the collaborator route as it once was (``user`` in body and path)."""
    (name, handler, route) = next(r for r in ROUTES if r[0] == "add_collaborator")
    was = mock.Mock(wraps=route)
    was.body, was.query, was.url, was.method = CollaboratorSchema, None, route.url, route.method
    body, _query, received, _called, _failure = _run(name, handler, was)
    assert ("user", json.dumps(body["user"])) not in received
