"""One person's claims taken one at a time: their claim limits are counted and written under a
short lease on a document of that person's, so two claims (on any pool instance) cannot both read
"one left" and both take it. (The holding cap needs no lease: the person's counter keeps it as
each holding is written, for claims and allocations alike, ``counting``.)

The lease is a guarded conditional update (``Pool.hold_person``); one that dies holding it is
taken over once the lease runs out. Waiting is a short poll: nameko's workers are green threads.
"""

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

POLL_SECONDS = 0.01  # between tries for a lease someone else holds


class PersonBusy(Exception):
    """Someone else kept taking customers for this person for the whole wait."""


@dataclass(frozen=True)
class PersonLock:
    """How long a lease lasts (longer than any claim or allocation takes) and how long to wait for one."""

    lease_seconds: float = 10
    wait_seconds: float = 5

    def __post_init__(self) -> None:
        if self.lease_seconds <= 0 or self.wait_seconds <= 0:
            raise ValueError("person lock lease_seconds and wait_seconds must be > 0")


@contextmanager
def taking_for(pool: Any, person_id: str, lock: PersonLock) -> Iterator[None]:
    """Hold ``person_id``'s lease for the block; ``PersonBusy`` when it cannot be had in time."""
    holder = uuid.uuid4().hex
    deadline = time.monotonic() + lock.wait_seconds
    while not pool.hold_person(person_id, holder, lock.lease_seconds):
        if time.monotonic() > deadline:
            raise PersonBusy(f"{person_id} is taking other customers right now")
        time.sleep(POLL_SECONDS)
    try:
        yield
    finally:
        pool.let_go_person(person_id, holder)
