"""Possible duplicates as pairs through real events and the document server: listed once, kept
apart for good, closed by a merge, and listed from flags set before pairs were kept."""

import pytest

from contracts.errors import InvalidInput
from services.profile.duplicates import backfill_pairs
from services.profile.store import Customers
from tests.integration.helpers import call, canonical_inquiry


def flag_acme_with_bolt(received, inquiry_id="inq_3", email="info@acme.de"):
    # Acme's domain, Bolt's name: filed into Acme, Bolt noted as a possible duplicate of it.
    received(inquiry_id, canonical_inquiry(email=email, company="Bolt GmbH"))


def test_a_flagged_pair_is_listed_once_with_both_names_and_the_keys_they_share(profile, received):
    received("inq_1", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    received("inq_2", canonical_inquiry(email="sales@bolt.de", company="Bolt GmbH"))
    flag_acme_with_bolt(received)
    flag_acme_with_bolt(received, "inq_4", "buyer@acme.de")  # the same pair again: still one
    page = call(profile, "list_possible_duplicates", {})
    assert page["total"] == 1
    (pair,) = page["items"]
    assert (pair["customer"]["company"], pair["other"]["company"]) == ("Acme GmbH", "Bolt GmbH")
    assert pair["customer"]["country_code"] == pair["other"]["country_code"] == "DE"
    assert pair["shared"] == ["company"]  # Acme took Bolt's name as an alias


def test_a_pair_kept_apart_leaves_the_list_and_is_not_flagged_again(profile, received, db):
    received("inq_1", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    received("inq_2", canonical_inquiry(email="sales@bolt.de", company="Bolt GmbH"))
    flag_acme_with_bolt(received)
    request = {"other": "cus_2", "note": "Bolt is Acme's distributor", "by": "manager.meier"}
    kept = call(profile, "keep_apart", "cus_1", request)
    again = call(profile, "keep_apart", "cus_2", {**request, "other": "cus_1", "note": "asked twice"})
    assert (kept["other_id"], kept["by"], kept["note"]) == ("cus_2", "manager.meier", "Bolt is Acme's distributor")
    assert (again["other_id"], again["note"], again["at"]) == ("cus_1", kept["note"], kept["at"])  # the first decision
    assert call(profile, "list_possible_duplicates", {})["total"] == 0
    assert call(profile, "get_customer", "cus_1")["possible_duplicates"] == []
    for customer_id in ("cus_1", "cus_2"):
        kinds = [e["kind"] for e in call(profile, "get_timeline", customer_id)["items"]]
        assert kinds.count("kept_apart") == 1
    audited = list(db.of("profile").audit.find({"resource": "kept_apart"}))
    assert [a["resource_id"] for a in audited] == ["cus_1|cus_2"]

    flag_acme_with_bolt(received, "inq_5", "orders@acme.de")  # a new inquiry for the pair kept apart
    acme = call(profile, "get_customer", "cus_1")
    assert acme["inquiry_count"] == 3 and acme["possible_duplicates"] == []
    assert call(profile, "list_possible_duplicates", {})["total"] == 0


def test_keeping_an_archive_apart_from_itself_or_a_missing_one_is_refused(profile, received):
    received("inq_1", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    with pytest.raises(InvalidInput) as same:
        call(profile, "keep_apart", "cus_1", {"other": "cus_1", "by": "manager.meier"})
    assert "other" in same.value.details["fields"]
    from contracts.errors import NotFound

    with pytest.raises(NotFound):
        call(profile, "keep_apart", "cus_1", {"other": "cus_404", "by": "manager.meier"})


def test_merging_a_pair_closes_it_and_a_third_archive_s_pair_follows_the_merge(profile, received):
    received("inq_1", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    received("inq_2", canonical_inquiry(email="sales@bolt.de", company="Bolt GmbH"))
    received("inq_3", canonical_inquiry(email="hello@cobalt.de", company="Cobalt GmbH"))
    flag_acme_with_bolt(received, "inq_4")  # Acme ~ Bolt
    received("inq_5", canonical_inquiry(email="info@bolt.de", company="Cobalt GmbH"))  # Bolt ~ Cobalt
    assert call(profile, "list_possible_duplicates", {})["total"] == 2
    call(profile, "merge_customers", "cus_1", {"absorb": "cus_2", "by": "manager.meier"})
    page = call(profile, "list_possible_duplicates", {})
    assert [(p["customer"]["customer_id"], p["other"]["customer_id"]) for p in page["items"]] == [("cus_1", "cus_3")]


def test_flags_set_before_pairs_were_listed_are_listed_by_the_upgrade(profile, received, db):
    received("inq_1", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    received("inq_2", canonical_inquiry(email="sales@bolt.de", company="Bolt GmbH"))
    flag_acme_with_bolt(received)
    db.of("profile").duplicate_pairs.delete_many({})
    customers = Customers(db.of("profile"))
    first = backfill_pairs(customers, None, 1)
    assert first["next_after"] == "cus_1"
    rest = backfill_pairs(customers, first["next_after"], 10)
    assert rest["next_after"] is None and first["written"] + rest["written"] == 1
    assert backfill_pairs(customers, None, 10)["written"] == 0  # run again: nothing new
    assert call(profile, "list_possible_duplicates", {})["total"] == 1
