"""An in-memory stand-in for profile's store, with the same methods as ``services.profile.store.Customers``,
so benches run the real filing code without a database (quality, not I/O, is measured there)."""

import copy


class MemoryCustomers:
    def __init__(self):
        self.archives, self.keys, self.timeline, self.merges = {}, {}, {}, {}
        self.blocks = {}  # name block -> archive ids, as the name_blocks index does in MongoDB

    def holders_of(self, keys):
        found = {kind: self.keys.get(f"{kind}:{value}") for kind, value in keys.items()}
        return {kind: holder for kind, holder in found.items() if holder}

    def claim_keys(self, keys, customer_id, shared_with=()):
        # one filing at a time here: no race to stop at
        return {kind: self.keys.setdefault(f"{kind}:{value}", customer_id) for kind, value in keys.items()}

    def add_keys(self, keys, customer_id):
        self.claim_keys(keys, customer_id)

    def repoint_keys(self, from_customer, to_customer):
        for key, holder in self.keys.items():
            if holder == from_customer:
                self.keys[key] = to_customer

    def get(self, customer_id):
        archive = self.archives.get(customer_id)
        return copy.deepcopy(archive) if archive else None

    def add(self, archive):
        """False if an archive with this id is already stored (as ``Customers.add``)."""
        if archive["_id"] in self.archives:
            return False
        self.archives[archive["_id"]] = copy.deepcopy(archive)
        self._index(archive)
        return True

    def open(self, archive, keys, entries, facts):
        """None: opened step by step here (``claim_keys``, ``add``, ``record``), as after a taken key."""
        return None

    def replace(self, archive, before, entries=()):
        if self.archives[archive["_id"]]["version"] != before["version"]:
            return False
        self.archives[archive["_id"]] = copy.deepcopy(archive)
        self._index(archive)
        self.record(*entries)
        return True

    def _index(self, archive):
        for block in archive.get("name_blocks", []):
            ids = self.blocks.setdefault(block, [])
            if archive["_id"] not in ids:
                ids.append(archive["_id"])

    def group_members(self, group_id, limit):
        members = [a for a in self.archives.values() if a.get("group_id") == group_id]
        return copy.deepcopy(sorted(members, key=lambda a: a["created_at"])[:limit])

    def in_name_block(self, block, limit):
        return [self.archives[i] for i in self.blocks.get(block, [])[:limit]]

    def in_name_blocks(self, blocks, limit):
        return {block: self.in_name_block(block, limit) for block in blocks}

    def record(self, *entries):
        for entry in entries:
            self.timeline.setdefault(entry["_id"], entry)

    # merges, as profile's store keeps them
    def merge_of(self, customer_id):
        return self.merges.get(customer_id)

    def record_merge(self, record):
        return self.merges.setdefault(record["_id"], copy.deepcopy(record))

    def merges_caused_by(self, inquiry_id):
        return [m for m in self.merges.values() if m.get("cause") == inquiry_id]

    def remove(self, customer_id):
        self.archives.pop(customer_id, None)
        for ids in self.blocks.values():
            if customer_id in ids:
                ids.remove(customer_id)

    # report facts are not what this bench measures: kept, but only counted
    def note_facts(self, facts):
        self.facts = getattr(self, "facts", 0) + len(facts)
        return len(facts)

    def move_facts(self, from_customer, to_customer):
        pass

    def move_timeline(self, from_customer, to_customer):
        for entry in self.timeline.values():
            if entry["customer_id"] == from_customer:
                entry["customer_id"] = to_customer

    def resolve(self, customer_id):
        """The archive a customer id now lives in, following merges."""
        while customer_id in self.merges:
            customer_id = self.merges[customer_id]["merged_into"]
        return customer_id

    # possible-duplicate pairs and kept-apart decisions (services.profile.duplicates), as the store keeps them
    def note_pairs(self, pairs):
        self.pairs = getattr(self, "pairs", {})
        new = [p for p in pairs if p["_id"] not in self.pairs]
        self.pairs.update((p["_id"], copy.deepcopy(p)) for p in new)
        return len(new)

    def pairs_of(self, customer_id):
        return [p for p in getattr(self, "pairs", {}).values() if customer_id in (p["first"], p["second"])]

    def close_pairs(self, pair_ids):
        for pair_id in pair_ids:
            getattr(self, "pairs", {}).pop(pair_id, None)

    def remember_apart(self, record):
        self.apart = getattr(self, "apart", {})
        return self.apart.setdefault(record["_id"], copy.deepcopy(record))

    def kept_apart(self, pair_ids):
        return {i for i in pair_ids if i in getattr(self, "apart", {})}

    def apart_from(self, customer_id):
        return [r for r in getattr(self, "apart", {}).values() if customer_id in (r["first"], r["second"])]
