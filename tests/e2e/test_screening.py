"""Marketing's screening before sales (issue 15, item 1; seed 000: acquire → screen → follow up →
deliver), played over HTTP as people do it: a website lead waits in the screening queue owned by
nobody; marketing screens it and hands it to sales — the weighted round-robin's choice, or the
person marketing names — and the receiver owns it once they sign, with a first-touch reminder; a
lead marked invalid; a handoff of someone's customer refused to others, allowed to a manager with
the owner told.

Screening is on here (BATON_SCREENING=true): the other end-to-end tests run with it off, so these
get a system of their own."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from deploy.local_system import local_system, provision_users
from tests.e2e.conftest import PEOPLE
from tests.e2e.helpers import customer_by_email, get, lead, unique_email
from tests.integration.helpers import ApiClient, publish_inquiry, wait_for

pytestmark = pytest.mark.e2e
SALES = ("alice", "bob", "carol")  # the default team's rotation
NEED = "2,000 pcs of model X with CE marking, delivery by March"


@pytest.fixture(scope="module")
def screening_system(tmp_path_factory, mail_server):
    with local_system(
        tmp_path_factory.mktemp("baton-screening"),
        env={"BATON_SMTP_PORT": str(mail_server.port), "BATON_SCREENING": "true"},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def folks(screening_system):
    clients = {
        user: ApiClient(screening_system.api, token)
        for user, token in provision_users(screening_system, PEOPLE).items()
    }
    wait_for(
        lambda: {p["id"] for p in get(clients["root"], "/salespeople")["items"]} >= set(SALES),
        timeout=30,
        what="the pool to know the salespeople",
    )
    return clients


def post(client, path, body, expected=201, **headers):
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == expected, response.text
    return response.json()


def new_lead(system, admin, **inquiry):
    """A website lead of its own, once it waits in the screening queue."""
    email = unique_email()
    publish_inquiry(system.amqp_uri, {**lead(email), **inquiry}, message_id=f"e2e-{uuid.uuid4()}")
    customer = customer_by_email(admin, email, owned=False)
    wait_for(lambda: admin.get(f"/customers/{customer['id']}/owner").status_code == 200, what="the pool to hold it")
    return customer


def screen(mia, customer_id, fit=True, attempted=True):
    body = {"fit": fit, "need": NEED, "contact_attempted": attempted}
    if attempted:
        body["contact"] = {
            "at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
            "method": "phone",
            "result": "confirmed the quantity, wants a quote this week",
        }
    return post(mia, f"/customers/{customer_id}/screening", body, **{"Idempotency-Key": f"screen-{customer_id}"})


def queued(mia, customer_id):
    return [e for e in get(mia, "/screening", limit=200)["items"] if e["customer_id"] == customer_id]


def owner_becomes(admin, customer_id, person):
    wait_for(
        lambda: (
            get(admin, f"/customers/{customer_id}/owner")["owner_id"] == person
            and get(admin, f"/customers/{customer_id}")["owner_id"] == person
        ),
        timeout=30,
        what=f"{person} to own {customer_id}",
    )


def handed_to_sales(folks, customer_id, **more):
    """Screened, handed to sales and signed: (the receiver, the handoff)."""
    screen(folks["mia"], customer_id)
    handoff = post(folks["mia"], "/handoffs", {"kind": "marketing_to_sales", "customer_id": customer_id, **more})
    [receiver] = handoff["to_users"]
    post(folks[receiver], f"/handoffs/{handoff['id']}/signatures", {"note": "taken"}, expected=200)
    owner_becomes(folks["root"], customer_id, receiver)
    return receiver, handoff


def test_a_website_lead_is_screened_then_handed_to_sales_by_the_rotation(screening_system, folks):
    admin, mia, alice = folks["root"], folks["mia"], folks["alice"]
    customer = new_lead(screening_system, admin, campaign="spring-ce-2027")
    held = get(admin, f"/customers/{customer['id']}/owner")
    assert (held["state"], held["owner_id"]) == ("screening", None)

    [entry] = wait_for(lambda: queued(mia, customer["id"]), what="the lead in the screening queue")
    assert (entry["channel"], entry["campaign"], entry["country_code"]) == ("website_form", "spring-ce-2027", "DE")
    assert entry["inquiry_text"] == lead(unique_email())["message"] and entry["possible_duplicates"] == []
    newest = get(mia, "/screening", limit=200)["items"]
    assert [e["arrived_at"] for e in newest] == sorted((e["arrived_at"] for e in newest), reverse=True)
    assert alice.get("/screening").status_code == 403  # the queue is marketing's
    refused = alice.post(f"/customers/{customer['id']}/claim", json={})
    assert refused.status_code == 409, refused.text  # nobody claims a lead being screened

    # Not screened yet: the checked handoff says what is missing instead of guessing a receiver's work.
    unscreened = mia.post("/handoffs", json={"kind": "marketing_to_sales", "customer_id": customer["id"]})
    assert unscreened.status_code == 422, unscreened.text
    assert "screening_recorded" in unscreened.text and "contact_attempted" in unscreened.text

    bad = mia.post(
        f"/customers/{customer['id']}/screening", json={"fit": True, "need": NEED, "contact_attempted": True}
    )
    assert bad.status_code in (400, 422) and "contact" in bad.json()["error"]["details"]["fields"], bad.text
    screened = screen(mia, customer["id"])
    assert screened["screening"]["fit"] is True and screened["needs"][-1] == NEED
    assert screened["communications"][-1]["result"] == "confirmed the quantity, wants a quote this week"
    checklist = get(mia, f"/customers/{customer['id']}/checklists/marketing_to_sales")
    assert checklist["passed"] is True, checklist

    handoff = post(
        mia,
        "/handoffs",
        {"kind": "marketing_to_sales", "customer_id": customer["id"]},
        **{"Idempotency-Key": f"m2s-{customer['id']}"},
    )
    [receiver] = handoff["to_users"]
    assert receiver in SALES and handoff["state"] == "submitted"
    assert get(admin, f"/customers/{customer['id']}/owner")["state"] == "screening"  # owner only once accepted
    [waiting] = queued(mia, customer["id"])  # still marketing's, waiting for the signature
    assert (waiting["hand_over"]["handoff_id"], waiting["hand_over"]["to_users"]) == (handoff["id"], [receiver])
    post(folks[receiver], f"/handoffs/{handoff['id']}/signatures", {"note": "will call tomorrow"}, expected=200)
    owner_becomes(admin, customer["id"], receiver)
    first_touch = wait_for(
        lambda: get(admin, f"/users/{receiver}/reminders", customer_id=customer["id"], kind="first_touch", limit=200)[
            "items"
        ],
        timeout=30,
        what="a first touch",
    )
    assert first_touch[0]["status"] in ("pending", "fired")
    assert queued(mia, customer["id"]) == []


def test_a_lead_marked_invalid_leaves_the_queue_with_its_reason(screening_system, folks):
    admin, mia = folks["root"], folks["mia"]
    customer = new_lead(screening_system, admin)
    wait_for(lambda: queued(mia, customer["id"]), what="the lead in the screening queue")
    blank = mia.post(f"/customers/{customer['id']}/invalid", json={"reason": ""})
    assert blank.status_code in (400, 422) and "reason" in blank.json()["error"]["details"]["fields"], blank.text
    marked = post(
        mia, f"/customers/{customer['id']}/invalid", {"reason": "not target industry: a student project"}, expected=200
    )
    assert (marked["state"], marked["owner_id"]) == ("invalid", None)
    assert queued(mia, customer["id"]) == []
    archive = wait_for(
        lambda: (a := get(admin, f"/customers/{customer['id']}"))["stage"] == "invalid" and a,
        what="the archive at the stage invalid",
    )
    assert "not target industry" in archive["stage_reason"]
    # invalid is not rejected: it is not on the do-not-contact list marketing channels honour
    assert customer["id"] not in [i["customer_id"] for i in get(mia, "/do-not-contact", limit=200)["items"]]
    assert folks["alice"].post(f"/customers/{customer['id']}/claim", json={}).status_code == 409


def test_marketing_names_the_receiver(screening_system, folks):
    customer = new_lead(screening_system, folks["root"])
    receiver, handoff = handed_to_sales(folks, customer["id"], to=["carol"])
    assert (receiver, handoff["new_owner_id"]) == ("carol", "carol")


def test_handing_over_someone_elses_customer_needs_its_owner_or_a_manager(screening_system, folks):
    admin, mia = folks["root"], folks["mia"]
    customer = new_lead(screening_system, admin)
    owner, _ = handed_to_sales(folks, customer["id"])
    other = next(person for person in SALES if person != owner)

    taken = mia.post("/handoffs", json={"kind": "marketing_to_sales", "customer_id": customer["id"], "to": [other]})
    assert taken.status_code == 403 and owner in taken.text, taken.text
    sync = {"kind": "ordinary_sync", "customer_id": customer["id"], "to": [other], "package": {"no_open_items": True}}
    third = next(person for person in SALES if person not in (owner, other))
    assert folks[third].post("/handoffs", json=sync).status_code == 403
    assert get(admin, f"/customers/{customer['id']}/owner")["owner_id"] == owner

    moved = post(folks["meier"], "/handoffs", sync)  # a manager may: the owner is told
    assert moved["state"] == "accepted", moved
    owner_becomes(admin, customer["id"], other)
    [told] = wait_for(
        lambda: get(admin, f"/users/{owner}/reminders", customer_id=customer["id"], kind="owner_handoff", limit=200)[
            "items"
        ],
        timeout=30,
        what="the owner told",
    )
    assert told["subject_id"] == moved["id"]
    assert (told["details"]["from_user"], told["details"]["to_users"]) == ("meier", other)
