"""Pure rules of the archive's business record: stages, hand corrections, tags, traits, groups."""

from datetime import UTC, datetime

import pytest

from services.profile.domain.deals import change_stage, record_step, stage_after
from services.profile.domain.details import update_details
from services.profile.domain.groups import join_group, leave_group
from services.profile.domain.matching import identity_keys
from services.profile.domain.tags import tags_of
from services.profile.domain.traits import note_traits

AT = datetime(2026, 11, 1, tzinfo=UTC)


def archive(**fields):
    return {
        "_id": "cus_1",
        "stage": "inquiry",
        "version": 1,
        "company": "Acme GmbH",
        "country": "Germany",
        "country_code": "DE",
        **fields,
    }


@pytest.mark.parametrize(
    "current, reached, expected",
    [
        ("new_contact", "quoted", "quoted"),
        ("inquiry", "sample", "sample"),
        ("sample", "quoted", "sample"),
        ("customer", "quoted", "customer"),
        ("lost", "quoted", "quoted"),
        ("dormant", "customer", "customer"),
    ],
)
def test_a_step_moves_the_stage_forward_only_and_wins_back_side_paths(current, reached, expected):
    assert stage_after(current, reached) == expected


def test_a_step_is_recorded_once_sorted_in_time_and_clears_a_side_path_reason():
    lost = archive(stage="lost", stage_reason="price")
    quoted = record_step(lost, "quotes", "q2", {"at": AT, "by": "a"}, AT)
    earlier = record_step(quoted, "quotes", "q1", {"at": AT.replace(day=1, month=10), "by": "a"}, AT)
    assert [q["id"] for q in earlier["quotes"]] == ["q1", "q2"]
    # the domain leaves the version as it was: the guarded write moves it on
    assert (earlier["stage"], earlier["stage_reason"], earlier["version"]) == ("quoted", None, 1)
    assert record_step(earlier, "quotes", "q1", {"at": AT, "by": "a"}, AT) is None
    assert change_stage(earlier, "quoted", None, AT) is None


def test_a_renamed_company_keeps_its_old_name_as_an_alias_and_only_real_changes_count():
    updated, changed = update_details(archive(), {"company": "Acme Lighting GmbH", "city": "Hamburg"}, AT)
    assert updated["aliases"] == ["Acme GmbH"] and set(changed) == {"company", "city", "aliases"}
    assert changed["city"] == (None, "Hamburg")
    assert update_details(updated, {"city": "Hamburg"}, AT) == (None, {})
    cleared, _ = update_details(
        archive(custom_fields={"industry": "tools", "hs_code": "9405"}), {"custom_fields": {"industry": None}}, AT
    )
    assert cleared["custom_fields"] == {"hs_code": "9405"}


def test_every_name_and_code_of_an_archive_is_a_key_that_finds_it():
    acme = archive(
        aliases=["ACME Beleuchtung"],
        titles=[{"name": "Acme (HK) Ltd", "country": "Hong Kong", "country_code": "HK", "registration_code": None}],
        website="https://www.acme.de/en",
        registration_code="DE136695976",
    )
    assert identity_keys(acme) == {
        ("company", "DE:acme"),
        ("company", "DE:acmebeleuchtung"),
        ("company", "HK:acmehk"),
        ("code", "eu_vat:DE136695976"),
        ("domain", "acme.de"),
    }


def test_tags_read_market_stage_and_core_need_then_hand_set_ones():
    tagged = archive(
        stage="quoted",
        intent_grade={"grade": "B"},
        country="U.S.A.",
        country_code="US",
        traits=[{"label": "price sensitive"}],
        manual_tags=["cares about lead time", "B"],
    )
    assert tags_of(tagged) == ["quoted", "B", "US", "price sensitive", "cares about lead time"]
    # the market is tagged by its code, never the raw text; a country recognised as none tags nothing
    assert tags_of(archive(country="Atlantis", country_code=None)) == ["inquiry"]


def test_traits_are_noted_once_with_their_source_and_competitors_are_named():
    found = [
        {
            "name": "comparing_competitors",
            "label": "has competitor",
            "evidence": "a Shanghai supplier",
            "suggestion": "stress QC",
            "rule": "trait_rules",
        },
        {
            "name": "price_sensitive",
            "label": "price sensitive",
            "evidence": "too expensive",
            "suggestion": "",
            "rule": "trait_rules",
        },
    ]
    noted = note_traits(archive(), found, "com_1", AT, AT)
    assert [t["source_id"] for t in noted["traits"]] == ["com_1", "com_1"]
    assert noted["competitors"] == [
        {"name": "a Shanghai supplier", "evidence": "a Shanghai supplier", "source_id": "com_1"}
    ]
    assert note_traits(noted, [{**found[1], "evidence": "TOO EXPENSIVE"}], "com_2", AT, AT) is None


def test_joining_and_leaving_a_group():
    joined = join_group(archive(), "grp_1", "Acme Group", AT)
    assert (joined["group_id"], joined["group_name"]) == ("grp_1", "Acme Group")
    assert join_group(joined, "grp_1", None, AT) is None  # keeps its name, nothing to change
    assert leave_group(joined, AT)["group_id"] is None and leave_group(archive(), AT) is None
