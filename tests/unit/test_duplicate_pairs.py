"""Possible duplicates as pairs: one id per pair, the flag removed or moved, the keys both share."""

from datetime import UTC, datetime

from services.profile.domain.duplicates import (
    apart_record,
    listed_pair,
    not_kept_apart,
    open_pair,
    other_side,
    pair_id,
    shared_keys,
    with_flag_moved,
    without_flag,
)

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def archive(customer_id, company, email, **more):
    return {
        "_id": customer_id,
        "company": company,
        "country": "Germany",
        "country_code": "DE",
        "contacts": [{"email": email}],
        "possible_duplicates": [],
        "owner_id": None,
        **more,
    }


def test_a_pair_has_one_id_whichever_side_is_named_first():
    assert pair_id("cus_2", "cus_1") == pair_id("cus_1", "cus_2") == "cus_1|cus_2"
    pair = open_pair("cus_2", "cus_1", NOW, "k")
    assert (pair["first"], pair["second"], pair["flagged_by"]) == ("cus_1", "cus_2", "cus_2")
    assert other_side(pair, "cus_1") == "cus_2" and other_side(pair, "cus_2") == "cus_1"
    assert apart_record("cus_2", "cus_1", "meier", None, NOW)["_id"] == pair["_id"]


def test_a_pair_kept_apart_is_not_flagged_again_but_others_are():
    apart = {pair_id("cus_1", "cus_2")}
    assert not_kept_apart("cus_1", ("cus_2", "cus_3"), apart) == ("cus_3",)
    assert not_kept_apart("cus_3", ("cus_2", "cus_1"), apart) == ("cus_2", "cus_1")
    assert not_kept_apart("cus_1", ("cus_1",), set()) == ()


def test_keeping_apart_removes_only_that_flag_and_says_when_nothing_changed():
    flagged = archive("cus_1", "Acme GmbH", "jane@acme.de", possible_duplicates=["cus_2", "cus_3"])
    changed = without_flag(flagged, {"cus_2"}, NOW)
    assert changed["possible_duplicates"] == ["cus_3"] and changed["updated_at"] == NOW
    assert "version" not in changed  # the guarded write moves it
    assert without_flag(changed, {"cus_2"}, NOW) is None


def test_a_flag_naming_an_archive_merged_away_names_the_one_it_went_into():
    flagged = archive("cus_3", "Bolt", "x@bolt.de", possible_duplicates=["cus_2", "cus_1"])
    assert with_flag_moved(flagged, "cus_2", "cus_1", NOW)["possible_duplicates"] == ["cus_1"]
    assert with_flag_moved(flagged, "cus_9", "cus_1", NOW) is None
    own = archive("cus_1", "Acme", "a@acme.de", possible_duplicates=["cus_2"])
    assert with_flag_moved(own, "cus_2", "cus_1", NOW)["possible_duplicates"] == []


def test_the_keys_two_archives_share_are_named_strongest_first():
    acme = archive("cus_1", "Acme GmbH", "jane@acme.de")
    other = archive("cus_2", "Acme GmbH", "info@acme.de")
    assert shared_keys(acme, other) == ["domain", "company"]
    stranger = archive("cus_3", "Bolt GmbH", "sales@bolt.de")
    assert shared_keys(acme, stranger) == []


def test_a_listed_pair_shows_the_flagged_archive_first_and_none_when_one_is_gone():
    one = archive("cus_1", "Acme GmbH", "jane@acme.de", owner_id="alice")
    two = archive("cus_2", "Acme Tools", "info@acme.de")
    pair = open_pair("cus_2", "cus_1", NOW, "k")
    shown = listed_pair(pair, {"cus_1": one, "cus_2": two})
    assert shown["customer"]["company"] == "Acme Tools" and shown["other"]["owner_id"] == "alice"
    assert shown["shared"] == ["domain"] and shown["id"] == "cus_1|cus_2"
    assert listed_pair(pair, {"cus_1": one}) is None
