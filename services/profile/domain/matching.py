"""Which archive an inquiry belongs to (查重): its matching keys, and the decision they lead to.

Every key is an exact normalised value, so finding candidates is one indexed lookup of the
keys an inquiry carries (blocking), never a scan of all customers.
"""
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from services.profile.domain.normalising import (
    company_email_domain, normalise_company, normalise_email, normalise_phone, normalise_registration_code,
    registrable_domain,
)

# Names sharing country and first letters are compared by similarity: a typo after the first
# letters is still found, and the comparison stays within a small block of candidates.
NAME_BLOCK_LETTERS = 4
# Strongest first: when keys point at one customer, the strongest names the match.
KEY_KINDS = ("code", "email", "phone", "email_domain", "website", "company")
# Keys of one tier are equally trustworthy: a code, an address or a number identify exactly;
# a company domain or website identify the company; a name only suggests it.
KEY_TIERS = (("code", "email", "phone"), ("email_domain", "website"), ("company",))


def match_keys(inquiry):
    """The matching keys an inquiry carries, ``{kind: normalised value}``, strongest first
    (its country read as its ``country_code``)."""
    contact = inquiry.get("contact") or {}
    country = inquiry.get("country_code")
    candidates = {
        "code": code_key(inquiry.get("registration_code"), country),
        "email": normalise_email(contact.get("email")),
        "phone": normalise_phone(contact.get("phone"), country),
        "email_domain": company_email_domain(contact.get("email")),
        "website": registrable_domain(inquiry.get("website")),
        "company": company_key(inquiry.get("company"), country),
    }
    return {kind: candidates[kind] for kind in KEY_KINDS if candidates[kind]}


def company_key(name, country_code):
    # A name alone is common across countries ("ABC Trading"): it matches within one country.
    company = normalise_company(name)
    return f"{country_code or '?'}:{company}" if company else None


def code_key(code, country_code):
    code = normalise_registration_code(code, country_code)
    return ":".join(code) if code else None


def identity_keys(archive):
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
    keys.add(("website", registrable_domain(archive.get("website"))))
    return {(kind, value) for kind, value in keys if value}


def contact_keys(archive: dict) -> set:
    """The keys an archive's contacts give it: each email, its company's domain (never a free-mail
    one) and each phone, read with the archive's country as the hint for a local number. {(kind, value)}."""
    country = archive.get("country_code")
    keys = set()
    for contact in archive.get("contacts", []):
        email = contact.get("email")
        keys |= {("email", normalise_email(email)), ("email_domain", company_email_domain(email)),
                 ("phone", normalise_phone(contact.get("phone"), country))}
    return {(kind, value) for kind, value in keys if value}


@dataclass(frozen=True)
class MatchDecision:
    customer_id: str | None = None   # the archive to merge into
    matched_on: str | None = None    # the strongest key it was found by
    candidates: tuple = ()           # other archives sharing weaker keys: possible duplicates for a person

    @property
    def ambiguous(self):
        """No archive to merge into, yet archives share keys: a person decides."""
        return self.customer_id is None and bool(self.candidates)


def decide(holders, similar_name=None):
    """``holders``: {key kind: customer holding that key}; ``similar_name``: the one archive
    whose company name is very close (typos), if any.

    The strongest tier with a holder decides: one customer there → merge into it, and any
    other customer sharing a weaker key is a possible duplicate; several customers within
    that tier → ambiguous, never guessed. With no key at all, a single very similar name
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


def name_block(company, country_code):
    """The block a company name is compared within, e.g. "DE:acme"; None without a name."""
    name = normalise_company(company)
    return f"{country_code or '?'}:{name[:NAME_BLOCK_LETTERS]}" if name else None


def name_similarity(typed, known):
    """0-100: how alike two company names are once legal forms, case and scripts are set aside.
    Names that carry different numbers name different companies ("Factory No. 3" is not a typo
    of "Factory No. 5"), however alike the letters: 0."""
    a, b = normalise_company(typed), normalise_company(known)
    if not (a and b) or DIGITS.findall(a) != DIGITS.findall(b):
        return 0
    return fuzz.ratio(a, b)


@dataclass(frozen=True)
class Candidate:
    customer_id: str
    matched_on: tuple      # exact keys it shares, strongest first
    similarity: int        # of the company names, 0-100

    @property
    def rank(self):
        strongest = min((KEY_KINDS.index(k) for k in self.matched_on), default=len(KEY_KINDS))
        return (strongest, -len(self.matched_on), -self.similarity)


def rank_candidates(holders, similar_names, min_similarity):
    """Candidates from exact keys ({kind: customer}) and similar names ({customer: similarity}),
    most likely first; names below ``min_similarity`` are left out."""
    shared = {}
    for kind in KEY_KINDS:
        if holders.get(kind):
            shared.setdefault(holders[kind], []).append(kind)
    ids = list(shared) + [c for c, score in similar_names.items() if c not in shared and score >= min_similarity]
    candidates = [Candidate(c, tuple(shared.get(c, ())), similar_names.get(c, 0)) for c in ids]
    return sorted(candidates, key=lambda c: c.rank)


# Identity attributes two archives of one customer cannot disagree on: a company is one
# registration code, one website and one (possibly misspelt) name in one country.
def identity_conflict(a, b, min_name_similarity):
    """The attribute on which two archives (or an archive and an inquiry) name different
    customers, or None when nothing they both state disagrees."""
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
    if a.get("company") and b.get("company") and name_similarity(a["company"], b["company"]) < min_name_similarity:
        return "company"
    return None


def archives_to_link(archives, inquiry, min_name_similarity):
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
        for b in parties[i + 1:]:
            if identity_conflict(a, b, min_name_similarity):
                return None
    if len({a["owner_id"] for a in archives if a.get("owner_id")}) > 1:
        return None
    kept = min(archives, key=lambda a: (a.get("owner_id") is None, a["created_at"], a["_id"]))
    return kept, [a for a in archives if a is not kept]
