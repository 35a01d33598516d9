"""What handoff's application functions ask of other services and of the plugins, in memory:
profile's archives (``get_customer``, ``update_customer``, ``amend_order``, ``get_timeline``),
pool's owners (``get_owner``) and the plugins' checklist rules (``handoff_rules``). Archives come
back as copies, as they would over RPC."""

import copy

from contracts.errors import NotFound


class FakeProfile:
    def __init__(self, *archives):
        self.archives = {archive["id"]: copy.deepcopy(archive) for archive in archives}
        self.updates: list = []  # (customer id, changes) as update_customer received them
        self.amendments: list = []  # (customer id, order id, change)
        self.timelines: dict = {}  # customer id -> timeline entries (ISO "at")

    def get_customer(self, customer_id):
        if customer_id not in self.archives:
            raise NotFound.of("customer", customer_id)
        return copy.deepcopy(self.archives[customer_id])

    def update_customer(self, customer_id, changes):
        archive = self.get_customer(customer_id)
        self.updates.append((customer_id, copy.deepcopy(changes)))
        self.archives[customer_id] = {**archive, **{k: v for k, v in changes.items() if k != "by"}}
        return self.get_customer(customer_id)

    def amend_order(self, customer_id, order_id, change):
        archive = self.get_customer(customer_id)
        self.amendments.append((customer_id, order_id, copy.deepcopy(change)))
        archive["orders"] = [
            {**order, change["field"]: change["value"]} if order["id"] == order_id else order
            for order in archive.get("orders") or []
        ]
        self.archives[customer_id] = archive
        return self.get_customer(customer_id)

    def get_timeline(self, customer_id, query=None):
        self.get_customer(customer_id)
        query = query or {}
        entries = self.timelines.get(customer_id, [])
        offset, limit = query.get("offset", 0), query.get("limit", 50)
        return {"items": copy.deepcopy(entries[offset : offset + limit]), "total": len(entries)}


class FakePool:
    def __init__(self, owners=None):
        self.owners = dict(owners or {})  # customer id -> {"owner_id", "collaborators"}

    def get_owner(self, customer_id):
        if customer_id not in self.owners:
            raise NotFound.of("ownership", customer_id)
        return {"customer_id": customer_id, "collaborators": [], **copy.deepcopy(self.owners[customer_id])}


class FakePlugins:
    """``plugins.host``'s ``handoff_rules``: these rules for every kind, or ``failure`` raised."""

    def __init__(self, rules=(), failure=None):
        self.rules, self.failure = list(rules), failure

    def handoff_rules(self, kind):
        if self.failure is not None:
            raise self.failure
        return list(self.rules)
