"""Handoff timeliness as a KPI (seed 002: "部门间移交及时不及时" counts for sales), return rates
and the items most often missing — read off the handoffs' histories and the refusals.

- ready → submitted: from when the checklist's last dated fact was recorded to the submission
  (only handoffs that passed their checklist when submitted: the others were not ready);
- submitted → signed: from when a receiver could sign (the submission, or the moment pending
  information was completed) to their signature, for each receiver;
- submitted → accepted: from the first submission to acceptance, for each kind.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from statistics import mean, median

from services.handoff.domain import Document
from services.handoff.domain.handoffs import INFO_PENDING, department_in, is_overdue
from services.handoff.domain.kinds import SYSTEM

HOUR = 3600


def measures(
    handoffs: Sequence[Document],
    refusals: Sequence[Document],
    department_of: Callable[[str], str | None],
    now: datetime,
) -> Document:
    """The figures for these handoffs and refusals (``department_of``: person -> department or None)."""
    people: dict[str, Document] = {}
    departments: dict[str, Document] = {}
    kinds: dict[str, Document] = {}
    missing: Counter[str] = Counter()

    def rows(person, department=None):
        department = department or department_of(person) or "unknown"
        return _row(people, person, department), _row(departments, department, None)

    for doc in handoffs:
        _count_sender(doc, *rows(doc["from_user"], department_in(doc, doc["from_user"])))
        for user in doc["to_users"]:
            for row in rows(user, department_in(doc, user)):
                row["received"] += 1
        for user, hours in _signatures(doc):
            for row in rows(user, department_in(doc, user)):
                row["signed"] += 1
                row["submit_to_sign"].append(hours)
        for returned in doc["returns"]:
            for row in rows(returned["by"], department_in(doc, returned["by"])):
                row["returns_made"] += 1
        _count_kind(kinds.setdefault(doc["kind"], _kind_row(doc["kind"])), doc)
        missing.update(name for entry in doc["history"] for name in entry.get("missing") or [])
    for refusal in refusals:
        missing.update(refusal["missing"])
        for row in rows(refusal["from_user"], refusal.get("department")):
            row["refused"] += 1
    sent = len(handoffs)
    returned = sum(1 for doc in handoffs if doc["returns"])
    return {
        "handoffs": sent,
        "accepted": sum(1 for doc in handoffs if doc["accepted_at"] is not None),
        "returned": returned,
        "return_rate": _rate(returned, sent),
        "refused": len(refusals),
        "info_pending": sum(1 for doc in handoffs if doc["state"] == INFO_PENDING),
        "overdue": sorted(doc["_id"] for doc in handoffs if is_overdue(doc, now)),
        "info_completed_late": sum(1 for doc in handoffs if doc.get("info_completed_late")),
        "people": [_shown(row) for _, row in sorted(people.items())],
        "departments": [_shown(row) for _, row in sorted(departments.items())],
        "kinds": [_shown_kind(row) for _, row in sorted(kinds.items())],
        "missing_items": [
            {"item": item, "count": count}
            for item, count in sorted(missing.items(), key=lambda pair: (-pair[1], pair[0]))
        ],
    }


def _count_sender(doc, *rows):
    for row in rows:
        row["sent"] += 1
        row["returned"] += 1 if doc["returns"] else 0
        if doc["ready_at"] is not None and doc["ready_at"] <= doc["submitted_at"]:
            row["ready_to_submit"].append(_hours(doc["submitted_at"] - doc["ready_at"]))


def _signatures(doc):
    """(receiver, hours from when they could sign to their signature) for each signature."""
    signable = {}
    for entry in doc["history"]:
        if entry["action"] in ("submitted", "resubmitted") and not entry.get("missing"):
            signable[entry["attempt"]] = entry["at"]
        elif entry["action"] == "info_completed":
            signable[entry["attempt"]] = entry["at"]
        elif entry["action"] == "signed" and entry["by"] != SYSTEM and entry["attempt"] in signable:
            yield entry["by"], _hours(entry["at"] - signable[entry["attempt"]])


def _count_kind(row, doc):
    row["handoffs"] += 1
    row["returned"] += 1 if doc["returns"] else 0
    if doc["accepted_at"] is not None:
        row["submit_to_accept"].append(_hours(doc["accepted_at"] - doc["submitted_at"]))


def _row(rows, key, department):
    if key not in rows:
        rows[key] = {
            "key": key,
            "department": department,
            "sent": 0,
            "returned": 0,
            "refused": 0,
            "ready_to_submit": [],
            "received": 0,
            "signed": 0,
            "returns_made": 0,
            "submit_to_sign": [],
        }
    return rows[key]


def _kind_row(kind):
    return {"kind": kind, "handoffs": 0, "returned": 0, "submit_to_accept": []}


def _shown(row):
    return {
        "name": row["key"],
        **({"department": row["department"]} if row["department"] is not None else {}),
        "sent": row["sent"],
        "returned": row["returned"],
        "return_rate": _rate(row["returned"], row["sent"]),
        "refused": row["refused"],
        "ready_to_submit_hours": _stats(row["ready_to_submit"]),
        "received": row["received"],
        "signed": row["signed"],
        "returns_made": row["returns_made"],
        "submit_to_sign_hours": _stats(row["submit_to_sign"]),
    }


def _shown_kind(row):
    return {
        "kind": row["kind"],
        "handoffs": row["handoffs"],
        "return_rate": _rate(row["returned"], row["handoffs"]),
        "submit_to_accept_hours": _stats(row["submit_to_accept"]),
    }


def _stats(hours):
    if not hours:
        return {"count": 0, "mean": None, "median": None, "max": None}
    return {
        "count": len(hours),
        "mean": round(mean(hours), 2),
        "median": round(median(hours), 2),
        "max": round(max(hours), 2),
    }


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def _hours(delta):
    return delta.total_seconds() / HOUR


# --- the same figures from sums kept per month (domain.measure_totals) ---------------------------


def handoff_sums(handoffs: Sequence[Document]) -> dict[str, Document]:
    """{kind: what ``measures`` adds up of these handoffs of that kind} (JSON-ready), for the
    month they are kept in: counts, the hours of each duration (for the medians), the waiting
    handoffs (whether overdue depends on when it is read), and per (person, the department the
    handoff names them in) their counts, in the order people first take part (``pos``: their first
    place in the month, whatever the kind: a person's department is the one they first show in)."""
    sums: dict[str, Document] = {}
    rows: dict[tuple, list] = {}
    pos = 0

    def rows_of(kind_sums, person, department):
        nonlocal pos
        key = (kind_sums["kind"], person, department)
        if key not in rows:
            rows[key] = [pos, person, department, 0, 0, [], 0, 0, 0, []]
            kind_sums["rows"].append(rows[key])
        pos += 1
        return rows[key]

    for doc in handoffs:
        kind = sums.setdefault(doc["kind"], _kind_sums(doc["kind"]))
        kind["n"] += 1
        kind["accepted"] += 1 if doc["accepted_at"] is not None else 0
        kind["returned"] += 1 if doc["returns"] else 0
        kind["late"] += 1 if doc.get("info_completed_late") else 0
        if doc["state"] == INFO_PENDING:
            kind["pending"].append([doc["_id"], doc["pending_until"].isoformat()])
        sender = rows_of(kind, doc["from_user"], department_in(doc, doc["from_user"]))
        sender[3] += 1
        sender[4] += 1 if doc["returns"] else 0
        if doc["ready_at"] is not None and doc["ready_at"] <= doc["submitted_at"]:
            sender[5].append(_hours(doc["submitted_at"] - doc["ready_at"]))
        for user in doc["to_users"]:
            rows_of(kind, user, department_in(doc, user))[6] += 1
        for user, hours in _signatures(doc):
            row = rows_of(kind, user, department_in(doc, user))
            row[7] += 1
            row[9].append(hours)
        for returned in doc["returns"]:
            rows_of(kind, returned["by"], department_in(doc, returned["by"]))[8] += 1
        if doc["accepted_at"] is not None:
            kind["accept"].append(_hours(doc["accepted_at"] - doc["submitted_at"]))
        for entry in doc["history"]:
            for name in entry.get("missing") or []:
                kind["missing"][name] = kind["missing"].get(name, 0) + 1
    return sums


def refusal_sums(refusals: Sequence[Document]) -> dict[str, Document]:
    """{kind: what ``measures`` adds up of these refusals of that kind}: how many, the items
    missing, and per (person, department) their refusals in the order they first show."""
    sums: dict[str, Document] = {}
    rows: dict[tuple, list] = {}
    for pos, refusal in enumerate(refusals):
        kind = sums.setdefault(refusal["kind"], {"n": 0, "missing": {}, "rows": []})
        kind["n"] += 1
        for name in refusal["missing"]:
            kind["missing"][name] = kind["missing"].get(name, 0) + 1
        key = (refusal["kind"], refusal["from_user"], refusal.get("department"))
        if key not in rows:
            rows[key] = [pos, refusal["from_user"], refusal.get("department"), 0]
            kind["rows"].append(rows[key])
        rows[key][3] += 1
    return sums


def measures_of_sums(
    handoff_months: Sequence[Sequence[Document]],
    refusal_months: Sequence[Sequence[Document]],
    department_of: Callable[[str], str | None],
    now: datetime,
) -> Document:
    """``measures`` from the sums of each month (in order; each month: the sums of the kinds
    measured, ``handoff_sums``' and ``refusal_sums``' values): the same figures."""
    people: dict[str, Document] = {}
    departments: dict[str, Document] = {}
    kinds: dict[str, Document] = {}
    missing: Counter[str] = Counter()
    figures: Counter[str] = Counter()
    overdue: list[str] = []

    def rows(person, department):
        department = department or department_of(person) or "unknown"
        return _row(people, person, department), _row(departments, department, None)

    for month in handoff_months:
        for kind in month:
            figures.update({name: kind[name] for name in ("n", "accepted", "returned", "late")})
            figures["pending"] += len(kind["pending"])
            overdue += [handoff_id for handoff_id, until in kind["pending"] if datetime.fromisoformat(until) < now]
            missing.update(kind["missing"])
            row = kinds.setdefault(kind["kind"], _kind_row(kind["kind"]))
            row["handoffs"] += kind["n"]
            row["returned"] += kind["returned"]
            row["submit_to_accept"] += kind["accept"]
        for _pos, person, department, *counted in sorted((r for kind in month for r in kind["rows"]), key=_first):
            sent, returned, ready, received, signed, returns_made, to_sign = counted
            for row in rows(person, department):
                row["sent"] += sent
                row["returned"] += returned
                row["ready_to_submit"] += ready
                row["received"] += received
                row["signed"] += signed
                row["returns_made"] += returns_made
                row["submit_to_sign"] += to_sign
    refused = 0
    for month in refusal_months:
        for kind in month:
            refused += kind["n"]
            missing.update(kind["missing"])
        for _pos, person, department, n in sorted((r for kind in month for r in kind["rows"]), key=_first):
            for row in rows(person, department):
                row["refused"] += n
    sent = figures["n"]
    return {
        "handoffs": sent,
        "accepted": figures["accepted"],
        "returned": figures["returned"],
        "return_rate": _rate(figures["returned"], sent),
        "refused": refused,
        "info_pending": figures["pending"],
        "overdue": sorted(overdue),
        "info_completed_late": figures["late"],
        "people": [_shown(row) for _, row in sorted(people.items())],
        "departments": [_shown(row) for _, row in sorted(departments.items())],
        "kinds": [_shown_kind(row) for _, row in sorted(kinds.items())],
        "missing_items": [
            {"item": item, "count": count}
            for item, count in sorted(missing.items(), key=lambda pair: (-pair[1], pair[0]))
        ],
    }


def _kind_sums(kind: str) -> Document:
    return {
        "kind": kind,
        "n": 0,
        "accepted": 0,
        "returned": 0,
        "late": 0,
        "pending": [],
        "missing": {},
        "accept": [],
        "rows": [],
    }


def _first(row: list) -> int:
    return row[0]
