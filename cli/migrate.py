"""``baton migrate``: an install from before, with every service's collections in one database (the
one ``MONGO_URI`` names, e.g. ``baton``), moved into the services' own databases
(``services.runtime.databases``) without losing a document.

Which collection goes where is ``COLLECTIONS``, the table the services open their databases by.
A collection several services keep is split: ``audit`` and ``parked_events`` by the ``service``
each document names; ``scheduled_turns`` goes to both pool and handoff (each reads only its own
jobs' turns); ``people``, where handoff and notification collided (whichever wrote a user first
kept it, with only its own fields), goes to handoff as handoff's fields of each, and to
notification as it is when notification wrote it, else rebuilt from the gateway's user (role,
department, team) at that user's version.

Copies are batched and insert only what the target lacks, so a run that stopped half-way is
resumed by running it again, and a second run changes nothing. Every source document is then
looked up in its target; only when all are there, and with ``drop_old``, are the old
collections dropped. Run it with the services stopped.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from pymongo.database import Database

from services.runtime.databases import EVERY_SERVICE, owners_of
from services.runtime.document_store import count

HANDOFF_PERSON_FIELDS = ("_id", "department", "active", "user_version")


@dataclass
class Move:
    """One source collection's documents (those ``query`` selects) into one service's database,
    each as ``shaped`` makes it (None: this service keeps nothing of it)."""

    collection: str
    service: str
    query: dict = field(default_factory=dict)
    shaped: Callable[[dict], dict | None] = lambda document: document


@dataclass
class Outcome:
    collection: str
    service: str
    target: str
    copied: int = 0
    already_there: int = 0
    not_kept: int = 0  # documents this service keeps nothing of (people it cannot complete)
    missing: int = 0  # after copying: documents the target still lacks

    def line(self) -> str:
        extra = f", {self.not_kept} not kept" if self.not_kept else ""
        verdict = "all there" if not self.missing else f"{self.missing} MISSING"
        return (
            f"{self.collection} -> {self.target}.{self.collection}: {self.copied} copied, "
            f"{self.already_there} already there{extra}; {verdict}"
        )


def moves_for(collections: Iterable[str], users: dict[str, dict]) -> tuple[list[Move], list[str]]:
    """(moves, collections no service owns) for a single database holding ``collections``;
    ``users``: the gateway's users by id, to complete notification's people."""
    moves, unowned = [], []
    for collection in sorted(collections):
        if collection.startswith("system."):
            continue
        owners = owners_of(collection)
        if not owners:
            unowned.append(collection)
        elif collection in EVERY_SERVICE:
            moves += [Move(collection, service, {"service": service}) for service in owners]
        elif collection == "people":
            moves += [
                Move(collection, "handoff", shaped=handoff_person),
                Move(collection, "notification", shaped=lambda person: notification_person(person, users)),
            ]
        else:
            moves += [Move(collection, service) for service in owners]
    return moves, unowned


def handoff_person(person: dict) -> dict:
    """What handoff keeps of a user (``services.handoff.people.save_user``), from either service's document."""
    return {name: person.get(name) for name in HANDOFF_PERSON_FIELDS}


def notification_person(person: dict, users: dict[str, dict]) -> dict | None:
    """What notification keeps of a user (its ``on_user_saved``): its own document as it is; one
    handoff wrote (no role) completed from the gateway's user, or None without one."""
    if "role" in person and "team" in person:
        return person
    user = users.get(person["_id"])
    if user is None:
        return None
    return {
        "_id": user["_id"],
        "role": user["role"],
        "department": user.get("department"),
        "team": user.get("team"),
        "active": user["active"],
        "user_version": user["version"],
    }


def batches(documents: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch = []
    for document in documents:
        batch.append(document)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def present_ids(target, ids: list) -> set:
    return {document["_id"] for document in target.find({"_id": {"$in": ids}}, {"_id": 1})}


def copy(move: Move, source: Database, target: Database, batch_size: int) -> Outcome:
    """Insert what ``target`` lacks of the move's documents; never overwrite what is there (a
    document a service has changed since, or one an earlier run copied)."""
    outcome = Outcome(move.collection, move.service, target.name)
    into = target[move.collection]
    for batch in batches(source[move.collection].find(move.query, batch_size=batch_size), batch_size):
        shaped = [document for document in map(move.shaped, batch) if document is not None]
        outcome.not_kept += len(batch) - len(shaped)
        there = present_ids(into, [document["_id"] for document in shaped])
        new = [document for document in shaped if document["_id"] not in there]
        if new:
            into.insert_many(new, ordered=False)
        outcome.copied += len(new)
        outcome.already_there += len(there)
    return outcome


def verify(move: Move, source: Database, target: Database, batch_size: int, outcome: Outcome) -> set:
    """Count what the target lacks into ``outcome.missing``; the ids of the source documents it holds."""
    held = set()
    into = target[move.collection]
    for batch in batches(source[move.collection].find(move.query, batch_size=batch_size), batch_size):
        kept = [document["_id"] for document in batch if move.shaped(document) is not None]
        there = present_ids(into, kept)
        outcome.missing += len(kept) - len(there)
        held |= there
    return held


@dataclass
class Report:
    outcomes: list[Outcome]
    unowned: list[str]  # collections no service owns: left where they are
    unplaced: dict[str, int]  # collection -> documents no service took (e.g. audit trail entries of an unknown service)
    dropped: list[str]

    @property
    def complete(self) -> bool:
        return all(outcome.missing == 0 for outcome in self.outcomes)


def migrate(
    source: Database,
    targets: dict[str, Database],
    batch_size: int = 500,
    drop_old: bool = False,
    say: Callable[[str], None] = lambda line: None,
) -> Report:
    """Move ``source`` (the single database of an install from before) into ``targets`` (each
    service's database). A target that is the source itself (a service whose own URI names the
    old database) keeps its collections where they are."""
    collections = source.list_collection_names()
    users = {user["_id"]: user for user in source["users"].find({})} if "users" in collections else {}
    moves, unowned = moves_for(collections, users)
    in_place = {move.collection for move in moves if _same(targets[move.service], source)}
    outcomes: list[Outcome] = []
    held: dict[str, set] = {}
    for move in moves:
        if move.collection in in_place:
            continue
        target = targets[move.service]
        outcome = copy(move, source, target, batch_size)
        held.setdefault(move.collection, set()).update(verify(move, source, target, batch_size, outcome))
        outcomes.append(outcome)
        if outcome.copied or outcome.already_there or outcome.not_kept:  # not a service with none of them
            say(outcome.line())
    unplaced = {}
    for collection, ids in held.items():
        left = count(source[collection], {}) - len(ids)
        if left:
            unplaced[collection] = left
    report = Report(outcomes, unowned, unplaced, [])
    if drop_old and report.complete:
        for collection in sorted(held):
            if collection not in unplaced and collection not in in_place:
                source.drop_collection(collection)
                report.dropped.append(collection)
    return report


def _same(database: Database, other: Database) -> bool:
    return database.name == other.name and database.client.address == other.client.address


class MigrationRefused(Exception):
    """The configuration names no database to move from, or an unusable URI."""


def migrate_install(
    config: dict,
    source_uri: str | None = None,
    batch_size: int = 500,
    drop_old: bool = False,
    say: Callable[[str], None] = lambda line: None,
) -> Report:
    """Move the install ``config`` describes (its ``MONGO_URI``'s database, or ``source_uri``) into
    each service's own database. What ``baton migrate`` and the supervisor's start both run."""
    from services.runtime.databases import SERVICES, database_of, service_database_name, service_uri, uri_problems
    from services.runtime.mongo import connect

    if problems := uri_problems(config):
        raise MigrationRefused("; ".join(problems))
    source_uri = source_uri or config["MONGO_URI"]
    if not database_of(source_uri):
        raise MigrationRefused(f"--from: {source_uri} names no database")
    clients: dict = {}

    def client(uri):
        if uri not in clients:
            clients[uri] = connect(uri)
        return clients[uri]

    try:
        source = client(source_uri)[database_of(source_uri)]
        targets = {
            service: client(service_uri(config, service))[service_database_name(config, service)]
            for service in SERVICES
        }
        return migrate(source, targets, batch_size=batch_size, drop_old=drop_old, say=say)
    finally:
        for opened in clients.values():
            opened.close()
