"""MongoDB access for nameko services.

Each service keeps its data in a database of its own (``services.runtime.databases``) and opens
only the collections listed for it there (``OwnedDatabase``). One ``MongoClient`` per URI and
process (``shared_client``): a service's stores, audit trail, parked events and idempotency log
all use it, each holding a ``DatabaseLease`` it gives back at stop; the last one given back
closes the client (any still open at exit are closed then).

Every worker receives the same store object, a thin class with domain-named methods over a
``pymongo.database.Database``. Documents use string ids (the embedded document server cannot
match ObjectId values) and each write touches one document, guarded in its filter where it must
not race. A write that carries datetimes replaces the whole document, because the embedded
server's ``$set`` stores datetimes as strings, booleans as 1/0 and ``$push`` of a sub-document
as a JSON string.
"""

import atexit
import threading
from typing import Any

from nameko.extensions import DependencyProvider
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from services.runtime.access import actor_of
from services.runtime.audit import AuditRecorder, AuditTrail, Store
from services.runtime.cluster import cluster_problems, mongo_settings
from services.runtime.databases import collections_of, service_database_name, service_uri, uri_problems
from services.runtime.settings import ConfigurationError

SERVER_SELECTION_TIMEOUT_MS = 10_000


def connect(uri: str) -> MongoClient:
    """A client of its own that returns timezone-aware datetimes (the store keeps UTC). Services
    use ``shared_client``; this is for tools and tests that want a client to close themselves."""
    return MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS)


_clients: dict[str, MongoClient] = {}
_holders: dict[str, int] = {}


_clients_lock = threading.Lock()  # a container sets its extensions up concurrently (green threads)


def shared_client(uri: str) -> MongoClient:
    """This process's client for ``uri``, made on first use; pair every call with ``release_client``."""
    with _clients_lock:
        if uri not in _clients:
            _clients[uri], _holders[uri] = connect(uri), 0
        _holders[uri] += 1
        return _clients[uri]


def release_client(uri: str) -> None:
    """One holder is done with ``uri``'s client; the last one closes it."""
    with _clients_lock:
        if uri not in _holders:
            return
        _holders[uri] -= 1
        if _holders[uri] > 0:
            return
        _holders.pop(uri)
        client = _clients.pop(uri)
    client.close()


@atexit.register
def close_clients() -> None:
    """Whatever is still open when the process ends (a container killed without stopping)."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
        _holders.clear()
    for client in clients:
        client.close()


class UnownedCollection(ConfigurationError):
    pass


class OwnedDatabase(Database):
    """A service's database that opens only the service's own collections, so no store can read
    or write another service's data by accident."""

    def __init__(self, client: MongoClient, name: str, service: str, **options: Any) -> None:
        super().__init__(client, name, **options)
        self.service = service
        self.owned = collections_of(service)

    def _check(self, name: str) -> None:
        # "$cmd" and "system.*" are the driver's own, not data.
        if name not in self.owned and not name.startswith(("$", "system.")):
            raise UnownedCollection(
                f"the {self.service} service opened the collection {name!r}, which is not its own: list it "
                f"under {self.service!r} in services/runtime/databases.py COLLECTIONS (or get the data from "
                "the service that owns it, by its events or RPC)"
            )

    def __getitem__(self, name: str):
        self._check(name)
        return super().__getitem__(name)

    def get_collection(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self._check(name)
        return super().get_collection(name, *args, **kwargs)


def concerns(config: dict, client: MongoClient | None = None) -> dict:
    """The write and read concerns ``BATON.mongo`` sets, as ``Database`` options over ``client``'s
    own (its URI's, e.g. ``?w=majority``): nothing for settings left null, so the URI's or the
    server's defaults apply, as on the embedded store. Every collection a service opens inherits
    them from its database."""
    settings = mongo_settings(config)
    options: dict = {}
    write = {
        key: settings[name]
        for key, name in (("w", "write_concern"), ("wtimeout", "write_timeout_ms"), ("j", "journal"))
        if settings[name] is not None
    }
    if write:
        options["write_concern"] = WriteConcern(**{**(client.write_concern.document if client else {}), **write})
    if settings["read_concern"] is not None:
        options["read_concern"] = ReadConcern(settings["read_concern"])
    return options


def service_database(config: dict, service: str, client: MongoClient) -> OwnedDatabase:
    """``service``'s database on ``client`` (a client of ``service_uri(config, service)``), with
    the concerns of ``BATON.mongo``."""
    return OwnedDatabase(client, service_database_name(config, service), service, **concerns(config, client))


class DatabaseLease:
    """A container's hold on its service's database through the process's shared client;
    ``release`` (at stop or kill, however often called) gives the hold back once."""

    def __init__(self, config: dict, service: str) -> None:
        problems = uri_problems(config) + cluster_problems(config)
        if problems:
            raise ConfigurationError("; ".join(problems))
        self.uri = service_uri(config, service)
        self.database = service_database(config, service, shared_client(self.uri))
        self.released = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            release_client(self.uri)


def insert_once(collection: Any, document: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """(stored document, inserted?): the document, or the one stored first under its ``_id``.

    Ids derived from what caused a write make this the idempotency of every handler. A new
    document starts at version 0 unless it says otherwise (guarded writes move it on).
    """
    document = {"version": 0, **document}
    try:
        collection.insert_one(document)
        return document, True
    except DuplicateKeyError:
        return collection.find_one({"_id": document["_id"]}), False


class MongoStore(DependencyProvider):
    """Gives workers ``store_class(database)``; the store creates its indexes at start-up.

    A store built on ``services.runtime.audit.Store`` is handed to each worker bound to the
    worker's audit recorder: its writes land in the audit trail with the caller's name.
    """

    def __init__(self, store_class: Any) -> None:
        self.store_class = store_class

    def setup(self) -> None:
        self.lease = DatabaseLease(self.container.config, self.container.service_name)
        db = self.lease.database
        self.store = self.store_class(db)
        self.store.ensure_indexes()
        self.trail = AuditTrail(db, self.container.service_name)
        self.trail.ensure_indexes()

    def stop(self) -> None:
        self.lease.release()

    def kill(self) -> None:
        self.lease.release()

    def get_dependency(self, worker_ctx: Any) -> Any:
        if not isinstance(self.store, Store):
            return self.store
        recorder = AuditRecorder(self.trail, actor_of(worker_ctx.data), worker_ctx.entrypoint.method_name)
        return self.store.audited_by(recorder)


class AuditTrailStore(MongoStore):
    """This service's entries in the audit trail, for ``AuditTrailEntrypoints``."""

    def __init__(self) -> None:
        super().__init__(None)

    def setup(self) -> None:
        self.lease = DatabaseLease(self.container.config, self.container.service_name)
        self.store = AuditTrail(self.lease.database, self.container.service_name)
        self.store.ensure_indexes()

    def get_dependency(self, worker_ctx: Any) -> AuditTrail:
        return self.store
