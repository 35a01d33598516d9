"""Correcting and completing an archive by hand.

What a person gives replaces what is there. A company renamed keeps its old name as an
alias: inquiries under the old name still find it, and the history reads true. A website is
kept as its registrable domain; contacts' emails and phones are checked as an inquiry's keys read them.
"""

from datetime import datetime
from typing import Any

from services.profile.domain.documents import Archive
from services.profile.domain.normalising import email_problem, normalise_phone, website_domain

# country_code is never typed: it comes with country, recognised from it (editing.py).
SCALARS = ("company", "country", "country_code", "city", "website", "registration_code", "target_price")
LISTS = (
    "aliases",
    "titles",
    "requirements",
    "cautions",
    "special_requirements",
    "competitors",
    "manual_tags",
    "contacts",
    "needs",
    "products",
)
NOT_A_WEBSITE = "Not a website: give a URL or a domain, e.g. https://www.acme.de/en or acme.de."


def typed_problems(changes: dict, archive: dict, country_code: str | None) -> dict:
    """Field errors of what a person typed: a website that is no URL or domain, and each contact's
    email email-validator refuses or phone phonenumbers cannot read (a local number read in
    ``country_code``), under its index (``{"contacts": {0: {"email": [...]}}}``)."""
    problems: dict[str, list | dict] = {}
    if changes.get("website") is not None and website_domain(changes["website"]) is None:
        problems["website"] = [NOT_A_WEBSITE]
    if found := contact_problems(changes.get("contacts", []), archive.get("contacts", []), country_code):
        problems["contacts"] = found
    return problems


def contact_problems(contacts: list, known: list, country_code: str | None) -> dict:
    """{index: {field: [reason]}}. An email or phone the archive's contacts (``known``) hold already
    passes as it is: an inquiry's number nobody can dial is kept as received, and is no reason to
    refuse a correction of another contact."""
    held = {(name, contact.get(name)) for contact in known for name in ("email", "phone")}
    problems = {}
    for index, contact in enumerate(contacts):
        email, phone, found = contact.get("email"), contact.get("phone"), {}
        if email and ("email", email) not in held and (reason := email_problem(email)):
            found["email"] = [reason]
        if phone and ("phone", phone) not in held and normalise_phone(phone, country_code) is None:
            found["phone"] = [
                f"Not a phone number{' in ' + country_code if country_code else ''}: give it with "
                "its country code, e.g. +49 30 1234567."
            ]
        if found:
            problems[index] = found
    return problems


def with_website_domain(changes: dict) -> dict:
    """``changes`` with a website given kept as its registrable domain, as filing compares it."""
    if changes.get("website") is None:
        return changes
    return {**changes, "website": website_domain(changes["website"])}


def update_details(
    archive: Archive, changes: dict[str, Any], now: datetime
) -> tuple[Archive | None, dict[str, tuple[Any, Any]]]:
    """(the archive with ``changes`` applied, {field: (before, after)}); (None, {}) if nothing differs.

    ``custom_fields`` merge into the existing ones; a None value clears one.
    """
    updated, changed = dict(archive), {}
    for name in SCALARS + LISTS:
        if name in changes and changes[name] != archive.get(name, [] if name in LISTS else None):
            changed[name] = (archive.get(name), changes[name])
            updated[name] = changes[name]
    old_name, new_name = archive.get("company"), updated.get("company")
    if old_name and new_name != old_name and old_name not in updated.get("aliases", []):
        updated["aliases"] = list(updated.get("aliases", [])) + [old_name]
        changed["aliases"] = (archive.get("aliases", []), updated["aliases"])
    if "custom_fields" in changes:
        fields = {**archive.get("custom_fields", {}), **changes["custom_fields"]}
        fields = {k: v for k, v in fields.items() if v is not None}
        if fields != archive.get("custom_fields", {}):
            changed["custom_fields"] = (archive.get("custom_fields", {}), fields)
            updated["custom_fields"] = fields
    if not changed:
        return None, {}
    updated["updated_at"] = now
    return updated, changed
