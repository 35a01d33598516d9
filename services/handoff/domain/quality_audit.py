"""The weekly quality audit (seed 000, "Quality control"): 10 of each person's records sampled;
the ones missing required fields are returned to be filled in; three passes in a row and that
person is audited less often — until a record fails again. (Not the audit trail, the log of every
change: services/runtime/audit.py.)

Each person has a schedule (when they are next due, their passes in a row); a quality audit of a
person on a day has an id of its own, so running it twice (two instances, a crash) reports once.
"""

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.handoff.domain import Document
from services.handoff.domain.checklists import Item, missing


@dataclass(frozen=True)
class QualityAuditPolicy:
    checklist: tuple  # rule names: the required fields (domain.checklists.RULES)
    every: timedelta = timedelta(days=7)
    relaxed_every: timedelta = timedelta(days=28)
    passes_to_relax: int = 3
    sample_size: int = 10
    min_age: timedelta = timedelta(days=3)  # records younger than this are still being filled in


def new_schedule(person: str, policy: QualityAuditPolicy, now: datetime) -> Document:
    """A person seen for the first time is first audited one period later."""
    return {
        "_id": person,
        "next_at": now + policy.every,
        "passes_in_a_row": 0,
        "relaxed": False,
        "last_quality_audit_id": None,
    }


def quality_audit_id(person: str, due_at: datetime) -> str:
    # "aud_" from before the rename, kept: a rerun finds the report stored under the same id
    return "aud_" + hashlib.sha256(f"{person}:{due_at.isoformat()}".encode()).hexdigest()[:20]


def sample(record_ids: Iterable[str], size: int, seed: str) -> list[str]:
    """``size`` of the records, the same ones for the same seed (a rerun audits the same records)."""
    ordered = sorted(set(record_ids))
    if len(ordered) <= size:
        return ordered
    return sorted(random.Random(seed).sample(ordered, size))


def report(
    quality_audit: str,
    person: str,
    schedule: Document,
    checked: Sequence[tuple[str, Sequence[Item]]],
    now: datetime,
    policy: QualityAuditPolicy,
) -> tuple[Document, Document]:
    """The quality audit's report and the person's schedule after it. ``checked``: (record id, checklist items)."""
    records = [
        {
            "customer_id": record_id,
            "passed": not missing(items),
            "missing": missing(items),
            "reasons": [i.reason for i in items if not i.passed],
        }
        for record_id, items in checked
    ]
    passed = all(r["passed"] for r in records)
    # nothing to sample is no pass: it neither counts toward nor against a lighter schedule
    in_a_row = schedule["passes_in_a_row"] + (1 if records else 0) if passed else 0
    relaxed = in_a_row >= policy.passes_to_relax
    after = {
        **schedule,
        "passes_in_a_row": in_a_row,
        "relaxed": relaxed,
        "last_quality_audit_id": quality_audit,
        "next_at": now + (policy.relaxed_every if relaxed else policy.every),
    }
    return {
        "_id": quality_audit,
        "person": person,
        "at": now,
        "due_at": schedule["next_at"],
        "sampled": len(records),
        "passed": passed,
        "records": records,
        "returned": [r["customer_id"] for r in records if not r["passed"]],
        "passes_in_a_row": in_a_row,
        "relaxed": relaxed,
        "next_at": after["next_at"],
    }, after
