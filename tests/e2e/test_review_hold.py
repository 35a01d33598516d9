"""A new customer that may be someone's existing customer (撞单) waits unallocated for a manager's
review, and is allocated by the rotation once the manager keeps it apart from every archive it
was flagged with — on the real system, over HTTP and the real broker."""

import random
import uuid

import pytest

from tests.e2e.helpers import customer_by_email, get, lead, unique_email
from tests.integration.helpers import publish_inquiry, wait_for

pytestmark = pytest.mark.e2e


def published(system, inquiry):
    publish_inquiry(system.amqp_uri, inquiry, message_id=f"e2e-{uuid.uuid4()}")


def test_a_held_customer_is_allocated_once_a_manager_keeps_it_apart_from_both_archives(system, api, people):
    acme_email, bolt_email, held_email = unique_email(), unique_email(), unique_email()
    digits = f"{random.randrange(10**6, 10**7)}"
    published(system, lead(acme_email))
    acme = customer_by_email(api, acme_email)
    published(system, {**lead(bolt_email), "contact": {"name": "Bo", "email": bolt_email, "phone": f"+49 30 {digits}"}})
    bolt = customer_by_email(api, bolt_email)
    # Acme's address and Bolt's phone, a name of its own: which one is it? A manager decides.
    held_inquiry = {**lead(held_email), "contact": {"name": "Ha", "email": acme_email, "phone": f"030 {digits}"}}
    published(system, held_inquiry)
    manager = people["meier"]

    def held_pair():
        pairs = get(manager, "/duplicates", limit=200)["items"]
        found = [p for p in pairs if p["customer"]["company"] == held_inquiry["company"]]
        return found if len(found) == 2 else None

    pairs = wait_for(held_pair, timeout=30, what="the held customer's two pairs")
    held_id = pairs[0]["customer"]["customer_id"]
    assert {p["other"]["customer_id"] for p in pairs} == {acme["id"], bolt["id"]}
    assert get(api, f"/customers/{held_id}/owner")["owner_id"] is None

    first = manager.post(f"/customers/{held_id}/keep-apart", json={"other": acme["id"], "note": "not Acme"})
    assert first.status_code == 200, first.text
    assert get(api, f"/customers/{held_id}/owner")["owner_id"] is None  # its pair with Bolt still waits
    second = manager.post(f"/customers/{bolt['id']}/keep-apart", json={"other": held_id, "note": "not Bolt"})
    assert second.status_code == 200, second.text

    owner = wait_for(lambda: get(api, f"/customers/{held_id}/owner")["owner_id"], timeout=30, what="allocation")
    assert owner in {"alice", "bob", "carol"}
    wait_for(lambda: get(api, f"/customers/{held_id}")["owner_id"] == owner, timeout=30, what="profile told")
    summaries = [e["summary"] for e in get(api, f"/customers/{held_id}/timeline")["items"]]
    assert any(s.startswith(f"Assigned to {owner} (weighted round-robin") for s in summaries), summaries
