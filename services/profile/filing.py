"""Filing an accepted inquiry: into the archive it matches, or a new one.

Returns the events to announce, in order. A redelivered inquiry returns the same events
again, which downstream handlers ignore, so a crash between writing and announcing loses nothing.
"""
import logging

from plugins.errors import PluginFailed
from services.profile.changing import ArchiveBusy, change_archive
from services.profile.domain import timeline
from services.profile.domain.archive import customer_id_for, merge_inquiry, open_archive
from services.profile.domain.communications import communication_record, record_communication
from services.profile.domain.matching import archives_to_link, decide, match_keys, name_block, name_similarity
from services.profile.domain.traits import note_traits
from services.profile.merging import merge_customers, merge_event

log = logging.getLogger(__name__)

LINKED_BY = "profile (an inquiry linked them)"


def file_inquiry(customers, plugins, matching, inquiry_id, inquiry, received_at, now):
    """File an inquiry (with its ``country_code``, ``services.runtime.countries.with_country_code``)."""
    new_id = customer_id_for(inquiry_id)
    opened = customers.get(new_id)
    if opened is not None:
        # Redelivered after this inquiry opened its archive: announce it again, change nothing.
        return [_announce_opened(customers, opened, inquiry_id, inquiry, received_at)]
    keys = match_keys(inquiry)
    holders = _holders(customers, keys, new_id)
    if link_archives(customers, matching, holders, inquiry, inquiry_id, now):
        holders = _holders(customers, keys, new_id)
    similar = None if holders else most_similar_name(customers, matching, inquiry)
    decision = decide(holders, similar)
    if decision.customer_id:
        customers.repoint_keys(new_id, decision.customer_id)
        free = {kind: value for kind, value in keys.items() if kind not in holders}
        matched = _merge(customers, plugins, decision, inquiry_id, inquiry, received_at, free, now)
        # Also after a crash between linking and announcing: the merge records say what it linked.
        return merges_caused_by(customers, inquiry_id) + [matched]
    for kind, holder in customers.claim_keys(keys, new_id, shared_with=decision.candidates).items():
        if holder != new_id and holder not in decision.candidates:
            # Another inquiry took this key since we looked: decide again on redelivery.
            raise ArchiveBusy(f"key {kind} was claimed by {holder} while filing {inquiry_id}")
    grade, grading_error = grade_intent(plugins, inquiry)
    archive = open_archive(new_id, inquiry_id, inquiry, grade, grading_error, now, decision.candidates)
    archive = note_traits(archive, read_traits(plugins, inquiry.get("message")), inquiry_id, received_at, now) or archive
    customers.add(archive)
    return [_announce_opened(customers, archive, inquiry_id, inquiry, received_at)]


def _holders(customers, keys, new_id):
    # Keys this inquiry claimed in an interrupted attempt are its own, not a match.
    return {kind: holder for kind, holder in customers.holders_of(keys).items() if holder != new_id}


def link_archives(customers, matching, holders, inquiry, inquiry_id, now):
    """Merge the archives this inquiry proves to be one customer; True if it merged any."""
    ids = list(dict.fromkeys(holders.values()))
    if len(ids) < 2:
        return False
    archives = [a for a in (customers.get(i) for i in ids) if a is not None]
    link = archives_to_link(archives, inquiry, matching["merge_name_similarity"])
    if link is None:
        return False
    kept, absorbed = link
    for archive in absorbed:
        merge_customers(customers, kept["_id"], archive["_id"], LINKED_BY, now, cause=inquiry_id)
    return True


def merges_caused_by(customers, inquiry_id):
    return [("customers_merged", merge_event(record)) for record in customers.merges_caused_by(inquiry_id)]


def _announce_opened(customers, archive, inquiry_id, inquiry, received_at):
    customer_id = archive["_id"]
    entries = [timeline.inquiry_received(customer_id, inquiry_id, inquiry, received_at),
               timeline.customer_created(archive, inquiry_id)]
    if archive["possible_duplicates"]:
        entries.append(timeline.flagged_for_review(customer_id, archive["possible_duplicates"], archive["created_at"]))
    if traits := [t for t in archive.get("traits", []) if t["source_id"] == inquiry_id]:
        entries.append(timeline.traits_noted(customer_id, traits, inquiry_id, archive["created_at"]))
    customers.record(*entries)
    return "customer_created", {
        "customer_id": customer_id, "inquiry_id": inquiry_id, "occurred_at": archive["created_at"],
        "company": archive["company"], "country": archive["country"],
        "country_code": archive.get("country_code"),
        "intent_grade": (archive["intent_grade"] or {}).get("grade"),
        "needs_review": bool(archive["possible_duplicates"]),
        "allocate": inquiry.get("allocate", True),
    }


def add_communication(customers, plugins, customer_id, record_id, communication, now, record_within=None):
    """Record a contact on the archive and the timeline; the same record id twice adds it once.
    Traits the plugins read in it (with the words that show them) are noted too."""
    text = "\n".join(filter(None, [communication.get("customer_words"), communication["summary"]]))
    traits = read_traits(plugins, text)

    def change(archive):
        recorded = record_communication(archive, record_id, communication, now, record_within)
        return recorded and (note_traits(recorded, traits, record_id, communication["at"], now) or recorded)

    change_archive(customers, customer_id, change)
    record = communication_record(record_id, communication, now, record_within)
    entries = [timeline.communication_recorded(customer_id, record, record_within)]
    if traits:
        entries.append(timeline.traits_noted(customer_id, traits, record_id, communication["at"]))
    customers.record(*entries)


def read_traits(plugins, text):
    """Traits the enabled plugins read in ``text``, as dicts. A failing plugin is logged by name
    and adds nothing: a trait is a hint, never a reason to lose the inquiry or the record."""
    if not (text or "").strip():
        return []
    try:
        return [{"name": t.name, "label": t.label, "evidence": t.evidence, "suggestion": t.suggestion, "rule": t.rule}
                for t in plugins.traits(text)]
    except PluginFailed as exc:
        log.warning("traits not read: %s", exc.message)
        return []


def most_similar_name(customers, matching, inquiry, exclude=None):
    """The one archive in the inquiry's name block whose name is close enough to be a typo of it."""
    block = name_block(inquiry.get("company"), inquiry.get("country_code"))
    if block is None:
        return None
    close = [known["_id"] for known in customers.in_name_block(block, matching["max_name_block"])
             if known["_id"] != exclude
             and name_similarity(inquiry["company"], known.get("company")) >= matching["merge_name_similarity"]]
    return close[0] if len(close) == 1 else None


def _merge(customers, plugins, decision, inquiry_id, inquiry, received_at, free_keys, now):
    customer_id, matched_on = decision.customer_id, decision.matched_on
    grade, _ = grade_intent(plugins, inquiry)
    traits = read_traits(plugins, inquiry.get("message"))

    def change(archive):
        merged = merge_inquiry(archive, inquiry_id, inquiry, grade, now, possible_duplicates=decision.candidates)
        return merged and (note_traits(merged, traits, inquiry_id, received_at, now) or merged)

    change_archive(customers, customer_id, change)
    customers.add_keys(free_keys, customer_id)   # the customer is now also found by this inquiry's new keys
    entries = [timeline.inquiry_received(customer_id, inquiry_id, inquiry, received_at, matched_on)]
    if traits:
        entries.append(timeline.traits_noted(customer_id, traits, inquiry_id, received_at))
    customers.record(*entries)
    return "inquiry_matched", {
        "customer_id": customer_id, "inquiry_id": inquiry_id, "occurred_at": now, "matched_on": matched_on,
        "allocate": inquiry.get("allocate", True),
    }


def grade_intent(plugins, inquiry):
    """(grade dict or None, error or None). A failing grading plugin never stops the filing."""
    try:
        opinion = plugins.grade_intent(inquiry)
    except PluginFailed as exc:
        return None, exc.message
    if opinion is None:
        return None, None
    return {"grade": opinion.grade, "reasons": list(opinion.reasons), "rule": opinion.rule}, None
