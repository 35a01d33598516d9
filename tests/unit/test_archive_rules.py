from datetime import UTC, datetime, timedelta

from services.profile.domain.archive import customer_id_for, merge_inquiry, open_archive, stronger_grade

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
GRADE_B = {"grade": "B", "reasons": ["product named"], "rule": "intent_grading"}
GRADE_A = {"grade": "A", "reasons": ["2,000 pcs by March"], "rule": "intent_grading"}


def inquiry(**overrides):
    base = {
        "schema_version": 1,
        "channel": "website_form",
        "company": "Acme GmbH",
        "contact": {"name": "Jane", "email": "jane@acme.de"},
        "country": "DE",
        "message": "Need 2,000 pcs of model X",
        "products": ["model X"],
    }
    return {**base, **overrides}


def test_an_archive_opened_from_an_inquiry_records_its_source_and_need():
    archive = open_archive("cus_1", "inq_1", inquiry(campaign="expo"), GRADE_B, None, NOW)
    assert archive["_id"] == "cus_1" and archive["owner_id"] is None
    assert archive["stage"] == "inquiry"
    assert archive["sources"] == [
        {"at": NOW, "channel": "website_form", "campaign": "expo", "initial_behaviour": None, "inquiry_id": "inq_1"}
    ]
    assert archive["needs"] == ["Need 2,000 pcs of model X"]
    assert archive["inquiry_ids"] == ["inq_1"] and archive["version"] == 1


def test_a_bare_contact_is_a_new_contact_not_an_inquiry():
    assert open_archive("cus_1", "inq_1", inquiry(message="  "), None, None, NOW)["stage"] == "new_contact"


def test_merging_adds_and_never_overwrites():
    archive = open_archive("cus_1", "inq_1", inquiry(city=None), GRADE_B, None, NOW)
    later = NOW + timedelta(days=2)
    merged = merge_inquiry(
        archive,
        "inq_2",
        inquiry(
            company="ACME Trading",
            city="Hamburg",
            channel="trade_show",
            message="Also 500 pcs model Y",
            products=["model Y", "model X"],
            contact={"email": "JANE@acme.de", "phone": "+49 40 123"},
        ),
        GRADE_A,
        later,
    )
    assert merged["company"] == "Acme GmbH"  # kept
    assert merged["city"] == "Hamburg"  # filled
    assert merged["contacts"] == [{"name": "Jane", "email": "jane@acme.de", "phone": "+49 40 123"}]
    assert [s["channel"] for s in merged["sources"]] == ["website_form", "trade_show"]
    assert merged["needs"] == ["Need 2,000 pcs of model X", "Also 500 pcs model Y"]
    assert merged["products"] == ["model X", "model Y"]
    assert merged["intent_grade"] == GRADE_A
    # the domain leaves the version as it was: the guarded write moves it on
    assert merged["version"] == 1 and merged["updated_at"] == later
    assert archive["version"] == 1  # the original is untouched


def test_a_different_person_at_the_same_company_is_a_second_contact():
    archive = open_archive("cus_1", "inq_1", inquiry(), None, None, NOW)
    merged = merge_inquiry(archive, "inq_2", inquiry(contact={"email": "li@acme.de"}), None, NOW)
    assert [c["email"] for c in merged["contacts"]] == ["jane@acme.de", "li@acme.de"]


def test_merging_the_same_inquiry_twice_changes_nothing():
    archive = open_archive("cus_1", "inq_1", inquiry(), None, None, NOW)
    assert merge_inquiry(archive, "inq_1", inquiry(), None, NOW) is None


def test_the_stronger_grade_wins_and_none_never_erases_one():
    assert stronger_grade(GRADE_B, GRADE_A) == GRADE_A
    assert stronger_grade(GRADE_A, GRADE_B) == GRADE_A
    assert stronger_grade(GRADE_B, None) == GRADE_B
    assert stronger_grade(None, GRADE_B) == GRADE_B


def test_the_archive_id_follows_from_the_opening_inquiry():
    assert customer_id_for("inq_abc") == "cus_abc"


def test_combining_two_archives_keeps_everything_and_prefers_the_kept_values():
    from services.profile.domain.archive import combine_archives

    kept = open_archive(
        "cus_1", "inq_1", inquiry(city=None), GRADE_B, None, NOW, possible_duplicates=["cus_2", "cus_9"]
    )
    absorbed = open_archive(
        "cus_2",
        "inq_2",
        inquiry(
            company="ACME Trading",
            city="Hamburg",
            channel="email",
            contact={"email": "li@acme.de"},
            message="300 sets model Y",
        ),
        GRADE_A,
        None,
        NOW,
    )
    absorbed["communications"] = [{"id": "com_1", "at": NOW, "method": "phone", "by": "bob", "summary": "call"}]
    absorbed["special_requirements"] = ["needs CE"]
    combined = combine_archives(kept, absorbed, NOW)
    assert combined["company"] == "Acme GmbH" and combined["city"] == "Hamburg"
    assert [c["email"] for c in combined["contacts"]] == ["jane@acme.de", "li@acme.de"]
    assert combined["inquiry_ids"] == ["inq_1", "inq_2"]
    assert [s["channel"] for s in combined["sources"]] == ["website_form", "email"]
    assert combined["communications"][0]["id"] == "com_1" and combined["special_requirements"] == ["needs CE"]
    assert combined["intent_grade"] == GRADE_A
    assert combined["possible_duplicates"] == ["cus_9"]
    assert combined["absorbed_ids"] == ["cus_2"] and combined["version"] == 1
    assert combine_archives(combined, absorbed, NOW) is None
