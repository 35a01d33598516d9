"""The HTTP API described as an OpenAPI 3.1 document, generated from the routes' own declarations.

Every ``json_route`` names the contract schemas of its query, body and answer; this module
walks the gateway's entrypoints and turns those schemas into components with the same
generator that exports ``contracts/jsonschema/`` — so there is no second, hand-written copy
to drift. OpenAPI 3.1 uses JSON Schema 2020-12 as it is.
"""

import inspect
import re
from pathlib import Path
from typing import Any

from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from werkzeug.wrappers import Response

from contracts import jsonschema
from contracts.errors import ErrorBodySchema
from services.gateway.exports import XLSX_TYPE
from services.gateway.http import JsonRoute

TITLE = "Baton API"
VERSION = "1"
DOCS_PAGE = Path(__file__).with_name("docs_page.html")
# What every route may answer besides its success (the gateway's error body for each).
ERRORS = {
    "400": "Invalid input: details.fields names each field and the reason.",
    "401": "No valid API token (Authorization: Bearer <token>).",
    "403": "Not allowed for this user: the message says why.",
    "404": "Not found.",
    "409": "Conflicts with the current state (e.g. owned by someone else).",
    "422": "Refused by a rule (e.g. a checklist item missing, an inquiry rejected): details say which.",
    "503": "A service did not answer; details.service names it.",
}
# What a route needing no token cannot answer.
AUTHENTICATION_ERRORS = ("401", "403")
# Answered by the HTTP server itself, before any route runs, for a request line beyond its limit.
URI_TOO_LONG = {"414": "The request line (path and query) is too long."}
# What a route with a ``format`` query answers besides JSON (services.gateway.exports).
EXPORT_CONTENT = {
    "text/csv": {"schema": {"type": "string"}},
    XLSX_TYPE: {"schema": {"type": "string", "contentEncoding": "binary"}},
}
PARAMETER = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def routes(service_cls: type) -> list[tuple[str, Any, JsonRoute]]:
    """(handler name, handler, JsonRoute) for every route of the service, in source order."""
    found = []
    for name, handler in inspect.getmembers(service_cls, inspect.isfunction):
        for entrypoint in getattr(handler, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, JsonRoute):
                found.append((inspect.getsourcelines(handler)[1], name, handler, entrypoint))
    return [(name, handler, route) for _line, name, handler, route in sorted(found, key=lambda f: f[0])]


def document(service_cls: type) -> dict[str, Any]:
    components = {"ErrorBody": _component(ErrorBodySchema)}
    paths: dict[str, dict[str, Any]] = {}
    for name, handler, route in routes(service_cls):
        path, parameters = _path_and_parameters(route.url)
        operation: dict[str, Any] = {"operationId": name, "summary": route.summary or name.replace("_", " ")}
        if description := inspect.getdoc(handler):
            operation["description"] = description
        if route.tag:
            operation["tags"] = [route.tag]
        if route.query is not None:
            parameters += _query_parameters(route.query)
        if parameters:
            operation["parameters"] = parameters
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _reference(route.body, components)}},
            }
        success: dict[str, Any] = {"description": route.summary or "OK"}
        if route.returns is not None:
            success["content"] = {"application/json": {"schema": _reference(route.returns, components)}}
        if route.query is not None and "format" in route.query().fields:  # an export: files besides JSON
            success.setdefault("content", {}).update(EXPORT_CONTENT)
        errors = {
            **{
                status: text
                for status, text in ERRORS.items()
                if not (route.public and status in AUTHENTICATION_ERRORS)
            },
            **{str(status): text for status, text in route.errors.items()},
        }
        operation["responses"] = {
            str(route.status): success,
            **{str(status): {**success, "description": text} for status, text in route.also_succeeds.items()},
            **{
                status: {
                    "description": text,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
                }
                for status, text in errors.items()
            },
            **{status: {"description": text} for status, text in URI_TOO_LONG.items()},
        }
        for method in route.method.split(","):
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": (
                "Baton's HTTP API. Every error has the body ErrorBody. Lists take limit and offset and answer "
                "{items, total, limit, offset}. Creates honour an Idempotency-Key header."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": "A per-user API token."}},
        },
    }


def docs_page() -> Response:
    return Response(DOCS_PAGE.read_bytes(), mimetype="text/html")


def _path_and_parameters(url):
    parameters = []

    def replace(match):
        schema = {"type": "string"}
        if match["converter"] == "any":
            schema["enum"] = [a.strip() for a in match["args"].split(",")]
        parameters.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
        return "{" + match["name"] + "}"

    return PARAMETER.sub(replace, url), parameters


def _query_parameters(schema_cls):
    body = jsonschema.to_json_schema(schema_cls)
    required = set(body.get("required", ()))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in body["properties"].items()
    ]


def _reference(schema_cls, components):
    name = _name(schema_cls)
    if name not in components:
        components[name] = _component(schema_cls)
    return {"$ref": f"#/components/schemas/{name}"}


def _component(schema_cls):
    body = jsonschema.to_json_schema(schema_cls)
    body.pop("$schema", None)
    body.pop("$id", None)
    return body


def _name(schema_cls):
    cls = schema_cls if isinstance(schema_cls, type) else type(schema_cls)
    return cls.__name__.removesuffix("Schema")
