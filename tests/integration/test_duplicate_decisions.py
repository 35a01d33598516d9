"""What a decision on possible duplicates does beyond the pair, through real events and the document
server: a new customer held unallocated for the review is allocated once every pair it was in is
kept apart (profile and pool together); a merge leaves no archive flagged with the one merged away."""

import pytest
from nameko.testing.services import entrypoint_waiter

from services.pool.service import PoolService
from tests.integration.helpers import call, canonical_inquiry, recorder_of, start_downstream_of, started, wait_for


@pytest.fixture(autouse=True)
def pool_downstream(container_factory, config):
    start_downstream_of(container_factory, config, "pool")


def holding(db, customer_id):
    return db.of("pool").holdings.find_one({"_id": customer_id})


def test_a_customer_held_for_review_is_allocated_once_every_pair_it_was_in_is_kept_apart(
    container_factory, config, profile, received, db
):
    pool = started(container_factory, PoolService, config)
    received("inq_1", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    bolt = {**canonical_inquiry(email="sales@bolt.de", company="Bolt GmbH")}
    received("inq_2", {**bolt, "contact": {"email": "sales@bolt.de", "phone": "+49 30 1234567"}})
    wait_for(lambda: all((holding(db, c) or {}).get("owner_id") for c in ("cus_1", "cus_2")), what="both allocated")
    # Acme's address, Bolt's phone: a new archive that may be either, held for a person's review
    cobalt = {**canonical_inquiry(company="Cobalt GmbH"), "contact": {"email": "jane@acme.de", "phone": "030 1234567"}}
    received("inq_3", cobalt)
    wait_for(lambda: holding(db, "cus_3") is not None, what="cus_3 in the pool")
    held = holding(db, "cus_3")
    assert (held["state"], held["owner_id"], held["held_for_review"]) == ("public_pool", None, True)

    request = {"other": "cus_1", "by": "manager.meier"}
    with entrypoint_waiter(pool, "on_duplicates_kept_apart"):
        call(profile, "keep_apart", "cus_3", request)
    still = holding(db, "cus_3")  # its pair with Bolt is still open
    assert (still["state"], still["owner_id"], still["held_for_review"]) == ("public_pool", None, True)

    allocated = started(container_factory, recorder_of("pool", "customer_allocated"), config)
    with entrypoint_waiter(allocated, "record") as event:
        call(profile, "keep_apart", "cus_2", {"other": "cus_3", "by": "manager.meier"})
    assert (event.get()["customer_id"], event.get()["reason"]) == ("cus_3", "weighted round-robin")
    placed = holding(db, "cus_3")
    assert (placed["state"], placed["owner_id"], placed["held_for_review"]) == ("owned", event.get()["owner_id"], False)
    wait_for(lambda: call(profile, "get_customer", "cus_3")["owner_id"] == placed["owner_id"], what="profile told")

    with entrypoint_waiter(pool, "on_duplicates_kept_apart"):  # asked again: decided once, placed once
        call(profile, "keep_apart", "cus_3", {"other": "cus_2", "by": "manager.meier"})
    assert holding(db, "cus_3")["version"] == placed["version"]


def test_archives_flagged_with_one_merged_away_name_the_kept_one_or_none_when_kept_apart_from_it(profile, received):
    received("inq_1", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    received("inq_2", canonical_inquiry(email="sales@bolt.de", company="Bolt GmbH"))
    received("inq_3", canonical_inquiry(email="hello@cobalt.de", company="Cobalt GmbH"))
    received("inq_4", canonical_inquiry(email="hello@dash.de", company="Dash GmbH"))
    received("inq_5", canonical_inquiry(email="info@cobalt.de", company="Bolt GmbH"))  # Cobalt names Bolt
    received("inq_6", canonical_inquiry(email="info@dash.de", company="Bolt GmbH"))  # Dash names Bolt
    assert call(profile, "get_customer", "cus_3")["possible_duplicates"] == ["cus_2"]
    assert call(profile, "get_customer", "cus_4")["possible_duplicates"] == ["cus_2"]
    call(profile, "keep_apart", "cus_1", {"other": "cus_4", "by": "manager.meier"})  # Acme is not Dash

    call(profile, "merge_customers", "cus_1", {"absorb": "cus_2", "by": "manager.meier"})
    assert call(profile, "get_customer", "cus_3")["possible_duplicates"] == ["cus_1"]
    assert call(profile, "get_customer", "cus_4")["possible_duplicates"] == []
    assert call(profile, "get_customer", "cus_1")["possible_duplicates"] == []
    page = call(profile, "list_possible_duplicates", {})
    assert [(p["customer"]["customer_id"], p["other"]["customer_id"]) for p in page["items"]] == [("cus_3", "cus_1")]
