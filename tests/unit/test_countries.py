"""Countries from any spelling (services.runtime.countries): CLDR names in the markets' languages,
ISO codes, reviewed trade forms, configured aliases — and what is recognised as none."""

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from marshmallow import ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import country_spellings  # noqa: E402
from contracts.errors import InvalidInput  # noqa: E402
from services.pool.domain.holdings import Facts, new_holding  # noqa: E402
from services.pool.domain.holdings import with_country_code as holding_with_code
from services.profile.country_codes import unknown_countries  # noqa: E402
from services.profile.domain.archive import (  # noqa: E402
    combine_archives,
    merge_inquiry,
    open_archive,
    with_country_codes,
)
from services.runtime.countries import (  # noqa: E402
    ISO_CODES,
    core_key,
    country_key,
    load_countries,
    tags_for,
    trade_forms,
    with_country_code,
)
from services.runtime.country_settings import CountrySettingsSchema, country_in_query  # noqa: E402
from tests.conftest import load_config_file  # noqa: E402

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def countries():
    """The recogniser as every service loads it from the shipped configuration."""
    return CountrySettingsSchema().load(load_config_file()["BATON"]["countries"])


def test_names_drawn_from_cldr_in_the_markets_languages_are_recognised(countries):
    spellings = country_spellings.cldr_spellings()
    left_out = country_spellings.excluded(spellings)
    kept = [s for s in spellings if s not in left_out]
    counts, misses = country_spellings.measure(countries, kept)
    assert set(counts) == set(country_spellings.LANGUAGES) and len(kept) > 60 * 16
    recognised = sum(c["recognised"] for c in counts.values())
    assert recognised / len(kept) >= 0.95, misses[:20]
    assert not [(s, found) for s, found in misses if found is not None], "read as another country"
    # what was left out names two countries as written, and says so
    assert all("ISO code" in why or "also a name" in why for why in left_out.values())
    assert len(left_out) < len(spellings) / 100


@pytest.mark.parametrize(
    "spelling, code",
    [
        # the trade forms
        ("P.R. China", "CN"),
        ("PR China", "CN"),
        ("PRC", "CN"),
        ("U.A.E.", "AE"),
        ("UAE", "AE"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Holland", "NL"),
        ("South Korea", "KR"),
        ("南韩", "KR"),
        ("南韓", "KR"),
        ("中国香港", "HK"),
        ("中國香港", "HK"),
        ("Hong Kong SAR", "HK"),
        ("Hong Kong", "HK"),
        ("中国台湾", "TW"),
        ("中國台灣", "TW"),
        # codes, English, Chinese and the markets' languages
        ("DE", "DE"),
        ("deu", "DE"),
        ("USA", "US"),
        ("U.S.", "US"),
        ("UK", "GB"),
        ("England", "GB"),
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("德国", "DE"),
        ("德國", "DE"),
        ("Allemagne", "DE"),
        ("Alemania", "DE"),
        ("Niemcy", "DE"),
        ("Almanya", "DE"),
        ("Đức", "DE"),
        ("Германия", "DE"),
        ("ألمانيا", "DE"),
        ("ドイツ", "DE"),
        ("독일", "DE"),
        ("美国", "US"),
        ("アメリカ", "US"),
        ("미국", "US"),
        ("Hoa Kỳ", "US"),
        ("Mỹ", "US"),
        ("США", "US"),
        ("EE. UU.", "US"),
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Russian Federation", "RU"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        # case, accents, punctuation, articles, "Republic of", full width
        ("GERMANY", "DE"),
        ("deutschland", "DE"),
        ("Turkiye", "TR"),
        ("COTE D'IVOIRE", "CI"),
        ("Côte d’Ivoire", "CI"),
        ("The Netherlands", "NL"),
        ("the Philippines", "PH"),
        ("Republic of Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("ＵＳＡ", "US"),
        ("  Germany  ", "DE"),
        ("People's Republic of China", "CN"),
        ("Republic of China", "TW"),
        # two spellings of one country side by side
        ("Germany / Deutschland", "DE"),
        ("Korea (South)", "KR"),
        ("Hamburg, Germany", "DE"),
    ],
)
def test_spellings_are_recognised(countries, spelling, code):
    assert countries.code_of(spelling) == code


@pytest.mark.parametrize(
    "spelling",
    [
        None,
        "",
        "   ",
        "Atlantis",
        "Xyzland",
        "Deutchland",  # a typo is not guessed
        "Virgin Islands",  # British or U.S.
        "Hong Kong / Macao",  # two countries side by side
        "Bi",  # Belgium in Vietnamese without its accent (Bỉ), and Burundi's code
    ],
)
def test_unknown_and_ambiguous_spellings_are_recognised_as_none(countries, spelling):
    assert countries.code_of(spelling) is None


def test_codes_in_capitals_are_codes_and_names_as_written_are_names(countries):
    # "AO" is Angola's code, "Áo" Austria in Vietnamese; "MY" Malaysia, "Mỹ" the United States;
    # "NGA" Nigeria's code, "Nga" Russia in Vietnamese
    assert [countries.code_of(s) for s in ("AO", "Áo", "MY", "Mỹ", "BI", "Bỉ", "NGA", "Nga")] == [
        "AO",
        "AT",
        "MY",
        "US",
        "BI",
        "BE",
        "NG",
        "RU",
    ]
    # without its accent, Bỉ is a code's letters as much as a name: none
    assert countries.code_of("Bi") is None and "bi" in countries.ambiguous_keys()


def test_a_spelling_is_compared_folded():
    assert country_key("U.A.E.") == country_key("uae") == "uae"
    assert country_key("Côte d’Ivoire") == country_key("COTE D'IVOIRE") == "cotedivoire"
    assert country_key("中國香港") == country_key("中国香港")
    assert country_key("ドイツ") != country_key("トイツ")  # kana voicing marks are letters, not accents
    assert core_key("The Republic of Korea") == core_key("Korea") == "korea"
    assert core_key("République de Guinée") == "guinee"


def test_every_trade_form_is_reviewed_names_one_country_and_is_recognised(countries):
    forms = trade_forms()
    assert forms and all(form["why"].strip() and form["code"] in ISO_CODES for form in forms)
    by_key = {}
    for form in forms:
        by_key.setdefault(country_key(form["spelling"]), set()).add(form["code"])
    assert all(len(codes) == 1 for codes in by_key.values())
    assert [f["spelling"] for f in forms if countries.code_of(f["spelling"]) != f["code"]] == []
    # trade forms do not depend on the languages configured
    english = load_countries(("en",))
    assert [english.code_of(s) for s in ("Germany", "P.R. China", "U.A.E.", "Holland")] == ["DE", "CN", "AE", "NL"]


def test_configured_aliases_map_spellings_of_a_companys_own_markets():
    countries = CountrySettingsSchema().load({"languages": ["en"], "aliases": {"Deutchland": "DE", "Nga": "RU"}})
    assert countries.code_of("DEUTCHLAND") == "DE" and countries.code_of("nga") == "RU"
    assert countries.code_of("NGA") == "RU"  # an alias is a company's own decision: it comes first


@pytest.mark.parametrize(
    "settings, problem",
    [
        ({"languages": ["en", "xx"]}, "CLDR has no names in xx"),
        ({"languages": ["en"], "aliases": {"Foo": "ZZ"}}, "is no ISO 3166 alpha-2 code"),
        ({"languages": ["en"], "aliases": {"foo": "DE", "FOO.": "FR"}}, "name DE, FR"),
        ({"languages": ["en"], "aliases": {"...": "DE"}}, "no letters"),
        ({"languages": ["en"], "display_language": "xx"}, "CLDR has no names in xx"),
    ],
)
def test_settings_refuse_what_cannot_work(settings, problem):
    with pytest.raises(ValidationError, match=problem):
        CountrySettingsSchema().load(settings)


def test_reports_name_a_country_in_the_display_language(countries):
    assert countries.name_of("DE") == "Germany" and countries.name_of("DE", "zh") == "德国"
    assert countries.name_of(None) is None


def test_a_query_takes_any_spelling_and_asks_for_the_code(countries):
    assert country_in_query(countries, {"country": "Deutschland", "limit": 5}) == {"country_code": "DE", "limit": 5}
    assert country_in_query(countries, {"country": "德国"})["country_code"] == "DE"
    assert country_in_query(countries, {"limit": 5}) == {"limit": 5}
    with pytest.raises(InvalidInput) as refused:
        country_in_query(countries, {"country": "Xyzland"})
    assert "Unknown country 'Xyzland'" in refused.value.message
    assert list(refused.value.details["fields"]) == ["country"]


def test_a_tag_asked_for_in_any_spelling_finds_its_country_code(countries):
    assert tags_for("Germany", countries) == ("Germany", "DE")
    assert tags_for("DE", countries) == ("DE",)
    assert tags_for("price sensitive", countries) == ("price sensitive",)
    assert tags_for(None, countries) == ()


def inquiry(**fields):
    return {
        "schema_version": 1,
        "channel": "website_form",
        "company": "Acme GmbH",
        "contact": {"name": "Jane", "email": "jane@acme.de"},
        **fields,
    }


def test_an_archive_keeps_the_country_as_given_beside_its_code(countries):
    archive = open_archive(
        "cus_1", "inq_1", with_country_code(inquiry(country="Deutschland"), countries), None, None, NOW
    )
    assert (archive["country"], archive["country_code"], archive["name_blocks"]) == ("Deutschland", "DE", ["DE:acme"])
    blank = open_archive("cus_2", "inq_2", with_country_code(inquiry(), countries), None, None, NOW)
    merged = merge_inquiry(blank, "inq_3", with_country_code(inquiry(country="德国"), countries), None, NOW)
    assert (merged["country"], merged["country_code"]) == ("德国", "DE")  # the code goes with its country
    again = merge_inquiry(merged, "inq_4", with_country_code(inquiry(country="France"), countries), None, NOW)
    assert (again["country"], again["country_code"]) == ("德国", "DE")  # a later channel fills blanks only
    unknown = {**blank, "_id": "cus_9", "country": "Atlantis", "country_code": None, "inquiry_ids": ["inq_9"]}
    assert combine_archives(unknown, merged, NOW)["country_code"] is None  # the kept archive's country wins
    assert combine_archives(blank, merged, NOW)["country_code"] == "DE"


def test_an_archive_from_before_gets_its_codes_and_the_block_of_its_country():
    before = {
        "_id": "cus_1",
        "company": "Acme GmbH",
        "country": "Allemagne",
        "name_blocks": ["?:acme"],
        "titles": [{"name": "Acme HK Ltd", "country": "Hong Kong"}],
        "version": 3,
    }
    after = with_country_codes(before, "DE", ["HK"], NOW)
    assert (after["country_code"], after["name_blocks"], after["version"]) == ("DE", ["?:acme", "DE:acme"], 3)
    assert after["titles"] == [{"name": "Acme HK Ltd", "country": "Hong Kong", "country_code": "HK"}]
    assert with_country_codes(after, "DE", ["HK"], NOW) is None
    assert with_country_codes({**before, "titles": []}, None, [], NOW)["country_code"] is None


def test_a_holding_keeps_the_country_as_given_and_its_code():
    holding = new_holding("cus_1", "default", Facts(country="Deutschland", country_code="DE"), NOW)
    assert (holding["country"], holding["country_code"]) == ("Deutschland", "DE")
    assert holding_with_code(holding, "DE") is None
    old = {k: v for k, v in holding.items() if k != "country_code"}
    assert holding_with_code({**old, "country": "DE"}, "DE")["country_code"] == "DE"


def test_unknown_spellings_are_listed_once_however_they_are_written():
    class Store:
        @staticmethod
        def unknown_countries():
            return [("Deutchland", "cus_1"), ("DEUTCHLAND", "cus_2"), ("Deutchland", "cus_3"), ("Xyz", "cus_4")]

    assert unknown_countries(Store())["items"] == [
        {
            "country": "Deutchland",
            "spellings": ["DEUTCHLAND", "Deutchland"],
            "customers": 3,
            "customer_ids": ["cus_1", "cus_2", "cus_3"],
        },
        {"country": "Xyz", "spellings": ["Xyz"], "customers": 1, "customer_ids": ["cus_4"]},
    ]
