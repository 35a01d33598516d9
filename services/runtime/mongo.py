"""MongoDB access for nameko services.

One ``MongoClient`` per container; every worker receives the same store object, a thin class
with domain-named methods over a ``pymongo.database.Database``. Documents use string ids
(the embedded document server cannot match ObjectId values) and each write touches one
document, guarded in its filter where it must not race. A write that carries datetimes
replaces the whole document, because the embedded server's ``$set`` stores datetimes as
strings, booleans as 1/0 and ``$push`` of a sub-document as a JSON string.
"""
from nameko.extensions import DependencyProvider
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from services.runtime.access import actor_of
from services.runtime.audit import AuditRecorder, AuditTrail, Store

SERVER_SELECTION_TIMEOUT_MS = 10_000


def connect(uri):
    """A client that returns timezone-aware datetimes (the store keeps UTC)."""
    return MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS)


def insert_once(collection, document):
    """(stored document, inserted?): the document, or the one stored first under its ``_id``.

    Ids derived from what caused a write make this the idempotency of every handler.
    """
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

    def __init__(self, store_class):
        self.store_class = store_class

    def setup(self):
        self.client = connect(self.container.config["MONGO_URI"])
        db = self.client.get_default_database()
        self.store = self.store_class(db)
        self.store.ensure_indexes()
        self.trail = AuditTrail(db, self.container.service_name)
        self.trail.ensure_indexes()

    def stop(self):
        self.client.close()

    def kill(self):
        self.client.close()

    def get_dependency(self, worker_ctx):
        if not isinstance(self.store, Store):
            return self.store
        recorder = AuditRecorder(self.trail, actor_of(worker_ctx.data), worker_ctx.entrypoint.method_name)
        return self.store.audited_by(recorder)


class AuditTrailStore(MongoStore):
    """This service's entries in the audit trail, for ``AuditTrailEntrypoints``."""

    def __init__(self):
        super().__init__(None)

    def setup(self):
        self.client = connect(self.container.config["MONGO_URI"])
        self.store = AuditTrail(self.client.get_default_database(), self.container.service_name)
        self.store.ensure_indexes()

    def get_dependency(self, worker_ctx):
        return self.store
