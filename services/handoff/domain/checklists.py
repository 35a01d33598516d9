"""Handoff checklists: what the receiver must find before taking a customer over (seed 000).

A kind's checklist is a list of rule names (configuration, with DOMAIN.md's defaults). A rule
reads the archive and the package the sender wrote, and passes or fails with a reason a person
can act on — the receiver never has to guess what is missing. Where the archive dates what made
an item pass (a contact attempt, the third communication, an order), the item says since when:
the latest such date is when the customer was ready to hand over.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

DIGIT = re.compile(r"\d|[一二两三四五六七八九十百千万]")
# Stages that say the deal is decided without an order (seed 004's side states).
NO_DEAL_STAGES = ("lost", "invalid", "rejected", "dormant")
DEAL_STAGE = "customer"
LEAD_STAGES = ("new_contact", "inquiry")  # seed 004's stages before any quote
_ENGLISH_EDGE = r"(?<![A-Za-z0-9]){}(?![A-Za-z0-9])"


@dataclass(frozen=True)
class ChecklistPolicy:
    vague_words: tuple  # phrases that make a need vague, Chinese and English (matched as words)
    min_communications: int = 3
    max_communication_gap: timedelta = timedelta(days=7)
    no_progress_phrases: tuple = ()  # results that show no progress ("no answer", 未回复…)
    screening_required: bool = True  # leads go through marketing's screening (BATON.allocation.screening)

    def vague_phrase_in(self, text: str) -> str | None:
        """The first vague phrase in ``text`` (English ones as whole words), or None."""
        for phrase in self.vague_words:
            if phrase.isascii():
                if re.search(_ENGLISH_EDGE.format(re.escape(phrase)), text, re.IGNORECASE):
                    return phrase
            elif phrase in text:
                return phrase
        return None


@dataclass(frozen=True)
class Item:
    name: str
    passed: bool
    reason: str
    since: datetime | None = None  # when the archive shows it became true (None: not dated)


@dataclass(frozen=True)
class Subject:
    """What a checklist reads: the archive (as profile shows it) and the sender's package."""

    archive: dict
    package: dict


def evaluate(
    rule_names: Iterable[str],
    subject: Subject,
    policy: ChecklistPolicy,
    extra_rules: Iterable[Callable[[Subject], Item]] = (),
) -> list[Item]:
    """Every item of the checklist: the configured rules in order, then ``extra_rules``
    (callables ``subject -> Item``, e.g. a plugin's, already guarded by the caller)."""
    return [RULES[name](subject, policy) for name in rule_names] + [rule(subject) for rule in extra_rules]


def ready_since(items: Sequence[Item]) -> datetime | None:
    """When the customer was ready to hand over: the latest dated item, if every item passed."""
    if not items or not all(item.passed for item in items):
        return None
    dated = [item.since for item in items if item.since is not None]
    return max(dated) if dated else None


def missing(items: Iterable[Item]) -> list[str]:
    return [item.name for item in items if not item.passed]


# --- marketing → sales ------------------------------------------------------------------------


def source_recorded(subject: Subject, _policy: ChecklistPolicy) -> Item:
    sources = [s for s in subject.archive.get("sources") or [] if s.get("channel")]
    if not sources:
        return Item("source_recorded", False, "No source channel is recorded.")
    return Item("source_recorded", True, f"source: {sources[0]['channel']}", _parsed(sources[0].get("at")))


def basic_info_complete(subject: Subject, _policy: ChecklistPolicy) -> Item:
    archive = subject.archive
    missing_parts = []
    if not archive.get("company"):
        missing_parts.append("company")
    contacts = archive.get("contacts") or []
    if not any(c.get("name") for c in contacts):
        missing_parts.append("contact name")
    if not any(c.get("email") or c.get("phone") for c in contacts):
        missing_parts.append("email or phone")
    if missing_parts:
        return Item("basic_info_complete", False, f"Missing: {', '.join(missing_parts)}.")
    return Item("basic_info_complete", True, "company, contact and a way to reach them are recorded")


def need_is_specific(subject: Subject, policy: ChecklistPolicy) -> Item:
    verdict = _need(subject.archive, policy)
    return Item("need_is_specific", verdict[0], verdict[1])


def contact_attempted(subject: Subject, _policy: ChecklistPolicy) -> Item:
    attempts = _communications(subject.archive)
    if not attempts:
        return Item("contact_attempted", False, "No contact attempt with its result is recorded.")
    last = attempts[-1]
    return Item(
        "contact_attempted",
        True,
        f"last attempt ({last['method']}): {last.get('result') or last['summary']}",
        _recorded_at(attempts[0]),
    )


def screening_recorded(subject: Subject, policy: ChecklistPolicy) -> Item:
    """Marketing screened the lead (初筛): it fits the ideal customer profile, and whether contact was
    attempted agrees with the contacts recorded. Without screening in force, an unscreened lead passes."""
    name, screening = "screening_recorded", subject.archive.get("screening")
    if not screening and not policy.screening_required:
        return Item(name, True, "not screened: leads go to sales on arrival (screening is off)")
    if not screening:
        return Item(name, False, "Marketing has not screened this lead (POST /customers/<id>/screening).")
    if not screening["fit"]:
        return Item(
            name,
            False,
            f"Screened by {screening['by']} as not fitting the ideal customer profile: "
            "mark it invalid instead, or screen it again.",
        )
    attempts = _communications(subject.archive)
    if screening["contact_attempted"] and not any(c.get("id") == screening.get("contact_record_id") for c in attempts):
        return Item(name, False, "The screening says contact was attempted, but its record is not on the archive.")
    if not screening["contact_attempted"] and attempts:
        return Item(
            name,
            False,
            f"The screening says no contact was attempted, but {len(attempts)} contact record(s) "
            "exist: screen it again.",
        )
    return Item(
        name, True, f"fits the ideal customer profile (screened by {screening['by']})", _parsed(screening.get("at"))
    )


# --- sales → service ----------------------------------------------------------------------------


def communications_continuous(subject: Subject, policy: ChecklistPolicy) -> Item:
    """At least n records, the last n no further apart than the largest gap, showing progress."""
    name, needed = "communications_continuous", policy.min_communications
    records = _communications(subject.archive)
    if len(records) < needed:
        return Item(
            name,
            False,
            f"{len(records)} communication record(s); at least {needed} are required (time, method, summary).",
        )
    last = records[-needed:]
    gap, (before, after) = max(
        ((_parsed(b["at"]) - _parsed(a["at"]), (a, b)) for a, b in pairwise(last)),
        key=lambda pair: pair[0],
        default=(timedelta(0), (last[0], last[0])),
    )
    if gap > policy.max_communication_gap:
        return Item(
            name,
            False,
            f"The last {needed} records are not continuous: {_days(gap)} between "
            f"{_day(before['at'])} and {_day(after['at'])} (at most "
            f"{_days(policy.max_communication_gap)}).",
        )
    if all(_no_progress(record, policy) for record in last):
        return Item(name, False, f"The last {needed} records show no progress: none was answered.")
    if len({" ".join(r["summary"].casefold().split()) for r in last}) < len(last):
        return Item(name, False, f"The last {needed} records repeat the same summary: record what changed.")
    return Item(
        name,
        True,
        f"{needed} records from {_day(last[0]['at'])} to {_day(last[-1]['at'])}, at most {_days(gap)} apart",
        _recorded_at(last[-1]),
    )


def intent_level_set(subject: Subject, _policy: ChecklistPolicy) -> Item:
    grade = subject.archive.get("intent_grade")
    if not grade:
        failure = subject.archive.get("grading_error")
        return Item(
            "intent_level_set",
            False,
            "No intent level is set (it may never be empty)" + (f"; grading failed: {failure}." if failure else "."),
        )
    return Item("intent_level_set", True, f"intent grade {grade['grade']} ({'; '.join(grade.get('reasons') or [])})")


def special_requirements_marked(subject: Subject, _policy: ChecklistPolicy) -> Item:
    return _listed_or_none(
        subject,
        "special_requirements",
        "special_requirements_marked",
        "no_special_requirements",
        "No special requirement is marked: record them (a note starting 【特殊】, or in the "
        "package), or state there are none (no_special_requirements).",
    )


def deal_status_updated(subject: Subject, _policy: ChecklistPolicy) -> Item:
    archive, name = subject.archive, "deal_status_updated"
    orders = archive.get("orders") or []
    if orders:
        return Item(
            name,
            True,
            f"deal: yes ({len(orders)} order(s), last on {_day(orders[-1]['at'])})",
            _recorded_at(orders[-1]),
        )
    if archive.get("stage") == DEAL_STAGE:
        return Item(name, True, "deal: yes (stage customer)")
    if archive.get("stage") in NO_DEAL_STAGES:
        return Item(name, True, f"deal: no ({archive['stage']}: {archive.get('stage_reason') or 'no reason given'})")
    return Item(
        name,
        False,
        f"The deal status is not updated (stage {archive.get('stage')!r}): record the order, "
        "or mark the customer lost or rejected with the reason.",
    )


def order_details_complete(subject: Subject, _policy: ChecklistPolicy) -> Item:
    """After a deal: order amount, delivery date and payment method."""
    archive, name = subject.archive, "order_details_complete"
    orders = archive.get("orders") or []
    if not orders:
        if archive.get("stage") == DEAL_STAGE:
            return Item(
                name,
                False,
                "The customer is marked as dealt, but no order is recorded (amount, delivery date, payment method).",
            )
        return Item(name, True, "no deal: order details are not needed")
    order = orders[-1]
    payment = order.get("payment_method") or (archive.get("custom_fields") or {}).get("payment_method")
    lacking = [
        label
        for label, value in (("delivery date", order.get("delivery_date")), ("payment method", payment))
        if not value
    ]
    if lacking:
        return Item(name, False, f"The order of {_day(order['at'])} lacks: {', '.join(lacking)}.")
    # No amount in the reason: reasons are stored with handoffs and refusals, read by roles that may not see prices.
    return Item(
        name,
        True,
        f"order of {_day(order['at'])} with its amount, delivery {order['delivery_date']}, payment {payment}",
        _recorded_at(order),
    )


def needs_and_pain_points(subject: Subject, policy: ChecklistPolicy) -> Item:
    """Core needs (a specific need on the archive) and pain points (in the package)."""
    name = "needs_and_pain_points"
    need_found, need_reason = _need(subject.archive, policy)
    pains = _texts(subject.package.get("pain_points"))
    problems = ([] if need_found else [need_reason]) + (
        [] if pains else ["Give the customer's pain points in the package (pain_points)."]
    )
    if problems:
        return Item(name, False, " ".join(problems))
    return Item(name, True, f"{need_reason}; pain points: {'; '.join(pains[:3])}")


def solution_offered(subject: Subject, _policy: ChecklistPolicy) -> Item:
    solution = (subject.package.get("solution") or "").strip()
    quotes = subject.archive.get("quotes") or []
    if solution:
        return Item("solution_offered", True, f"solution: {_clip(solution)}")
    if quotes:
        return Item(
            "solution_offered",
            True,
            f"quoted: {quotes[-1]['product']} ({_day(quotes[-1]['at'])})",
            _recorded_at(quotes[-1]),
        )
    return Item(
        "solution_offered",
        False,
        "No solution offered is recorded: describe it in the package (solution) or record a quote.",
    )


# --- other kinds ----------------------------------------------------------------------------


def cautions_recorded(subject: Subject, _policy: ChecklistPolicy) -> Item:
    return _listed_or_none(
        subject,
        "cautions",
        "cautions_recorded",
        "no_cautions",
        "No caution or communication taboo (沟通禁忌) is recorded: add them to the archive or the "
        "package (cautions), or state there are none (no_cautions).",
    )


def history_recorded(subject: Subject, _policy: ChecklistPolicy) -> Item:
    communications, orders = _communications(subject.archive), subject.archive.get("orders") or []
    if not communications and not orders:
        if no_contact_yet(subject.archive):
            return Item("history_recorded", True, "no contact yet: a new lead, nothing to lose with its owner")
        return Item("history_recorded", False, "No history: no communication or order is recorded on the archive.")
    return Item("history_recorded", True, f"{len(communications)} communication(s), {len(orders)} order(s) recorded")


def open_items_listed(subject: Subject, _policy: ChecklistPolicy) -> Item:
    items = _texts(subject.package.get("open_items"))
    if items:
        return Item("open_items_listed", True, f"open items: {'; '.join(items[:3])}")
    if subject.package.get("no_open_items"):
        return Item("open_items_listed", True, "the sender states nothing is open")
    if no_contact_yet(subject.archive):
        return Item("open_items_listed", True, "no contact yet: the first contact is what is open")
    return Item(
        "open_items_listed",
        False,
        "List the open items in the package (open_items: unfinished needs, "
        "promised follow-ups), or state there are none (no_open_items).",
    )


def case_described(subject: Subject, _policy: ChecklistPolicy) -> Item:
    """A repair / after-sales case: which order, what is wrong, where (seed 002)."""
    case = subject.package.get("case") or {}
    orders = {o["id"]: o for o in subject.archive.get("orders") or []}
    problems = []
    if not case.get("order_id"):
        problems.append("the order (case.order_id)")
    elif case["order_id"] not in orders:
        problems.append(
            f"an order on the archive (order {case['order_id']!r} is not one of its {len(orders)} order(s))"
        )
    problems += [
        label
        for label, key in (("the fault (case.fault)", "fault"), ("the address (case.address)", "address"))
        if not case.get(key)
    ]
    if problems:
        return Item("case_described", False, f"The case needs {', '.join(problems)}.")
    return Item("case_described", True, f"order {case['order_id']}: {_clip(case['fault'])}")


def next_step_planned(subject: Subject, _policy: ChecklistPolicy) -> Item:
    archive = subject.archive
    if archive.get("stage") in NO_DEAL_STAGES:
        return Item("next_step_planned", True, f"no next step needed ({archive['stage']})")
    records = _communications(archive)
    if records and records[-1].get("next_follow_up_at"):
        return Item("next_step_planned", True, f"next follow-up {_day(records[-1]['next_follow_up_at'])}")
    return Item("next_step_planned", False, "The latest communication names no next step (next_follow_up_at).")


RULES = {
    rule.__name__: rule
    for rule in (
        source_recorded,
        basic_info_complete,
        need_is_specific,
        contact_attempted,
        communications_continuous,
        intent_level_set,
        special_requirements_marked,
        deal_status_updated,
        order_details_complete,
        needs_and_pain_points,
        solution_offered,
        cautions_recorded,
        history_recorded,
        open_items_listed,
        case_described,
        next_step_planned,
        screening_recorded,
    )
}


# --- reading the archive ----------------------------------------------------------------------


def _need(archive, policy):
    """(specific?, reason): the latest need in the customer's words, or a requirement in numbers."""
    needs = archive.get("needs") or []
    requirements = [r for r in archive.get("requirements") or [] if r.get("model")]
    latest = needs[-1] if needs else None
    vague = policy.vague_phrase_in(latest) if latest else None
    if latest and (not vague or DIGIT.search(latest)):
        return True, f"need: “{latest}”"
    if requirements:
        wanted = requirements[-1]
        return True, f"requirement: {wanted['model']}" + (f" × {wanted['quantity']}" if wanted.get("quantity") else "")
    if latest:
        return False, f"The need “{latest}” is vague ('{vague}'): record what they asked for (product, quantity)."
    return False, "No need is recorded: record what they asked for (product, quantity)."


def _listed_or_none(subject, field, name, none_flag, failure):
    listed = _texts(subject.archive.get(field)) + [
        t for t in _texts(subject.package.get(field)) if t not in _texts(subject.archive.get(field))
    ]
    if listed:
        return Item(
            name,
            True,
            f"{field.replace('_', ' ')}: {'; '.join(listed[:3])}"
            + (f" (+{len(listed) - 3} more)" if len(listed) > 3 else ""),
        )
    if subject.package.get(none_flag):
        return Item(name, True, f"the sender states there are no {field.replace('_', ' ')}")
    return Item(name, False, failure)


def no_contact_yet(archive: dict[str, Any]) -> bool:
    """A lead nobody has contacted yet (a leaver's, handed over before its first touch): no contact,
    no quote, sample or order, still at a lead's stage. Its handoff has no history to carry."""
    return (
        archive.get("stage") in LEAD_STAGES
        and not archive.get("communications")
        and not any(archive.get(kind) for kind in ("quotes", "samples", "orders"))
    )


def _communications(archive):
    return sorted(archive.get("communications") or [], key=lambda c: _parsed(c["at"]))


def _no_progress(record, policy):
    text = (record.get("result") or record["summary"]).casefold()
    return any(phrase.casefold() in text for phrase in policy.no_progress_phrases)


def _texts(values):
    return [v.strip() for v in values or [] if isinstance(v, str) and v.strip()]


def _recorded_at(record):
    return _parsed(record.get("recorded_at") or record.get("at"))


def _parsed(value):
    """Archives arrive over RPC with ISO texts; tests may pass datetimes."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _day(value):
    parsed = _parsed(value)
    return f"{parsed:%Y-%m-%d}" if isinstance(parsed, datetime) else str(value)


def _days(delta):
    days = delta / timedelta(days=1)
    return f"{days:.0f} day(s)" if days >= 1 or days == 0 else f"{delta / timedelta(hours=1):.0f} hour(s)"


def _clip(text, limit=120):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
