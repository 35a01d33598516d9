"""The OpenAPI document is generated from the routes' declarations and is a valid OpenAPI 3.1."""
from openapi_spec_validator import validate

from services.gateway import openapi
from services.gateway.service import GatewayService

DOCUMENT = openapi.document(GatewayService)
# Answers that are not JSON objects of a contract: documents describing other documents, a page.
UNTYPED_ANSWERS = {"get_contract", "openapi_document", "docs_page"}
# Bodies with no contract of their own: a channel's own payload, calls that need none.
NO_BODY = {"submit_channel_inquiry", "recompute_weights"}


def test_the_document_is_valid_openapi_3_1():
    validate(DOCUMENT)
    assert DOCUMENT["openapi"] == "3.1.0"


def test_every_route_is_documented_with_its_contracts():
    for name, _handler, route in openapi.routes(GatewayService):
        assert route.summary and route.tag, f"{name}: give the route a summary and a tag"
        if name not in UNTYPED_ANSWERS:
            assert route.returns is not None, f"{name}: declare the contract it returns"
        if route.method in ("POST", "PUT", "PATCH") and name not in NO_BODY:
            assert route.body is not None, f"{name}: declare the contract of its body"


def test_paths_name_their_parameters_and_contracts_are_components():
    claim = DOCUMENT["paths"]["/customers/{customer_id}/claim"]["post"]
    assert claim["parameters"] == [{"name": "customer_id", "in": "path", "required": True,
                                    "schema": {"type": "string"}}]
    assert claim["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Claim"}
    assert claim["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Ownership"}
    assert claim["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"}
    ownership = DOCUMENT["components"]["schemas"]["Ownership"]
    assert ownership["properties"]["state"]["enum"] == ["owned", "public_pool", "dormant", "rejected"]


def test_list_queries_become_query_parameters():
    listing = DOCUMENT["paths"]["/pool"]["get"]
    names = {p["name"]: p for p in listing["parameters"]}
    assert {"limit", "offset", "state", "country", "tag", "reason"} <= set(names)
    assert names["limit"]["schema"]["maximum"] == 200 and names["state"]["schema"]["default"] == "public_pool"
    assert all(p["in"] == "query" for p in listing["parameters"])
