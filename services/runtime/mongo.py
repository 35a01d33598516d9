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
    """Gives workers ``store_class(database)``; the store creates its indexes at start-up."""

    def __init__(self, store_class):
        self.store_class = store_class

    def setup(self):
        self.client = connect(self.container.config["MONGO_URI"])
        self.store = self.store_class(self.client.get_default_database())
        self.store.ensure_indexes()

    def stop(self):
        self.client.close()

    def kill(self):
        self.client.close()

    def get_dependency(self, worker_ctx):
        return self.store
