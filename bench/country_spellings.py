"""Country spellings: how many of a set drawn from CLDR the recogniser reads as the right country.

The set: the names Babel's CLDR gives 60 export markets in the 16 languages of the markets (en,
zh-CN, zh-TW, de, es, fr, pt, tr, it, pl, nl, vi, ru, ar, ja, ko), each as written, in capitals,
in lower case and without its accents (as people type them), plus the names the language's
regional variants give (es-MX, pt-PT, fr-CA, zh-HK…). Those names are in the recogniser's data
too: the figure measures what folding, the tiers and ambiguity leave of them. Spellings that
name two countries are excluded, explicitly and with the reason (printed with --show). Target
(issue 14): >= 95% recognised, none read as another country.

    .venv/bin/python bench/country_spellings.py [--show]
"""

import argparse
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import babel  # noqa: E402
import pycountry  # noqa: E402
from babel.localedata import locale_identifiers  # noqa: E402

from bench.dedupe_quality import load_config  # noqa: E402
from services.runtime.countries import country_key  # noqa: E402
from services.runtime.country_settings import CountrySettingsSchema  # noqa: E402

# Export markets of Chinese and European manufacturers, every continent.
MARKETS = (
    "US",
    "CA",
    "MX",
    "BR",
    "AR",
    "CL",
    "CO",
    "PE",
    "GB",
    "IE",
    "DE",
    "FR",
    "IT",
    "ES",
    "PT",
    "NL",
    "BE",
    "CH",
    "AT",
    "PL",
    "CZ",
    "HU",
    "RO",
    "GR",
    "SE",
    "DK",
    "FI",
    "NO",
    "RU",
    "UA",
    "TR",
    "IL",
    "SA",
    "AE",
    "QA",
    "KW",
    "EG",
    "MA",
    "NG",
    "KE",
    "ZA",
    "IN",
    "PK",
    "BD",
    "VN",
    "TH",
    "MY",
    "SG",
    "ID",
    "PH",
    "CN",
    "HK",
    "TW",
    "MO",
    "JP",
    "KR",
    "AU",
    "NZ",
    "KZ",
    "IR",
)
# The markets' languages, as the issue names them, and the CLDR locale of each.
LANGUAGES = {
    "en": "en",
    "zh-CN": "zh_Hans_CN",
    "zh-TW": "zh_Hant_TW",
    "de": "de",
    "es": "es",
    "fr": "fr",
    "pt": "pt",
    "tr": "tr",
    "it": "it",
    "pl": "pl",
    "nl": "nl",
    "vi": "vi",
    "ru": "ru",
    "ar": "ar",
    "ja": "ja",
    "ko": "ko",
}
FORMS = ("as written", "capitals", "lower case", "without accents", "regional")


@dataclass(frozen=True)
class Spelling:
    language: str
    code: str
    text: str
    form: str


def cldr_spellings(markets: tuple = MARKETS, languages: dict = LANGUAGES) -> list[Spelling]:
    """Every spelling of the set, once per language: [Spelling]."""
    found: dict[tuple, Spelling] = {}
    for language, locale in languages.items():
        regional = [
            i
            for i in locale_identifiers()
            if i.startswith(locale.split("_")[0] + "_") and i != locale and _same_script(i, locale)
        ]
        for code in markets:
            name = babel.Locale.parse(locale).territories[code]
            for form, text in (
                ("as written", name),
                ("capitals", name.upper()),
                ("lower case", name.lower()),
                ("without accents", _without_accents(name)),
            ):
                found.setdefault((language, text), Spelling(language, code, text, form))
            for variant in regional:
                text = babel.Locale.parse(variant).territories.get(code)
                if text:
                    found.setdefault((language, text), Spelling(language, code, text, "regional"))
    return list(found.values())


def excluded(spellings: list[Spelling]) -> dict:
    """{spelling: why} for those that name two countries, case and accents aside: the same text
    given to another market of the set, in any language, or a name whose letters are another
    country's ISO code (Vietnamese "Nga", Russia, is NGA, Nigeria; "Bi", Belgium without its
    accent, is BI, Burundi)."""
    codes_of: dict[str, set] = {}
    for spelling in spellings:
        codes_of.setdefault(country_key(spelling.text), set()).add(spelling.code)
    why = {}
    for spelling in spellings:
        key = country_key(spelling.text)
        if others := codes_of[key] - {spelling.code}:
            why[spelling] = f"also a name of {', '.join(sorted(others))}"
        elif _CODE_KEYS.get(key, spelling.code) != spelling.code:
            why[spelling] = f"also the ISO code of {_CODE_KEYS[key]}"
    return why


def measure(countries, spellings: list[Spelling]) -> tuple[dict, list]:
    """({language: Counter(recognised, wrong, unknown)}, [(spelling, read as)] of the misses)."""
    counts: dict[str, Counter] = {}
    misses: list = []
    for spelling in spellings:
        found = countries.code_of(spelling.text)
        outcome = "recognised" if found == spelling.code else "unknown" if found is None else "wrong"
        counts.setdefault(spelling.language, Counter())[outcome] += 1
        if outcome != "recognised":
            misses.append((spelling, found))
    return counts, misses


def baseline(spellings: list[Spelling]) -> float:
    """The share pycountry's own lookup (ISO names in English, codes) reads right: what recognising
    from ISO 3166 alone gives."""

    def code(text):
        try:
            return pycountry.countries.lookup(text).alpha_2
        except LookupError:
            return None

    return sum(code(s.text) == s.code for s in spellings) / len(spellings)


def shipped_countries():
    return CountrySettingsSchema().load(load_config()["BATON"]["countries"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", action="store_true", help="list every miss and every exclusion")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    countries = shipped_countries()
    built = time.perf_counter() - started
    spellings = cldr_spellings()
    left_out = excluded(spellings)
    kept = [s for s in spellings if s not in left_out]
    started = time.perf_counter()
    counts, misses = measure(countries, kept)
    elapsed = time.perf_counter() - started
    print(
        f"country spellings drawn from CLDR: {len(MARKETS)} markets x {len(LANGUAGES)} languages, "
        f"{len(spellings)} spellings, {len(left_out)} excluded as naming two countries"
    )
    for language in LANGUAGES:
        c = counts.get(language, Counter())
        total = sum(c.values())
        print(
            f"  {language:6} recognised {c['recognised']:4}/{total:<4} {c['recognised'] / total:7.1%}"
            f"   wrong country {c['wrong']:3}   unknown {c['unknown']:3}"
        )
    total = Counter()
    for c in counts.values():
        total.update(c)
    overall = sum(total.values())
    by_form = Counter(s.form for s, _ in misses)
    print(
        f"  all    recognised {total['recognised']:4}/{overall:<4} {total['recognised'] / overall:7.1%}"
        f"   wrong country {total['wrong']:3}   unknown {total['unknown']:3}   (target >= 95%, wrong 0)"
    )
    print(f"  misses by form: {', '.join(f'{form} {by_form[form]}' for form in FORMS if by_form[form]) or 'none'}")
    print(
        f"  recogniser built in {built:.2f} s; {overall / elapsed:,.0f} spellings/s "
        f"(first reading of each, before its cache)"
    )
    if args.show:
        for spelling, found in misses:
            print(f"  miss  {spelling.language:6} {spelling.code} {spelling.text!r} ({spelling.form}): {found}")
        for spelling, why in left_out.items():
            print(f"  excluded  {spelling.language:6} {spelling.code} {spelling.text!r} ({spelling.form}): {why}")
    print(f"  pycountry.countries.lookup alone (ISO names, codes): {baseline(kept):.1%} of the same set")
    return 0 if total["recognised"] / overall >= 0.95 and not total["wrong"] else 1


def _without_accents(text):
    # Kana voicing marks are no accents: nobody writes ドイツ as トイツ
    return unicodedata.normalize(
        "NFC",
        "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c) or c in "\u3099\u309a"),
    )


def _same_script(variant, locale):
    # zh_Hant_HK is a regional variant of zh_Hant_TW, not of zh_Hans_CN; en_Dsrt is none of en's
    def script(name):
        return next((part for part in name.split("_")[1:] if len(part) == 4), None)

    return script(variant) == script(locale)


_CODE_KEYS = {
    code.casefold(): country.alpha_2 for country in pycountry.countries for code in (country.alpha_2, country.alpha_3)
}


if __name__ == "__main__":
    sys.exit(main())
