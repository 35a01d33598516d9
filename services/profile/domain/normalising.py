"""Normalising what customers and salespeople type, with the field's libraries.

Every function returns a comparable value, or None when the input is not one of its kind;
none of them touches the network (tldextract reads its bundled public-suffix snapshot). A
country comes as its ISO alpha-2 ``country_code``, recognised once from what was typed
(``services.runtime.countries``) and kept beside it.
"""

import hashlib
import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import opencc
import phonenumbers
import tldextract
import yaml
from anyascii import anyascii
from cleanco.clean import normalized, prepare_default_terms, strip_punct, strip_tail
from email_validator import EmailNotValidError, validate_email
from stdnum.cn import uscc
from stdnum.eu import vat

from plugins.free_mail import FREE_MAIL_DOMAINS

PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)
# Scripts whose letters are transliterated to ASCII when comparing names (Latin with accents, Greek,
# Cyrillic); Chinese, Japanese and Korean stay as written, so 广州 is never "guangzhou".
_TRANSLITERATED = re.compile(r"[\u00c0-\u024f\u0370-\u04ff\u1e00-\u1eff]")
# German umlauts are written ü, ue or u: folding "ue" to "u" (after ü → u) makes all three one.
_UMLAUT_DIGRAPHS = re.compile(r"(?<=[aou])e")
# Chinese, Japanese (kana) and Korean: names in these scripts have no spaces between words.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SIMPLIFY = opencc.OpenCC("t2s")
_DOMAINS = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def fold(text: str) -> str:
    """Full-width to half-width, traditional to simplified Chinese, case folded."""
    return _SIMPLIFY.convert(unicodedata.normalize("NFKC", text)).casefold().strip()


@lru_cache(maxsize=4096)  # an inquiry's address is read for its own key and for its domain's
def normalise_email(value: str | None) -> str | None:
    """The comparable form of an email address, or None if its syntax is not valid."""
    if not value:
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    text = re.sub(r"^mailto:", "", text, flags=re.IGNORECASE)
    if (match := re.search(r"<([^<>]+)>\s*$", text)) is not None:
        text = match.group(1)
    text = text.strip().rstrip(".")
    try:
        address = validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
    local, domain = address.rsplit("@", 1)
    local, domain = local.casefold(), domain.casefold()
    if domain in ("gmail.com", "googlemail.com"):
        # Gmail ignores dots and everything after "+".
        return local.split("+", 1)[0].replace(".", "") + "@gmail.com"
    if domain in FREE_MAIL_DOMAINS:
        local = local.split("+", 1)[0]
    return f"{local}@{domain}"


def email_problem(value: str) -> str | None:
    """Why email-validator refuses an address as typed (syntax and reserved domains, offline), or None."""
    try:
        validate_email(unicodedata.normalize("NFKC", value).strip(), check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return None


def company_email_domain(email: str | None) -> str | None:
    """The domain of a company address; None for free-mail, which says nothing about the company."""
    normalised = normalise_email(email)
    if normalised is None:
        return None
    domain = normalised.rsplit("@", 1)[1]
    return None if domain in FREE_MAIL_DOMAINS else registrable_domain(domain)


def normalise_phone(value: str | None, country_code: str | None = None) -> str | None:
    """E.164 (``+4930123456``), read with the customer's country (ISO alpha-2) as a hint for local numbers."""
    if not value:
        return None
    try:
        number = phonenumbers.parse(unicodedata.normalize("NFKC", value), country_code or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def registrable_domain(value: str | None) -> str | None:
    """``shop.acme.co.uk`` and ``https://www.acme.co.uk/x`` both give ``acme.co.uk``."""
    if not value:
        return None
    extracted = _DOMAINS(fold(value))
    return extracted.top_domain_under_public_suffix or None


# A website as people type it: an optional http(s) scheme, a host, then any path, query or port.
_WEBSITE = re.compile(r"^(?:https?://)?([^\s/?#:@]+)(?::\d{1,5})?(?:[/?#]\S*)?\Z", re.IGNORECASE)
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)\Z")


def website_domain(value: str | None) -> str | None:
    """The registrable domain of a URL or bare domain (``https://www.acme.co.uk/en`` → ``acme.co.uk``),
    or None for anything else: text with spaces, an email address, another scheme, a host without a
    public suffix."""
    match = _WEBSITE.match(unicodedata.normalize("NFKC", value or "").strip())
    if match is None:
        return None
    try:
        ascii_host = match.group(1).rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    if not all(_HOST_LABEL.match(label) for label in ascii_host.split(".")):
        return None
    return registrable_domain(match.group(1))


def fold_latin(text: str) -> str:
    """Accents and transliterations folded to ASCII (Müller → Muller, Straße → Strasse, ı → i,
    ş → s, ł → l, Công → Cong), with anyascii; other scripts are left as they are."""
    return _TRANSLITERATED.sub(lambda letter: anyascii(letter.group()), text)


@lru_cache(maxsize=1)
def legal_forms() -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """(suffixes, prefixes) from legal_forms.yaml, each as the words it folds to, longest first."""
    data = yaml.safe_load((Path(__file__).with_name("legal_forms.yaml")).read_text(encoding="utf-8"))

    def words(forms):
        folded = {tuple(_words(form)) for form in forms}
        return tuple(sorted((w for w in folded if w), key=lambda w: (-len(w), -len("".join(w)), w)))

    return words(data["suffix"]), words(data["prefix"])


@lru_cache(maxsize=1)
def legal_form_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words of suffix forms, words of prefix forms), as folded: cleanco's terms and legal_forms.yaml's
    ("gmbh", "limited", "sirketi" …; "cong", "tnhh" …): what a misspelt legal form is a misspelling of."""
    suffixes, prefixes = legal_forms()
    cleanco_terms = {word for _, term in prepare_default_terms() for part in term for word in _words(part)}
    suffix_words = {word for form in suffixes for word in form} | cleanco_terms
    return frozenset(w for w in suffix_words if w.isalpha()), frozenset(w for form in prefixes for w in form)


def _words(text: str) -> list[str]:
    return [w for w in PUNCTUATION.split(fold_latin(fold(text))) if w]


# Bump when this module folds company names differently: words kept with an older fingerprint are folded again.
FOLDING_RULES = 1


@lru_cache(maxsize=1)
def folding() -> str:
    """A fingerprint of what ``company_words`` folds names by: FOLDING_RULES, legal_forms.yaml, the versions
    of cleanco (its legal forms), anyascii and OpenCC, and Unicode's tables. Words stored beside a name
    (a name block's term documents) are used only under the same fingerprint."""
    forms = Path(__file__).with_name("legal_forms.yaml").read_bytes()
    parts = (FOLDING_RULES, unicodedata.unidata_version, *(version(name) for name in ("cleanco", "anyascii", "OpenCC")))
    return hashlib.sha256(forms + repr(parts).encode()).hexdigest()[:16]


def company_words(value: str | None) -> list[str]:
    return list(_company_words(value)) if value else []


@lru_cache(maxsize=65536)  # names repeat (a customer writes again); folding them is the costly part
def _company_words(value: str) -> tuple[str, ...]:
    """The words of a company name once legal forms, case, punctuation, width, accents and scripts
    are set aside: "Müller Elektrotechnik GmbH" → ["muller", "elektrotechnik"], as is
    "MUELLER ELEKTROTECHNIK"; "廣州貿易有限公司" → ["广州贸易"]. Empty when nothing is left."""
    name = fold_latin(fold(value))
    for _ in range(3):  # "Co., Ltd." is two legal forms in a row
        stripped = _basename(name)
        if stripped == name:
            break
        name = stripped
    words = [w for w in PUNCTUATION.split(name) if w]
    suffixes, prefixes = legal_forms()
    for _ in range(4):  # "San. ve Tic. Ltd. Şti.": forms follow each other
        before = list(words)
        words = _strip_form(words, suffixes, at_end=True)
        words = _strip_form(words, prefixes, at_end=False)
        if words == before:
            break
    return tuple(_UMLAUT_DIGRAPHS.sub("", w) if w.isascii() else w for w in words)


@lru_cache(maxsize=1)
def _cleanco_suffixes() -> tuple[tuple[int, list[list[str]], frozenset[tuple[str, ...]]], ...]:
    """cleanco's terms grouped by their number of words, longest first, each group in cleanco's order."""
    groups: dict[int, list[list[str]]] = {}
    for size, parts in prepare_default_terms():  # sorted by (-size, parts): the order basename tries them in
        if size:
            groups.setdefault(size, []).append(parts)
    return tuple((size, terms, frozenset(map(tuple, terms))) for size, terms in groups.items())


def _basename(name: str) -> str:
    """``cleanco.basename(name)``, the same result (legal forms at the end removed) found by looking a
    name's last words up among cleanco's terms of that length instead of comparing each of its 300-odd
    terms in turn: a tenth of the time, and a name block's candidates are each read this way."""
    name = strip_tail(name)
    nparts = name.split()
    nnparts = [strip_punct(part) for part in normalized(name).split()]
    for size, terms, known in _cleanco_suffixes():
        at = 0  # basename tries each term once, in order: a later match is a later term (or a repeat of one)
        while len(nnparts) >= size and tuple(nnparts[-size:]) in known:
            at = bisect_left(terms, nnparts[-size:], lo=at)
            if at == len(terms) or terms[at] != nnparts[-size:]:
                break
            del nnparts[-size:]
            del nparts[-size:]
            at += 1
    return strip_tail(" ".join(nparts))


def _strip_form(words: list[str], forms, at_end: bool) -> list[str]:
    for form in forms:
        n = len(form)
        if len(words) > n and (words[-n:] if at_end else words[:n]) == list(form):
            return words[:-n] if at_end else words[n:]
        edge = words[-1 if at_end else 0] if words else ""
        # A form in a script without spaces is part of the name's last (or first) word: 广州贸易有限公司.
        # (Only forms of two characters or more: "(주)" alone is a letter many names begin with.)
        if (
            n == 1
            and len(form[0]) > 1
            and CJK.search(form[0])
            and len(edge) > len(form[0])
            and (edge.endswith(form[0]) if at_end else edge.startswith(form[0]))
        ):
            trimmed = edge[: -len(form[0])] if at_end else edge[len(form[0]) :]
            return words[:-1] + [trimmed] if at_end else [trimmed] + words[1:]
    return words


def refold_company(normalised: str) -> str:
    """A company name kept normalised before accents and transliterations were folded
    ("müllerelektrotechnik", "muellerelektrotechnik"), as ``normalise_company`` gives it now."""
    folded = fold_latin(normalised)
    return _UMLAUT_DIGRAPHS.sub("", folded) if folded.isascii() else folded


def normalise_company(value: str | None) -> str | None:
    """A company name without legal form, case, punctuation, width, accent or script differences:
    "ACME Trading GmbH", "Acme Trading, Inc." and "acme trading" compare equal, as do
    "Müller Elektrotechnik GmbH", "MUELLER ELEKTROTECHNIK" and "Muller Elektrotechnik", and
    "廣州貿易有限公司" and "广州贸易公司"."""
    return "".join(company_words(value)) or None


def normalise_registration_code(value: str | None, country_code: str | None = None) -> tuple[str, str] | None:
    """(scheme, compact code) for a code whose standard we can check, else None.

    Chinese unified social credit codes (统一社会信用代码) and EU VAT numbers are validated by
    their check digits, so a typo never links two companies.
    """
    if not value:
        return None
    text = unicodedata.normalize("NFKC", value).strip().upper()
    if uscc.is_valid(text):
        return "cn_uscc", uscc.compact(text)
    candidate = text if text[:2].isalpha() else (country_code or "") + text
    if vat.is_valid(candidate):
        return "eu_vat", vat.compact(candidate)
    return None


def registration_code_problem(value: str | None, country_code: str | None = None) -> str | None:
    """Why a code cannot be the company's (its check digits fail the standard of its country),
    or None when it passes or no standard we know applies."""
    if not value or normalise_registration_code(value, country_code):
        return None
    text = unicodedata.normalize("NFKC", value).strip().upper()
    if text[:2].isalpha() and text[:2].lower() in vat.MEMBER_STATES:
        country_code = text[:2]
    if country_code == "CN":
        return "Not a valid unified social credit code (18 characters with a check character)."
    if country_code and (country_code.lower() in vat.MEMBER_STATES or country_code == "GR"):
        return f"Not a valid {country_code} VAT number (the check digits do not match)."
    return None
