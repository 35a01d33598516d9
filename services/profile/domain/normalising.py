"""Normalising what customers and salespeople type, with the field's libraries.

Every function returns a comparable value, or None when the input is not one of its kind;
none of them touches the network (tldextract reads its bundled public-suffix snapshot).
"""
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc
import phonenumbers
import pycountry
import tldextract
from cleanco import basename
from email_validator import EmailNotValidError, validate_email
from stdnum.cn import uscc
from stdnum.eu import vat

FREE_MAIL_DOMAINS = frozenset(
    line.strip() for line in (Path(__file__).with_name("free_mail_domains.txt")).read_text().splitlines()
    if line.strip() and not line.startswith("#"))

# Country names people write that ISO 3166 does not list as such.
COUNTRY_ALIASES = {
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "us": "US", "america": "US", "美国": "US", "美國": "US",
    "uk": "GB", "u.k.": "GB", "england": "GB", "britain": "GB", "great britain": "GB", "英国": "GB", "英國": "GB",
    "germany": "DE", "德国": "DE", "德國": "DE", "deutschland": "DE", "france": "FR", "法国": "FR",
    "china": "CN", "中国": "CN", "中國": "CN", "prc": "CN", "hong kong": "HK", "香港": "HK",
    "taiwan": "TW", "台湾": "TW", "台灣": "TW", "russia": "RU", "俄罗斯": "RU", "south korea": "KR",
    "korea": "KR", "韩国": "KR", "japan": "JP", "日本": "JP", "uae": "AE", "阿联酋": "AE",
    "vietnam": "VN", "越南": "VN", "india": "IN", "印度": "IN", "brazil": "BR", "巴西": "BR",
    "mexico": "MX", "墨西哥": "MX", "canada": "CA", "加拿大": "CA", "australia": "AU", "澳大利亚": "AU",
    "spain": "ES", "西班牙": "ES", "italy": "IT", "意大利": "IT", "netherlands": "NL", "holland": "NL",
    "荷兰": "NL", "turkey": "TR", "türkiye": "TR", "土耳其": "TR", "saudi arabia": "SA", "沙特": "SA",
}
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


def company_email_domain(email):
    """The domain of a company address; None for free-mail, which says nothing about the company."""
    normalised = normalise_email(email)
    if normalised is None:
        return None
    domain = normalised.rsplit("@", 1)[1]
    return None if domain in FREE_MAIL_DOMAINS else registrable_domain(domain)


def normalise_phone(value, country=None):
    """E.164 (``+4930123456``), read with the customer's country as a hint for local numbers."""
    if not value:
        return None
    try:
        number = phonenumbers.parse(unicodedata.normalize("NFKC", value), normalise_country(country) or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def normalise_country(value):
    """ISO 3166 alpha-2 from English, Chinese and common variants ("USA", "美国", "U.S.")."""
    if not value:
        return None
    text = fold(value)
    if text in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[text]
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None


def registrable_domain(value):
    """``shop.acme.co.uk`` and ``https://www.acme.co.uk/x`` both give ``acme.co.uk``."""
    if not value:
        return None
    extracted = _DOMAINS(fold(value))
    return extracted.top_domain_under_public_suffix or None


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


def normalise_registration_code(value, country=None):
    """(scheme, compact code) for a code whose standard we can check, else None.

    Chinese unified social credit codes (统一社会信用代码) and EU VAT numbers are validated by
    their check digits, so a typo never links two companies.
    """
    if not value:
        return None
    text = unicodedata.normalize("NFKC", value).strip().upper()
    if uscc.is_valid(text):
        return "cn_uscc", uscc.compact(text)
    candidate = text if text[:2].isalpha() else (normalise_country(country) or "") + text
    if vat.is_valid(candidate):
        return "eu_vat", vat.compact(candidate)
    return None


def registration_code_problem(value, country=None):
    """Why a code cannot be the company's (its check digits fail the standard of its country),
    or None when it passes or no standard we know applies."""
    if not value or normalise_registration_code(value, country):
        return None
    text = unicodedata.normalize("NFKC", value).strip().upper()
    country_code = text[:2] if text[:2].isalpha() and text[:2].lower() in vat.MEMBER_STATES else normalise_country(country)
    if country_code == "CN":
        return "Not a valid unified social credit code (18 characters with a check character)."
    if country_code and (country_code.lower() in vat.MEMBER_STATES or country_code == "GR"):
        return f"Not a valid {country_code} VAT number (the check digits do not match)."
    return None
