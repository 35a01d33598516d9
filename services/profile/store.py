"""Where profile keeps archives, the keys that find them, and their timelines."""

from collections.abc import Callable, Collection, Iterable
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError, DuplicateKeyError

from contracts.paging import sort_spec
from services.profile.domain.documents import Archive, Entry
from services.profile.domain.normalising import company_words, folding
from services.profile.domain.report_facts import fact_key
from services.profile.domain.tags import tags_of
from services.profile.domain.visibility import POOLED, Scope
from services.runtime.audit import Store
from services.runtime.document_store import (
    UNION_BASE,
    Together,
    count,
    guarded_replace,
    moved_on,
    prefix_range,
    union_of,
)
from services.runtime.mongo import insert_once

DUPLICATE_KEY = 11000
ID_BATCH = 500

Document = dict[str, Any]
Key = tuple[str, str]  # (kind, value) of a matching key


class Customers(Store):
    def __init__(self, db: Any) -> None:
        self.archives = db.customers
        # One document per matching key ("email:jane@acme.de" -> customer): claiming a key is a
        # single insert, so two inquiries racing for one customer cannot open two archives.
        self.keys = db.customer_keys
        self.timeline = db.timeline
        # Archives merged into another: who merged them, when, and the archive as it was.
        self.merges = db.merged_archives
        # One document per (list field value, archive): name blocks and tags found through a
        # scalar index. The embedded store cannot index array fields (equality on an indexed
        # array matches nothing), and a scan per inquiry would not scale.
        self.terms = db.customer_terms
        self.union_base = db[UNION_BASE]  # always empty: several reads in one command start there
        # One small document per inquiry, quote, sample and stage change (domain.report_facts),
        # found by "<kind>|<YYYY-MM>" so a report reads a range of months, not every archive.
        self.facts = db.report_facts
        # Per (report, month): the totals of those facts (domain.report_totals), kept as they are noted.
        self.totals = db.report_totals
        # Open possible-duplicate pairs (domain.duplicates), one each, listed newest first by "flagged_key";
        # and the pairs a person kept apart, which matching never flags again.
        self.pairs = db.duplicate_pairs
        self.apart = db.kept_apart

    def ensure_indexes(self) -> None:
        self.archives.create_index([("owner_id", ASCENDING)])
        self.archives.create_index([("country_code", ASCENDING)])
        self.archives.create_index([("stage", ASCENDING)])
        self.archives.create_index([("created_at", DESCENDING)])
        self.keys.create_index([("customer_id", ASCENDING)])
        self.archives.create_index([("group_id", ASCENDING)])
        self.terms.create_index([("term", ASCENDING)])
        self.terms.create_index([("customer_id", ASCENDING)])
        self.timeline.create_index([("customer_id", ASCENDING), ("at", ASCENDING)])
        self.merges.create_index([("merged_into", ASCENDING)])
        self.merges.create_index([("cause", ASCENDING)])
        self.facts.create_index([("key", ASCENDING)])
        self.facts.create_index([("customer_id", ASCENDING)])
        self.pairs.create_index([("flagged_key", DESCENDING)])
        for side in ("first", "second"):
            self.pairs.create_index([(side, ASCENDING)])
            self.apart.create_index([(side, ASCENDING)])

    # matching keys
    def claim_keys(self, keys: dict[str, str], customer_id: str, shared_with: Iterable[str] = ()) -> dict[str, str]:
        """{kind: holder} after claiming the free keys for a new archive ``customer_id``.

        Keys are claimed one after another in one fixed order (their ids), and claiming stops at
        the first key a customer outside ``shared_with`` holds. Of two inquiries racing to open
        one customer's archive, the first to a key goes on and the other stops there: they can
        never each take part of the customer's keys and both open an archive."""
        pending = sorted(f"{kind}:{value}" for kind, value in keys.items())
        held: dict[str, str] = {}  # key id -> holder, as learnt while claiming
        while pending:
            try:
                self.keys.insert_many([{"_id": key, "customer_id": customer_id} for key in pending], ordered=True)
                held.update(dict.fromkeys(pending, customer_id))
                break
            except BulkWriteError as error:
                taken = error.details["writeErrors"][0]["index"]  # the ones before it are claimed
                held.update(dict.fromkeys(pending[:taken], customer_id))
                holder = self.keys.find_one({"_id": pending[taken]})
                if holder is None:
                    pending = pending[taken:]  # released since: claim it now
                    continue
                held[pending[taken]] = holder["customer_id"]
                if holder["customer_id"] not in (customer_id, *shared_with):
                    break
                pending = pending[taken + 1 :]
        if len(held) == len(keys):  # every key's holder is known: not read again
            return {kind: held[f"{kind}:{value}"] for kind, value in keys.items()}
        return self.holders_of(keys)

    def add_keys(self, keys: dict[str, str], customer_id: str) -> None:
        """Let ``customer_id`` be found by the keys no one holds yet; held keys stay their holders'."""
        if not keys:
            return
        try:
            self.keys.insert_many(
                [{"_id": f"{kind}:{value}", "customer_id": customer_id} for kind, value in keys.items()], ordered=False
            )
        except BulkWriteError:
            pass

    def holders_of(self, keys: dict[str, str]) -> dict[str, str]:
        """{kind: customer} for the keys someone holds: one indexed lookup, never a scan."""
        ids = {f"{kind}:{value}": kind for kind, value in keys.items()}
        return {ids[doc["_id"]]: doc["customer_id"] for doc in self.keys.find({"_id": {"$in": list(ids)}})}

    def claim_identity(self, pairs: list[Key], customer_id: str) -> tuple[dict[Key, str], set[Key]]:
        """({(kind, value): holder} for each key, the keys this call claimed): the free ones are
        now ``customer_id``'s."""
        if not pairs:
            return {}, set()
        docs = [{"_id": f"{kind}:{value}", "customer_id": customer_id} for kind, value in pairs]
        ids = {doc["_id"]: pair for doc, pair in zip(docs, pairs, strict=True)}
        failed: set[str] = set()
        try:
            self.keys.insert_many(docs, ordered=False)
        except BulkWriteError as error:
            failed = {docs[e["index"]]["_id"] for e in error.details["writeErrors"]}
        holders = {ids[doc["_id"]]: doc["customer_id"] for doc in self.keys.find({"_id": {"$in": list(ids)}})}
        return holders, {ids[key] for key in ids if key not in failed}

    def release_identity(self, pairs: Iterable[Key], customer_id: str) -> None:
        """Give up keys this customer holds (a name or code removed by hand); others' stay theirs."""
        for kind, value in pairs:
            self.keys.delete_one({"_id": f"{kind}:{value}", "customer_id": customer_id})

    def rekey(self, customer_id: str, current_key: Callable[[str, str], Key]) -> int:
        """Rewrite this customer's stored keys with ``current_key`` ((kind, value) -> (kind, value)):
        the new key is claimed if free, the old one given up. How many were rewritten."""
        rewritten = 0
        for doc in list(self.keys.find({"customer_id": customer_id})):
            kind, _, value = doc["_id"].partition(":")
            new_id = ":".join(current_key(kind, value))
            if new_id == doc["_id"]:
                continue
            _insert_new(self.keys, [{"_id": new_id, "customer_id": customer_id}])  # a holder of it keeps it
            self.keys.delete_one({"_id": doc["_id"], "customer_id": customer_id})
            rewritten += 1
        return rewritten

    def repoint_keys(self, from_customer: str, to_customer: str) -> None:
        """Hand keys claimed for an archive that was never opened to the one it merged into."""
        self.keys.update_many({"customer_id": from_customer}, {"$set": {"customer_id": to_customer}})

    # archives
    def get(self, customer_id: str) -> Archive | None:
        return self.archives.find_one({"_id": customer_id})

    def open(
        self, archive: Archive, keys: dict[str, str], entries: Iterable[Entry], facts: Iterable[Document]
    ) -> Archive | None:
        """Open a new archive in one command: claim its matching keys (in ``claim_keys``'s order),
        write it, its audit entry, its term documents, its timeline ``entries`` and report ``facts``.
        The archive as stored; None when one of them was there already (a key someone holds, an
        archive or entry written before): nothing after it was written, and the caller goes step
        by step (``claim_keys``, ``add``, ``record``, ``note_facts``: each keeps what is there)."""
        stored = {"version": 0, **_with_tags(archive)}
        writes = Together()
        claimed = sorted(f"{kind}:{value}" for kind, value in keys.items())
        writes.insert_all(self.keys, [{"_id": key, "customer_id": archive["_id"]} for key in claimed])
        writes.insert(self.archives, stored)
        self.audit.changed_with(writes, "customer", None, stored)
        writes.insert_all(self.terms, term_documents(stored))
        writes.insert_all(self.timeline, list(entries))
        writes.insert_all(self.facts, list(facts))
        try:
            writes.send()
        except DuplicateKeyError:
            return None
        return stored

    def add(self, archive: Archive) -> bool:
        stored, added = insert_once(self.archives, _with_tags(archive))
        if added:
            self.audit.changed("customer", None, stored)
            # The terms of the archive just written (a writer changing it later indexes afresh).
            _insert_new(self.terms, term_documents(stored))
        else:
            self.index_terms(archive["_id"])
        return added

    def replace(self, archive: Archive, before: Archive, entries: Iterable[Entry] = ()) -> bool:
        """Write the archive if nobody changed it since ``before`` was read, its version moved on,
        with its audit entry and the timeline ``entries`` of the change: one command. The entries'
        ids name their cause and they say what the cause did, whichever version it is written
        over: each is added once, and kept when the guard lost (the change is tried again); the
        audit entry of a lost write is taken back."""
        written = moved_on(_with_tags(archive), before)
        writes = Together().guarded_replace(self.archives, written, before)
        audited = self.audit.changed_with(writes, "customer", before, written)
        for entry in entries:
            writes.update(self.timeline, {"_id": entry["_id"]}, {"$setOnInsert": entry}, upsert=True)
        [replaced] = writes.send()
        if not replaced:
            if audited is not None:
                self.audit.withdraw(audited)
        elif term_documents(before) != term_documents(written):  # most writes touch no indexed field
            self.index_terms(archive["_id"])
        return replaced

    def index_terms(self, customer_id: str) -> None:
        """Make the term documents agree with the archive as stored now. Reading it afresh
        means that of two writers racing, the one that indexes last indexes the latest."""
        archive = self.archives.find_one(
            {"_id": customer_id}, {name: 1 for name in (*TERM_FIELDS, "country", "country_code", "company")}
        )
        wanted = {doc["_id"]: doc for doc in term_documents(archive)} if archive else {}
        held = {doc["_id"]: doc for doc in self.terms.find({"customer_id": customer_id})}
        # a term still wanted but written with another name (or folding) than today's is written again
        if stale := [key for key, doc in held.items() if wanted.get(key) != doc]:
            self.terms.delete_many({"_id": {"$in": stale}})
        if missing := [key for key in wanted if held.get(key) != wanted[key]]:
            _insert_new(self.terms, [wanted[key] for key in missing])  # a racing writer may index one too

    def _with_term(self, field: str, value: str) -> list[str]:
        return [doc["customer_id"] for doc in self.terms.find({"term": f"{field}:{value}"}, {"customer_id": 1})]

    def group_members(self, group_id: str, limit: int) -> list[Archive]:
        return list(self.archives.find({"group_id": group_id}).sort("created_at", ASCENDING).limit(limit))

    def in_name_block(self, block: str, limit: int) -> list[Document]:
        """``in_name_blocks`` of one block."""
        return self.in_name_blocks([block], limit)[block]

    def in_name_blocks(self, blocks: list[str], limit: int) -> dict[str, list[Document]]:
        """Per block, the archives whose company name falls in it, at most ``limit`` each:
        {"_id", "company"}, and "words", the name folded (``company_words``), when it was kept under
        today's folding. One command however many blocks (``union_of``): a ``$unionWith`` per block,
        each reading its block from the terms' index (a typed name is looked for in its own block and
        in those a slip would have put it in, ``typo_blocks``). The
        term documents carry the name; archives indexed before they did are read in one more query."""
        blocks = list(dict.fromkeys(blocks))
        found: dict[str, list[Document]] = {block: [] for block in blocks}
        if not blocks:
            return found
        current = folding()

        def one_block(block: str) -> list[Document]:
            # no $project: nx-27017 runs a pipeline with one in Python over the whole collection
            # (4 s at 100,000 terms, against 3 ms without); the term documents are small anyway
            return [{"$match": {"term": f"{NAME_BLOCK_TERM}{block}"}}, {"$limit": limit}]

        unnamed: dict[str, list[str]] = {}
        for doc in union_of(self.union_base, self.terms.name, [one_block(block) for block in blocks]):
            block = doc["term"].removeprefix(NAME_BLOCK_TERM)
            if "company" not in doc:
                unnamed.setdefault(doc["customer_id"], []).append(block)
            elif doc.get("folding") == current:
                found[block].append({"_id": doc["customer_id"], "company": doc["company"], "words": doc["words"]})
            else:
                found[block].append({"_id": doc["customer_id"], "company": doc["company"]})
        if unnamed:
            for archive in self.archives.find({"_id": {"$in": list(unnamed)}}, {"company": 1}):
                for block in unnamed[archive["_id"]]:
                    found[block].append(archive)
        return found

    def page(
        self,
        ids: list[str] | None = None,
        owner_id: str | None = None,
        country_code: str | None = None,
        stage: str | None = None,
        tags: Collection[str] = (),
        group_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
        scope: Scope | None = None,
        sort: str = "-created_at",
    ) -> tuple[list[Archive], int]:
        """A page of archives, newest first; ``tags``: any of these; ``scope`` (``domain.visibility.Scope``)
        limits them to what the caller may see."""
        query: dict[str, Any] = {}
        if tags:
            tagged = list(dict.fromkeys(c for tag in tags for c in self._with_term("tags", tag)))
            if ids is not None:
                tagged_ids = set(tagged)
                tagged = [i for i in ids if i in tagged_ids]
            ids = tagged
        if ids is not None:
            query["_id"] = {"$in": ids}
        for name, value in (
            ("owner_id", owner_id),
            ("country_code", country_code),
            ("stage", stage),
            ("group_id", group_id),
        ):
            if value:
                query[name] = value
        if scope is not None:
            query = {"$and": [query, self._visible(scope)]}
        total = count(self.archives, query)
        cursor = self.archives.find(query).sort([sort_spec(sort), ("_id", ASCENDING)]).skip(offset).limit(limit)
        return list(cursor), total

    def stage_counts(self, stages: Iterable[str], scope: Scope | None) -> tuple[int, dict[str, int]]:
        """(archives ``scope`` sees, {stage: those at it}): index counts, no archive read."""
        visible = self._visible(scope) if scope is not None else None

        def counted(query: dict[str, Any]) -> int:
            return count(self.archives, {"$and": [query, visible]} if visible else query)

        return counted({}), {stage: counted({"stage": stage}) for stage in stages}

    def _visible(self, scope: Scope) -> dict[str, Any]:
        if scope.department is not None:
            return {"_id": {"$in": self._with_term("departments", scope.department)}}
        mine: list[dict[str, Any]] = [
            {"owner_id": scope.owner_or_collaborator},
            {"_id": {"$in": self._with_term("collaborators", scope.owner_or_collaborator or "")}},
        ]
        if scope.team_pool:
            mine.append({"pool_state": {"$in": list(POOLED)}, "team": {"$in": [scope.team, None]}})
        return {"$or": mine}

    # merges
    def record_merge(self, record: Document) -> Document:
        """The merge record for the absorbed archive: this one, or the one written first."""
        return insert_once(self.merges, record)[0]

    def merge_of(self, customer_id: str) -> Document | None:
        return self.merges.find_one({"_id": customer_id})

    def merges_caused_by(self, inquiry_id: str) -> list[Document]:
        """Merges an inquiry made by linking archives, oldest first."""
        return list(self.merges.find({"cause": inquiry_id}).sort("at", ASCENDING))

    def remove(self, customer_id: str) -> None:
        before = self.get(customer_id)
        self.archives.delete_one({"_id": customer_id})
        self.audit.changed("customer", before, None)
        self.index_terms(customer_id)

    def move_timeline(self, from_customer: str, to_customer: str) -> None:
        self.timeline.update_many({"customer_id": from_customer}, {"$set": {"customer_id": to_customer}})

    # timeline
    def record(self, *entries: Entry) -> None:
        """Add timeline entries once each: an id names its step, so a redelivered event adds nothing."""
        _insert_new(self.timeline, entries)

    def timeline_page(
        self, customer_id: str, limit: int = 50, offset: int = 0, kinds: Iterable[str] | None = None
    ) -> tuple[list[Entry], int]:
        """``kinds``: only entries of these kinds (all when None)."""
        # $eq, not plain equality: the embedded store matches a field no single-field index covers
        # (customer_id leads a compound one here) with an array fallback SQLite serves by a scan.
        query: dict[str, Any] = {"customer_id": {"$eq": customer_id}}
        if kinds is not None:
            query["kind"] = {"$in": list(kinds)}
        total = count(self.timeline, query)
        cursor = self.timeline.find(query).sort([("at", ASCENDING), ("_id", ASCENDING)]).skip(offset).limit(limit)
        return list(cursor), total

    def stage_changes_of(self, customer_id: str) -> list[Entry]:
        return list(self.timeline.find({"customer_id": {"$eq": customer_id}, "kind": "stage_changed"}))

    # report facts
    def note_facts(self, facts: Iterable[Document]) -> int:
        """Add report facts once each (their ids name their cause); how many were new."""
        return _insert_new(self.facts, facts)

    def facts_between(self, kind: str, first: str, last: str, fields: Iterable[str] | None = None) -> list[Document]:
        """Facts of ``kind`` in the months ``first`` to ``last`` ("YYYY-MM"): a range of the "key" index."""
        query = {"key": {"$gte": fact_key(kind, first), "$lte": fact_key(kind, last)}}
        return list(self.facts.find(query, {name: 1 for name in fields} if fields else None))

    def move_facts(self, from_customer: str, to_customer: str) -> None:
        self.facts.update_many({"customer_id": from_customer}, {"$set": {"customer_id": to_customer}})

    def facts_of(self, customer_id: str) -> list[Document]:
        """Every report fact of one customer (the "customer_id" index)."""
        return list(self.facts.find({"customer_id": customer_id}))

    def count_facts(self, kind: str, month: str) -> int:
        """How many facts of ``kind`` were noted for ``month``: an index count."""
        return count(self.facts, {"key": fact_key(kind, month)})

    def next_fact_key(self, after: str | None) -> str | None:
        """The first "<kind>|<month>" of the facts after ``after`` (None: from the first), in key order."""
        found = self.facts.find({"key": {"$gt": after}} if after else {}, {"key": 1}).sort("key", ASCENDING).limit(1)
        return next((doc["key"] for doc in found), None)

    def totals_of(self, totals_ids: Iterable[str], fields: Iterable[str]) -> dict[str, Document]:
        """{id: just ``fields`` (and the count and version)} of the report totals found by these ids."""
        projection = {name: 1 for name in (*fields, "facts", "version", "month")}
        return {doc["_id"]: doc for doc in self.totals.find({"_id": {"$in": list(totals_ids)}}, projection)}

    def report_totals(self, totals_id: str) -> Document | None:
        return self.totals.find_one({"_id": totals_id})

    def report_totals_by_id(self, totals_ids: Iterable[str]) -> dict[str, Document]:
        """{id: the whole document} of the report totals found by these ids, in one query."""
        return {doc["_id"]: doc for doc in self.totals.find({"_id": {"$in": list(totals_ids)}})}

    def remove_report_totals(self, totals_ids: Iterable[str]) -> None:
        """Drop report totals no report reads any more (a shape left behind by an upgrade)."""
        self.totals.delete_many({"_id": {"$in": list(totals_ids)}})

    def add_report_totals(self, totals: Document) -> bool:
        """Write a month's first totals; False when another writer wrote them first."""
        return insert_once(self.totals, totals)[1]

    def replace_report_totals(self, after: Document, before: Document) -> bool:
        """Write ``after`` over ``before`` unless another writer changed them since."""
        return guarded_replace(self.totals, after, before)

    def write_report_totals(self, writes: list[tuple[Document, Document | None]]) -> list[str]:
        """Write each (after, before) — before None: a shard's first totals — in one command; the
        ids of those another writer came first to (for the caller to read again and retry). After a
        first totals' insert found taken, which writes landed is unknown: every id is answered."""
        together = Together()
        replacing = [(after, before) for after, before in writes if before is not None]
        for after, stored in replacing:
            together.guarded_replace(self.totals, after, stored)
        for after, maybe in writes:
            if maybe is None:
                together.insert(self.totals, {"version": 0, **after})
        try:
            matched = together.send()
        except DuplicateKeyError:
            return [after["_id"] for after, _ in writes]
        return [after["_id"] for (after, _), landed in zip(replacing, matched, strict=True) if not landed]

    def archives_by_id(self, customer_ids: Iterable[str], fields: Iterable[str]) -> list[Document]:
        """Just ``fields`` of these archives, found by id (in batches the store takes in one query)."""
        ids = list(dict.fromkeys(customer_ids))
        projection = {name: 1 for name in fields}
        return [
            archive
            for start in range(0, len(ids), ID_BATCH)
            for archive in self.archives.find({"_id": {"$in": ids[start : start + ID_BATCH]}}, projection)
        ]

    def archives_after(self, after: str | None, limit: int) -> list[Archive]:
        """Up to ``limit`` archives in id order after ``after`` (None: from the first)."""
        return list(self.archives.find({"_id": {"$gt": after}} if after else {}).sort("_id", ASCENDING).limit(limit))

    # possible duplicates (domain.duplicates)
    def note_pairs(self, pairs: Iterable[Document]) -> int:
        """List these open pairs once each (a pair listed before keeps when it was first flagged)."""
        return _insert_new(self.pairs, pairs)

    def pairs_page(self, limit: int, offset: int) -> tuple[list[Document], int]:
        """A page of the open pairs, newest first: a range of the "flagged_key" index."""
        total = count(self.pairs, {})
        cursor = self.pairs.find({}).sort([("flagged_key", DESCENDING), ("_id", ASCENDING)]).skip(offset).limit(limit)
        return list(cursor), total

    def pairs_of(self, customer_id: str) -> list[Document]:
        """The open pairs naming this archive (either side)."""
        return [p for side in ("first", "second") for p in self.pairs.find({side: customer_id})]

    def close_pairs(self, pair_ids: Collection[str]) -> None:
        if pair_ids:
            self.pairs.delete_many({"_id": {"$in": list(pair_ids)}})

    def remember_apart(self, record: Document) -> Document:
        """The kept-apart record of this pair: this one, or the one written first."""
        stored, added = insert_once(self.apart, record)
        if added:
            self.audit.changed("kept_apart", None, stored)
        return stored

    def kept_apart(self, pair_ids: Iterable[str]) -> set[str]:
        """Those of ``pair_ids`` a person kept apart: one lookup of ids."""
        ids = list(pair_ids)
        return {doc["_id"] for doc in self.apart.find({"_id": {"$in": ids}}, {"_id": 1})} if ids else set()

    def apart_from(self, customer_id: str) -> list[Document]:
        """The kept-apart records naming this archive (either side)."""
        return [r for side in ("first", "second") for r in self.apart.find({side: customer_id})]

    # countries
    def unknown_countries(self) -> list[tuple[str, str]]:
        """[(country as given, customer id)] of archives whose country was recognised as none: a
        range of the terms' index (they are few; an admin maps them)."""
        found = self.terms.find({"term": prefix_range(UNKNOWN_COUNTRY)}, {"term": 1, "customer_id": 1})
        return [(doc["term"].removeprefix(UNKNOWN_COUNTRY), doc["customer_id"]) for doc in found]


TERM_FIELDS = ("name_blocks", "tags", "collaborators", "departments")
NAME_BLOCK_TERM = "name_blocks:"
# An archive whose country is given but recognised as none is found by this term and its text (one
# from before country codes, with none yet, only once `baton countries backfill` has read it).
UNKNOWN_COUNTRY = "unknown_country:"


def term_documents(archive: Document) -> list[Document]:
    """The term documents an archive (as stored, tags included) is found by."""
    terms = {f"{name}:{value}" for name in TERM_FIELDS for value in archive.get(name) or []}
    if (archive.get("country") or "").strip() and "country_code" in archive and archive["country_code"] is None:
        terms.add(UNKNOWN_COUNTRY + archive["country"].strip())
    # A name block's documents carry the company name, folded as ``company_words`` folds it: a block is
    # compared with an inquiry's name from them alone, without reading (and folding) its archives again.
    name = archive.get("company")
    named = {"company": name, "words": company_words(name), "folding": folding()} if archive.get("name_blocks") else {}
    return [
        {"_id": f"{term}|{archive['_id']}", "term": term, "customer_id": archive["_id"]}
        | (named if term.startswith(NAME_BLOCK_TERM) else {})
        for term in sorted(terms)
    ]


def _insert_new(collection: Any, documents: Iterable[Document]) -> int:
    """Insert what is not stored yet (ids name what caused each); how many were new."""
    documents = list(documents)
    if not documents:
        return 0
    try:
        collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
            raise
        return len(documents) - len(error.details["writeErrors"])
    return len(documents)


def _with_tags(archive: Archive) -> Archive:
    # Tags are derived on every write, so a filter by tag never sees stale ones.
    return {**archive, "tags": tags_of(archive)}
