"""Which database each service keeps its data in, and which collections are its own.

Every service has a database of its own — ``<database of MONGO_URI>_<service>``: ``baton_intake``,
``baton_profile`` … ``baton_gateway`` for the shipped ``mongodb://…/baton`` — on the server
``MONGO_URI`` names, or on one of its own when ``MONGO_SERVICE_URIS.<service>`` (environment
``BATON_MONGO_URI_<SERVICE>``) is set; that database is then the one its URI names.

``COLLECTIONS`` is the one table of who owns what: a service's store can open only the
collections listed for it (``services.runtime.mongo.OwnedDatabase`` refuses any other), and
``baton migrate`` moves an install from before (one database for all) by it. What one service
needs of another's data arrives by its events or RPC, never by reading the other's database.

Pure: no pymongo, so the command line and unit tests read it as it is.
"""

from urllib.parse import urlsplit

DEFAULT_PREFIX = "baton"  # a URI that names no database

# Collections each service writes itself. ``people`` and ``scheduled_turns`` appear twice on
# purpose: same name, each service's own documents in its own database (in the one shared
# database of earlier releases they collided; ``baton migrate`` splits them).
COLLECTIONS: dict[str, tuple[str, ...]] = {
    "intake": ("inquiries",),
    "profile": (
        "customers",
        "customer_keys",
        "customer_terms",
        "duplicate_pairs",
        "kept_apart",
        "merged_archives",
        "report_facts",
        "report_totals",
        "timeline",
        "union_base",  # always empty: where a union of reads starts (services/runtime/document_store.py)
    ),
    "handoff": (
        "handoffs",
        "refused_handoffs",
        "handoff_totals",
        "agreed_requirements",
        "started_steps",
        "open_transfers",
        "quality_audit_schedules",
        "quality_audits",
        # their names before: kept for one release, while an upgrade moves them (services/handoff/store.py)
        "audit_schedules",
        "audits",
        "scheduled_turns",
        "people",
        "leavers",
    ),
    "pool": (
        "holdings",
        "rotations",
        "salespeople",
        "claimers",
        "reassignments",
        "scheduled_turns",
        "person_leases",
        "held_counts",
        "holding_tags",
    ),
    "notification": (
        "reminders",
        "followed_customers",
        "notices",
        "deliveries",
        "digests",
        "inbox",
        "preferences",
        "people",
    ),
    "gateway": ("users", "api_tokens", "credentials", "sessions", "sign_in_failures", "idempotency_keys"),
}
# Kept by every service in its own database: its audit trail and the events its handlers parked.
# Their documents carry the service's name (``service``), which is how a shared one is split.
# ``redeliveries``: how often the broker gave a message again whose worker died (parking.py), no
# more than a passing count (each is forgotten once its message is answered). ``handler_retries``:
# how often each handler was given a failed message again (services/runtime/health.py, /metrics).
# ``schema_versions``: the version each collection's documents are at (services/runtime/upgrades.py).
EVERY_SERVICE = ("audit", "parked_events", "redeliveries", "handler_retries", "schema_versions")
SERVICES = tuple(COLLECTIONS)


def collections_of(service: str) -> frozenset[str]:
    """Every collection ``service`` may open (a service not in the table, such as a plugin's or a
    test's, keeps only an audit trail and parked events)."""
    return frozenset(COLLECTIONS.get(service, ())) | frozenset(EVERY_SERVICE)


def owners_of(collection: str) -> tuple[str, ...]:
    """The services that keep a collection of this name (several for ``audit``, ``people`` …)."""
    return tuple(service for service in SERVICES if collection in collections_of(service))


def database_of(uri: str | None) -> str | None:
    """The database a MongoDB URI names (``mongodb://host/baton?x=y`` -> ``baton``), or None."""
    if not uri:
        return None
    path = urlsplit(uri).path.lstrip("/")
    return path or None


def database_name(uri: str, service: str) -> str:
    """The database ``service`` keeps its data in when it shares the server ``uri`` names."""
    return f"{database_of(uri) or DEFAULT_PREFIX}_{service}"


def service_uri(config: dict, service: str) -> str:
    """The URI of ``service``'s server: its own (``MONGO_SERVICE_URIS.<service>``) or ``MONGO_URI``."""
    own = (config.get("MONGO_SERVICE_URIS") or {}).get(service)
    return own or config["MONGO_URI"]


def service_database_name(config: dict, service: str) -> str:
    """Where ``service`` keeps its data: its own URI's database, else ``<MONGO_URI's database>_<service>``."""
    own = (config.get("MONGO_SERVICE_URIS") or {}).get(service)
    return database_of(own) or database_name(config["MONGO_URI"], service)


def uri_problems(config: dict) -> list[str]:
    """One line per MongoDB URI setting a service would refuse to start with."""
    problems = []
    if not isinstance(config.get("MONGO_URI"), str) or not config["MONGO_URI"].startswith(
        ("mongodb://", "mongodb+srv://")
    ):
        problems.append(f"config: MONGO_URI must be a mongodb:// URI, not {config.get('MONGO_URI')!r}")
    own = config.get("MONGO_SERVICE_URIS") or {}
    if not isinstance(own, dict):
        return problems + ["config: MONGO_SERVICE_URIS must map service names to URIs"]
    for service, uri in own.items():
        if service not in COLLECTIONS:
            problems.append(f"config: MONGO_SERVICE_URIS.{service} names no service ({', '.join(SERVICES)})")
        elif uri and not (isinstance(uri, str) and uri.startswith(("mongodb://", "mongodb+srv://"))):
            problems.append(f"config: MONGO_SERVICE_URIS.{service} must be a mongodb:// URI or empty, not {uri!r}")
    return problems
