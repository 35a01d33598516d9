"""The weekly quality audit: each salesperson due is audited on a sample of the records they have
held for a while; a report is kept per person and due date, and their schedule moves on (less often
after passes in a row). Several instances may run it at once: the report id and the version-guarded
schedule make one quality audit of each person per due date."""

import logging
from datetime import datetime
from typing import Any

from contracts.errors import NotFound
from services.handoff.domain import Document
from services.handoff.domain.checklists import Subject, evaluate
from services.handoff.domain.quality_audit import new_schedule, quality_audit_id, report, sample
from services.handoff.store import Handoffs

log = logging.getLogger(__name__)
POOL_PAGE = 200


def run_quality_audits(
    store: Handoffs, pool: Any, profile: Any, policy: dict[str, Any], now: datetime
) -> list[Document]:
    """The reports of the people audited now."""
    reports = []
    for person in (p["id"] for p in pool.list_salespeople()["items"] if p["active"]):
        schedule = store.schedule(person) or store.add_schedule(new_schedule(person, policy["quality_audit"], now))
        if schedule["next_at"] > now:
            continue
        stored = store.quality_audit(quality_audit_id(person, schedule["next_at"]))
        if stored is None:
            stored = _quality_audit(store, pool, profile, policy, person, schedule, now)
        else:  # an earlier run stored the report and stopped before the schedule moved on
            store.replace_schedule(
                {
                    **schedule,
                    "passes_in_a_row": stored["passes_in_a_row"],
                    "relaxed": stored["relaxed"],
                    "next_at": stored["next_at"],
                    "last_quality_audit_id": stored["_id"],
                },
                schedule,
            )
        reports.append(stored)
    return reports


def _quality_audit(store, pool, profile, policy, person, schedule, now):
    audit_policy = policy["quality_audit"]
    made_id = quality_audit_id(person, schedule["next_at"])
    held = _held_since(pool, person, now - audit_policy.min_age)
    checked = []
    for customer_id in sample(held, audit_policy.sample_size, made_id):
        try:
            archive = profile.get_customer(customer_id)
        except NotFound:  # merged or gone since the pool listed it
            continue
        checked.append((customer_id, evaluate(audit_policy.checklist, Subject(archive, {}), policy["checklist"])))
    made, after = report(made_id, person, schedule, checked, now, audit_policy)
    stored, _ = store.add_quality_audit(made)
    if not store.replace_schedule(after, schedule):
        log.info("quality audit of %s: another instance moved the schedule on", person)
    return stored


def _held_since(pool, person, cutoff):
    """The customers ``person`` owns and has held since ``cutoff`` or before."""
    held, offset = [], 0
    while True:
        page = pool.search_pool({"state": "owned", "owner_id": person, "limit": POOL_PAGE, "offset": offset})
        held += [
            h["customer_id"]
            for h in page["items"]
            if h["allocated_at"] and datetime.fromisoformat(h["allocated_at"]) <= cutoff
        ]
        offset += POOL_PAGE
        if offset >= page["total"]:
            return held
