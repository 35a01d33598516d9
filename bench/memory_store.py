"""An in-memory stand-in for profile's store, with the same methods as ``services.profile.store.Customers``,
so benches run the real filing code without a database (quality, not I/O, is measured there)."""
import copy


class MemoryCustomers:
    def __init__(self):
        self.archives, self.keys, self.timeline = {}, {}, {}
        self.blocks = {}   # name block -> archive ids, as the name_blocks index does in MongoDB

    def holders_of(self, keys):
        found = {kind: self.keys.get(f"{kind}:{value}") for kind, value in keys.items()}
        return {kind: holder for kind, holder in found.items() if holder}

    def claim_keys(self, keys, customer_id):
        return {kind: self.keys.setdefault(f"{kind}:{value}", customer_id) for kind, value in keys.items()}

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

    def replace(self, archive, expected_version):
        if self.archives[archive["_id"]]["version"] != expected_version:
            return False
        self.archives[archive["_id"]] = copy.deepcopy(archive)
        self._index(archive)
        return True

    def _index(self, archive):
        for block in archive.get("name_blocks", []):
            ids = self.blocks.setdefault(block, [])
            if archive["_id"] not in ids:
                ids.append(archive["_id"])

    def in_name_block(self, block, limit):
        return [self.archives[i] for i in self.blocks.get(block, [])[:limit]]

    def record(self, *entries):
        for entry in entries:
            self.timeline.setdefault(entry["_id"], entry)
