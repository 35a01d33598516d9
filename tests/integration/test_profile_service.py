"""profile: filing inquiries into archives, through real events and the document server."""

from datetime import UTC, datetime, timedelta

import pytest
from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from contracts.errors import InvalidInput, NotFound
from contracts.events import dump_event
from services.profile.service import ProfileService
from tests.integration.helpers import call, canonical_inquiry, recorder_of, started, wait_for


@pytest.fixture
def created(container_factory, config):
    return started(container_factory, recorder_of("profile", "customer_created"), config)


@pytest.fixture
def announce(config, profile):
    dispatch = event_dispatcher(config)

    def announce(service, event, payload, handler):
        with entrypoint_waiter(profile, handler):
            dispatch(service, event, dump_event(event, payload))

    return announce


def received(announce, inquiry_id, inquiry):
    announce(
        "intake",
        "inquiry_received",
        {"inquiry_id": inquiry_id, "received_at": datetime.now(UTC), "inquiry": inquiry},
        "on_inquiry_received",
    )


def without_company(inquiry):
    return {name: value for name, value in inquiry.items() if name != "company"}


def about(customer_id):
    """An entrypoint_waiter callback: stop at the event about this customer."""
    return lambda worker_ctx, result, exc_info: result["customer_id"] == customer_id


def test_a_new_inquiry_opens_an_archive_and_announces_it(profile, created, announce):
    with entrypoint_waiter(created, "record") as event:
        received(announce, "inq_1", canonical_inquiry())
    assert event.get()["customer_id"] == "cus_1"
    customer = call(profile, "get_customer", "cus_1")
    assert (customer["company"], customer["stage"], customer["owner_id"], customer["inquiry_count"]) == (
        "Acme GmbH",
        "inquiry",
        None,
        1,
    )
    assert customer["intent_grade"]["grade"] == "A"  # quantity + deadline, by the built-in rule
    assert customer["sources"][0]["channel"] == "website_form"
    kinds = [e["kind"] for e in call(profile, "get_timeline", "cus_1")["items"]]
    assert kinds == ["inquiry_received", "customer_created", "traits_noted"]
    assert [(t["name"], t["evidence"]) for t in customer["traits"]] == [
        ("quality_focused", "CE")
    ]  # "…with CE by March"
    assert customer["tags"] == ["inquiry", "A", "DE", "quality focused"]


def test_a_new_archive_is_announced_with_its_summary_and_no_update_follows(
    profile, created, announce, container_factory, config, db
):
    """customer_created carries what customer_updated would say of the new archive (pool and
    notification take it from there); the next update announced is the next change's."""
    versions = []

    class Updates:
        name = "updates_recorder"

        @event_handler("profile", "customer_updated")
        def record(self, payload):
            versions.append(payload["version"])
            return payload

    updated = started(container_factory, Updates, config)
    with entrypoint_waiter(created, "record") as event:
        received(announce, "inq_1", canonical_inquiry())
    summary = event.get()["summary"]
    archive = db.customers.find_one({"_id": "cus_1"})
    assert (summary["customer_id"], summary["version"], summary["stage"]) == ("cus_1", archive["version"], "inquiry")
    assert (summary["tags"], summary["intent_grade"], summary["country_code"]) == (archive["tags"], "A", "DE")
    assert summary["last_contact_at"] and summary["graded_at"] and summary["last_follow_up_at"] is None
    assert (summary["has_open_need"], summary["deal_closed"]) == (True, False)
    with entrypoint_waiter(updated, "record") as update:  # the same company again: matched, updated
        received(announce, "inq_2", canonical_inquiry())
    assert update.get()["version"] > summary["version"]
    assert versions == [update.get()["version"]]  # none for the creation before it


def test_the_same_inquiry_twice_changes_nothing(profile, announce, db):
    received(announce, "inq_1", canonical_inquiry())
    before = (db.customers.find_one({"_id": "cus_1"}), db.timeline.count_documents({}))
    received(announce, "inq_1", canonical_inquiry())
    assert (db.customers.find_one({"_id": "cus_1"}), db.timeline.count_documents({})) == before
    assert db.customers.count_documents({}) == 1


def test_an_inquiry_from_a_known_email_is_merged_into_its_archive(profile, announce, config):
    received(announce, "inq_1", canonical_inquiry())
    received(
        announce,
        "inq_2",
        canonical_inquiry(
            email="JANE@ACME.DE", channel="trade_show", message="Also 300 sets of model Y", city="Berlin"
        ),
    )
    page = call(profile, "list_customers", {})
    assert page["total"] == 1
    customer = page["items"][0]
    assert (customer["id"], customer["inquiry_count"], customer["city"]) == ("cus_1", 2, "Berlin")
    assert [s["channel"] for s in customer["sources"]] == ["website_form", "trade_show"]
    timeline = call(profile, "get_timeline", "cus_1")["items"]
    assert "merged into this archive (same email)" in timeline[-1]["summary"]


def test_an_inquiry_that_asks_for_the_pool_says_so_to_the_pool(profile, created, announce, container_factory, config):
    matched = started(container_factory, recorder_of("profile", "inquiry_matched"), config)
    with entrypoint_waiter(created, "record") as opened:
        received(announce, "inq_1", canonical_inquiry(allocate=False, external_id="crm-1"))
    with entrypoint_waiter(matched, "record") as joined:
        received(announce, "inq_2", canonical_inquiry(allocate=False, message="Also 300 sets"))
    assert (opened.get()["allocate"], joined.get()["allocate"]) == (False, False)
    with entrypoint_waiter(created, "record") as allocated:
        received(announce, "inq_3", canonical_inquiry(email="li@bolt.cn", company="Bolt Ltd"))
    assert allocated.get()["allocate"] is True


def test_allocation_and_reminders_land_on_archive_and_timeline(profile, announce):
    received(announce, "inq_1", canonical_inquiry())
    at = datetime.now(UTC) + timedelta(seconds=1)
    allocated = {
        "customer_id": "cus_1",
        "owner_id": "alice",
        "team": "default",
        "allocated_at": at,
        "reason": "weighted round-robin",
    }
    announce("pool", "customer_allocated", allocated, "on_customer_allocated")
    announce("pool", "customer_allocated", allocated, "on_customer_allocated")  # redelivered
    announce(
        "notification",
        "reminder_scheduled",
        {
            "reminder_id": "rem_first_touch_cus_1",
            "kind": "first_touch",
            "user_id": "alice",
            "customer_id": "cus_1",
            "due_at": at + timedelta(days=3),
            "scheduled_at": at,
        },
        "on_reminder_scheduled",
    )
    assert call(profile, "get_customer", "cus_1")["owner_id"] == "alice"
    timeline = call(profile, "get_timeline", "cus_1", {"include": "reminders"})["items"]
    assert [e["kind"] for e in timeline] == [
        "inquiry_received",
        "customer_created",
        "traits_noted",
        "owner_assigned",
        "reminder_scheduled",
    ]
    assert "reminder_scheduled" not in [e["kind"] for e in call(profile, "get_timeline", "cus_1")["items"]]
    assert f"first touch due {at + timedelta(days=3):%Y-%m-%d %H:%M} UTC" in timeline[-1]["summary"]


def test_customers_are_found_by_normalised_email_and_filtered(profile, announce):
    received(announce, "inq_1", canonical_inquiry())
    received(announce, "inq_2", canonical_inquiry(email="li@wei.cn", country="CN"))
    assert [c["id"] for c in call(profile, "list_customers", {"email": " Jane@Acme.de "})["items"]] == ["cus_1"]
    assert call(profile, "list_customers", {"email": "nobody@x.org"})["total"] == 0
    assert [c["id"] for c in call(profile, "list_customers", {"country": "CN"})["items"]] == ["cus_2"]
    received(announce, "inq_3", canonical_inquiry(email="bo@zeta.de", company="Zeta Marine GmbH"))
    by_name = [c["company"] for c in call(profile, "list_customers", {"sort": "company"})["items"]]
    assert by_name == sorted(by_name) and len(by_name) == 3
    assert [c["company"] for c in call(profile, "list_customers", {"sort": "-company"})["items"]] == by_name[::-1]
    newest_first = [c["id"] for c in call(profile, "list_customers", {})["items"]]
    assert newest_first[0] == "cus_3"
    with pytest.raises(InvalidInput) as refused:
        call(profile, "list_customers", {"sort": "password"})
    assert "sort" in refused.value.details["fields"]


def test_a_country_in_any_spelling_is_kept_as_given_beside_its_iso_code(profile, announce, container_factory, config):
    created = started(container_factory, recorder_of("profile", "customer_created"), config)
    with entrypoint_waiter(created, "record", callback=about("cus_1")) as event:
        received(announce, "inq_1", canonical_inquiry(country="Deutschland"))
    summary = event.get()["summary"]
    assert (summary["country"], summary["country_code"]) == ("Deutschland", "DE")  # pool keeps both
    received(announce, "inq_2", canonical_inquiry(email="li@wei.cn", company="Wei Lighting", country="中國"))
    customer = call(profile, "get_customer", "cus_1")
    assert (customer["country"], customer["country_code"]) == ("Deutschland", "DE") and "DE" in customer["tags"]
    for spelling in ("DE", "Germany", "德国", "deu", "ALLEMAGNE"):
        assert [c["id"] for c in call(profile, "list_customers", {"country": spelling})["items"]] == ["cus_1"], spelling
    assert [c["id"] for c in call(profile, "list_customers", {"country": "P.R. China"})["items"]] == ["cus_2"]
    assert [c["id"] for c in call(profile, "list_customers", {"tag": "Germany"})["items"]] == ["cus_1"]
    with pytest.raises(InvalidInput) as refused:
        call(profile, "list_customers", {"country": "Xyzland"})
    assert list(refused.value.details["fields"]) == ["country"] and "Unknown country 'Xyzland'" in refused.value.message
    # one company name in one country, however the country is spelt: the same company
    received(announce, "inq_3", canonical_inquiry(email="buyer@acme-hamburg.de", country="GERMANY"))
    assert call(profile, "get_customer", "cus_1")["inquiry_count"] == 2
    candidates = call(profile, "check_before_create", {"company": "ACME GmbH", "country": "Allemagne"})["candidates"]
    assert [(c["customer_id"], c["country_code"]) for c in candidates] == [("cus_1", "DE")]


def test_an_unknown_country_is_kept_listed_and_read_again_once_mapped(container_factory, config, db):
    dispatch = event_dispatcher(config)

    def receive(profile, inquiry_id, inquiry):
        with entrypoint_waiter(profile, "on_inquiry_received"):
            dispatch(
                "intake",
                "inquiry_received",
                dump_event(
                    "inquiry_received", {"inquiry_id": inquiry_id, "received_at": datetime.now(UTC), "inquiry": inquiry}
                ),
            )

    first = started(container_factory, ProfileService, config)
    receive(first, "inq_1", canonical_inquiry(country="Deutchland"))
    receive(first, "inq_2", canonical_inquiry(email="b@bolt.de", company="Bolt GmbH", country="DEUTCHLAND"))
    kept = call(first, "get_customer", "cus_1")
    assert (kept["country"], kept["country_code"], kept["tags"][:2]) == ("Deutchland", None, ["inquiry", "A"])
    [unknown] = call(first, "unknown_countries")["items"]  # one spelling, however it is written
    assert (unknown["spellings"], unknown["customers"], unknown["customer_ids"]) == (
        ["DEUTCHLAND", "Deutchland"],
        2,
        ["cus_1", "cus_2"],
    )
    # cus_2 as an archive from before archives kept a country code
    db.customers.replace_one(
        {"_id": "cus_2"}, {k: v for k, v in db.customers.find_one({"_id": "cus_2"}).items() if k != "country_code"}
    )
    first.stop()
    # an admin maps the spelling (BATON.countries.aliases), restarts and backfills
    mapped = {
        **config,
        "BATON": {**config["BATON"], "countries": {**config["BATON"]["countries"], "aliases": {"Deutchland": "DE"}}},
    }
    profile = started(container_factory, ProfileService, mapped)
    updated = started(container_factory, recorder_of("profile", "customer_updated"), mapped)
    with entrypoint_waiter(updated, "record", callback=about("cus_1")) as event:
        assert call(profile, "backfill_country_codes", {"limit": 1}) == {
            "examined": 1,
            "written": 1,
            "next_after": "cus_1",
        }
    assert event.get()["country_code"] == "DE"  # pool follows
    assert call(profile, "backfill_country_codes", {"after": "cus_1"}) == {
        "examined": 1,
        "written": 1,
        "next_after": None,
    }
    assert call(profile, "backfill_country_codes", {})["written"] == 0  # again: nothing to change
    assert [call(profile, "get_customer", c)["country_code"] for c in ("cus_1", "cus_2")] == ["DE", "DE"]
    assert call(profile, "unknown_countries")["items"] == []
    # found now by the keys of its country: the same company from Germany joins it
    receive(profile, "inq_3", canonical_inquiry(email="x@bolt-hamburg.de", company="Bolt GmbH", country="Germany"))
    assert call(profile, "get_customer", "cus_2")["inquiry_count"] == 2


def test_unknown_customers_and_bad_queries_are_refused_clearly(profile):
    with pytest.raises(NotFound):
        call(profile, "get_customer", "cus_missing")
    with pytest.raises(NotFound):
        call(profile, "get_timeline", "cus_missing")
    with pytest.raises(InvalidInput) as refused:
        call(profile, "list_customers", {"limit": "5000"})
    assert "limit" in refused.value.details["fields"]


def test_a_colleague_from_the_same_company_domain_joins_the_archive(profile, announce):
    received(announce, "inq_1", canonical_inquiry())
    received(announce, "inq_2", canonical_inquiry(email="li.wei@acme.de", company="ACME GMBH (Hamburg office)"))
    customer = call(profile, "get_customer", "cus_1")
    assert [c["email"] for c in customer["contacts"]] == ["jane@acme.de", "li.wei@acme.de"]
    assert call(profile, "list_customers", {})["total"] == 1


def test_free_mail_senders_with_the_same_provider_stay_apart(profile, announce):
    received(announce, "inq_1", canonical_inquiry(email="buyer.one@gmail.com", company="Alpha Imports", country="US"))
    received(announce, "inq_2", canonical_inquiry(email="buyer.two@gmail.com", company="Beta Supplies", country="US"))
    assert call(profile, "list_customers", {})["total"] == 2


def test_the_same_phone_finds_the_customer_across_channels(profile, announce):
    received(
        announce,
        "inq_1",
        {
            **canonical_inquiry(company="Kowalski Trade"),
            "country": "PL",
            "contact": {"name": "Jan", "phone": "+48 22 123 45 67"},
        },
    )
    received(
        announce,
        "inq_2",
        {
            **canonical_inquiry(company="K. Trade", channel="whatsapp"),
            "contact": {"phone": "22 123 45 67"},
            "country": "Poland",
        },
    )
    customer = call(profile, "get_customer", "cus_1")
    assert customer["inquiry_count"] == 2
    inquiries = [e for e in call(profile, "get_timeline", "cus_1")["items"] if e["kind"] == "inquiry_received"]
    assert "same phone" in inquiries[-1]["summary"]


def test_strong_keys_of_two_customers_flag_the_new_one_for_review(profile, created, announce):
    received(announce, "inq_1", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    received(
        announce,
        "inq_2",
        {
            **canonical_inquiry(email="sales@bolt.de", company="Bolt GmbH"),
            "contact": {"email": "sales@bolt.de", "phone": "+49 30 1234567"},
        },
    )
    # Acme's address, Bolt's phone: which one? (Earlier customers' events may still be arriving.)
    with entrypoint_waiter(created, "record", callback=about("cus_3")) as event:
        received(
            announce,
            "inq_3",
            {**canonical_inquiry(company="Cobalt GmbH"), "contact": {"email": "jane@acme.de", "phone": "030 1234567"}},
        )
    assert event.get()["needs_review"] is True
    flagged = call(profile, "get_customer", "cus_3")
    assert flagged["possible_duplicates"] == ["cus_1", "cus_2"]
    assert "flagged_for_review" in [e["kind"] for e in call(profile, "get_timeline", "cus_3")["items"]]


def test_a_weaker_key_of_another_customer_is_noted_not_merged(profile, announce):
    received(announce, "inq_1", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    received(announce, "inq_2", canonical_inquiry(email="sales@bolt.de", company="Bolt GmbH"))
    received(announce, "inq_3", canonical_inquiry(email="info@acme.de", company="Bolt GmbH"))  # Acme's domain
    assert call(profile, "get_customer", "cus_1")["possible_duplicates"] == ["cus_2"]
    assert call(profile, "get_customer", "cus_1")["inquiry_count"] == 2
    assert call(profile, "list_customers", {})["total"] == 2


def test_check_before_create_lists_likely_customers_with_owner_and_pool_status(profile, announce):
    received(announce, "inq_1", canonical_inquiry())  # Acme GmbH, DE
    received(announce, "inq_2", canonical_inquiry(email="x@bolt.de", company="Bolt Tools GmbH"))
    announce(
        "pool",
        "customer_allocated",
        {
            "customer_id": "cus_1",
            "owner_id": "alice",
            "team": "default",
            "allocated_at": datetime.now(UTC),
            "reason": "test",
        },
        "on_customer_allocated",
    )
    typo = call(profile, "check_before_create", {"company": "ACME Gmbh.", "country": "Germany"})["candidates"]
    assert [(c["customer_id"], c["owner_id"], c["pool_status"]) for c in typo] == [("cus_1", "alice", "owned")]
    by_domain = call(profile, "check_before_create", {"email": "new.buyer@bolt.de"})["candidates"]
    assert [(c["customer_id"], c["matched_on"], c["pool_status"]) for c in by_domain] == [
        ("cus_2", ["domain"], "public_pool")
    ]
    misspelt = call(profile, "check_before_create", {"company": "Acmee GmbH", "country": "DE"})["candidates"]
    assert [(c["customer_id"], c["matched_on"], c["similarity"] >= 80) for c in misspelt] == [("cus_1", [], True)]
    assert call(profile, "check_before_create", {"company": "Zeta Marine"})["candidates"] == []
    with pytest.raises(InvalidInput) as refused:
        call(profile, "check_before_create", {"country": "DE", "email": {"$gt": ""}})
    assert refused.value.details["fields"] == {"email": ["Not a valid string."]}
    with pytest.raises(InvalidInput) as nothing_typed:
        call(profile, "check_before_create", {"country": "DE"})
    assert "company" in nothing_typed.value.details["fields"]


def test_a_communication_is_recorded_once_with_special_requirements_lifted(
    profile, announce, container_factory, config
):
    recorded = started(container_factory, recorder_of("profile", "communication_recorded"), config)
    received(announce, "inq_1", canonical_inquiry(message="2,000 pcs\n【特殊】110V version only"))
    at = datetime.now(UTC)
    note = {
        "at": at.isoformat(),
        "method": "phone",
        "by": "alice",
        "summary": "Called, confirmed 500 pcs, asked 10% off, quote sent\n【特殊】invoice must carry the VAT number",
        "customer_words": "We compare with a Shanghai supplier",
        "result": "quote requested",
    }
    call(profile, "record_communication", "cus_1", note, "call-1")
    customer = call(profile, "record_communication", "cus_1", note, "call-1")  # retried
    assert len(customer["communications"]) == 1
    assert customer["special_requirements"] == ["110V version only", "invoice must carry the VAT number"]
    *_, entry, traits = call(profile, "get_timeline", "cus_1")["items"]
    assert entry["kind"] == "communication_recorded" and "Shanghai supplier" in entry["summary"]
    assert traits["kind"] == "traits_noted" and "has competitor" in traits["summary"]
    assert [c["name"] for c in customer["competitors"]] == ["a Shanghai supplier"]
    assert "has competitor" in customer["tags"]
    with pytest.raises(InvalidInput) as refused:
        call(profile, "record_communication", "cus_1", {"at": "yesterday", "method": "fax", "by": "alice"}, None)
    assert set(refused.value.details["fields"]) == {"at", "method", "summary"}
    with entrypoint_waiter(recorded, "record") as event:
        call(profile, "record_communication", "cus_1", {**note, "summary": "called", "result": "无人接听"}, "call-2")
    assert (event.get()["method"], event.get()["answered"], event.get()["result"]) == ("phone", False, "无人接听")
    yesterday = (at - timedelta(days=1)).isoformat()
    late = call(profile, "record_communication", "cus_1", {**note, "at": yesterday, "summary": "met"}, "call-3")
    record = late["communications"][0]  # in time order: yesterday's first
    assert (record["summary"], record["recorded_late"], record["recorded_after_minutes"] >= 1440) == ("met", True, True)
    assert [c["recorded_late"] for c in late["communications"][1:]] == [False, False]
    entry = next(
        e for e in call(profile, "get_timeline", "cus_1")["items"] if e["refs"].get("communication_id") == record["id"]
    )
    assert entry["summary"].endswith("after it happened; the notes convention asks within 1 h)")


def test_merging_two_archives_keeps_everything_and_records_who(profile, announce, container_factory, config):
    started(container_factory, recorder_of("profile", "customers_merged", role="downstream"), config)
    received(announce, "inq_1", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    received(announce, "inq_2", canonical_inquiry(email="li.wei@gmail.com", company="ACME Hamburg", city="Hamburg"))
    call(
        profile,
        "record_communication",
        "cus_2",
        {
            "at": datetime.now(UTC).isoformat(),
            "method": "email",
            "by": "bob",
            "summary": "sent catalogue\n【特殊】needs CE",
        },
        "c-1",
    )
    merged = call(profile, "merge_customers", "cus_1", {"absorb": "cus_2", "by": "manager.meier"})
    again = call(profile, "merge_customers", "cus_1", {"absorb": "cus_2", "by": "manager.meier"})
    assert again["inquiry_count"] == merged["inquiry_count"] == 2
    assert [c["email"] for c in merged["contacts"]] == ["jane@acme.de", "li.wei@gmail.com"]
    assert merged["special_requirements"] == ["needs CE"] and len(merged["communications"]) == 1
    kinds = [e["kind"] for e in call(profile, "get_timeline", "cus_1")["items"]]
    assert kinds.count("inquiry_received") == 2 and "communication_recorded" in kinds
    assert kinds[-1] == "customers_merged"
    with pytest.raises(NotFound) as gone:
        call(profile, "get_customer", "cus_2")
    assert gone.value.details["merged_into"] == "cus_1"
    assert call(profile, "list_customers", {})["total"] == 1
    assert call(profile, "list_customers", {"email": "li.wei@gmail.com"})["items"][0]["id"] == "cus_1"


def test_an_inquiry_that_proves_two_archives_one_customer_links_them_once(profile, announce, container_factory, config):
    merges = started(container_factory, recorder_of("profile", "customers_merged"), config)
    received(announce, "inq_1", without_company(canonical_inquiry(email="buyer.li@gmail.com")))  # a person only
    received(announce, "inq_2", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    linking = canonical_inquiry(email="buyer.li@gmail.com", company="ACME GmbH")
    with entrypoint_waiter(merges, "record") as merged:
        received(announce, "inq_3", linking)
    assert merged.get() == {**merged.get(), "kept_id": "cus_1", "absorbed_id": "cus_2"}  # the oldest is kept
    archive = call(profile, "get_customer", "cus_1")
    assert archive["company"] == "Acme GmbH" and archive["inquiry_count"] == 3
    assert {c["email"] for c in archive["contacts"]} == {"buyer.li@gmail.com", "jane@acme.de"}
    assert "customers_merged" in [e["kind"] for e in call(profile, "get_timeline", "cus_1")["items"]]
    with entrypoint_waiter(merges, "record") as again:  # redelivered: the same merge is announced again
        received(announce, "inq_3", linking)
    assert again.get()["absorbed_id"] == "cus_2"
    assert call(profile, "list_customers", {})["total"] == 1


def test_two_salespeople_s_archives_are_flagged_not_linked(profile, announce):
    received(announce, "inq_1", without_company(canonical_inquiry(email="buyer.li@gmail.com")))
    received(announce, "inq_2", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    for customer_id, owner in (("cus_1", "alice"), ("cus_2", "bob")):
        announce(
            "pool",
            "customer_allocated",
            {
                "customer_id": customer_id,
                "owner_id": owner,
                "team": "default",
                "allocated_at": datetime.now(UTC),
                "reason": "test",
            },
            "on_customer_allocated",
        )
    received(announce, "inq_3", canonical_inquiry(email="buyer.li@gmail.com", company="Acme GmbH"))
    assert call(profile, "list_customers", {})["total"] == 2
    assert call(profile, "get_customer", "cus_1")["possible_duplicates"] == ["cus_2"]


def test_filing_by_hand_is_refused_naming_the_owner_when_the_customer_exists(profile, announce, created):
    from contracts.errors import Conflict

    received(announce, "inq_1", canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    announce(
        "pool",
        "customer_allocated",
        {
            "customer_id": "cus_1",
            "owner_id": "alice",
            "team": "default",
            "allocated_at": datetime.now(UTC),
            "reason": "test",
        },
        "on_customer_allocated",
    )
    request = {
        "created_by": "bob",
        "customer": canonical_inquiry(email="purchasing@acme.de", company="ACME Gmbh.", channel="trade_show"),
    }
    with pytest.raises(Conflict) as refused:
        call(profile, "create_customer", request, "card-1")
    assert refused.value.message == "This customer already exists as cus_1 (same domain), owned by alice."
    assert refused.value.details["customers"] == [{"customer_id": "cus_1", "owner_id": "alice"}]
    typo = {"created_by": "bob", "customer": canonical_inquiry(email="x@gmail.com", company="Acme GmbH.")}
    with pytest.raises(Conflict, match="owned by alice"):
        call(profile, "create_customer", typo, "card-2")

    new = {
        "created_by": "bob",
        "customer": canonical_inquiry(
            email="li@zeta-marine.cn", company="Zeta Marine", country="CN", channel="trade_show"
        ),
    }
    filed_by_bob = lambda worker_ctx, result, exc_info: result.get("requested_owner") == "bob"  # noqa: E731
    with entrypoint_waiter(created, "record", callback=filed_by_bob) as event:
        first = call(profile, "create_customer", new, "card-3")
    assert event.get()["requested_owner"] == "bob"
    assert call(profile, "create_customer", new, "card-3")["id"] == first["id"]  # retried: same archive
    assert call(profile, "list_customers", {})["total"] == 2


def test_inquiries_from_one_customer_filed_at_once_make_one_archive(profile, config, db):
    """Several workers file inquiries with the same keys at the same moment: each customer gets
    exactly one archive, holding every one of its inquiries, and each inquiry names it."""
    dispatch = event_dispatcher(config)
    companies, per_company = 8, 3
    names = ["Amber", "Birch", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbor"]
    for n, name in enumerate(names[:companies]):
        for copy in range(per_company):
            email = f"buyer{copy}@{name.lower()}-works.de"
            inquiry = canonical_inquiry(
                email=email,
                company=f"{name} Works GmbH",
                contact={"name": "Buyer", "email": email, "phone": f"+49 30 1234 56{n:02d}"},
            )
            dispatch(
                "intake",
                "inquiry_received",
                dump_event(
                    "inquiry_received",
                    {"inquiry_id": f"inq_r{n}_{copy}", "received_at": datetime.now(UTC), "inquiry": inquiry},
                ),
            )
    wait_for(
        lambda: sum(len(a.get("inquiry_ids", [])) for a in db.customers.find()) == companies * per_company,
        timeout=60,
        what="every inquiry filed",
    )
    archives = list(db.customers.find())
    assert len(archives) == companies
    for archive in archives:
        assert len({i.split("_")[1] for i in archive["inquiry_ids"]}) == 1, archive["inquiry_ids"]
        assert archive["sources"][0]["inquiry_id"] in archive["inquiry_ids"]


def test_an_archive_s_keys_are_claimed_in_one_order_stopping_at_another_customer_s(db):
    """Two inquiries racing to open one customer's archive cannot each take part of its keys."""
    from services.profile.store import Customers

    customers = Customers(db)
    keys = {"company": "DE:amberworks", "email": "li@amber-works.de", "phone": "+49301234567"}
    db.customer_keys.insert_one({"_id": "email:li@amber-works.de", "customer_id": "cus_rival"})
    # in key order: company:… is claimed, email:… is the rival's, so phone:… is left alone
    assert customers.claim_keys(keys, "cus_new") == {"company": "cus_new", "email": "cus_rival"}
    assert customers.claim_keys(keys, "cus_new", shared_with=("cus_rival",)) == {
        "company": "cus_new",
        "email": "cus_rival",
        "phone": "cus_new",
    }


def test_a_name_block_is_read_from_its_terms_with_the_names_folded(db):
    """in_name_block answers from the term documents alone (the name and its words); documents written
    before they carried the name, or folded by other rules, still find their archive; a rename reindexes."""
    from services.profile.domain.matching import name_blocks, name_words
    from services.profile.store import Customers

    customers = Customers(db)
    customers.ensure_indexes()
    db.customers.insert_many(
        [
            {"_id": "cus_1", "company": "Acme Trading GmbH", "country_code": "DE", "name_blocks": ["DE:acme"]},
            {"_id": "cus_2", "company": "ACME Tools AG", "country_code": "DE", "name_blocks": ["DE:acme"]},
        ]
    )
    assert name_blocks("Acme Trading GmbH", "DE") == ["DE:acme"]
    customers.index_terms("cus_1")
    # as written before term documents carried the name: the archive is read for it
    db.customer_terms.insert_one(
        {"_id": "name_blocks:DE:acme|cus_2", "term": "name_blocks:DE:acme", "customer_id": "cus_2"}
    )
    found = {a["_id"]: a for a in customers.in_name_block("DE:acme", 10)}
    assert found["cus_1"] == {"_id": "cus_1", "company": "Acme Trading GmbH", "words": ["acme", "trading"]}
    assert found["cus_2"]["company"] == "ACME Tools AG" and name_words(found["cus_2"]) == ["acme", "tools"]
    # words folded under other rules are not trusted: folded again
    db.customer_terms.update_one({"_id": "name_blocks:DE:acme|cus_1"}, {"$set": {"folding": "older", "words": ["x"]}})
    assert name_words(next(a for a in customers.in_name_block("DE:acme", 10) if a["_id"] == "cus_1")) == [
        "acme",
        "trading",
    ]
    db.customers.update_one({"_id": "cus_1"}, {"$set": {"company": "Acme Textil GmbH"}})
    for customer_id in ("cus_1", "cus_2"):
        customers.index_terms(customer_id)
    assert sorted((a["_id"], a["words"]) for a in customers.in_name_block("DE:acme", 10)) == [
        ("cus_1", ["acme", "textil"]),
        ("cus_2", ["acme", "tools"]),
    ]


def test_timeline_entries_carry_their_details_as_data_never_ids_in_words_nor_amounts(profile, announce, db):
    """What a client words each entry from in the reader's language: people by id, times in ISO
    8601; entries written before details were kept read as {} (the client falls back to the summary)."""
    received(announce, "inq_1", canonical_inquiry())
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    announce(
        "pool",
        "customer_allocated",
        {
            "customer_id": "cus_1",
            "owner_id": "alice",
            "team": "default",
            "allocated_at": at,
            "reason": "weighted round-robin",
        },
        "on_customer_allocated",
    )
    announce(
        "notification",
        "reminder_scheduled",
        {
            "reminder_id": "rem_first_touch_1",
            "kind": "first_touch",
            "user_id": "alice",
            "customer_id": "cus_1",
            "due_at": at + timedelta(days=3),
            "scheduled_at": at,
        },
        "on_reminder_scheduled",
    )
    announce(
        "handoff",
        "handoff_accepted",
        {
            "handoff_id": "hof_1",
            "kind": "sales_to_service",
            "customer_id": "cus_1",
            "by": "sam",
            "at": at,
            "complete": True,
            "from_user": "alice",
            "new_owner_id": None,
            "to_departments": ["service"],
        },
        "on_handoff_accepted",
    )
    announce(
        "pool",
        "recycling_warned",
        {
            "customer_id": "cus_1",
            "owner_id": "alice",
            "reason": "no follow-up recorded for 30 days",
            "due_at": at + timedelta(days=7),
            "warned_at": at,
        },
        "on_recycling_warned",
    )
    call(
        profile,
        "record_communication",
        "cus_1",
        {"at": at.isoformat(), "method": "phone", "by": "alice", "summary": "Called, quote sent"},
        "call-1",
    )
    call(
        profile,
        "record_deal_step",
        "cus_1",
        "orders",
        {
            "at": at.isoformat(),
            "by": "alice",
            "amount": 61770,
            "currency": "CNY",
            "products": ["LP-6060"],
            "delivery_date": "2027-02-20",
            "payment_method": "30% T/T deposit",
        },
        record_id="o-1",
    )
    call(profile, "grade_customer", "cus_1", {"by": "alice", "intent_grade": "B", "reason": "budget not confirmed"})
    entries = call(profile, "get_timeline", "cus_1", {"include": "reminders"})["items"]
    details = {e["kind"]: e["details"] for e in entries}
    assert details["customer_created"] == {
        "inquiry_id": "inq_1",
        "intent_grade": "A",
        "grade_reasons": details["customer_created"]["grade_reasons"],
    }
    assert details["owner_assigned"] == {"owner": "alice", "team": "default", "reason": "weighted round-robin"}
    assert details["reminder_scheduled"] == {
        "reminder_kind": "first_touch",
        "user": "alice",
        "due_at": (at + timedelta(days=3)).isoformat(),
    }
    assert details["handoff_accepted"] == {"kind": "sales_to_service", "by": "sam", "from": "alice", "new_owner": None}
    assert details["recycling_warned"] == {
        "owner": "alice",
        "returns_at": (at + timedelta(days=7)).isoformat(),
        "reason": "no follow-up recorded for 30 days",
    }
    assert (details["communication_recorded"]["method"], details["communication_recorded"]["by"]) == ("phone", "alice")
    assert details["order_recorded"] == {
        "by": "alice",
        "products": ["LP-6060"],
        "delivery_date": "2027-02-20",
        "payment_method": "30% T/T deposit",
    }
    assert details["graded"] == {
        "by": "alice",
        "grades": [{"grade": "intent_grade", "before": "A", "after": "B"}],
        "reason": "budget not confirmed",
    }
    text = repr(details)
    assert "UTC" not in text and "61770" not in text and "61,770" not in text and "CNY" not in text
    # an entry written before details were kept
    db.timeline.update_one({"_id": "cus_1:owner_assigned:" + f"alice:{at.isoformat()}"}, {"$unset": {"details": ""}})
    old = next(e for e in call(profile, "get_timeline", "cus_1")["items"] if e["kind"] == "owner_assigned")
    assert old["details"] == {} and old["summary"].startswith("Assigned to alice")


def test_a_contacts_special_lines_that_state_a_requirement_travel_with_its_event(
    profile, announce, container_factory, config
):
    recorded = started(container_factory, recorder_of("profile", "communication_recorded"), config)
    received(announce, "inq_1", canonical_inquiry())
    note = {
        "at": datetime.now(UTC).isoformat(),
        "method": "whatsapp",
        "by": "alice",
        "summary": "Jane confirmed.\n【特殊】needs 110V\n【特殊】美规插头，交货期 2027年3月1日\n【特殊】invoice in EUR",
    }
    with entrypoint_waiter(recorded, "record") as event:
        call(profile, "record_communication", "cus_1", note, "call-stated")
    assert event.get()["stated_requirements"] == [
        {"field": "voltage", "value": "110V", "line": "needs 110V"},
        {"field": "plug_type", "value": "US", "line": "美规插头，交货期 2027年3月1日"},
        {"field": "delivery_date", "value": "2027-03-01", "line": "美规插头，交货期 2027年3月1日"},
    ]
    # every line is still a special requirement in words
    assert call(profile, "get_customer", "cus_1")["special_requirements"][-3:] == [
        "needs 110V",
        "美规插头，交货期 2027年3月1日",
        "invoice in EUR",
    ]
