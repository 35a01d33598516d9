"""Filing an accepted inquiry: into the archive it matches, or a new one.

Returns the events to announce, in order. A redelivered inquiry returns the same events
again, which downstream handlers ignore, so a crash between writing and announcing loses nothing.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from plugins.errors import PluginFailed
from plugins.host import PluginHost
from services.profile.changing import ArchiveBusy, change_archive
from services.profile.domain import timeline
from services.profile.domain.archive import customer_id_for, merge_inquiry, open_archive
from services.profile.domain.communications import communication_record, record_communication
from services.profile.domain.documents import Archive, Entry, Inquiry, Record
from services.profile.domain.matching import (
    MatchDecision,
    another_company_named,
    archives_to_link,
    decide,
    match_keys,
    name_blocks,
    name_with_words_added,
    name_words,
    named_after_place,
    other_registration_code,
    same_words,
    second_signal,
    typo_blocks,
)
from services.profile.domain.normalising import company_words, normalise_company
from services.profile.domain.summary import summary_of
from services.profile.domain.traits import note_traits
from services.profile.duplicates import note_flags, still_to_flag
from services.profile.editing import link_group
from services.profile.merging import merge_customers, merge_event
from services.profile.store import Customers

log = logging.getLogger(__name__)

Event = tuple[str, dict[str, Any]]  # (event name, payload) to announce
NameBlocks = dict[str, list[dict[str, Any]]]  # name block -> the archives in it, as read

LINKED_BY = "profile (an inquiry linked them)"
GROUPED_BY = "profile (same domain, another registration code)"
PLACE_NAMED_BY = "profile (a group company's name: another's with its city)"


@dataclass(frozen=True)
class Filed:
    """What filing an inquiry did: the events to announce, in order; the archive it was filed
    into, as written (or found); whether it was opened for this inquiry; whether the report
    facts of the inquiry were written with it (then they are that archive's only facts)."""

    events: list[Event]
    archive: Archive
    opened: bool
    noted: bool = False


# The report facts of an inquiry filed into an archive (archive, opened?): written with a new archive.
FactsOf = Callable[[Archive, bool], list[dict[str, Any]]]


def file_inquiry(
    customers: Customers,
    plugins: PluginHost,
    matching: Mapping[str, Any],
    inquiry_id: str,
    inquiry: Inquiry,
    received_at: datetime,
    now: datetime,
) -> list[Event]:
    """File an inquiry (with its ``country_code``, ``services.runtime.countries.with_country_code``):
    the events to announce (``filed_inquiry``)."""
    return filed_inquiry(customers, plugins, matching, inquiry_id, inquiry, received_at, now).events


def filed_inquiry(
    customers: Customers,
    plugins: PluginHost,
    matching: Mapping[str, Any],
    inquiry_id: str,
    inquiry: Inquiry,
    received_at: datetime,
    now: datetime,
    facts_of: FactsOf | None = None,
) -> Filed:
    """File an inquiry (with its ``country_code``, ``services.runtime.countries.with_country_code``).
    ``facts_of``: its report facts, written in the command that opens a new archive."""
    new_id = customer_id_for(inquiry_id)
    keys = match_keys(inquiry)
    held = customers.holders_of(keys)
    # Opening an archive claims its keys first (or they are another's): with keys and none held,
    # this inquiry opened none before, and its archive is not looked for.
    if not keys or held:
        opened = customers.get(new_id)
        if opened is not None:
            # Redelivered after this inquiry opened its archive: announce it again, change nothing.
            return Filed([_announce_opened(customers, opened, inquiry_id, inquiry, received_at)], opened, True)
    # Keys this inquiry claimed in an interrupted attempt are its own, not a match.
    holders = {kind: holder for kind, holder in held.items() if holder != new_id}
    for linked in (archives_sharing_keys, misspelt_archive_pair):
        if merge_linked(customers, matching, linked(customers, matching, holders, inquiry), inquiry, inquiry_id, now):
            holders = _holders(customers, keys, new_id)
    blocks: NameBlocks = {}  # the name blocks read while filing, read once
    similar = None if holders else most_similar_name(customers, matching, inquiry, blocks=blocks)
    if similar and keys and (late := _holders(customers, keys, new_id)):
        # An archive opened between the key read and the name-block read (two rows of one company
        # filed at once): its keys went in before its name terms, in one ordered command, so they
        # are there now, and a key decides, not a similar name.
        holders, similar = late, None
    if similar and not second_signal(inquiry, customers.get(similar) or {}, matching["typo_phone_prefix_digits"]):
        # A similar name alone never merges: a person is asked whether it is the same company.
        decision = MatchDecision(candidates=(similar,))
    else:
        decision = decide(holders, similar)
    group_of = None
    if decision.matched_on == "domain":
        decision, group_of = _within_group(customers, matching, decision, holders, inquiry)
    if decision.customer_id and (sister := _group_company(customers, matching, decision, holders, inquiry)):
        # Filed by its own code, address or phone, on a domain another company of its group holds: linked, not flagged.
        link_group(customers, decision.customer_id, sister, GROUPED_BY, None, now)
        decision = MatchDecision(
            decision.customer_id, decision.matched_on, tuple(c for c in decision.candidates if c != sister)
        )
    if decision.customer_id and group_of:
        # The group company its name already has an archive for (opened from private mail): now in the group.
        _join_group_of(customers, decision.customer_id, group_of, now)
    elif decision.customer_id and inquiry.get("city"):
        # An archive in no group yet, opened before its city was known: the city now says what its name adds.
        _group_by_place(customers, matching, inquiry, decision.customer_id, blocks, now)
    if decision.customer_id:
        customers.repoint_keys(new_id, decision.customer_id)
        free = {kind: value for kind, value in keys.items() if kind not in holders}
        matched, into = _merge(customers, plugins, decision, inquiry_id, inquiry, received_at, free, now)
        # Also after a crash between linking and announcing: the merge records say what it linked.
        return Filed(merges_caused_by(customers, inquiry_id) + [matched], into, False)
    shared_with = (*decision.candidates, *([group_of] if group_of else []))
    grade, grading_error = grade_intent(plugins, inquiry)
    archive = open_archive(new_id, inquiry_id, inquiry, grade, grading_error, now, decision.candidates)
    archive = (
        note_traits(archive, read_traits(plugins, inquiry.get("message")), inquiry_id, received_at, now) or archive
    )
    facts = facts_of(archive, True) if facts_of else []
    # One command when every key still free is claimed and nothing was written before; else step by step.
    stored = None
    if all(holder in shared_with for holder in holders.values()):
        free = {kind: value for kind, value in keys.items() if kind not in holders}
        stored = customers.open(archive, free, _opened_entries(archive, inquiry_id, inquiry, received_at), facts)
    if stored is None:
        for kind, holder in customers.claim_keys(keys, new_id, shared_with=shared_with).items():
            if holder != new_id and holder not in shared_with:
                # Another inquiry took this key since we looked: decide again on redelivery.
                raise ArchiveBusy(f"key {kind} was claimed by {holder} while filing {inquiry_id}")
        if not customers.add(archive):  # opened before (its keys given up since): announced as it is
            archive = customers.get(new_id) or archive
            facts = []
        customers.note_facts(facts)
        announced = _announce_opened(customers, archive, inquiry_id, inquiry, received_at)
    else:
        archive = stored
        if archive["possible_duplicates"]:
            note_flags(customers, new_id, archive["possible_duplicates"], archive["created_at"])  # listed for managers
        announced = _opened_event(archive, inquiry_id, inquiry)
    if group_of:
        link_group(customers, new_id, group_of, GROUPED_BY, None, now)
    elif sister := group_company_by_place(customers, matching, inquiry, new_id, blocks):
        link_group(customers, new_id, sister, PLACE_NAMED_BY, None, now)
    elif stored is not None:
        return Filed([announced], archive, True, bool(facts))
    # linked into a group since, or written step by step: the archive as stored now, and announced so
    archive = customers.get(new_id) or archive
    return Filed([_summarised(announced, archive)], archive, True, bool(facts))


def group_company_by_place(
    customers: Customers,
    matching: Mapping[str, Any],
    inquiry: Inquiry,
    new_id: str,
    blocks: NameBlocks | None = None,
) -> str | None:
    """The archive whose company a new archive's is a group company of by name and place: one name is
    the other's with the city of the longer-named one added ("Nevado Herramientas Valencia", from
    Valencia, beside "Nevado Herramientas"); the city is the second signal a bare name prefix lacks.
    None when no archive, or archives of more than one group, are so named. ``blocks``: the name
    blocks read so far (``in_name_block``)."""
    typed = normalise_company(inquiry.get("company"))
    if not typed:
        return None
    found: dict[str, None] = {}
    for block in name_blocks(inquiry.get("company"), inquiry.get("country_code")):
        for known in in_name_block(customers, matching, block, blocks):
            name = "".join(name_words(known))
            if known["_id"] == new_id or not name or name == typed:
                continue
            if named_after_place(inquiry["company"], known["company"], inquiry.get("city")):
                found[known["_id"]] = None
            elif len(name) > len(typed) and _within(typed, name):
                # the longer name is the archive's: its own city says whether the rest is a place
                archive = customers.get(known["_id"]) or {}
                if named_after_place(archive.get("company"), inquiry["company"], archive.get("city")):
                    found[known["_id"]] = None
    groups = {(customers.get(c) or {}).get("group_id") or c for c in found}
    return next(iter(found)) if len(groups) == 1 else None


def _group_by_place(
    customers: Customers,
    matching: Mapping[str, Any],
    inquiry: Inquiry,
    customer_id: str,
    blocks: NameBlocks,
    now: datetime,
) -> None:
    """Link an archive in no group with the one its company is a group company of by name and place
    (``group_company_by_place``), as a new archive is linked."""
    this = customers.get(customer_id)
    if this is None or this.get("group_id"):
        return
    if sister := group_company_by_place(customers, matching, inquiry, customer_id, blocks):
        link_group(customers, customer_id, sister, PLACE_NAMED_BY, None, now)


def _within(short: str, long: str) -> bool:
    # ``short``'s letters in order within ``long``: cheap, before an archive is read for its city
    letters = iter(long)
    return all(letter in letters for letter in short)


def _within_group(
    customers: Customers,
    matching: Mapping[str, Any],
    decision: MatchDecision,
    holders: dict[str, str],
    inquiry: Inquiry,
) -> tuple[MatchDecision, str | None]:
    """(decision, archive whose group a new archive joins) for a match on the company's domain.

    A group's companies share its domain: an inquiry stating another registration code than the
    domain's archive, or stating a code under a name that differs from the archive's in a
    meaningful word ("Acme Hamburg" beside "Acme"), or without a code a name another archive has
    exactly that differs so, or one name the other's with its city added, is another company of the group: filed into the archive its name already has (one of
    the group, or one in no group yet, which then joins it), else a new archive linked to the group."""
    found = customers.get(decision.customer_id) if decision.customer_id else None
    if found is None:
        return decision, None
    named = holders.get("company")
    member = customers.get(named) if named and named != found["_id"] else None
    if member is not None and found.get("group_id") and member.get("group_id") == found["group_id"]:
        others = tuple(c for c in decision.candidates if c != named)
        return MatchDecision(customer_id=named, matched_on="company", candidates=others), None
    coded = other_registration_code(inquiry, found)
    # Its name is exactly another archive's, and the domain's archive's is it with words added or left out
    # ("Monti Logistica" beside "Monti Logistica Lamezia"): a group company's, as with a code of its own.
    named_apart = (
        member is not None
        and (
            name_with_words_added(found.get("company"), inquiry.get("company"))
            or name_with_words_added(inquiry.get("company"), found.get("company"))
        )
        and another_company_named(inquiry, found, matching["merge_name_similarity"], matching["min_word_similarity"])
    )
    if not (coded or named_apart or _another_entity_named(inquiry, found, matching)):
        return decision, None
    others = tuple(c for c in decision.candidates if c != found["_id"])
    if member is not None and not member.get("group_id") and not other_registration_code(inquiry, member):
        # Its name's archive (one opened from private mail) is this group company's: merged there, then grouped.
        others = tuple(c for c in others if c != named)
        return MatchDecision(customer_id=named, matched_on="company", candidates=others), found["_id"]
    # Another code says another legal entity; without one, "Acme Hamburg" from Hamburg may still be Acme's
    # office: grouped either way, and then flagged for a person.
    return MatchDecision(candidates=others if coded else (found["_id"], *others)), found["_id"]


def _join_group_of(customers: Customers, customer_id: str, other_id: str, now: datetime) -> None:
    this, other = customers.get(customer_id), customers.get(other_id)
    if (
        this is not None
        and other is not None
        and not (this.get("group_id") and this.get("group_id") == other.get("group_id"))
    ):
        link_group(customers, customer_id, other_id, GROUPED_BY, None, now)


def _holders(customers: Customers, keys: dict[str, str], new_id: str) -> dict[str, str]:
    # Keys this inquiry claimed in an interrupted attempt are its own, not a match.
    return {kind: holder for kind, holder in customers.holders_of(keys).items() if holder != new_id}


def _group_company(
    customers: Customers,
    matching: Mapping[str, Any],
    decision: MatchDecision,
    holders: dict[str, str],
    inquiry: Inquiry,
) -> str | None:
    """The archive holding the inquiry's domain when it is another legal entity (another code than the
    inquiry's or than that of the archive it was filed into, or a name differing in a meaningful word) than
    the one its code, address or phone filed it into, and not yet in one group with it; else None."""
    holder = holders.get("domain")
    if (
        decision.matched_on not in ("code", "email", "phone")
        or not holder
        or not decision.customer_id
        or holder == decision.customer_id
    ):
        return None
    sister, this = customers.get(holder), customers.get(decision.customer_id)
    if (
        sister is None
        or this is None
        or not (
            other_registration_code(inquiry, sister)
            or other_registration_code(this, sister)  # the archive it was filed into is another entity itself
            or _another_entity_named(inquiry, sister, matching)
        )
    ):
        return None
    return None if this.get("group_id") and this.get("group_id") == sister.get("group_id") else holder


def _another_entity_named(inquiry: Inquiry, archive: Archive, matching: Mapping[str, Any]) -> bool:
    if inquiry.get("registration_code"):
        return another_company_named(
            inquiry, archive, matching["merge_name_similarity"], matching["min_word_similarity"]
        )
    # Without a code of its own, a name in other words on the same domain may be this company's (in another
    # language, or its "Hamburg office"); only one that is the other's with its city added is another company's.
    return named_after_place(inquiry.get("company"), archive.get("company"), inquiry.get("city")) or named_after_place(
        archive.get("company"), inquiry.get("company"), archive.get("city")
    )


def archives_sharing_keys(
    customers: Customers, matching: Mapping[str, Any], holders: dict[str, str], inquiry: Inquiry
) -> list[Archive]:
    """The archives holding this inquiry's keys, when there are several: perhaps one customer."""
    ids = list(dict.fromkeys(holders.values()))
    if len(ids) < 2:
        return []
    return [a for a in (customers.get(i) for i in ids) if a is not None]


def misspelt_archive_pair(
    customers: Customers, matching: Mapping[str, Any], holders: dict[str, str], inquiry: Inquiry
) -> list[Archive]:
    """The one archive this inquiry's keys found and an archive opened under a misspelling of its
    company name, when the inquiry also agrees with that archive on a second signal (one of its
    contacts by name, its city, a phone in its area): the inquiry carries what a typo match needs.
    Merged only when nothing they state disagrees (``merge_linked``)."""
    ids = list(dict.fromkeys(holders.values()))
    if len(ids) != 1 or not inquiry.get("company"):
        return []
    similar = most_similar_name(customers, matching, inquiry, exclude=ids[0])
    other = customers.get(similar) if similar else None
    if other is None or not second_signal(inquiry, other, matching["typo_phone_prefix_digits"]):
        return []
    found = customers.get(ids[0])
    return [found, other] if found else []


def merge_linked(
    customers: Customers,
    matching: Mapping[str, Any],
    archives: list[Archive],
    inquiry: Inquiry,
    inquiry_id: str,
    now: datetime,
) -> bool:
    """Merge the archives this inquiry proves to be one customer; True if it merged any."""
    link = archives_to_link(archives, inquiry, matching["merge_name_similarity"], matching["min_word_similarity"])
    if link is None:
        return False
    kept, absorbed = link
    for archive in absorbed:
        merge_customers(customers, kept["_id"], archive["_id"], LINKED_BY, now, cause=inquiry_id)
    return True


def merges_caused_by(customers: Customers, inquiry_id: str) -> list[Event]:
    return [("customers_merged", merge_event(record)) for record in customers.merges_caused_by(inquiry_id)]


def _announce_opened(
    customers: Customers, archive: Archive, inquiry_id: str, inquiry: Inquiry, received_at: datetime
) -> Event:
    if archive["possible_duplicates"]:
        note_flags(customers, archive["_id"], archive["possible_duplicates"], archive["created_at"])  # for managers
    customers.record(*_opened_entries(archive, inquiry_id, inquiry, received_at))
    return _opened_event(archive, inquiry_id, inquiry)


def _opened_entries(archive: Archive, inquiry_id: str, inquiry: Inquiry, received_at: datetime) -> list[Entry]:
    customer_id = archive["_id"]
    entries = [
        timeline.inquiry_received(customer_id, inquiry_id, inquiry, received_at),
        timeline.customer_created(archive, inquiry_id),
    ]
    if archive["possible_duplicates"]:
        entries.append(timeline.flagged_for_review(customer_id, archive["possible_duplicates"], archive["created_at"]))
    if traits := [t for t in archive.get("traits", []) if t["source_id"] == inquiry_id]:
        entries.append(timeline.traits_noted(customer_id, traits, inquiry_id, archive["created_at"]))
    return entries


def _opened_event(archive: Archive, inquiry_id: str, inquiry: Inquiry) -> Event:
    customer_id = archive["_id"]
    return "customer_created", {
        "customer_id": customer_id,
        "inquiry_id": inquiry_id,
        "occurred_at": archive["created_at"],
        "company": archive["company"],
        "country": archive["country"],
        "country_code": archive.get("country_code"),
        "intent_grade": (archive["intent_grade"] or {}).get("grade"),
        "needs_review": bool(archive["possible_duplicates"]),
        "allocate": inquiry.get("allocate", True),
        # what the others filter and decide by, as the archive is now: no customer_updated follows
        "summary": summary_of(archive),
    }


def _summarised(event: Event, archive: Archive) -> Event:
    """The ``customer_created`` event with the summary of ``archive`` as it is now."""
    name, payload = event
    return name, {**payload, "summary": summary_of(archive)}


def add_communication(
    customers: Customers,
    plugins: PluginHost,
    customer_id: str,
    record_id: str,
    communication: Record,
    now: datetime,
    record_within: timedelta | None = None,
) -> None:
    """Record a contact on the archive and the timeline; the same record id twice adds it once.
    Traits the plugins read in it (with the words that show them) are noted too."""
    text = "\n".join(filter(None, [communication.get("customer_words"), communication["summary"]]))
    traits = read_traits(plugins, text)

    def change(archive: Archive) -> Archive | None:
        recorded = record_communication(archive, record_id, communication, now, record_within)
        return recorded and (note_traits(recorded, traits, record_id, communication["at"], now) or recorded)

    record = communication_record(record_id, communication, now, record_within)
    entries = [timeline.communication_recorded(customer_id, record, record_within)]
    if traits:
        entries.append(timeline.traits_noted(customer_id, traits, record_id, communication["at"]))
    if change_archive(customers, customer_id, change, entries=entries)[1] is None:
        customers.record(*entries)  # recorded before (a retry): the entries, if they are missing


def read_traits(plugins: PluginHost, text: str | None) -> list[dict[str, Any]]:
    """Traits the enabled plugins read in ``text``, as dicts. A failing plugin is logged by name
    and adds nothing: a trait is a hint, never a reason to lose the inquiry or the record."""
    if text is None or not text.strip():
        return []
    try:
        return [
            {"name": t.name, "label": t.label, "evidence": t.evidence, "suggestion": t.suggestion, "rule": t.rule}
            for t in plugins.traits(text)
        ]
    except PluginFailed as exc:
        log.warning("traits not read: %s", exc.message)
        return []


def in_name_block(
    customers: Customers, matching: Mapping[str, Any], block: str, blocks: NameBlocks | None = None
) -> list[dict[str, Any]]:
    """``customers.in_name_block``, kept in ``blocks`` (block -> archives) when given: one filing
    asks for its blocks more than once, and reads each from the store once."""
    return read_name_blocks(customers, matching, [block], blocks)[block]


def read_name_blocks(
    customers: Customers, matching: Mapping[str, Any], wanted: list[str], blocks: NameBlocks | None = None
) -> NameBlocks:
    """The archives in each ``wanted`` block: those not in ``blocks`` yet read together, in one
    command (``customers.in_name_blocks``), and kept there."""
    blocks = {} if blocks is None else blocks
    if missing := [block for block in dict.fromkeys(wanted) if block not in blocks]:
        blocks.update(customers.in_name_blocks(missing, matching["max_name_block"]))
    return {block: blocks[block] for block in wanted}


def most_similar_name(
    customers: Customers,
    matching: Mapping[str, Any],
    inquiry: Inquiry,
    exclude: str | None = None,
    blocks: NameBlocks | None = None,
) -> str | None:
    """The one archive in the inquiry's name blocks (``typo_blocks``) whose name is close enough to be a typo of it.
    ``blocks``: the name blocks read so far (``in_name_block``)."""
    read = read_name_blocks(
        customers, matching, typo_blocks(inquiry.get("company"), inquiry.get("country_code")), blocks
    )
    known = {archive["_id"]: archive for archived in read.values() for archive in archived}
    typed = company_words(inquiry.get("company"))  # folded once; the block's names come folded (name_words)
    close = [
        customer_id
        for customer_id, archive in known.items()
        if customer_id != exclude
        and same_words(typed, name_words(archive), matching["merge_name_similarity"], matching["min_word_similarity"])
    ]
    return close[0] if len(close) == 1 else None


def _merge(
    customers: Customers,
    plugins: PluginHost,
    decision: MatchDecision,
    inquiry_id: str,
    inquiry: Inquiry,
    received_at: datetime,
    free_keys: dict[str, str],
    now: datetime,
) -> tuple[Event, Archive]:
    customer_id, matched_on = decision.customer_id, decision.matched_on
    assert customer_id is not None  # only a decision naming its archive is merged
    candidates = still_to_flag(customers, customer_id, decision.candidates)  # never a pair a person kept apart
    grade, _ = grade_intent(plugins, inquiry)
    traits = read_traits(plugins, inquiry.get("message"))

    def change(archive: Archive) -> Archive | None:
        merged = merge_inquiry(archive, inquiry_id, inquiry, grade, now, possible_duplicates=candidates)
        return merged and (note_traits(merged, traits, inquiry_id, received_at, now) or merged)

    entries = [timeline.inquiry_received(customer_id, inquiry_id, inquiry, received_at, matched_on)]
    if traits:
        entries.append(timeline.traits_noted(customer_id, traits, inquiry_id, received_at))
    before, after = change_archive(customers, customer_id, change, entries=entries)
    customers.add_keys(free_keys, customer_id)  # the customer is now also found by this inquiry's new keys
    note_flags(customers, customer_id, candidates, now)
    if after is None:  # merged before (a redelivery): the entries, if they are missing
        customers.record(*entries)
    matched = {
        "customer_id": customer_id,
        "inquiry_id": inquiry_id,
        "occurred_at": now,
        "matched_on": matched_on,
        "allocate": inquiry.get("allocate", True),
    }
    return ("inquiry_matched", matched), after or before


def grade_intent(plugins: PluginHost, inquiry: Inquiry) -> tuple[dict[str, Any] | None, str | None]:
    """(grade dict or None, error or None). A failing grading plugin never stops the filing."""
    try:
        opinion = plugins.grade_intent(inquiry)
    except PluginFailed as exc:
        return None, exc.message
    if opinion is None:
        return None, None
    return {"grade": opinion.grade, "reasons": list(opinion.reasons), "rule": opinion.rule}, None
