"""Agreed requirements and their changes: recorded once on the customer's register, and everyone
who holds part of the customer — its owner and collaborators (pool), the people on its handoffs,
those who started a step — is named in one requirement_changed event."""
from contracts.errors import NotFound
from services.handoff.domain.requirements import changed, new_register, people_to_notify


def set_requirement(store, profile, pool, customer_id, field, request, now):
    """The register after recording ``field`` (unchanged when it already had this value)."""
    profile.get_customer(customer_id)          # NotFound (saying where it went if merged)
    register = store.register(customer_id) or store.add_register(new_register(customer_id, now))
    if register["fields"].get(field, {}).get("value") == request["value"]:
        return register
    notify = people_to_notify(*_holders(pool, customer_id), _participants(store, customer_id), request["by"])
    _, after = store.change_register(customer_id, lambda current: changed(
        current, field, request["value"], request["by"], request.get("note"), request.get("source"), notify, now))
    return after or store.register(customer_id)


def _holders(pool, customer_id):
    try:
        ownership = pool.get_owner(customer_id)
    except NotFound:
        return None, []
    return ownership["owner_id"], ownership["collaborators"]


def _participants(store, customer_id):
    people = []
    for doc in store.of_customer(customer_id):
        people += [doc["from_user"], *doc["to_users"]]
    return people + [step["by"] for step in store.started_steps(customer_id).values()]
