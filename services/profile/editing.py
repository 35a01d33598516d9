"""What people change on an archive by hand: details, quotes, samples, orders, stage, groups.

Each change is one versioned write of the archive plus a timeline entry; asking twice with
the same record id changes nothing the second time.
"""

import logging
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from contracts.errors import Conflict, InvalidInput, NotFound
from plugins.errors import PluginFailed
from plugins.host import PluginHost
from services.profile.changing import change_archive, existing_archive
from services.profile.domain import timeline
from services.profile.domain.deals import amend_order, change_stage, record_step
from services.profile.domain.details import typed_problems, update_details, with_website_domain
from services.profile.domain.documents import Archive, Record
from services.profile.domain.grades import grade_changes, regrade, value_graded
from services.profile.domain.groups import group_id_for, join_group, leave_group
from services.profile.domain.matching import contact_keys, identity_keys
from services.profile.domain.normalising import registration_code_problem
from services.profile.store import Customers, Key
from services.runtime.countries import Countries, with_country_code

MAX_GROUP_MEMBERS = 500  # listed per group; far above any real group's subsidiaries
KEY_WORDS = {
    "company": "A name",
    "code": "A registration code",
    "domain": "The company's domain",
    "email": "An email",
    "phone": "A phone number",
}

log = logging.getLogger(__name__)


def update_customer(
    customers: Customers,
    plugins: PluginHost,
    countries: Countries,
    customer_id: str,
    changes: dict[str, Any],
    now: datetime,
) -> None:
    """Apply a person's corrections; refuses custom values that break their declarations, websites,
    emails and phones that are none, and names, emails and phones that belong to another customer
    (link or merge those instead). A country given (the archive's, a title's) is kept with the
    ``country_code`` ``countries`` recognise in it."""
    by = changes.pop("by")
    if problems := plugins.validate_custom_values(changes.get("custom_fields") or {}):
        raise InvalidInput.from_messages({"custom_fields": problems}, what="change")
    changes = _with_country_codes(changes, countries)
    before = existing_archive(customers, customer_id)
    country_code = changes.get("country_code", before.get("country_code"))
    if problems := {**_code_problems(changes, country_code), **typed_problems(changes, before, country_code)}:
        raise InvalidInput.from_messages(problems, what="change")
    changes = with_website_domain(changes)
    proposed, _ = update_details(before, changes, now)
    if proposed is None:
        return
    old_keys, new_keys = _keys_of(before), _keys_of(proposed)
    _claim_or_refuse(customers, customer_id, new_keys - old_keys)
    outcome: dict[str, Any] = {}

    def change(archive: Archive) -> Archive | None:
        updated, outcome["changed"] = update_details(archive, changes, now)
        return updated

    change_archive(customers, customer_id, change)
    customers.release_identity(old_keys - new_keys, customer_id)
    if outcome.get("changed"):
        customers.record(timeline.details_updated(customer_id, outcome["changed"], by, now))


def record_deal_step(
    customers: Customers, customer_id: str, kind: str, record_id: str, record: Record, now: datetime
) -> None:
    """Add a quote, sample or order (``kind``: quotes, samples, orders) and move the stage on."""
    existing_archive(customers, customer_id)
    # BSON has datetimes but no dates: a delivery date is kept as its ISO text.
    record = {name: value.isoformat() if type(value) is date else value for name, value in record.items()}
    stages: dict[str, str] = {}

    def change(archive: Archive) -> Archive | None:
        stages["before"] = archive["stage"]
        return record_step(archive, kind, record_id, record, now)

    change_archive(customers, customer_id, change)
    entries = [timeline.step_recorded(customer_id, kind, {"id": record_id, **record})]
    after = existing_archive(customers, customer_id)["stage"]
    if stages.get("before") and after != stages["before"]:
        # The customer reached the stage when the quote, sample or order happened, not when typed in.
        entries.append(
            timeline.stage_changed(
                customer_id, stages["before"], after, record["by"], f"{kind[:-1]} recorded", entries[0]["at"]
            )
        )
    customers.record(*entries)


def amend_deal_order(
    customers: Customers, customer_id: str, order_id: str, amendment: dict[str, Any], now: datetime
) -> bool:
    """Change an order as an agreed requirement change asks ("deliver 10 days earlier"), with a
    timeline entry naming before and after; the same change asked twice changes it once."""
    existing_archive(customers, customer_id)
    seen: dict[str, Any] = {}

    def change(archive: Archive) -> Archive | None:
        try:
            amended, seen["before"] = amend_order(
                archive,
                order_id,
                amendment["field"],
                amendment["value"],
                amendment["change_id"],
                amendment["by"],
                amendment.get("note"),
                now,
            )
        except KeyError:
            raise NotFound(
                f"Customer {customer_id} has no order {order_id}.",
                {"resource": "order", "id": order_id, "field": "order_id"},
            ) from None
        return amended

    _, after = change_archive(customers, customer_id, change)
    if after is not None:
        customers.record(timeline.order_amended(customer_id, order_id, {**amendment, "before": seen["before"]}, now))
    return after is not None


def set_stage(
    customers: Customers, customer_id: str, stage: str, by: str, reason: str | None, now: datetime
) -> dict[str, Any] | None:
    """The timeline entry of the change, or None if the customer was in ``stage`` already."""
    before = existing_archive(customers, customer_id)["stage"]
    change_archive(customers, customer_id, lambda archive: change_stage(archive, stage, reason, now))
    if before == stage:
        return None
    entry = timeline.stage_changed(customer_id, before, stage, by, reason, now)
    customers.record(entry)
    return entry


def grade(customers: Customers, customer_id: str, grades: dict[str, str], by: str, reason: str, now: datetime) -> None:
    """Set grades by hand (a regrade), on the archive and its timeline."""
    before, after = change_archive(
        customers,
        customer_id,
        lambda archive: regrade(archive, grades, by, reason, now),
        existing_archive(customers, customer_id),
    )
    customers.record(
        timeline.graded(
            customer_id,
            grade_changes(before, after or before, list(grades)),
            by,
            reason.strip(),
            now,
            fields=list(grades),
        )
    )


def grade_value(
    customers: Customers, plugins: PluginHost, customer_id: str, valuation: dict[str, Any], now: datetime
) -> None:
    """After an order: the value grade the rule plugins give (``baton_grade_value``), on the
    archive and its timeline — unless a person set it by hand. A failing plugin is logged by
    name and changes nothing: the order is recorded either way."""
    before = existing_archive(customers, customer_id)
    try:
        opinion = plugins.grade_value(before.get("orders") or [], valuation, now)
    except PluginFailed as exc:
        log.warning("value grade of %s not set: %s", customer_id, exc.message)
        return
    if opinion is None:
        return
    verdict = {"grade": opinion.grade, "reasons": list(opinion.reasons), "rule": opinion.rule}
    before, after = change_archive(customers, customer_id, lambda archive: value_graded(archive, verdict, now), before)
    if after is not None:
        customers.record(
            timeline.graded(
                customer_id,
                grade_changes(before, after, ["value_grade"]),
                opinion.rule,
                "; ".join(opinion.reasons),
                now,
                fields=["value_grade"],
            )
        )


def link_group(customers: Customers, customer_id: str, other_id: str, by: str, name: str | None, now: datetime) -> str:
    """Put both archives in one group (joining an existing group; two groups become one)."""
    if other_id == customer_id:
        raise InvalidInput("An archive cannot be linked with itself.", {"fields": {"link": ["Same as this archive."]}})
    this, other = existing_archive(customers, customer_id), existing_archive(customers, other_id)
    group_id = this.get("group_id") or other.get("group_id") or group_id_for(customer_id)
    members = [other_id]
    if other.get("group_id") and other["group_id"] != group_id:
        members = [m["_id"] for m in customers.group_members(other["group_id"], MAX_GROUP_MEMBERS)]
    for member in [customer_id, *members]:
        change_archive(customers, member, lambda archive: join_group(archive, group_id, name, now))
    customers.record(
        *(
            timeline.group_linked(member, group_id, name, peer, by, now)
            for member, peer in [(customer_id, other_id), *((m, customer_id) for m in members)]
        )
    )
    return group_id


def unlink_group(customers: Customers, customer_id: str, by: str, now: datetime) -> None:
    group_id = existing_archive(customers, customer_id).get("group_id")
    if group_id is None:
        raise Conflict(f"Customer {customer_id} is in no group.", {"customer_id": customer_id})
    change_archive(customers, customer_id, lambda archive: leave_group(archive, now))
    customers.record(timeline.group_left(customer_id, group_id, by, now))


def group_view(customers: Customers, customer_id: str) -> dict[str, Any]:
    archive = existing_archive(customers, customer_id)
    if not archive.get("group_id"):
        return {"group": None, "members": [_member(archive)]}
    members = customers.group_members(archive["group_id"], MAX_GROUP_MEMBERS)
    return {
        "group": {"id": archive["group_id"], "name": archive.get("group_name")},
        "members": [_member(m) for m in members],
    }


def _member(archive: Archive) -> dict[str, Any]:
    return {
        "customer_id": archive["_id"],
        "company": archive.get("company"),
        "country": archive.get("country"),
        "country_code": archive.get("country_code"),
        "owner_id": archive.get("owner_id"),
        "stage": archive["stage"],
    }


def _with_country_codes(changes: dict[str, Any], countries: Countries) -> dict[str, Any]:
    if "country" in changes:
        changes = with_country_code(changes, countries)
    if "titles" in changes:
        changes = {**changes, "titles": [with_country_code(title, countries) for title in changes["titles"]]}
    return changes


def _code_problems(changes: dict[str, Any], country_code: str | None) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    if reason := registration_code_problem(changes.get("registration_code"), country_code):
        problems["registration_code"] = [reason]
    for index, title in enumerate(changes.get("titles", [])):
        title_country = title["country_code"] if title.get("country") else country_code
        if reason := registration_code_problem(title.get("registration_code"), title_country):
            problems.setdefault("titles", {})[index] = {"registration_code": [reason]}
    return problems


def _keys_of(archive: Archive) -> set[Key]:
    # Contacts' keys too: an email or phone added finds this archive, one removed no longer does.
    return identity_keys(archive) | contact_keys(archive)


def _claim_or_refuse(customers: Customers, customer_id: str, keys: Collection[Key]) -> None:
    holders, claimed = customers.claim_identity(list(keys), customer_id)
    taken = {key: holder for key, holder in holders.items() if holder != customer_id}
    if not taken:
        return
    customers.release_identity(claimed, customer_id)  # only what this call took: the refusal changes nothing
    others = sorted(set(taken.values()))
    owners = {c: (customers.get(c) or {}).get("owner_id") for c in others}
    shown = ", ".join(f"{c} (owned by {owners[c]})" if owners[c] else f"{c} (in the public pool)" for c in others)
    raise Conflict(
        f"{_describe(taken)} already identifies {shown}: merge the archives or link them as a group.",
        {
            "customers": [{"customer_id": c, "owner_id": owners[c]} for c in others],
            "keys": [f"{kind}:{value}" for kind, value in sorted(taken)],
        },
    )


def _describe(taken: Collection[Key]) -> str:
    kinds = sorted({kind for kind, _ in taken})
    return " and ".join(KEY_WORDS.get(k, k) for k in kinds)
