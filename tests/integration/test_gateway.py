"""The HTTP API over real services: JSON in and out, errors with one shape, never a trace."""
import json

import pytest
import requests

from deploy.docstore import free_port
from services.gateway.service import GatewayService
from services.intake.service import IntakeService
from services.profile.service import ProfileService
from tests.integration.helpers import canonical_inquiry


@pytest.fixture
def api(container_factory, config):
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{free_port()}"
    config["BATON"]["gateway"]["rpc_timeout_seconds"] = 1
    for service in (GatewayService, IntakeService, ProfileService):   # no pool: its calls must time out
        container_factory(service, config).start()
    return f"http://{config['WEB_SERVER_ADDRESS']}"


def test_health(api):
    assert requests.get(f"{api}/health").json() == {"status": "ok"}


def test_a_posted_inquiry_is_accepted_once(api):
    body = json.dumps(canonical_inquiry())
    first = requests.post(f"{api}/inquiries", data=body, headers={"Idempotency-Key": "k-1"})
    again = requests.post(f"{api}/inquiries", data=body, headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, first.json()["status"], first.json()["duplicate"]) == (202, "accepted", False)
    assert (again.status_code, again.json()["id"], again.json()["duplicate"]) == (200, first.json()["id"], True)


def test_a_bad_inquiry_gets_422_with_field_errors_and_is_kept(api):
    response = requests.post(f"{api}/inquiries", data='{"schema_version": 1, "contact": {"email": "nope"}}')
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["details"]["fields"]["channel"] == ["Missing data for required field."]
    assert error["details"]["fields"]["contact"]["email"] == ["Not a valid email address."]
    stored = requests.get(f"{api}/inquiries/{error['details']['inquiry_id']}").json()
    assert (stored["status"], stored["raw_body"]) == ("rejected", '{"schema_version": 1, "contact": {"email": "nope"}}')


def test_a_website_form_posts_form_encoded_through_its_connector(api):
    response = requests.post(f"{api}/channels/website_form/inquiries",
                             data={"name": "Li Wei", "email": "li@wei.cn", "message": "500 sets, target price USD 9"})
    assert response.status_code == 202
    stored = requests.get(f"{api}/inquiries/{response.json()['id']}").json()
    assert stored["inquiry"]["contact"] == {"name": "Li Wei", "email": "li@wei.cn"}


def test_errors_have_one_shape(api):
    missing = requests.get(f"{api}/customers/cus_missing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    bad_query = requests.get(f"{api}/customers", params={"limit": "lots", "colour": "red"})
    assert bad_query.status_code == 400
    assert set(bad_query.json()["error"]["details"]["fields"]) == {"limit", "colour"}


def test_a_service_that_does_not_answer_gives_503_naming_it(api):
    response = requests.get(f"{api}/customers/cus_1/owner", timeout=10)
    assert response.status_code == 503
    assert response.json()["error"]["details"] == {"service": "pool"}


def test_contracts_are_served_for_integrations(api):
    assert "inquiry.v1.json" in requests.get(f"{api}/contracts").json()["contracts"]
    schema = requests.get(f"{api}/contracts/inquiry.v1.json").json()
    assert "channel" in schema["required"]
    assert requests.get(f"{api}/contracts/nope.json").status_code == 404


def test_the_api_describes_itself_and_serves_its_docs_page(api):
    document = requests.get(f"{api}/openapi.json").json()
    assert document["openapi"] == "3.1.0" and "/customers/{customer_id}/claim" in document["paths"]
    page = requests.get(f"{api}/docs")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'fetch("/openapi.json")' in page.text
