"""The embedded document store's gaps, and how every store works around them: one place.

Baton runs on any MongoDB; its default and test store is nx-27017 (the MongoDB wire protocol on
SQLite), which answers the same queries but serves fewer of them from an index. Each store writes
its queries through the helpers below, so domain documents stay free of storage encodings and a
reader sees each workaround once, with what it becomes on a real MongoDB.

- **Time keys** (``time_key``, ``epoch``): nx-27017 compares datetimes through SQLite's
  ``datetime()`` of a JSON expression, which no index serves (and ignores fractions of a second).
  A field that is ranged over is kept beside its datetime as a string sorting like the time
  (``time_key``) or as whole epoch seconds (``epoch``), and the range goes over that. On a real
  MongoDB: a range on the datetime field itself under an ordinary index; the keys are redundant
  but harmless.
- **Array terms** (``any_of``): nx-27017 matches nothing on equality with an indexed array field,
  and has no SQL translation for ``$in`` but on ``_id``. An array field is matched with
  ``{"$in": [...]}``. On a real MongoDB: equality on a multikey index does the same.
- **Prefixes** (``prefix_range``): nx-27017 has no compiled regex and serves no regex from an
  index; a prefix is matched as a string range. On a real MongoDB: an anchored regex
  (``^prefix``) on an index is the same range.
- **Equality on a field no single-field index covers** (one leading a compound index): nx-27017
  translates a plain equality with an array fallback that SQLite serves by a scan; a store writes
  ``{"$eq": value}`` there. On a real MongoDB: the same meaning, served by the compound index.
- **Aggregations**: nx-27017 serves a pipeline of ``$match`` (an indexed equality), ``$limit`` and
  ``$unionWith`` of such pipelines from the indexes; a ``$project`` anywhere in it makes the whole
  pipeline run in Python over every document of the collection (4 s at 100,000 documents, against
  3 ms). A store aggregates without ``$project`` and takes the fields it wants itself. And before
  any aggregation it counts every document of the collection the aggregation starts from (to
  estimate the result's size: 48 ms at a million name terms, whatever the pipeline), so several
  reads in one command (``union_of``) start from ``UNION_BASE``, a collection nothing is written
  to, and take each read as a ``$unionWith``. On a real MongoDB: the same pipeline, each ``$match``
  served by its index, from a collection that need not exist.
- **Counts** (``count``): pymongo's ``count_documents`` is an aggregation, which nx-27017 runs in
  Python over every document; the ``count`` command with an index-friendly spelling is one SQL
  ``COUNT``. On a real MongoDB: ``count`` with a query is an index count too.
- **Inclusive period ends** (``LAST_MOMENT``): datetimes compare to the second, so a period that
  includes its end stops a second before the next one starts. On a real MongoDB: ``$lt`` the
  next period's start.
- **One command per change** (``Together``): the document, its audit and timeline entries and its
  facts sent as one ``bulkWrite`` (MongoDB 8.0; nx-27017 serves it), so a change costs one round
  trip, not one per collection. nx-27017 serves a command under the lock of the database it is sent
  to, so the command goes through the service's own database: sent to ``admin``, as drivers send
  it, it ran beside that database's other commands and lost their updates. On a real MongoDB 8: the
  client-level command through ``admin``, which it serves atomically per write.
- **Versions** (``guarded_replace``): no transactions, so a change of one document is a whole
  replacement guarded by its version, which this write moves on (the domain never does). On a
  real MongoDB: the same single-document atomic guard; multi-document transactions could replace
  the counters' two-step writes.
"""

from datetime import UTC, datetime, timedelta
from typing import Any, Self

from pymongo.errors import DuplicateKeyError, OperationFailure

LAST_MOMENT = timedelta(seconds=1)

# Sorts after every character a key holds: the end of a prefix range.
_AFTER_EVERY_CHARACTER = "\uffff"
# Duplicate key, as MongoDB and nx-27017 number it.
_DUPLICATE_KEY_CODES = (11000, 11001)


def time_key(moment: datetime) -> str:
    """``moment`` in UTC to the millisecond, as BSON keeps times ("2026-05-10T08:00:00.000"), so a
    document read back gets the same key. Keys of one field sort like the times."""
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}"


def epoch(moment: datetime | None) -> int | None:
    """Whole epoch seconds (None for None): an integer range any index serves."""
    return int(moment.timestamp()) if moment is not None else None


def any_of(values: Any) -> dict[str, list[Any]]:
    """The condition matching an array field that holds any of ``values`` (or a single value)."""
    return {"$in": list(values) if isinstance(values, (list, tuple, set, frozenset)) else [values]}


def equalities_spelled(query: dict[str, Any]) -> dict[str, Any]:
    """``query`` with each top-level equality on a string or number spelled ``{"$eq": value}``
    (see the module's note: served by a compound index the field leads, where plain equality on a
    field without an index of its own is a scan on nx-27017). The same meaning on any MongoDB."""
    return {
        field: {"$eq": condition}
        if not field.startswith("$") and isinstance(condition, (str, int, float)) and not isinstance(condition, bool)
        else condition
        for field, condition in query.items()
    }


UNION_BASE = "union_base"  # never written: where a union of reads starts (see Aggregations above)


def union_of(base: Any, collection_name: str, pipelines: list[list[dict[str, Any]]]) -> Any:
    """The documents of ``collection_name`` each pipeline finds, one after the other, in one command
    (a cursor): ``$unionWith`` stages over ``base``, the store's ``UNION_BASE`` collection."""
    return base.aggregate([{"$unionWith": {"coll": collection_name, "pipeline": pipeline}} for pipeline in pipelines])


def prefix_range(prefix: str) -> dict[str, str]:
    """The condition matching every string starting with ``prefix``: an index range."""
    return {"$gte": prefix, "$lt": prefix + _AFTER_EVERY_CHARACTER}


def up_to_key(prefix: str) -> str:
    """The last key starting with ``prefix`` (for ``$lte`` ends of ranges over keyed strings)."""
    return prefix + _AFTER_EVERY_CHARACTER


def moved_on(after: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """``after`` with the version after ``before``'s: what a guarded write stores."""
    return {**after, "version": before.get("version", 0) + 1}


def guarded_replace(collection: Any, after: dict[str, Any], before: dict[str, Any]) -> bool:
    """Write ``after`` in place of ``before`` only if ``before`` is still the stored version,
    moving the version on. False when another writer changed it since (the caller reads again)."""
    stored = moved_on(after, before)
    matched = collection.replace_one({"_id": before["_id"], "version": before.get("version", 0)}, stored)
    return matched.matched_count == 1


def count(collection: Any, query: dict[str, Any] | None) -> int:
    """How many documents of ``collection`` match ``query``: a page's total, served by the indexes.

    Not ``count_documents`` (see the module's note). The query is spelled the way nx-27017's
    translator keeps index-backed, with the same meaning on any MongoDB:

    - equality on a string or number becomes ``{"$eq": value}`` (plain equality is translated with
      an array fallback that keeps SQLite off the field's index);
    - ``{"$in": [...]}`` becomes an ``$or`` of equalities, however long (it has no SQL translation
      for ``$in`` but on ``_id``, so the whole query would be counted in Python: 29 timeline kinds
      of one customer among 60,000 entries, 760 ms as ``$in``, 1 ms as an ``$or``);
    - several conditions are joined under one ``$and`` (a top-level ``$or`` beside other fields
      is translated without parentheses, and would count what matches either side);
    - an empty ``$in`` matches nothing: 0 without a query.

    Fields compared by equality hold single values, as everywhere in the stores (an array field is
    matched with ``$in``; the embedded store's index on it matches nothing on equality anyway).
    """
    spelled = _countable(query or {})
    if spelled is None:
        return 0
    return int(collection.database.command("count", collection.name, query=spelled)["n"])


def _countable(query: dict[str, Any]) -> dict[str, Any] | None:
    """``query`` spelled for ``count`` (above); None when it can match nothing."""
    clauses: list[dict[str, Any]] = []
    for field, condition in query.items():
        if field in ("$and", "$or"):
            parts = [_countable(part) for part in condition]
            if field == "$and" and None in parts:
                return None
            kept = [part for part in parts if part is not None]
            if not kept:
                return None
            clauses.append({field: kept})
        elif field.startswith("$") or "." in field:
            clauses.append({field: condition})
        elif isinstance(condition, (str, int, float)) and not isinstance(condition, bool):
            clauses.append({field: {"$eq": condition}})
        elif isinstance(condition, dict) and list(condition) == ["$in"]:
            values = list(condition["$in"])
            if not values:
                return None
            if field == "_id":
                clauses.append({field: {"$in": values}})
            else:
                clauses.append({"$or": [{field: value} for value in values]})
        else:
            clauses.append({field: condition})
    if not clauses:
        return {"_id": {"$exists": True}}  # every document, counted on the _id index (not metadata)
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class WritesFailed(Exception):
    """The store failed one of the writes sent together (a fault, not a duplicate key): the writes
    before ``failed_at`` went in, the rest did not. ``matched``: {place: whether a guarded or other
    update before it matched}."""

    def __init__(self, message: str, failed_at: int | None, matched: dict[int, bool]) -> None:
        super().__init__(message)
        self.failed_at, self.matched = failed_at, matched


class Together:
    """The writes of one change, sent to the store as one command (MongoDB 8's ``bulkWrite``): a
    document, its audit entries, its timeline entries and facts cost one round trip instead of one
    each. All of them go to one database (a service's own).

    Writes run in the order added and stop at the first failure, as separate commands would: a
    guarded or first write added first keeps what follows from being written when it fails. A
    duplicate key raises ``DuplicateKeyError`` (what ``insert_one`` raises), so callers handle a
    write already made the same way; another failure raises ``WritesFailed``. ``send`` answers, for
    each write added with ``guarded=True``, whether it matched (False: another writer moved the
    document on since it was read).

    The command is run through the database written to: nx-27017 serves each command under the lock
    of the database it is sent to, so one sent to ``admin`` (as drivers send the client-level
    ``bulkWrite``) would run beside that database's other commands and lose their updates. A real
    MongoDB refuses ``bulkWrite`` outside ``admin``: there it is sent through the client."""

    def __init__(self) -> None:
        self._ops: list[dict[str, Any]] = []
        self._namespaces: list[str] = []
        self._database: Any = None
        self._guarded: list[int] = []

    def __len__(self) -> int:
        return len(self._ops)

    def insert(self, collection: Any, document: dict[str, Any]) -> Self:
        return self._add(collection, {"document": document})

    def insert_all(self, collection: Any, documents: list[dict[str, Any]]) -> Self:
        for document in documents:
            self.insert(collection, document)
        return self

    def replace(
        self,
        collection: Any,
        query: dict[str, Any],
        document: dict[str, Any],
        upsert: bool = False,
        guarded: bool = False,
    ) -> Self:
        return self._add(
            collection, {"filter": query, "updateMods": document, "multi": False, "upsert": upsert}, guarded
        )

    def update(
        self,
        collection: Any,
        query: dict[str, Any],
        change: dict[str, Any],
        upsert: bool = False,
        guarded: bool = False,
    ) -> Self:
        return self._add(collection, {"filter": query, "updateMods": change, "multi": False, "upsert": upsert}, guarded)

    def guarded_replace(self, collection: Any, after: dict[str, Any], before: dict[str, Any]) -> Self:
        """``guarded_replace`` (above) as one of these writes."""
        query = {"_id": before["_id"], "version": before.get("version", 0)}
        return self.replace(collection, query, moved_on(after, before), guarded=True)

    def send(self) -> list[bool]:
        """Write everything added, in one command; whether each guarded write matched."""
        if not self._ops:
            return []
        ops, namespaces, guarded = self._ops, self._namespaces, self._guarded
        self._ops, self._namespaces, self._guarded = [], [], []
        answers = _bulk_write(self._database, ops, namespaces)
        matched = {a["idx"]: a.get("n", 0) >= 1 for a in answers if a.get("ok") and "update" in ops[a["idx"]]}
        failure = next((a for a in answers if not a.get("ok")), None)
        if failure is not None:
            if failure.get("code") in _DUPLICATE_KEY_CODES:
                raise DuplicateKeyError(failure.get("errmsg", "duplicate key"), failure.get("code"), failure)
            raise WritesFailed(str(failure.get("errmsg")), failure.get("idx"), matched)
        return [matched.get(place, False) for place in guarded]

    def _add(self, collection: Any, op: dict[str, Any], guarded: bool = False) -> Self:
        database = collection.database
        if self._database is not None and database.name != self._database.name:
            raise ValueError("writes sent together must go to one database")
        self._database = database
        if collection.full_name not in self._namespaces:
            self._namespaces.append(collection.full_name)
        place = self._namespaces.index(collection.full_name)
        if guarded:
            self._guarded.append(len(self._ops))
        self._ops.append({("update" if "filter" in op else "insert"): place, **op})
        return self


# Databases (by client and name) where bulkWrite must go through the client (a real MongoDB).
_THROUGH_CLIENT: set[tuple[int, str]] = set()


def _bulk_write(database: Any, ops: list[dict[str, Any]], namespaces: list[str]) -> list[dict[str, Any]]:
    """Each op's answer ({"ok", "idx", "n", "code", "errmsg"}), up to the first failure."""
    command = {
        "bulkWrite": 1,
        "ops": ops,
        "nsInfo": [{"ns": ns} for ns in namespaces],
        "ordered": True,
        "errorsOnly": False,
    }
    key = (id(database.client), database.name)
    if key not in _THROUGH_CLIENT:
        try:
            reply = database.command(command)
            return list(reply["cursor"]["firstBatch"])
        except OperationFailure as refused:
            if "admin" not in str(refused):
                raise
            _THROUGH_CLIENT.add(key)
    reply = database.client.admin.command(command)
    answers = list(reply["cursor"]["firstBatch"])
    if reply["cursor"].get("id"):  # more answers than the first batch holds: a real MongoDB pages them
        answers += database.client.admin.command("getMore", reply["cursor"]["id"], collection="$cmd.bulkWrite")[
            "cursor"
        ]["nextBatch"]
    return answers
