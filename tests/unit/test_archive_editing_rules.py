"""Pure rules of correcting an archive by hand: contacts, needs and products, websites and countries
as a person types them, the keys contacts give, and what the timeline says about it."""

from datetime import UTC, datetime

import pytest

from contracts.customer import CustomerUpdateSchema
from services.profile.domain import timeline
from services.profile.domain.details import NOT_A_WEBSITE, typed_problems, update_details, with_website_domain
from services.profile.domain.matching import contact_keys
from services.profile.domain.normalising import email_problem, website_domain

AT = datetime(2026, 11, 1, tzinfo=UTC)
JANE = {"name": "Jane Doe", "email": "jane@acme.de", "phone": "+49 30 1234567"}


def archive(**fields):
    return {
        "_id": "cus_1",
        "stage": "inquiry",
        "version": 1,
        "company": "Acme GmbH",
        "country": "Germany",
        "country_code": "DE",
        "contacts": [JANE],
        "needs": ["2,000 pcs of X-200"],
        "products": ["X-200"],
        **fields,
    }


@pytest.mark.parametrize(
    "typed, domain",
    [
        ("acme.de", "acme.de"),
        ("https://www.acme.co.uk/en?x=1", "acme.co.uk"),
        ("HTTP://Shop.Acme.DE:8080/#top", "acme.de"),
        ("  www.acme.de.  ", "acme.de"),
        ("müller.de", "müller.de"),
        ("ａｃｍｅ.de", "acme.de"),
        ("not a website", None),
        ("acme", None),
        ("localhost", None),
        ("http://192.168.1.1", None),
        ("jane@acme.de", None),
        ("ftp://acme.de", None),
        ("acme .de", None),
        ("-acme.de", None),
        ("", None),
        ("acme.de/ and more", None),
        ("https://user:pw@acme.de", None),
    ],
)
def test_a_website_is_a_url_or_bare_domain_kept_as_its_registrable_domain(typed, domain):
    assert website_domain(typed) == domain


def test_emails_are_checked_by_email_validator():
    assert email_problem("jane@acme.de") is None
    assert "special-use or reserved" in email_problem("jane@acme.invalid")
    assert email_problem("jane@localhost")  # marshmallow's Email lets this one through


def test_contacts_give_their_emails_company_domains_and_phones_read_in_the_archives_country():
    keys = contact_keys(archive(contacts=[JANE, {"email": "Li.Wei+crm@gmail.com", "phone": "030 7654321"}]))
    assert keys == {
        ("email", "jane@acme.de"),
        ("domain", "acme.de"),
        ("phone", "+49301234567"),
        ("email", "liwei@gmail.com"),
        ("phone", "+49307654321"),
    }  # never a free-mail domain
    assert ("phone", "+49307654321") not in contact_keys(
        archive(country_code=None, contacts=[{"phone": "030 7654321"}])
    )
    assert contact_keys(archive(contacts=[])) == set()


def test_what_a_person_types_is_refused_field_by_field_naming_each_contacts_index():
    changes = {
        "website": "not a website",
        "contacts": [{"email": "jane@acme.invalid"}, JANE, {"name": "Li", "email": "li@acme.de", "phone": "12345"}],
    }
    problems = typed_problems(changes, archive(), "DE")
    assert problems["website"] == [NOT_A_WEBSITE]
    assert set(problems["contacts"]) == {0, 2}
    assert "special-use or reserved" in problems["contacts"][0]["email"][0]
    assert problems["contacts"][2] == {
        "phone": ["Not a phone number in DE: give it with its country code, e.g. +49 30 1234567."]
    }
    # a local number reads in the archive's country; null clears a website
    assert typed_problems({"website": None, "contacts": [{"phone": "030 7654321"}]}, archive(), "DE") == {}
    assert "contacts" in typed_problems({"contacts": [{"phone": "030 7654321"}]}, archive(), None)


def test_an_email_or_phone_the_archive_holds_already_passes_as_received():
    received = {"name": "Bob", "phone": "ask reception"}  # an inquiry's, kept as it came
    known = archive(contacts=[received, JANE])
    assert typed_problems({"contacts": [received, {**JANE, "email": "jane.doe@acme.de"}]}, known, "DE") == {}
    assert typed_problems({"contacts": [{**received, "phone": "call me"}]}, known, "DE") != {}


def test_contacts_needs_and_products_replace_the_lists_and_a_website_is_kept_as_its_domain():
    changes = with_website_domain(
        {
            "website": "https://www.acme.de/en",
            "contacts": [{**JANE, "email": "j@acme.de"}],
            "needs": ["2,000 pcs of X-200 with CE"],
            "products": ["X-200", "X-300"],
        }
    )
    updated, changed = update_details(archive(), changes, AT)
    # the domain leaves the version as it was: the guarded write moves it on
    assert (updated["website"], updated["contacts"][0]["email"], updated["version"]) == ("acme.de", "j@acme.de", 1)
    assert set(changed) == {"website", "contacts", "needs", "products"}
    assert changed["contacts"] == ([JANE], [{**JANE, "email": "j@acme.de"}])
    assert update_details(
        updated, {"contacts": [{**JANE, "email": "j@acme.de"}], "products": ["X-200", "X-300"]}, AT
    ) == (None, {})
    assert with_website_domain({"website": None}) == {"website": None}


def test_the_timeline_names_what_changed_in_contacts_needs_and_products_and_never_a_price():
    li = {"name": "Li Wei", "email": "li@acme.de"}
    changed = {
        "contacts": ([JANE, {"email": "bob@acme.de"}], [{**JANE, "email": "j.doe@acme.de"}, li]),
        "needs": (["2,000 pcs of X-200"], ["2,000 pcs of X-200", "CE marking"]),
        "products": (["X-200", "X-100"], ["X-200"]),
        "target_price": (None, "USD 4.20 FOB"),
    }
    summary = timeline.details_updated("cus_1", changed, "alice", AT)["summary"]
    assert summary == (
        "Details updated by alice: contacts: Jane Doe: email jane@acme.de → j.doe@acme.de; "
        "Li Wei: name — → Li Wei, email bob@acme.de → li@acme.de; needs: + CE marking; "
        "products: − X-100; target price: changed"
    )
    added = timeline.details_updated("cus_1", {"contacts": ([JANE], [JANE, li])}, "bob", AT)["summary"]
    assert added.endswith("contacts: added Li Wei")
    removed = timeline.details_updated("cus_1", {"contacts": ([JANE, li], [li])}, "bob", AT)["summary"]
    assert removed.endswith("contacts: removed Jane Doe") and "4.20" not in summary


@pytest.mark.parametrize(
    "body, errors",
    [
        ({"country": ""}, {"country": ["Give some text, or null to clear it."]}),
        ({"country": "   "}, {"country": ["Give some text, or null to clear it."]}),
        ({"country": "N" * 101}, {"country": ["Longer than maximum length 100."]}),
        ({"country": "Neverland"}, {}),  # kept as given, its country_code null: reported, not refused
        ({"country": None}, {}),
        ({"contacts": []}, {"contacts": ["Length must be between 1 and 50."]}),
        (
            {"contacts": [JANE, {"name": "Li"}]},
            {"contacts": {1: {"email": ["A contact needs an email or a phone number."]}}},
        ),
        ({"contacts": [{"email": "not an email"}]}, {"contacts": {0: {"email": ["Not a valid email address."]}}}),
        ({"needs": [""]}, {"needs": {0: ["Length must be between 1 and 20000."]}}),
        ({"products": ["X-200"], "needs": ["CE"], "contacts": [JANE]}, {}),
    ],
)
def test_the_update_contract_takes_contacts_needs_and_products_and_refuses_an_empty_country(body, errors):
    assert CustomerUpdateSchema().validate({"by": "alice", **body}) == errors
