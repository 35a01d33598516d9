"""The services' databases as tests read them: one per service, derived from one store URI."""

from pymongo import MongoClient, monitoring

from services.runtime.databases import database_name, database_of, owners_of
from services.runtime.mongo import OwnedDatabase


class ServiceDatabases:
    """What the services keep under one store URI. ``dbs.holdings`` is pool's collection (the
    owner looked up in ``services.runtime.databases.COLLECTIONS``); a collection several services
    keep (``audit``, ``parked_events``, ``people``, ``scheduled_turns``) is asked of one:
    ``dbs.of("intake").audit``. A name no service owns is the URI's own database's (a test's
    scratch collection)."""

    def __init__(self, client: MongoClient, uri: str) -> None:
        self.client, self.uri = client, uri

    def of(self, service: str) -> OwnedDatabase:
        return OwnedDatabase(self.client, database_name(self.uri, service), service)

    def __getattr__(self, collection: str):
        if collection.startswith("_"):
            raise AttributeError(collection)
        owners = owners_of(collection)
        if len(owners) > 1:
            raise AttributeError(
                f"{collection!r} is kept by {', '.join(owners)}: say whose, e.g. db.of({owners[0]!r}).{collection}"
            )
        if not owners:
            return self.client[database_of(self.uri)][collection]
        return self.of(owners[0])[collection]

    __getitem__ = __getattr__


def drop_databases(client: MongoClient, uri: str) -> None:
    """Drop the URI's database and every service's database derived from it (a test's teardown)."""
    prefix = database_of(uri)
    for name in client.list_database_names():
        if name == prefix or name.startswith(prefix + "_"):
            client.drop_database(name)


class FindFilters(monitoring.CommandListener):
    """The filter of every ``find`` a client sends."""

    def __init__(self) -> None:
        self.filters: list[dict] = []

    def started(self, event):
        if event.command_name == "find":
            self.filters.append(dict(event.command["filter"]))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass
