"""profile: what people change on an archive by hand — details, custom fields, aliases and titles,
quotes, samples and orders, stage, group links — through real RPC and the document server."""

from datetime import UTC, datetime, timedelta

import pytest
from nameko.testing.services import entrypoint_waiter

from contracts.errors import Conflict, InvalidInput, NotFound
from tests.integration.helpers import call, canonical_inquiry, started

NOW = datetime.now(UTC)


@pytest.fixture
def file(received):
    def file(inquiry_id, inquiry):
        received(inquiry_id, inquiry, received_at=NOW)
        return "cus_" + inquiry_id.removeprefix("inq_")

    return file


def kinds(profile, customer_id):
    return [e["kind"] for e in call(profile, "get_timeline", customer_id)["items"]]


def test_details_are_corrected_and_the_old_name_still_finds_the_customer(profile, file):
    acme = file("inq_1", canonical_inquiry(company="Acme GmbH"))
    updated = call(
        profile,
        "update_customer",
        acme,
        {
            "by": "alice",
            "company": "Acme Lighting GmbH",
            "city": "Hamburg",
            "target_price": "USD 4.20 FOB",
            "titles": [{"name": "Acme Lighting (HK) Ltd", "country": "HK"}],
            "cautions": ["dislikes hard discount pitches"],
            "manual_tags": ["cares about lead time"],
            "requirements": [{"model": "X-200", "quantity": 2000, "use": "warehouse lighting"}],
            "custom_fields": {"industry": "LED lighting", "purchase_cycle": "quarterly"},
        },
    )
    assert updated["company"] == "Acme Lighting GmbH" and updated["aliases"] == ["Acme GmbH"]
    assert updated["custom_fields"] == {"industry": "LED lighting", "purchase_cycle": "quarterly"}
    assert updated["tags"][-1] == "cares about lead time" and updated["tags"][:3] == ["inquiry", "A", "DE"]
    entry = call(profile, "get_timeline", acme)["items"][-1]
    assert entry["kind"] == "details_updated" and "city: — → Hamburg" in entry["summary"] and entry["actor"] == "alice"
    # Inquiries under the old name, the new name and the Hong Kong title all land in this archive.
    file("inq_2", canonical_inquiry(email="a@x-mail.example", company="ACME GmbH."))
    file(
        "inq_3", canonical_inquiry(email="b@y-mail.example", company="Acme Lighting (HK) Limited", country="Hong Kong")
    )
    assert call(profile, "get_customer", acme)["inquiry_count"] == 3
    assert call(profile, "list_customers", {"tag": "cares about lead time"})["total"] == 1


def test_bad_custom_values_and_names_of_other_customers_are_refused_changing_nothing(profile, file, db):
    acme, bolt = (
        file("inq_1", canonical_inquiry()),
        file("inq_2", canonical_inquiry(email="x@bolt.de", company="Bolt Tools GmbH")),
    )
    call(profile, "update_customer", bolt, {"by": "carol", "custom_fields": {"industry": "tools"}})
    before = db.customers.find_one({"_id": acme})
    with pytest.raises(InvalidInput) as refused:
        call(
            profile,
            "update_customer",
            acme,
            {"by": "alice", "custom_fields": {"purchase_cycle": "weekly", "colour": "red"}},
        )
    fields = refused.value.details["fields"]["custom_fields"]
    assert fields["purchase_cycle"] == ["Must be one of: one_off, monthly, quarterly, yearly."]
    assert fields["colour"][0].startswith("Unknown custom field")
    with pytest.raises(Conflict) as taken:
        call(profile, "update_customer", acme, {"by": "alice", "aliases": ["Acme Group", "BOLT TOOLS"]})
    assert taken.value.details["customers"] == [{"customer_id": bolt, "owner_id": None}]
    assert "merge the archives or link them as a group" in taken.value.message
    assert db.customers.find_one({"_id": acme}) == before
    assert db.customer_keys.find_one({"_id": "company:DE:acmegroup"}) is None  # the refused change claimed nothing
    with pytest.raises(InvalidInput) as bad_code:
        call(
            profile,
            "update_customer",
            acme,
            {
                "by": "alice",
                "registration_code": "DE136695975",
                "titles": [{"name": "Acme Shenzhen", "registration_code": "911100006000373410", "country": "CN"}],
            },
        )
    assert bad_code.value.details["fields"] == {
        "registration_code": ["Not a valid DE VAT number (the check digits do not match)."],
        "titles": {
            0: {"registration_code": ["Not a valid unified social credit code (18 characters with a check character)."]}
        },
    }
    with pytest.raises(InvalidInput) as empty:
        call(profile, "update_customer", acme, {"by": "alice"})
    assert "_schema" in empty.value.details["fields"]


def test_quotes_samples_and_orders_move_the_stage_forward_once_each(profile, file):
    acme = file("inq_1", canonical_inquiry())
    quote = {
        "at": (NOW - timedelta(days=5)).isoformat(),
        "by": "alice",
        "product": "X-200",
        "unit_price": 4.2,
        "currency": "USD",
        "quantity": 2000,
        "valid_until": (NOW + timedelta(days=25)).isoformat(),
    }
    call(profile, "record_deal_step", acme, "quotes", quote, record_id="q-1")
    again = call(profile, "record_deal_step", acme, "quotes", quote, record_id="q-1")  # retried
    assert len(again["quotes"]) == 1 and again["stage"] == "quoted"
    sample = {"sent_at": (NOW - timedelta(days=3)).isoformat(), "by": "alice", "model": "X-200", "test_days": 14}
    assert call(profile, "record_deal_step", acme, "samples", sample)["stage"] == "sample"
    later_quote = {**quote, "at": NOW.isoformat(), "unit_price": 4.0}
    assert call(profile, "record_deal_step", acme, "quotes", later_quote)["stage"] == "sample"  # never back
    order = {
        "at": (NOW + timedelta(minutes=1)).isoformat(),
        "by": "alice",
        "amount": 8000,
        "currency": "USD",
        "products": ["X-200"],
        "delivery_date": "2027-01-15",
        "payment_method": "30% T/T deposit",
    }
    customer = call(profile, "record_deal_step", acme, "orders", order)
    assert customer["stage"] == "customer" and customer["orders"][0]["delivery_date"] == "2027-01-15"
    timeline = call(profile, "get_timeline", acme)["items"]
    steps = [
        e["kind"]
        for e in timeline
        if e["kind"] in ("quote_recorded", "sample_recorded", "order_recorded", "stage_changed")
    ]
    assert steps == [
        "quote_recorded",
        "stage_changed",
        "sample_recorded",
        "stage_changed",
        "quote_recorded",
        "order_recorded",
        "stage_changed",
    ]
    assert not any("4.2" in e["summary"] for e in timeline)  # prices stay off the timeline
    with pytest.raises(InvalidInput) as refused:
        call(
            profile, "record_deal_step", acme, "orders", {"at": "soon", "by": "alice", "amount": -1, "currency": "usd"}
        )
    assert set(refused.value.details["fields"]) == {"at", "amount", "currency"}
    with pytest.raises(InvalidInput):
        call(profile, "record_deal_step", acme, "invoices", order)


def test_leaving_the_main_path_needs_a_reason_and_an_order_wins_the_customer_back(profile, file):
    acme = file("inq_1", canonical_inquiry())
    with pytest.raises(InvalidInput) as refused:
        call(profile, "change_stage", acme, {"stage": "lost", "by": "alice"})
    assert refused.value.details["fields"] == {"reason": ["A reason is required for stage 'lost'."]}
    lost = call(
        profile, "change_stage", acme, {"stage": "lost", "by": "alice", "reason": "bought from a Vietnamese factory"}
    )
    assert (lost["stage"], lost["stage_reason"]) == ("lost", "bought from a Vietnamese factory")
    order = {"at": NOW.isoformat(), "by": "alice", "amount": 1200, "currency": "EUR"}
    won_back = call(profile, "record_deal_step", acme, "orders", order)
    assert (won_back["stage"], won_back["stage_reason"]) == ("customer", None)
    assert kinds(profile, acme).count("stage_changed") == 2


def test_a_group_links_subsidiaries_each_keeping_its_owner(profile, file):
    parent = file("inq_1", canonical_inquiry(company="Acme Holding GmbH"))
    hamburg = file("inq_2", canonical_inquiry(email="li@acme-hh.de", company="Acme Hamburg GmbH", city="Hamburg"))
    lyon = file("inq_3", canonical_inquiry(email="jo@acme.fr", company="Acme Lyon SARL", country="FR"))
    call(profile, "link_group", hamburg, {"link": lyon, "by": "carol"})  # a group of two first
    view = call(profile, "link_group", parent, {"link": lyon, "by": "manager", "name": "Acme Group"})
    assert view["group"]["name"] == "Acme Group"
    assert {m["customer_id"] for m in view["members"]} == {parent, hamburg, lyon}  # the groups became one
    assert call(profile, "get_group", hamburg)["group"]["id"] == view["group"]["id"]
    assert call(profile, "get_customer", lyon)["group"]["name"] == "Acme Group"
    assert "group_linked" in kinds(profile, parent)
    assert call(profile, "list_customers", {"group_id": view["group"]["id"]})["total"] == 3
    left = call(profile, "leave_group", lyon, {"by": "manager"})
    assert left["group"] is None and [m["customer_id"] for m in left["members"]] == [lyon]
    with pytest.raises(Conflict):
        call(profile, "leave_group", lyon, {"by": "manager"})
    with pytest.raises(NotFound):
        call(profile, "link_group", parent, {"link": "cus_nope", "by": "manager"})


def test_merging_keeps_the_business_record_of_both(profile, file):
    acme = file("inq_1", canonical_inquiry())
    dup = file("inq_2", canonical_inquiry(email="li.wei@gmail.com", company="ACME Hamburg", city="Hamburg"))
    call(
        profile,
        "record_deal_step",
        dup,
        "quotes",
        {"at": NOW.isoformat(), "by": "bob", "product": "X-200", "unit_price": 4.0, "currency": "USD"},
    )
    call(profile, "update_customer", dup, {"by": "bob", "cautions": ["no calls before 10:00"]})
    merged = call(profile, "merge_customers", acme, {"absorb": dup, "by": "manager"})
    assert len(merged["quotes"]) == 1 and merged["stage"] == "quoted"
    assert merged["cautions"] == ["no calls before 10:00"] and "ACME Hamburg" in merged["aliases"]


def test_grades_are_set_by_hand_with_the_reason_and_announced(profile, file, container_factory, config):
    from tests.integration.helpers import recorder_of

    updated = started(container_factory, recorder_of("profile", "customer_updated"), config)
    acme = file("inq_1", canonical_inquiry())
    filed = call(profile, "get_customer", acme)
    assert filed["intent_grade"]["grade"] == "A" and filed["value_grade"] is None and filed["graded_at"]
    with entrypoint_waiter(updated, "record") as event:
        graded = call(
            profile,
            "grade_customer",
            acme,
            {
                "by": "alice",
                "value_grade": "B",
                "intent_grade": "B",
                "reason": "budget not confirmed; first order 20k USD",
            },
        )
    assert graded["value_grade"] == {
        "grade": "B",
        "reasons": ["budget not confirmed; first order 20k USD"],
        "rule": "by alice",
    }
    assert graded["intent_grade"]["grade"] == "B" and graded["graded_at"] > filed["graded_at"]
    assert (event.get()["value_grade"], event.get()["graded_at"]) == ("B", graded["graded_at"])
    entry = call(profile, "get_timeline", acme)["items"][-1]
    assert (entry["kind"], entry["actor"]) == ("graded", "alice")
    assert entry["summary"] == "Graded by alice: intent A → B, value — → B"  # a value grade's reason: not here
    for bad, field in (
        ({"by": "alice", "reason": "x"}, "_schema"),
        ({"by": "alice", "value_grade": "E", "reason": "x"}, "value_grade"),
        ({"by": "alice", "intent_grade": "D", "reason": "x"}, "intent_grade"),
        ({"by": "alice", "value_grade": "A"}, "reason"),
    ):
        with pytest.raises(InvalidInput) as refused:
            call(profile, "grade_customer", acme, bad)
        assert field in refused.value.details["fields"]
    with pytest.raises(NotFound):
        call(profile, "grade_customer", "cus_nobody", {"by": "alice", "value_grade": "A", "reason": "x"})


def test_an_order_sets_the_value_grade_by_the_rule_plugin_until_a_person_grades_it(profile, file):
    acme = file("inq_1", canonical_inquiry())
    order = {"by": "alice", "at": NOW.isoformat(), "amount": 20000, "currency": "USD"}  # 142,000 CNY
    graded = call(profile, "record_deal_step", acme, "orders", order, "ord-1")
    assert graded["value_grade"]["grade"] == "B" and graded["value_grade"]["rule"] == "value_grading"
    assert graded["value_grade"]["reasons"][0] == "orders of the last 365 days: 142,000 CNY"
    entry = call(profile, "get_timeline", acme)["items"][-1]
    assert (entry["kind"], entry["actor"]) == ("graded", "value_grading") and "value — → B" in entry["summary"]
    call(
        profile, "grade_customer", acme, {"by": "alice", "value_grade": "D", "reason": "paid the last two orders late"}
    )
    bigger = call(profile, "record_deal_step", acme, "orders", {**order, "amount": 200000}, "ord-2")
    assert (bigger["value_grade"]["grade"], bigger["value_grade"]["rule"]) == ("D", "by alice")


def _without_company(inquiry):
    return {name: value for name, value in inquiry.items() if name != "company"}


def _by_index(errors):
    # a list's field errors by index, as JSON (and so HTTP) names them: "0", not 0
    return {str(index): reasons for index, reasons in errors.items()}


def test_contacts_are_corrected_and_the_archive_is_found_by_the_new_email_not_the_old(
    profile, file, db, container_factory, config
):
    from tests.integration.helpers import recorder_of

    updated = started(container_factory, recorder_of("profile", "customer_updated"), config)
    acme = file("inq_1", canonical_inquiry())  # jane@acme.de, Acme GmbH, DE
    with entrypoint_waiter(updated, "record") as event:
        changed = call(
            profile,
            "update_customer",
            acme,
            {
                "by": "alice",
                "website": "https://www.acme-lighting.de/en",
                "contacts": [
                    {"name": "Jane Doe", "email": "jane.doe@acme-lighting.de", "phone": "030 1234567"},
                    {"name": "Li Wei", "email": "Li.Wei@gmail.com"},
                ],
                "needs": ["2,000 pcs of X-200 with CE by March"],
                "products": ["X-200"],
            },
        )
    assert changed["website"] == "acme-lighting.de"
    assert changed["contacts"][1] == {"name": "Li Wei", "email": "Li.Wei@gmail.com"}  # kept as typed
    assert (changed["needs"], changed["products"]) == (["2,000 pcs of X-200 with CE by March"], ["X-200"])
    version = db.customers.find_one({"_id": acme})["version"]
    assert (event.get()["customer_id"], event.get()["version"]) == (acme, version)
    keys = {doc["_id"] for doc in db.customer_keys.find({"customer_id": acme})}
    assert {
        "email:jane.doe@acme-lighting.de",
        "domain:acme-lighting.de",
        "phone:+49301234567",
        "email:liwei@gmail.com",
        "company:DE:acme",
    } <= keys
    assert not keys & {"email:jane@acme.de", "domain:acme.de"}  # removed: they match it no more
    entry = call(profile, "get_timeline", acme)["items"][-1]
    assert (entry["kind"], entry["actor"]) == ("details_updated", "alice")
    assert (
        "contacts: Jane Doe: email jane@acme.de → jane.doe@acme-lighting.de, phone — → 030 1234567; added Li Wei"
        in entry["summary"]
    ) and "products: + X-200" in entry["summary"]
    trail = db.of("profile").audit.find_one(
        {"resource_id": acme, "action": "update_customer"}
    )  # actor: the caller (none here)
    added = [c["email"] for c in trail["changes"]["contacts"]["added"]]
    assert added == ["jane.doe@acme-lighting.de", "Li.Wei@gmail.com"]
    assert trail["changes"]["contacts"]["removed"] == [{"name": "Jane Doe", "email": "jane@acme.de"}]
    # An inquiry from the new (free-mail) address merges by its email; one from the old opens a new archive.
    file("inq_2", _without_company(canonical_inquiry(email="liwei@gmail.com", message="Also 300 sets of X-300")))
    merged = call(profile, "get_customer", acme)
    assert merged["inquiry_count"] == 2
    assert any(
        e["summary"].endswith("merged into this archive (same email)")
        for e in call(profile, "get_timeline", acme)["items"]
        if e["refs"].get("inquiry_id") == "inq_2"
    )
    assert file("inq_3", _without_company(canonical_inquiry())) == "cus_3"
    assert call(profile, "get_customer", "cus_3")["contacts"][0]["email"] == "jane@acme.de"
    assert db.customer_keys.find_one({"_id": "email:jane@acme.de"})["customer_id"] == "cus_3"


def test_contact_website_and_country_errors_name_their_field_and_another_customers_email_is_refused(profile, file, db):
    acme = file("inq_1", canonical_inquiry())
    bolt = file("inq_2", canonical_inquiry(email="x@bolt.de", company="Bolt Tools GmbH"))
    before = db.customers.find_one({"_id": acme})
    with pytest.raises(InvalidInput) as typed:
        call(
            profile,
            "update_customer",
            acme,
            {
                "by": "alice",
                "website": "not a website",
                "contacts": [
                    {"name": "Jane Doe", "email": "jane@acme.de"},
                    {"email": "li@acme.invalid"},
                    {"name": "Bo", "phone": "12345"},
                ],
            },
        )
    fields = typed.value.details["fields"]
    assert fields["website"] == ["Not a website: give a URL or a domain, e.g. https://www.acme.de/en or acme.de."]
    contacts = _by_index(fields["contacts"])  # contacts.1.email, contacts.2.phone
    assert set(contacts) == {"1", "2"} and "special-use or reserved" in contacts["1"]["email"][0]
    assert contacts["2"] == {"phone": ["Not a phone number in DE: give it with its country code, e.g. +49 30 1234567."]}
    with pytest.raises(InvalidInput) as contract:
        call(profile, "update_customer", acme, {"by": "alice", "contacts": [{"email": "not an email"}], "country": ""})
    assert _by_index(contract.value.details["fields"]["contacts"]) == {"0": {"email": ["Not a valid email address."]}}
    assert contract.value.details["fields"]["country"] == ["Give some text, or null to clear it."]
    with pytest.raises(Conflict) as taken:
        call(
            profile,
            "update_customer",
            acme,
            {
                "by": "alice",
                "contacts": [
                    {"name": "Jane Doe", "email": "jane@acme.de", "phone": "+49 40 7654321"},
                    {"email": "X@Bolt.de"},
                ],
            },
        )
    assert taken.value.details["customers"] == [{"customer_id": bolt, "owner_id": None}]
    assert taken.value.details["keys"] == ["domain:bolt.de", "email:x@bolt.de"]
    assert taken.value.message.startswith("The company's domain and An email already identifies")
    assert db.customers.find_one({"_id": acme}) == before
    assert db.customer_keys.find_one({"_id": "phone:+49407654321"}) is None  # the refused change claimed nothing
    # An unknown country is kept as given and reported, not refused; a local phone reads in the archive's country.
    kept = call(profile, "update_customer", acme, {"by": "alice", "country": "Neverland"})
    assert (kept["country"], kept["country_code"]) == ("Neverland", None)
    assert any(
        row["country"] == "Neverland" and acme in row["customer_ids"]
        for row in call(profile, "unknown_countries")["items"]
    )
    local = call(
        profile,
        "update_customer",
        acme,
        {
            "by": "alice",
            "country": "Deutschland",
            "contacts": [{"name": "Jane Doe", "email": "jane@acme.de", "phone": "040 7654321"}],
        },
    )
    assert local["country_code"] == "DE"
    assert db.customer_keys.find_one({"_id": "phone:+49407654321"})["customer_id"] == acme
