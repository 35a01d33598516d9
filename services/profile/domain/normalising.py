"""Normalising what customers and salespeople type, with the field's libraries.

Every function returns a comparable value, or None when the input is not one of its kind;
none of them touches the network (tldextract reads its bundled public-suffix snapshot). A
country comes as its ISO alpha-2 ``country_code``, recognised once from what was typed
(``services.runtime.countries``) and kept beside it.
"""
import re
import unicodedata

import opencc
import phonenumbers
import tldextract
from cleanco import basename
from email_validator import EmailNotValidError, validate_email
from stdnum.cn import uscc
from stdnum.eu import vat

from plugins.free_mail import FREE_MAIL_DOMAINS


# Chinese legal forms, longest first, and the group marker: 有限公司 is to 深圳某某 what GmbH is to Acme.
CHINESE_LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司", "集团")
PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)
_SIMPLIFY = opencc.OpenCC("t2s")
_DOMAINS = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def fold(text):
    """Full-width to half-width, traditional to simplified Chinese, case folded."""
    return _SIMPLIFY.convert(unicodedata.normalize("NFKC", text)).casefold().strip()


def normalise_email(value):
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


def company_email_domain(email):
    """The domain of a company address; None for free-mail, which says nothing about the company."""
    normalised = normalise_email(email)
    if normalised is None:
        return None
    domain = normalised.rsplit("@", 1)[1]
    return None if domain in FREE_MAIL_DOMAINS else registrable_domain(domain)


def normalise_phone(value, country_code=None):
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


def registrable_domain(value):
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


def normalise_company(value):
    """A company name without legal form, case, punctuation, width or script differences:
    "ACME Trading GmbH", "Acme Trading, Inc." and "acme trading" compare equal, as do
    "廣州貿易有限公司" and "广州贸易公司"."""
    if not value:
        return None
    name = fold(value)
    for _ in range(3):  # "Co., Ltd." is two legal forms in a row
        stripped = basename(name)
        for suffix in CHINESE_LEGAL_SUFFIXES:
            stripped = stripped.removesuffix(suffix)
        if stripped == name:
            break
        name = stripped
    return PUNCTUATION.sub("", name) or None


def normalise_registration_code(value, country_code=None):
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


def registration_code_problem(value, country_code=None):
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
