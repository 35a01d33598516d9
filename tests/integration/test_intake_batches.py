"""Bulk intake through real RabbitMQ and the document server: the batch RPC and POST /inquiries/batch."""

import json

import pytest
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.errors import InvalidInput
from deploy.docstore import free_port
from services.gateway.service import GatewayService
from services.intake.service import IntakeService
from tests.integration.helpers import ApiClient, canonical_inquiry, provision, recorder_of, started, wait_for

WEB = {"user_id": "web", "role": "integration", "department": None, "team": None}


@pytest.fixture
def intake(container_factory, config):
    return started(container_factory, IntakeService, config)


@pytest.fixture
def announced(container_factory, config):
    return started(container_factory, recorder_of("intake", "inquiry_received"), config)


def submit_batch(intake, items, actor=WEB):
    with entrypoint_hook(intake, "submit_batch", context_data={"actor": actor}) as hook:
        result = hook({"items": items})
    json.dumps(result, allow_nan=False)  # what a caller over RabbitMQ gets
    return result


def test_a_mixed_batch_is_answered_item_by_item_in_order_and_each_kept_once(intake, announced, db):
    first = submit_batch(
        intake,
        [
            {"message_id": "b-1", "inquiry": canonical_inquiry(email="one@acme.de")},
            {
                "message_id": "b-2",
                "inquiry": {"schema_version": 1, "channel": "website_form", "contact": {"email": "no"}},
            },
            {"message_id": "b-1", "inquiry": canonical_inquiry(email="one@acme.de")},  # the same message again
            {"inquiry": canonical_inquiry(email="two@acme.de", external_id="crm-7")},
            ["not", "an", "item"],
            {"inquiry": canonical_inquiry(email="three@acme.de")},
        ],
    )
    outcomes = [(o["index"], o["outcome"], o["status"]) for o in first["items"]]
    assert outcomes == [
        (0, "accepted", "accepted"),
        (1, "rejected", "rejected"),
        (2, "duplicate", "accepted"),
        (3, "accepted", "accepted"),
        (4, "rejected", None),
        (5, "accepted", "accepted"),
    ]
    assert (first["accepted"], first["duplicates"], first["rejected"]) == (3, 1, 2)
    assert first["items"][1]["errors"] == {"contact": {"email": ["Not a valid email address."]}}
    assert first["items"][4]["errors"] == {"_item": ["Expected an object {message_id?, inquiry}, got list."]}
    assert first["items"][4]["id"] is None and first["items"][0]["id"] == first["items"][2]["id"]
    assert first["items"][3]["message_id"] == "external_id:web:crm-7"  # its own reference keys it
    stored = {r["_id"]: r for r in db.inquiries.find({})}
    assert len(stored) == 4
    assert stored[first["items"][1]["id"]]["raw_body"].startswith('{"schema_version":1')  # kept, bad as it was
    assert {r["submitted_by"] for r in stored.values()} == {"web"}
    assert all(r["announced"] for r in stored.values() if r["status"] == "accepted")
    wait_for(
        lambda: db.of("intake").audit.count_documents({"resource": "inquiry"}) == 4, what="one audit entry per record"
    )

    # The same batch again changes nothing: every item is a duplicate, with the outcome it had.
    again = submit_batch(
        intake,
        [
            {"message_id": "b-1", "inquiry": canonical_inquiry(email="one@acme.de")},
            {
                "message_id": "b-2",
                "inquiry": {"schema_version": 1, "channel": "website_form", "contact": {"email": "no"}},
            },
            {"inquiry": canonical_inquiry(email="two@acme.de", external_id="crm-7", message="changed words")},
            {"inquiry": canonical_inquiry(email="three@acme.de")},
        ],
    )
    assert [(o["outcome"], o["status"]) for o in again["items"]] == [
        ("duplicate", "accepted"),
        ("duplicate", "rejected"),
        ("duplicate", "accepted"),
        ("duplicate", "accepted"),
    ]
    assert again["items"][1]["errors"] == first["items"][1]["errors"]
    assert db.inquiries.count_documents({}) == 4


def test_each_accepted_item_is_announced_once(intake, announced):
    items = [{"message_id": f"a-{n}", "inquiry": canonical_inquiry(email=f"a{n}@acme.de")} for n in range(3)]
    received = []
    with entrypoint_waiter(
        announced, "record", callback=lambda wt, r, e: received.append(wt.args[0]) or len(received) == 3, timeout=10
    ):
        submit_batch(intake, items)
    assert sorted(p["inquiry"]["contact"]["email"] for p in received) == ["a0@acme.de", "a1@acme.de", "a2@acme.de"]


def test_an_empty_batch_is_refused_naming_items(intake):
    with pytest.raises(InvalidInput) as refused:
        submit_batch(intake, [])
    assert "Give 1 to 500 inquiries" in refused.value.details["fields"]["items"][0]


def test_a_batch_over_the_configured_most_is_refused(container_factory, config):
    config["BATON"]["intake"]["batch_max"] = 2
    intake = started(container_factory, IntakeService, config)
    with pytest.raises(InvalidInput) as refused:
        submit_batch(intake, [{"inquiry": canonical_inquiry(email=f"x{n}@acme.de")} for n in range(3)])
    assert refused.value.details["fields"] == {"items": ["Give 1 to 2 inquiries as a list (3 were given)."]}


@pytest.fixture
def api(container_factory, config):
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{free_port()}"
    gateway = started(container_factory, GatewayService, config)
    started(container_factory, IntakeService, config)
    return ApiClient(f"http://{config['WEB_SERVER_ADDRESS']}", provision(gateway, "web", "integration"))


def test_the_batch_route_answers_each_item_and_the_importer_learns_what_became_of_them(api, db):
    body = {
        "items": [
            {"message_id": "r-1", "inquiry": canonical_inquiry(email="r1@acme.de")},
            {"message_id": "r-2", "inquiry": canonical_inquiry(channel=5)},
        ]
    }
    answer = api.post("/inquiries/batch", json=body)
    assert answer.status_code == 200, answer.text
    assert [o["outcome"] for o in answer.json()["items"]] == ["accepted", "rejected"]
    assert answer.json()["items"][1]["errors"] == {"channel": ["Not a valid string."]}
    again = api.post("/inquiries/batch", json=body)
    assert [o["outcome"] for o in again.json()["items"]] == ["duplicate", "duplicate"]
    ids = [o["id"] for o in answer.json()["items"]]
    listed = api.get("/inquiries", params={"ids": ",".join(ids)}).json()
    assert sorted(i["id"] for i in listed["items"]) == sorted(ids) and listed["total"] == 2
    assert {i["filed_as"] for i in listed["items"]} == {None}  # not filed by profile yet
    refused = api.post("/inquiries/batch", json={"items": "all of them"})
    assert (refused.status_code, refused.json()["error"]["details"]["fields"]) == (
        400,
        {"items": ["Give 1 to 500 inquiries as a list (none were given)."]},
    )
    too_many_ids = api.get("/inquiries", params={"ids": ",".join(["inq_x"] * 201)})
    assert too_many_ids.status_code in (400, 422) and "ids" in too_many_ids.json()["error"]["details"]["fields"]
