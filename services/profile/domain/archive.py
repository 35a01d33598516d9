"""Opening an archive from an inquiry, and merging later inquiries into it.

Merging only adds: a value already on the archive is never overwritten by a later channel,
so what a salesperson corrected by hand survives the next web form.
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from services.profile.domain.communications import special_requirements_in
from services.profile.domain.deals import MAIN_PATH, stage_after
from services.profile.domain.documents import Archive, Inquiry
from services.profile.domain.matching import name_blocks
from services.profile.domain.normalising import normalise_company, normalise_email

GRADE_ORDER = {"A": 0, "B": 1, "C": 2}


def customer_id_for(inquiry_id: str) -> str:
    """A new archive's id follows from the inquiry that opened it, so redelivery cannot open two."""
    return "cus_" + inquiry_id.removeprefix("inq_")


def manual_source_id(key: str) -> str:
    """The source id of a customer filed by hand, stable for one idempotency key."""
    return "man_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def stage_for(inquiry: Inquiry) -> str:
    # An inquiry that states a need is an RFQ (询盘); a bare contact is a first contact (初步接触).
    return "inquiry" if (inquiry.get("message") or "").strip() else "new_contact"


def open_archive(
    customer_id: str,
    inquiry_id: str,
    inquiry: Inquiry,
    grade: dict[str, Any] | None,
    grading_error: str | None,
    now: datetime,
    possible_duplicates: Iterable[str] = (),
) -> Archive:
    return {
        "_id": customer_id,
        "company": inquiry.get("company"),
        "contacts": [dict(inquiry["contact"])],
        "country": inquiry.get("country"),
        "country_code": inquiry.get("country_code"),  # recognised from the country as given
        "city": inquiry.get("city"),
        "website": inquiry.get("website"),
        "registration_code": inquiry.get("registration_code"),
        "stage": stage_for(inquiry),
        "sources": [source_of(inquiry_id, inquiry, now)],
        "needs": _needs_of(inquiry),
        "products": list(inquiry.get("products") or []),
        "intent_grade": grade,
        "value_grade": None,
        "graded_at": now if grade else None,
        "grading_error": grading_error,
        "owner_id": None,
        "pool_state": "public_pool",
        "team": None,
        "collaborators": [],
        # who holds part of the customer: marketing and sales from the start, service once handed over
        "departments": ["marketing", "sales"],
        "possible_duplicates": list(possible_duplicates),
        "communications": [],
        "special_requirements": special_requirements_in(inquiry.get("message")),
        "name_blocks": name_blocks(inquiry.get("company"), inquiry.get("country_code")),
        "custom_fields": dict(inquiry.get("custom_fields") or {}),
        "inquiry_ids": [inquiry_id],
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def merge_inquiry(
    archive: Archive,
    inquiry_id: str,
    inquiry: Inquiry,
    grade: dict[str, Any] | None,
    now: datetime,
    possible_duplicates: Iterable[str] = (),
) -> Archive | None:
    """The archive with the inquiry merged in, or None if it was merged before."""
    if inquiry_id in archive["inquiry_ids"]:
        return None
    merged = dict(archive)
    for name in ("company", "country", "city", "website", "registration_code"):
        if not merged.get(name) and inquiry.get(name):
            merged[name] = inquiry[name]
    if merged.get("country") != archive.get("country"):
        merged["country_code"] = inquiry.get("country_code")  # the code goes with its country
    merged["contacts"] = _merge_contact(archive["contacts"], inquiry["contact"])
    if _another_name(archive, inquiry.get("company")):
        # Found by another key under another name (its English name beside its Chinese one): an alias.
        merged["aliases"] = list(archive.get("aliases", [])) + [inquiry["company"]]
    blocks = name_blocks(
        inquiry.get("company"), inquiry.get("country_code") if inquiry.get("country") else archive.get("country_code")
    )
    merged["name_blocks"] = list(dict.fromkeys(archive.get("name_blocks", []) + blocks))
    merged["sources"] = archive["sources"] + [source_of(inquiry_id, inquiry, now)]
    known = archive.get("special_requirements", [])
    merged["special_requirements"] = known + [
        r for r in special_requirements_in(inquiry.get("message")) if r not in known
    ]
    merged["needs"] = archive["needs"] + [n for n in _needs_of(inquiry) if n not in archive["needs"]]
    merged["products"] = archive["products"] + [
        p for p in inquiry.get("products") or [] if p not in archive["products"]
    ]
    merged["custom_fields"] = {**(inquiry.get("custom_fields") or {}), **archive["custom_fields"]}
    if archive["stage"] == "new_contact":
        merged["stage"] = stage_for(inquiry)
    merged["intent_grade"] = stronger_grade(archive.get("intent_grade"), grade)
    if merged["intent_grade"] != archive.get("intent_grade"):
        merged["graded_at"] = now
    known = archive.get("possible_duplicates", [])
    merged["possible_duplicates"] = known + [c for c in possible_duplicates if c not in known and c != archive["_id"]]
    merged["inquiry_ids"] = archive["inquiry_ids"] + [inquiry_id]
    merged["updated_at"] = now
    return merged


def _another_name(archive: Archive, company: str | None) -> bool:
    name = normalise_company(company)
    return bool(name and archive.get("company")) and name not in {
        normalise_company(known) for known in [archive["company"], *archive.get("aliases", [])]
    }


def place(
    archive: Archive, owner_id: str | None, pool_state: str, reason: str, at: datetime, team: str | None = None
) -> Archive | None:
    """The archive with its owner and pool state as the pool service decided, or None if unchanged."""
    team = team or archive.get("team")
    now = (archive["owner_id"], archive.get("pool_state"), archive.get("pool_reason"), archive.get("team"))
    if now == (owner_id, pool_state, reason, team):
        return None
    return {
        **archive,
        "owner_id": owner_id,
        "pool_state": pool_state,
        "pool_reason": reason,
        "team": team,
        "updated_at": at,
    }


def with_collaborators(archive: Archive, collaborators: Iterable[str], at: datetime) -> Archive | None:
    """The archive with the collaborators the pool named, or None if they are already these."""
    if list(archive.get("collaborators") or []) == list(collaborators):
        return None
    return {**archive, "collaborators": list(collaborators), "updated_at": at}


def handed_to(archive: Archive, department: str, at: datetime) -> Archive | None:
    """The archive held by ``department`` too (e.g. service after a deal), or None if it already is."""
    departments = list(archive.get("departments") or [])
    if department in departments:
        return None
    return {**archive, "departments": departments + [department], "updated_at": at}


def stronger_grade(current: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any] | None:
    if current is None or (new is not None and GRADE_ORDER[new["grade"]] < GRADE_ORDER[current["grade"]]):
        return new
    return current


def source_of(inquiry_id: str, inquiry: Inquiry, now: datetime) -> dict[str, Any]:
    return {
        "at": inquiry.get("occurred_at") or now,  # when the customer reached us
        "channel": inquiry["channel"],
        "campaign": inquiry.get("campaign"),
        "initial_behaviour": inquiry.get("initial_behaviour"),
        "inquiry_id": inquiry_id,
    }


def _needs_of(inquiry: Inquiry) -> list[str]:
    message = (inquiry.get("message") or "").strip()
    return [message] if message else []


def _merge_contact(contacts: list[dict[str, Any]], contact: dict[str, Any]) -> list[dict[str, Any]]:
    """Add the contact, or fill the blanks of the one with the same email."""
    email = normalise_email(contact.get("email"))
    for index, known in enumerate(contacts):
        if email and normalise_email(known.get("email")) == email:
            filled = {**contact, **{k: v for k, v in known.items() if v}}
            return contacts[:index] + [filled] + contacts[index + 1 :]
    return contacts + [dict(contact)]


def combine_archives(kept: Archive, absorbed: Archive, now: datetime) -> Archive | None:
    """``kept`` with everything ``absorbed`` knew, or None if it was combined before.

    Nothing is dropped: contacts, sources, needs, products, communications and special
    requirements are united; where both have a value, the kept archive's wins.
    """
    if set(absorbed["inquiry_ids"]) <= set(kept["inquiry_ids"]) and absorbed["_id"] in kept.get("absorbed_ids", []):
        return None
    combined = dict(kept)
    for name in (
        "company",
        "country",
        "city",
        "website",
        "registration_code",
        "target_price",
        "group_id",
        "group_name",
    ):
        combined[name] = kept.get(name) or absorbed.get(name)
    combined["country_code"] = (kept if kept.get("country") else absorbed).get("country_code")
    if absorbed.get("company") and absorbed["company"] != combined["company"]:
        combined["aliases"] = kept.get("aliases", []) + [absorbed["company"]]  # still found by its old name
    contacts = list(kept["contacts"])
    for contact in absorbed["contacts"]:
        contacts = _merge_contact(contacts, contact)
    combined["contacts"] = contacts
    for name in (
        "sources",
        "needs",
        "products",
        "special_requirements",
        "name_blocks",
        "inquiry_ids",
        "aliases",
        "titles",
        "requirements",
        "cautions",
        "competitors",
        "manual_tags",
        "traits",
    ):
        known = combined.get(name, [])
        combined[name] = known + [item for item in absorbed.get(name, []) if item not in known]
    for name, when in (("communications", "at"), ("quotes", "at"), ("samples", "sent_at"), ("orders", "at")):
        known_ids = {c["id"] for c in kept.get(name, [])}
        combined[name] = sorted(
            kept.get(name, []) + [c for c in absorbed.get(name, []) if c["id"] not in known_ids], key=lambda c: c[when]
        )
    if absorbed["stage"] in MAIN_PATH:
        combined["stage"] = stage_after(kept["stage"], absorbed["stage"])
    combined["custom_fields"] = {**absorbed.get("custom_fields", {}), **kept.get("custom_fields", {})}
    combined["intent_grade"] = stronger_grade(kept.get("intent_grade"), absorbed.get("intent_grade"))
    # the value grade set more recently speaks for the merged customer
    latest = max((kept, absorbed), key=lambda a: (a.get("value_grade") is not None, a.get("graded_at") or now))
    combined["value_grade"] = latest.get("value_grade")
    combined["graded_at"] = max(filter(None, (kept.get("graded_at"), absorbed.get("graded_at"))), default=None)
    both = kept.get("possible_duplicates", []) + absorbed.get("possible_duplicates", [])
    combined["possible_duplicates"] = [c for c in dict.fromkeys(both) if c not in (kept["_id"], absorbed["_id"])]
    combined["absorbed_ids"] = kept.get("absorbed_ids", []) + [absorbed["_id"]]
    combined["updated_at"] = now
    return combined


def with_country_codes(
    archive: Archive, country_code: str | None, title_codes: list[str | None], now: datetime
) -> Archive | None:
    """The archive keeping the ISO codes its country and its titles' countries name (``title_codes``,
    in the titles' order), and its name block in that country; None if it keeps these already."""
    titles = [
        {**title, "country_code": code} for title, code in zip(archive.get("titles", []), title_codes, strict=False)
    ]
    if "country_code" in archive and archive["country_code"] == country_code and titles == archive.get("titles", []):
        return None
    blocks = list(archive.get("name_blocks", []))
    # blocks it had stay: inquiries written as before still find it
    blocks += [block for block in name_blocks(archive.get("company"), country_code) if block not in blocks]
    changed = {
        **archive,
        "country_code": country_code,
        "name_blocks": blocks,
        "updated_at": now,
    }
    if titles:
        changed["titles"] = titles
    return changed
