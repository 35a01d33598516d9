"""Recognising a country from any spelling: ISO 3166-1 alpha-2 from a name in the languages of
the markets, an alpha-2 or alpha-3 code, or a trade form ("P.R. China", "U.A.E.", "中国香港").

Pure rules every service shares (no I/O but reading maintained data, no framework imports), so
each service's ``domain/`` may use them. The spellings come from maintained data — CLDR through
Babel, ISO 3166 and its translations through pycountry — plus the reviewed trade forms of
``country_trade_forms.yaml`` and the aliases a company configures (``BATON.countries.aliases``).

A spelling is compared by its key: NFKC, case folded, traditional Chinese as simplified, marks
and punctuation dropped ("Côte d’Ivoire", "COTE D'IVOIRE" and "cote divoire" are one). A key
that two sources give to different countries is ambiguous and recognised as none: an unknown
country is kept as given and reported, never guessed.
"""

import gettext
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import babel
import opencc
import pycountry
import yaml
from babel.localedata import locale_identifiers

TRADE_FORMS_FILE = Path(__file__).with_name("country_trade_forms.yaml")
ISO_CODES = frozenset(country.alpha_2 for country in pycountry.countries)
# pycountry's names whose translations its iso3166-1 catalogue holds.
_PYCOUNTRY_NAMES = ("name", "official_name", "common_name")

_SIMPLIFY = opencc.OpenCC("t2s")
# Letters NFKD keeps whole, which people write without their marks (Đức, Łódź, Türkiye in ASCII).
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "ı": "i", "þ": "th", "ð": "d", "ħ": "h", "ـ": ""}
)
# Kana voicing marks are letters of their own (ドイツ is not トイツ): kept where accents go.
_KEPT_MARKS = frozenset("\u3099\u309a")
_DOTS = re.compile(r"[.·。]")  # "U.A.E." is "UAE", not "U A E"
_WORD = re.compile(r"\w+")
# Parts of a name written side by side: "Myanmar (Burma)", "Congo - Kinshasa", "Korea, Republic of".
_PARTS = re.compile(r"[()\[\],;/|，、（）]|\s[-–—]\s")
# What CLDR leaves out that people add: articles before a name, and "Republic of" in any of the
# markets' languages ("The Netherlands", "Republic of Korea", "République de Guinée").
_LEADING_ARTICLES = frozenset(
    {"the", "la", "le", "les", "l", "el", "los", "las", "die", "der", "das", "il", "lo", "het"}
)
_REPUBLIC = frozenset(
    {"republic", "republique", "republica", "republik", "repubblica", "republiek", "republika", "cumhuriyeti"}
)
_AFTER_REPUBLIC = frozenset(
    {
        "of",
        "the",
        "de",
        "du",
        "des",
        "d",
        "del",
        "della",
        "dell",
        "di",
        "do",
        "da",
        "dos",
        "das",
        "van",
        "la",
        "l",
        "el",
        "der",
    }
)


def country_key(text: str | None) -> str:
    """The key a spelling is compared by: "U.A.E." and "uae", "Türkiye" and "TURKIYE", "德國" and
    "德国" are one."""
    return "".join(_words(text))


def exact_key(text: str | None) -> str:
    """The key with its accents: "Mỹ" (Vietnamese: the United States) is not "MY" (Malaysia)."""
    return "".join(_words(text, keep_marks=True))


def core_key(text: str | None) -> str:
    """The key without articles and "Republic of": "The Republic of Korea" is "korea"."""
    words = _words(text)
    while words and words[0] in _LEADING_ARTICLES:
        words = words[1:]
    core, skipping = [], False
    for word in words:
        if word in _REPUBLIC:
            skipping = True
        elif not (skipping and word in _AFTER_REPUBLIC) and word != "the":
            skipping = False
            core.append(word)
    return "".join(core)


@lru_cache(maxsize=65536)
def _words(text, keep_marks=False):
    if not text:
        return ()
    folded = _SIMPLIFY.convert(unicodedata.normalize("NFKC", text)).casefold()
    if not keep_marks:
        folded = unicodedata.normalize(
            "NFC",
            "".join(
                c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c) or c in _KEPT_MARKS
            ),
        )
        folded = folded.translate(_LETTERS)
    return tuple(_WORD.findall(_DOTS.sub("", folded)))


def _verbatim_key(text):
    return _DOTS.sub("", unicodedata.normalize("NFKC", text)).replace(" ", "")


def _parts(text):
    return [part.strip() for part in _PARTS.split(text) if part.strip()] if text else []


AMBIGUOUS = None  # what a key two countries share stands for


@dataclass(frozen=True, eq=False)
class Tier:
    """Keys of one source of spellings: ``exact`` keeps accents, ``folded`` drops them, ``verbatim``
    keeps the case. Each maps a key to an alpha-2 code, or to ``AMBIGUOUS`` when the source gives
    it to two countries."""

    exact: dict
    folded: dict
    verbatim: dict = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Countries:
    """The spellings recognised, in tiers tried in order: configured aliases, ISO codes in capitals,
    trade forms, codes and names, then forms derived from names (their parts, "Korea, Republic of"
    turned round, without "Republic of")."""

    tiers: tuple
    display_language: str = "en"

    def code_of(self, text: str | None) -> str | None:
        """The ISO 3166-1 alpha-2 code ``text`` names, or None (no country, unknown or ambiguous)."""
        return _recognise(self, text.strip()) if text and text.strip() else None

    def name_of(self, code: str | None, language: str | None = None) -> str | None:
        """The country's name in ``language`` (the display language by default), as CLDR has it."""
        return _name_of(code, language or self.display_language) if code else None

    def ambiguous_keys(self) -> dict:
        """{folded key: tier index} of keys no tier recognises because two countries share them."""
        found = {}
        for index, tier in enumerate(self.tiers):
            for key, code in tier.folded.items():
                if code is AMBIGUOUS and key not in found and _look_up(self.tiers[:index], key, key, key) is _MISSING:
                    found[key] = index
        return found


def with_country_code(record: dict, countries: Countries) -> dict:
    """``record`` (an inquiry, what someone typed) with the ``country_code`` its ``country`` names."""
    return {**record, "country_code": countries.code_of(record.get("country"))}


def tags_for(tag: str | None, countries: Countries) -> tuple:
    """The tags a search for ``tag`` finds: itself, and the ISO code of the country it spells (a
    market is tagged by its code; "Germany" finds "DE", and a tag a person wrote as "Germany")."""
    if not tag:
        return ()
    return tuple(dict.fromkeys(t for t in (tag, countries.code_of(tag)) if t))


_MISSING = object()


@lru_cache(maxsize=65536)
def _recognise(countries, text):
    found = _look_up(countries.tiers, exact_key(text), country_key(text), _verbatim_key(text))
    if found is _MISSING and (core := core_key(text)):
        found = _look_up(countries.tiers, core, core, None)
    if found is not _MISSING:
        return found
    # Spellings side by side ("Germany / Deutschland", "Korea (South)") name a country when every
    # part recognised names the same one and none is ambiguous.
    parts = _parts(text)
    if len(parts) < 2:
        return None
    found = {_look_up(countries.tiers, exact_key(part), country_key(part), _verbatim_key(part)) for part in parts}
    found.discard(_MISSING)
    return found.pop() if len(found) == 1 else None


def _look_up(tiers, exact, folded, verbatim):
    for tier in tiers:
        if verbatim in tier.verbatim:
            return tier.verbatim[verbatim]
        if exact in tier.exact:
            return tier.exact[exact]
        if folded in tier.folded:
            return tier.folded[folded]
    return _MISSING


@lru_cache(maxsize=4096)
def _name_of(code, language):
    try:
        name = babel.Locale.parse(language).territories.get(code)
    except (ValueError, babel.UnknownLocaleError):
        name = None
    country = pycountry.countries.get(alpha_2=code)
    return name or (country.name if country else None)


# --- building the tiers ---------------------------------------------------------------------------


@lru_cache(maxsize=8)
def load_countries(languages: tuple, aliases: tuple = (), display_language: str = "en") -> Countries:
    """The recogniser for names in ``languages`` (Babel locale names: each with its regional
    variants, "zh" covering zh-Hans and zh-Hant) and ``aliases`` ((spelling, alpha-2) pairs)."""
    names = _names(languages)
    forms = [(form["spelling"], form["code"]) for form in trade_forms()]
    derived = [(form, code) for spelling, code in names for form in _derived_forms(spelling)]
    # ISO codes are written in capitals: "AO" is Angola, whatever "Ao" is in Vietnamese (Austria).
    codes = Tier(
        {},
        {},
        {code: country.alpha_2 for country in pycountry.countries for code in (country.alpha_2, country.alpha_3)},
    )
    names_tier = _tier(names)
    # A code in any case ("de", "Usa") as a name: folded only, so "bi" (Burundi's code, and Belgium
    # in Vietnamese without its accent, Bỉ) is ambiguous while "Bỉ" is Belgium.
    _add(names_tier.folded, ((code.casefold(), alpha_2) for code, alpha_2 in codes.verbatim.items()))
    return Countries(
        tiers=(_tier(aliases), codes, _tier(forms), names_tier, _tier(derived, core=True)),
        display_language=display_language,
    )


def known_language(language: str) -> bool:
    """True if CLDR has names for ``language`` (a Babel locale name such as "de" or "zh_Hant")."""
    return any(i == language or i.startswith(language + "_") for i in locale_identifiers())


def trade_forms() -> list:
    """The reviewed trade forms: [{"spelling", "code", "why"}]."""
    return _trade_forms()


@lru_cache(maxsize=1)
def _trade_forms():
    return yaml.safe_load(TRADE_FORMS_FILE.read_text(encoding="utf-8"))["trade_forms"]


def _tier(pairs, core=False):
    """The tier of (spelling, code) pairs; ``core``: each spelling is also known without "Republic of"."""
    pairs = set(pairs)
    exact, folded = {}, {}
    _add(exact, ((exact_key(spelling), code) for spelling, code in pairs))
    _add(folded, ((country_key(spelling), code) for spelling, code in pairs))
    if core:
        _add(folded, ((core_key(spelling), code) for spelling, code in pairs))
    return Tier(exact, folded)


def _add(index, pairs):
    for key, code in pairs:
        if key:
            index[key] = code if index.get(key, code) == code else AMBIGUOUS


def _derived_forms(spelling):
    """Forms of a name people write too: each part ("Myanmar (Burma)": "Myanmar", "Burma"), and
    the name turned round ("Korea, Republic of": "Republic of Korea")."""
    parts = _parts(spelling)
    if len(parts) < 2:
        return [spelling]
    return [spelling, *parts, *([f"{parts[1]} {parts[0]}"] if len(parts) == 2 else [])]


def _names(languages):
    """(spelling, alpha-2) for every name CLDR and pycountry give in ``languages``."""
    pairs = set()
    for country in pycountry.countries:
        pairs |= {(getattr(country, name), country.alpha_2) for name in _PYCOUNTRY_NAMES if hasattr(country, name)}
    locales = [i for i in locale_identifiers() if any(i == lang or i.startswith(lang + "_") for lang in languages)]
    for locale in sorted(locales):
        territories = babel.Locale.parse(locale).territories
        pairs |= {(name, code) for code, name in territories.items() if code in ISO_CODES}
    for catalogue in _pycountry_catalogues(languages):
        for country in pycountry.countries:
            pairs |= {
                (catalogue.gettext(getattr(country, name)), country.alpha_2)
                for name in _PYCOUNTRY_NAMES
                if hasattr(country, name)
            }
    return sorted(pairs)


def _pycountry_catalogues(languages):
    folders = Path(pycountry.LOCALES_DIR)
    found = [
        d.name
        for d in folders.iterdir()
        if (d / "LC_MESSAGES" / "iso3166-1.mo").exists()
        and any(d.name == lang or d.name.startswith(lang + "_") for lang in languages)
    ]
    return [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[name]) for name in sorted(found)]
