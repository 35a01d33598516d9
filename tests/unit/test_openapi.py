"""The OpenAPI document is generated from the routes' declarations and is a valid OpenAPI 3.1."""

from openapi_spec_validator import validate

from services.gateway import openapi
from services.gateway.service import GatewayService

DOCUMENT = openapi.document(GatewayService)
# Answers that are not JSON objects of a contract: documents describing other documents, a page.
UNTYPED_ANSWERS = {
    "get_contract",
    "openapi_document",
    "docs_page",
    "export_do_not_contact",  # + a CSV file
    "metrics_text",
}  # + Prometheus text
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
    assert claim["parameters"] == [
        {"name": "customer_id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert claim["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Claim"}
    assert claim["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Ownership"
    }
    assert claim["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    ownership = DOCUMENT["components"]["schemas"]["Ownership"]
    assert ownership["properties"]["state"]["enum"] == [
        "owned",
        "public_pool",
        "dormant",
        "rejected",
        "screening",
        "invalid",
    ]


def test_list_queries_become_query_parameters():
    listing = DOCUMENT["paths"]["/pool"]["get"]
    names = {p["name"]: p for p in listing["parameters"]}
    assert {"limit", "offset", "state", "country", "tag", "reason"} <= set(names)
    assert names["limit"]["schema"]["maximum"] == 200 and names["state"]["schema"]["default"] == "public_pool"
    assert all(p["in"] == "query" for p in listing["parameters"])


def test_every_answer_a_route_can_give_is_listed():
    submit = DOCUMENT["paths"]["/inquiries"]["post"]["responses"]
    assert {"200", "202", "400", "401", "403", "409", "422", "503"} <= set(submit)
    assert submit["200"]["content"] == submit["202"]["content"]  # a duplicate: the same answer
    for path, methods in DOCUMENT["paths"].items():
        for method, operation in methods.items():
            answers = set(operation["responses"])
            assert {"400", "404", "409", "422", "414"} <= answers, f"{method} {path}"
            if operation["operationId"] not in (
                "health",
                "health_of_services",
                "ready",
                "list_contracts",
                "get_contract",
                "openapi_document",
                "docs_page",
                "sign_in",
                "metrics_text",
            ):
                assert {"401", "403"} <= answers, f"{method} {path}"
    health = DOCUMENT["paths"]["/openapi.json"]["get"]["responses"]
    assert "401" not in health and "403" not in health  # public: no token to refuse
    assert "401" in DOCUMENT["paths"]["/sessions"]["post"]["responses"]  # wrong credentials


def test_list_offsets_are_bounded_to_what_the_store_keeps():
    parameters = {p["name"]: p["schema"] for p in DOCUMENT["paths"]["/customers"]["get"]["parameters"]}
    assert parameters["offset"]["maximum"] == 2**63 - 1 and parameters["offset"]["minimum"] == 0
