"""``baton copy-store --to URI``: every service's database copied to another MongoDB, such as the
replica set of a cluster (README "Running on a cluster").

Each service's collections (``services.runtime.databases``: its own, its audit trail, parked
events, counts and schema versions) are copied from where the configuration keeps them (the
embedded store, or ``BATON_MONGO_URI``) into ``<database of URI>_<service>`` on the target, as
the services will open them once ``BATON_MONGO_URI`` names it. Copies are batched and insert only
what the target lacks (``cli.migrate.copy``), so a run that stopped is resumed by running it
again; every source document is then looked up in the target. Run it with the services stopped.
Indexes are not copied: each store creates its own when its service starts.
"""

from collections.abc import Callable

from cli.migrate import Move, Outcome, copy, verify


def copy_store(
    config: dict,
    target_uri: str,
    batch_size: int = 500,
    say: Callable[[str], None] = lambda line: None,
) -> list[Outcome]:
    """Copy each service's database to ``target_uri``'s server; the outcome of every collection
    copied (``missing`` counts what the target still lacks after it)."""
    from services.runtime.databases import (
        SERVICES,
        collections_of,
        database_name,
        database_of,
        service_database_name,
        service_uri,
        uri_problems,
    )
    from services.runtime.mongo import connect

    if problems := uri_problems(config) + uri_problems({"MONGO_URI": target_uri}):
        raise ValueError("; ".join(problems))
    if not database_of(target_uri):
        raise ValueError(f"--to: {target_uri} names no database (e.g. mongodb://…/baton?replicaSet=rs0)")
    clients: dict = {}

    def client(uri):
        if uri not in clients:
            clients[uri] = connect(uri)
        return clients[uri]

    outcomes = []
    try:
        for service in SERVICES:
            source = client(service_uri(config, service))[service_database_name(config, service)]
            target = client(target_uri)[database_name(target_uri, service)]
            if source.name == target.name and source.client.address == target.client.address:
                raise ValueError(f"--to: {target_uri} is where {service}'s data already is")
            present = set(source.list_collection_names())
            for collection in sorted(collections_of(service) & present):
                move = Move(collection, service)
                outcome = copy(move, source, target, batch_size)
                verify(move, source, target, batch_size, outcome)
                outcomes.append(outcome)
                say(outcome.line())
    finally:
        for opened in clients.values():
            opened.close()
    return outcomes
