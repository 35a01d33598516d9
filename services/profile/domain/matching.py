"""Which archive an inquiry belongs to (查重): its matching keys, and the decision they lead to.

Every key is an exact normalised value, so finding candidates is one indexed lookup of the
keys an inquiry carries (blocking), never a scan of all customers.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from services.profile.domain.documents import Archive, Inquiry
from services.profile.domain.normalising import (
    CJK,
    PUNCTUATION,
    company_email_domain,
    company_words,
    fold,
    fold_latin,
    legal_form_words,
    normalise_company,
    normalise_email,
    normalise_phone,
    normalise_registration_code,
    refold_company,
    registrable_domain,
)

# Names sharing country and first letters are compared by similarity: a typo after the first
# letters is still found, and the comparison stays within a small block of candidates.
NAME_BLOCK_LETTERS = 4
# Strongest first: when keys point at one customer, the strongest names the match.
KEY_KINDS = ("code", "email", "phone", "domain", "company")
# Keys of one tier are equally trustworthy. A registration code names the legal entity itself (its check
# digits refuse a slip): an inquiry stating it is that entity's, whoever's address or number it comes from (a
# person of a group may write for several of its companies). An address or a number identify exactly; a
# company's domain (its website's or its email's, one key) identifies the company; a name only suggests it.
KEY_TIERS = (("code",), ("email", "phone"), ("domain",), ("company",))
# The kinds the company's domain was kept under before it was one key (``rekeying`` moves them).
LEGACY_DOMAIN_KINDS = ("email_domain", "website")


def match_keys(inquiry: Inquiry) -> dict[str, str]:
    """The matching keys an inquiry carries, ``{kind: normalised value}``, strongest first
    (its country read as its ``country_code``)."""
    contact = inquiry.get("contact") or {}
    country = inquiry.get("country_code")
    candidates = {
        "code": code_key(inquiry.get("registration_code"), country),
        "email": normalise_email(contact.get("email")),
        "phone": normalise_phone(contact.get("phone"), country),
        # The address's domain when both are given: the one the customer writes from.
        "domain": company_email_domain(contact.get("email")) or registrable_domain(inquiry.get("website")),
        "company": company_key(inquiry.get("company"), country),
    }
    return {kind: value for kind in KEY_KINDS if (value := candidates[kind])}


def current_key(kind: str, value: str) -> tuple[str, str]:
    """A stored key as it reads under today's kinds and folding: a website's or an email's domain is
    one ``domain`` key; a name normalised before accents were folded is folded now."""
    if kind in LEGACY_DOMAIN_KINDS:
        return "domain", value
    if kind == "company":
        country, _, name = value.partition(":")
        return kind, f"{country}:{refold_company(name)}"
    return kind, value


def archive_name_blocks(archive: Archive) -> list[str]:
    """The name blocks an archive's own names (company, aliases, titles) fall in."""
    country = archive.get("country_code")
    names = [(name, country) for name in [archive.get("company"), *archive.get("aliases", [])]]
    names += [(t["name"], t.get("country_code") if t.get("country") else country) for t in archive.get("titles", [])]
    return list(dict.fromkeys(block for name, code in names for block in name_blocks(name, code)))


def company_key(name: str | None, country_code: str | None) -> str | None:
    # A name alone is common across countries ("ABC Trading"): it matches within one country.
    company = normalise_company(name)
    return f"{country_code or '?'}:{company}" if company else None


def code_key(code: str | None, country_code: str | None) -> str | None:
    normalised = normalise_registration_code(code, country_code)
    return ":".join(normalised) if normalised else None


def identity_keys(archive: Archive) -> set[tuple[str, str]]:
    """The keys an archive's own identity gives it: its company name and aliases in its country,
    each title (多抬头) in the title's country, every registration code, its website. {(kind, value)}."""
    country = archive.get("country_code")
    keys = {("company", company_key(name, country)) for name in [archive.get("company"), *archive.get("aliases", [])]}
    keys.add(("code", code_key(archive.get("registration_code"), country)))
    for title in archive.get("titles", []):
        # a title in a country of its own (known or not) is not in the archive's
        title_country = title.get("country_code") if title.get("country") else country
        keys.add(("company", company_key(title["name"], title_country)))
        keys.add(("code", code_key(title.get("registration_code"), title_country)))
    keys.add(("domain", registrable_domain(archive.get("website"))))
    return {(kind, value) for kind, value in keys if value}


def contact_keys(archive: Archive) -> set[tuple[str, str]]:
    """The keys an archive's contacts give it: each email, its company's domain (never a free-mail
    one) and each phone, read with the archive's country as the hint for a local number. {(kind, value)}."""
    country = archive.get("country_code")
    keys = set()
    for contact in archive.get("contacts", []):
        email = contact.get("email")
        keys |= {
            ("email", normalise_email(email)),
            ("domain", company_email_domain(email)),
            ("phone", normalise_phone(contact.get("phone"), country)),
        }
    return {(kind, value) for kind, value in keys if value}


@dataclass(frozen=True)
class MatchDecision:
    customer_id: str | None = None  # the archive to merge into
    matched_on: str | None = None  # the strongest key it was found by
    candidates: tuple[str, ...] = ()  # other archives sharing weaker keys: possible duplicates for a person

    @property
    def ambiguous(self) -> bool:
        """No archive to merge into, yet archives share keys: a person decides."""
        return self.customer_id is None and bool(self.candidates)


def decide(holders: dict[str, str], similar_name: str | None = None) -> MatchDecision:
    """``holders``: {key kind: customer holding that key}; ``similar_name``: the one archive
    whose company name is very close (typos), if any.

    The strongest tier with a holder decides (a registration code before an address or a phone):
    one customer there → merge into it, and any other customer sharing a weaker key is a possible
    duplicate; several customers within that tier → ambiguous, never guessed. With no key at all, a single very similar name
    matches. Otherwise: a new customer.
    """
    for tier in KEY_TIERS:
        in_tier = [(kind, holders[kind]) for kind in tier if holders.get(kind)]
        if not in_tier:
            continue
        owners = list(dict.fromkeys(customer for _, customer in in_tier))
        others = tuple(dict.fromkeys(c for kind in KEY_KINDS if (c := holders.get(kind)) and c not in owners))
        if len(owners) == 1:
            return MatchDecision(customer_id=owners[0], matched_on=in_tier[0][0], candidates=others)
        return MatchDecision(candidates=tuple(owners) + others)
    if similar_name:
        return MatchDecision(customer_id=similar_name, matched_on="similar_name")
    return MatchDecision()


DIGITS = re.compile(r"\d+")


def name_block(company: str | None, country_code: str | None) -> str | None:
    """The block a company name is compared within, e.g. "DE:acme"; None without a name. A misspelt
    legal form is left out as ``same_name`` leaves it out: "Công ty TNHHH Vũ Nội thất" is in "VN:vuno"
    with "Công ty TNHH Vũ Nội thất", not in a block of every misspelt "TNHH"."""
    name = _block_name(company)
    return f"{country_code or '?'}:{name[:NAME_BLOCK_LETTERS]}" if name else None


def _block_name(company: str | None) -> str:
    return "".join(without_misspelt_forms(company_words(company)))


def typo_blocks(company: str | None, country_code: str | None) -> list[str]:
    """The blocks a typed name is looked for in: its own (``name_blocks``), and those it would be in
    had a letter after its first not slipped in (doubled or added) nor two neighbours swapped: "Arnnold"
    is looked for in "GB:arno" as well as "GB:arnn", "Hyarioglu" in "TR:hayr". (A dropped letter is
    found the other way round: the name typed right finds the archive opened under the slip.) Names
    in Chinese, Japanese or Korean have no such slips (``same_name``), and a name no longer than a
    block is its own block."""
    own = name_blocks(company, country_code)
    name = _block_name(company)
    if not own or len(name) <= NAME_BLOCK_LETTERS or CJK.search(name):
        return own
    variants = []
    for i in range(1, NAME_BLOCK_LETTERS):
        variants.append(name[:i] + name[i + 1 :])  # a letter slipped in, taken out
        variants.append(name[:i] + name[i + 1] + name[i] + name[i + 2 :])  # two neighbours swapped back
    country = country_code or "?"
    return list(dict.fromkeys(own + [f"{country}:{variant[:NAME_BLOCK_LETTERS]}" for variant in variants]))


def name_blocks(company: str | None, country_code: str | None) -> list[str]:
    """Every block a company name is compared within: today its first letters' alone. (A second block
    of a name's last letters, tried for typos among the first ones, is mostly the trade word's —
    "…ding", "…xtil" — and filled to ``max_name_block`` at 1,000,000 customers: a miss took 2.7 times
    as long as at 10,000, against the 2x target, so it is not kept.)"""
    block = name_block(company, country_code)
    return [block] if block else []


def same_name(typed: str, known: str, min_similarity: int, min_word_similarity: int) -> bool:
    """Whether two company names can be one company's, typos aside. Names that differ in a
    meaningful word are different companies however alike they look ("Home Goods" / "Home Tools",
    衣优库 / 衣优库资讯): each word must be a typo of its counterpart (``_word_typo``; a longer word
    at ``min_word_similarity``), the same words in number, and the whole at ``min_similarity``. Names in
    Chinese, Japanese or Korean have no typos of that kind (an input method picks whole
    characters): they must be equal once folded."""
    return same_words(company_words(typed), company_words(known), min_similarity, min_word_similarity)


def same_words(a: list[str], b: list[str], min_similarity: int, min_word_similarity: int) -> bool:
    """``same_name`` on names already folded to their words (``company_words``): a name block's are
    kept folded, and the typed name is folded once for all of them."""
    if not (a and b):
        return False
    if "".join(a) == "".join(b):
        return True
    if CJK.search("".join(a + b)):
        return False
    # A misspelt legal form ("GmbbH", "Limmited", "Ld. Şti.") is a form all the same, not a word of the name.
    a, b = without_misspelt_forms(a), without_misspelt_forms(b)
    if len(a) != len(b) or _similarity("".join(a), "".join(b)) < min_similarity:
        return False
    return all(x == y or _word_typo(x, y, min_word_similarity) for x, y in zip(a, b, strict=True))


# Words this short differ by a letter dropped, added or swapped when misspelt; another letter makes another
# word ("Mark" / "Mask", "Bolt" / "Colt").
SHORT_WORD = 5
# A misspelling is a slip or two: a word three edits from another is another word, however alike its letters
# ("Vallée" / "Valette", 77% alike).
MAX_WORD_EDITS = 2


def _word_typo(x: str, y: str, min_word_similarity: int) -> bool:
    """``x`` is a misspelling of ``y``: a short word one letter dropped, added or two swapped away
    ("Grs" / "Gras", "Krasu" / "Kraus"); a longer one at least ``min_word_similarity`` alike, at most
    ``MAX_WORD_EDITS`` away, and with another first letter only by such a slip ("Amber" is not "Ember",
    "Mark" not "Park")."""
    slip = OSA.distance(x, y) == 1 and (len(x) != len(y) or sorted(x) == sorted(y))
    if min(len(x), len(y)) <= SHORT_WORD:
        return slip
    return fuzz.ratio(x, y) >= min_word_similarity and OSA.distance(x, y) <= MAX_WORD_EDITS and (x[:1] == y[:1] or slip)


def without_misspelt_forms(words: list[str]) -> list[str]:
    """A name's words without a legal form at its end (or, for forms written first, its start) that
    holds a misspelt word: ["ruppert", "handel", "gmh"] → ["ruppert", "handel"]. A misspelling here
    is a letter dropped, doubled or two swapped, never another letter ("Ink" is no "Inc"), and the
    name keeps at least one word. Words no form is misspelt in are returned as they are."""
    suffix_words, prefix_words = legal_form_words()
    trimmed = _trim_misspelt_form(words, suffix_words)
    return _trim_misspelt_form(trimmed[::-1], prefix_words)[::-1]


def _trim_misspelt_form(words: list[str], form_words: frozenset[str]) -> list[str]:
    end, misspelt, exact = len(words), False, False
    while end > 1:
        word = words[end - 1]
        if word in form_words:
            exact = True
        elif word.isascii() and _misspelt(word, form_words, short_ok=exact or words[end - 2] in form_words):
            misspelt = True
        else:
            break
        end -= 1
    return words[:end] if misspelt else words


@lru_cache(maxsize=65536)  # a block's names are compared with every inquiry's: their words come back
def _misspelt(word: str, form_words: frozenset[str], short_ok: bool) -> bool:
    """``word`` is a form word with one letter dropped, added or two neighbours swapped. A two-letter
    word ("Ld") counts only beside a form written right ("Ld. Şti."): alone it is too likely a word."""
    if len(word) < 2 or (len(word) == 2 and not short_ok):
        return False
    return any(
        len(form) >= 3 and OSA.distance(word, form) == 1 and (len(form) != len(word) or sorted(form) == sorted(word))
        for form in form_words
        if abs(len(form) - len(word)) <= 1
    )


def _similarity(a: str, b: str) -> float:
    # Names that carry different numbers name different companies, however alike their letters.
    return 0 if not (a and b) or DIGITS.findall(a) != DIGITS.findall(b) else fuzz.ratio(a, b)


def name_words(found: dict[str, Any]) -> list[str]:
    """The words of the company name of an archive found in a name block (``Customers.in_name_block``):
    kept folded beside it when the store has them under today's folding, else folded now."""
    words = found.get("words")
    return list(words) if words is not None else company_words(found.get("company"))


def one_script(typed: str, known: str) -> bool:
    """Both names written in Chinese/Japanese/Korean, or both in other scripts: only then can they
    be compared letter by letter (an English and a Chinese name are aliases, not a conflict)."""
    return bool(CJK.search(typed)) == bool(CJK.search(known))


def second_signal(inquiry: Inquiry, archive: Archive, phone_prefix_digits: int) -> str | None:
    """What besides a similar name says an inquiry comes from an archive's company: one of its
    contacts by name, its city, or a phone in the same area (the first ``phone_prefix_digits`` of
    E.164). None when nothing does: a similar name alone is never enough to merge."""
    contact = inquiry.get("contact") or {}
    country = inquiry.get("country_code")
    person = _folded(contact.get("name"))
    if person and person in {_folded(c.get("name")) for c in archive.get("contacts", [])}:
        return "contact_name"
    if inquiry.get("city") and archive.get("city") and _folded(inquiry["city"]) == _folded(archive["city"]):
        return "city"
    phone = normalise_phone(contact.get("phone"), country)
    known = {normalise_phone(c.get("phone"), archive.get("country_code")) for c in archive.get("contacts", [])}
    if phone and any(p and p[:phone_prefix_digits] == phone[:phone_prefix_digits] for p in known):
        return "phone_area"
    return None


def _folded(text: str | None) -> str | None:
    """A person's or city's name as compared: "Jörg Müller" and "jorg muller" are one."""
    return (PUNCTUATION.sub("", fold_latin(fold(text))) or None) if text else None


def name_similarity(typed: str | None, known: str | None) -> float:
    """0-100: how alike two company names are once legal forms, case and scripts are set aside.
    Names that carry different numbers name different companies ("Factory No. 3" is not a typo
    of "Factory No. 5"), however alike the letters: 0."""
    return folded_similarity(normalise_company(typed), normalise_company(known))


def folded_similarity(a: str | None, b: str | None) -> float:
    """``name_similarity`` of two names already normalised (``normalise_company``)."""
    return _similarity(a or "", b or "")


@dataclass(frozen=True)
class Candidate:
    customer_id: str
    matched_on: tuple[str, ...]  # exact keys it shares, strongest first
    similarity: float  # of the company names, 0-100

    @property
    def rank(self) -> tuple[int, int, float]:
        strongest = min((KEY_KINDS.index(k) for k in self.matched_on), default=len(KEY_KINDS))
        return (strongest, -len(self.matched_on), -self.similarity)


def rank_candidates(holders: dict[str, str], similar_names: dict[str, float], min_similarity: float) -> list[Candidate]:
    """Candidates from exact keys ({kind: customer}) and similar names ({customer: similarity}),
    most likely first; names below ``min_similarity`` are left out."""
    shared: dict[str, list[str]] = {}
    for kind in KEY_KINDS:
        if holders.get(kind):
            shared.setdefault(holders[kind], []).append(kind)
    ids = list(shared) + [c for c, score in similar_names.items() if c not in shared and score >= min_similarity]
    candidates = [Candidate(c, tuple(shared.get(c, ())), similar_names.get(c, 0)) for c in ids]
    return sorted(candidates, key=lambda c: c.rank)


# Identity attributes two archives of one customer cannot disagree on: a company is one
# registration code, one website and one (possibly misspelt) name in one country.
def identity_conflict(
    a: dict[str, Any], b: dict[str, Any], min_name_similarity: int, min_word_similarity: int
) -> str | None:
    """The attribute on which two archives (or an archive and an inquiry) name different
    customers, or None when nothing they both state disagrees. Names in different scripts (an
    English and a Chinese one) do not disagree: they are aliases once another key joins them."""
    code_a = normalise_registration_code(a.get("registration_code"), a.get("country_code"))
    code_b = normalise_registration_code(b.get("registration_code"), b.get("country_code"))
    if code_a and code_b and code_a != code_b:
        return "registration_code"
    country_a, country_b = a.get("country_code"), b.get("country_code")
    if country_a and country_b and country_a != country_b:
        return "country"
    site_a, site_b = registrable_domain(a.get("website")), registrable_domain(b.get("website"))
    if site_a and site_b and site_a != site_b:
        return "website"
    if (
        a.get("company")
        and b.get("company")
        and one_script(a["company"], b["company"])
        and not same_name(a["company"], b["company"], min_name_similarity, min_word_similarity)
    ):
        return "company"
    return None


def archives_to_link(
    archives: list[Archive], inquiry: Inquiry, min_name_similarity: int, min_word_similarity: int
) -> tuple[Archive, list[Archive]] | None:
    """(kept, absorbed archives) when an inquiry proves several archives are one customer, else None.

    An inquiry that carries keys of several archives (one contact's email held by an archive
    opened without a company, the company's name held by another) links them — but only when
    no two of them, nor the inquiry, disagree on who the company is, and at most one has an
    owner: two salespeople's customers colliding is 撞单 for a person to settle, never merged
    behind their backs. The owned archive is kept, else the oldest.
    """
    if len(archives) < 2:
        return None
    parties = [*archives, inquiry]
    for i, a in enumerate(parties):
        for b in parties[i + 1 :]:
            if identity_conflict(a, b, min_name_similarity, min_word_similarity):
                return None
    if len({a["owner_id"] for a in archives if a.get("owner_id")}) > 1:
        return None
    kept = min(archives, key=lambda a: (a.get("owner_id") is None, a["created_at"], a["_id"]))
    return kept, [a for a in archives if a is not kept]


def another_company_named(inquiry: Inquiry, archive: Archive, min_similarity: int, min_word_similarity: int) -> bool:
    """The inquiry names a company the archive is not: its name, in the script of one of the archive's
    names (its company name or an alias), differs from each of those in a meaningful word
    ("Acme Trading Hamburg" beside "Acme Trading"). A typo of one of them, or a name in another
    script only (an English name beside a Chinese one), says nothing against it."""
    typed = inquiry.get("company") or ""
    known = [name for name in [archive.get("company"), *(archive.get("aliases") or [])] if name]
    comparable = [name for name in known if typed and one_script(typed, name)]
    return bool(comparable) and not any(
        same_name(typed, name, min_similarity, min_word_similarity) for name in comparable
    )


def named_after_place(longer: str | None, shorter: str | None, city: str | None) -> bool:
    """``longer`` is the company name ``shorter`` with a city's name added: a group company named after
    where it is ("Nevado Herramientas Valencia" beside "Nevado Herramientas", city Valencia;
    太极信息彬市家具 beside 太极信息家具, city 彬市). Compared once folded, as names are."""
    place = normalise_company(city)
    if not place:  # no city: nothing to fold
        return False
    big, small = normalise_company(longer), normalise_company(shorter)
    return bool(big and small and big != small and place in big and big.replace(place, "", 1) == small)


def name_with_words_added(longer: str | None, shorter: str | None) -> bool:
    """``longer`` is the company name ``shorter`` with words added, as a group names its companies after
    itself and a place or a line: "Monti Logistica Lamezia Terme" beside "Monti Logistica"; in Chinese or
    Japanese, characters added within it (太极信息彬市家具 beside 太极信息家具). Legal forms, case and
    scripts aside, as names are compared; "Bolt" beside "Acme" is no such name, nor a name beside itself."""
    big, small = without_misspelt_forms(company_words(longer)), without_misspelt_forms(company_words(shorter))
    if not (big and small):
        return False
    joined_big, joined_small = "".join(big), "".join(small)
    if CJK.search(joined_big + joined_small):
        added = len(joined_big) - len(joined_small)
        return added > 0 and any(
            joined_big[:i] + joined_big[i + added :] == joined_small for i in range(len(joined_small) + 1)
        )
    words = iter(big)
    return len(big) > len(small) and all(word in words for word in small)


def other_registration_code(inquiry: Inquiry, archive: Archive) -> bool:
    """Both state a registration code and they differ: another legal entity (a subsidiary sharing
    the group's domain), never the same customer."""
    mine = normalise_registration_code(inquiry.get("registration_code"), inquiry.get("country_code"))
    theirs = normalise_registration_code(archive.get("registration_code"), archive.get("country_code"))
    return bool(mine and theirs and mine != theirs)
