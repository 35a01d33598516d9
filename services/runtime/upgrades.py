"""Stored data brought to the running version by the service that owns it, in the background.

A service declares its ``UPGRADES``: for a collection, the version a step brings it to, what it
does, and the step itself — one batch of documents after a cursor (``step(service, after, limit)``
answers the next cursor, or None when it has seen the last). Each service's ``schema_versions``
collection keeps, per collection, the version its documents are at and, while an upgrade runs,
its cursor: an upgrade stopped half way (a restart, a deploy) resumes where it was, and steps are
written to be idempotent, so a batch done twice changes nothing. Instances take turns: a batch is
run under a short lease on the collection's document (a guarded write), so two never run one.

A collection that is empty when its service first starts is at the latest version (a fresh
install has nothing to upgrade); one that holds documents and no version was written by a release
from before versions: version 1. ``UpgradeEntrypoints`` gives a service the timer that works the
upgrades off and ``stored_data_versions`` (RPC) for ``baton migrate status``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from nameko.timer import timer
from pymongo.errors import DuplicateKeyError

from services.runtime.mongo import MongoStore
from services.runtime.queues import rpc

log = logging.getLogger(__name__)

COLLECTION = "schema_versions"
FIRST_VERSION = 1  # data written before versions were kept
TICK_SECONDS = 2  # how often an instance looks for work (the timer's period is fixed at import)
WORK_SECONDS = 5  # how long one tick keeps doing batches before it lets the worker go
BATCH_SIZE = 200  # documents per step: small enough that a lease never runs out mid-batch
LEASE_SECONDS = 60  # a batch's lease; one that died holding it is taken over after this


@dataclass(frozen=True)
class Upgrade:
    collection: str
    version: int  # the version this upgrade brings it to
    what: str  # for people: what it changes
    step: Callable[[Any, str | None, int], str | None]  # (service, after, limit) -> next after


def latest_versions(upgrades: Sequence[Upgrade]) -> dict[str, int]:
    latest: dict[str, int] = {}
    for upgrade in upgrades:
        latest[upgrade.collection] = max(latest.get(upgrade.collection, FIRST_VERSION), upgrade.version)
    return latest


def next_upgrade(upgrades: Sequence[Upgrade], versions: dict[str, int]) -> Upgrade | None:
    """The first upgrade still to do: per collection in version order, collections in declared order."""
    declared = list(dict.fromkeys(u.collection for u in upgrades))
    for upgrade in sorted(upgrades, key=lambda u: (declared.index(u.collection), u.version)):
        if versions.get(upgrade.collection, FIRST_VERSION) < upgrade.version:
            return upgrade
    return None


class SchemaVersions:
    """The ``schema_versions`` collection of one service: {_id: collection, version, after, busy_until, turn}."""

    def __init__(self, database: Any, upgrades: Sequence[Upgrade] = ()) -> None:
        self.database, self.upgrades = database, tuple(upgrades)
        self.documents = database[COLLECTION]

    def ensure_indexes(self) -> None:
        """Before the service's entrypoints start: collections with no version yet get theirs."""
        for collection, latest in latest_versions(self.upgrades).items():
            written = self.database[collection].find_one({}, {"_id": 1}) is not None
            try:
                self.documents.insert_one(
                    {
                        "_id": collection,
                        "version": FIRST_VERSION if written else latest,
                        "after": None,
                        "busy_until": None,
                        "turn": 0,
                    }
                )
            except DuplicateKeyError:
                pass  # known already (another instance, an earlier start)

    def versions(self) -> dict[str, dict]:
        return {doc["_id"]: doc for doc in self.documents.find({})}

    def take(self, collection: str, now: datetime) -> dict | None:
        """The collection's document if this caller now holds its lease (nobody else does), else None."""
        doc = self.documents.find_one({"_id": collection})
        if doc is None or (doc.get("busy_until") and doc["busy_until"] > now):
            return None
        held = {**doc, "busy_until": now + timedelta(seconds=LEASE_SECONDS), "turn": doc["turn"] + 1}
        won = self.documents.replace_one({"_id": collection, "turn": doc["turn"]}, held).matched_count == 1
        return held if won else None

    def advance(self, held: dict, version: int, after: str | None) -> None:
        """Record one batch done and let go of the lease: at ``version`` when ``after`` is None."""
        moved = {
            **held,
            "busy_until": None,
            "turn": held["turn"] + 1,
            **({"version": version, "after": None} if after is None else {"after": after}),
        }
        self.documents.replace_one({"_id": held["_id"], "turn": held["turn"]}, moved)

    def let_go(self, held: dict) -> None:
        self.documents.replace_one(
            {"_id": held["_id"], "turn": held["turn"]}, {**held, "busy_until": None, "turn": held["turn"] + 1}
        )


def work_off(
    service: Any,
    store: SchemaVersions,
    upgrades: Sequence[Upgrade],
    batch_size: int = BATCH_SIZE,
    seconds: float = WORK_SECONDS,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Run batches of pending upgrades for up to ``seconds``; answers the batches run."""
    deadline, batches = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        versions = {name: doc["version"] for name, doc in store.versions().items()}
        upgrade = next_upgrade(upgrades, versions)
        if upgrade is None or (held := store.take(upgrade.collection, now())) is None:
            return batches
        if held["version"] >= upgrade.version:  # another instance finished it meanwhile
            store.let_go(held)
            continue
        try:
            after = upgrade.step(service, held.get("after"), batch_size)
        except Exception:
            store.let_go(held)
            raise
        store.advance(held, upgrade.version, after)
        batches += 1
        if after is None:
            log.info("%s is at version %s: %s", upgrade.collection, upgrade.version, upgrade.what)
    return batches


def versions_answer(store: SchemaVersions, upgrades: Sequence[Upgrade]) -> list[dict]:
    """Per collection: its version, the latest, and what is still to do (``stored_data_versions``)."""
    versions = store.versions()
    rows = []
    for collection, latest in latest_versions(upgrades).items():
        at = versions.get(collection, {}).get("version", FIRST_VERSION)
        rows.append(
            {
                "collection": collection,
                "version": at,
                "latest": latest,
                "pending": [u.what for u in upgrades if u.collection == collection and u.version > at],
            }
        )
    return rows


class UpgradeEntrypoints:
    """Mixed into a service that declares ``UPGRADES`` and ``schema_versions = UpgradeStore(UPGRADES)``."""

    UPGRADES: Sequence[Upgrade] = ()
    schema_versions: SchemaVersions

    @timer(interval=TICK_SECONDS)
    def upgrade_stored_data(self) -> None:
        work_off(self, self.schema_versions, self.UPGRADES)

    @rpc
    def stored_data_versions(self) -> list[dict]:
        return versions_answer(self.schema_versions, self.UPGRADES)


def UpgradeStore(upgrades: Sequence[Upgrade]) -> MongoStore:  # noqa: N802 - a dependency, named like the others
    """The service's ``schema_versions`` store, which knows the service's upgrades."""
    return MongoStore(lambda database: SchemaVersions(database, upgrades))
