"""Finding customers by an email, a domain or a phone number as people write them: each read
into the matching key profile files customers under (``normalising``), so any spelling that
files to the same customer finds it. Pure: the service looks the keys up and says the problems."""

from plugins.free_mail import FREE_MAIL_DOMAINS
from services.profile.domain.normalising import (
    company_email_domain,
    normalise_email,
    normalise_phone,
    registrable_domain,
    website_domain,
)

LOOKUP_FIELDS = ("email", "domain", "phone")


def lookup_keys(asked: dict, country_code: str | None = None) -> tuple[dict, dict]:
    """({key kind: normalised value}, {field: [reason]}) for the lookup fields in ``asked``;
    ``country_code`` is the hint a local phone number is read with."""
    keys, problems = {}, {}
    if asked.get("email"):
        keys["email"] = normalise_email(asked["email"])
        if keys["email"] is None:
            problems["email"] = [f"{asked['email']!r} is not an email address."]
    if asked.get("domain"):
        keys["domain"], problem = _domain(asked["domain"])
        if problem:
            problems["domain"] = [problem]
    if asked.get("phone"):
        keys["phone"] = normalise_phone(asked["phone"], country_code)
        if keys["phone"] is None:
            hint = "" if country_code else "; give it with + and the country code, or give country"
            problems["phone"] = [f"{asked['phone']!r} is not a phone number that can be read{hint}."]
    return ({kind: value for kind, value in keys.items() if value}, problems)


def _domain(value):
    if "@" in value:
        address = normalise_email(value)
        if address is None:
            return None, f"{value!r} is neither a domain nor an email address."
        domain = company_email_domain(address)
        return (
            (domain, None)
            if domain
            else (
                None,
                f"{address.rsplit('@', 1)[1]} is a free-mail domain: it names no company; ask by the address instead.",
            )
        )
    domain = website_domain(value) or registrable_domain(value)
    if domain is None:
        return None, f"{value!r} is not a domain or website."
    if domain in FREE_MAIL_DOMAINS:
        return None, f"{domain} is a free-mail domain: it names no company; ask by the address instead."
    return domain, None
