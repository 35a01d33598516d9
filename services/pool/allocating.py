"""Giving a new customer an owner, exactly once, whatever the number of pool instances."""

MAX_SAVE_ATTEMPTS = 50  # optimistic-concurrency retries against other pool instances
ROUND_ROBIN = "weighted round-robin"
FILED_BY_HAND = "filed by hand"


class RotationBusy(Exception):
    """Other instances kept winning the race; the event is redelivered and tried again."""


def allocate_new_customer(ownership, team, members, customer_id, now):
    """The ownership record for the customer (the existing one if it already has an owner).

    Raises ``NobodyEligible`` when no salesperson can take customers: the customer stays
    in the public pool, unowned.
    """
    existing = ownership.owner_record(customer_id)
    if existing is not None:
        return existing
    for _attempt in range(MAX_SAVE_ATTEMPTS):
        rotation, version = ownership.load_rotation(team)
        current = rotation.with_members(members)
        owner_id, turned = current.assign(customer_id)
        if turned is current or ownership.save_rotation(team, turned, version):
            break
    else:
        raise RotationBusy(f"team {team}: rotation changed {MAX_SAVE_ATTEMPTS} times while allocating {customer_id}")
    return ownership.record_owner({"_id": customer_id, "owner_id": owner_id, "team": team,
                                   "allocated_at": now, "reason": ROUND_ROBIN})


def assign_requested_owner(ownership, team, customer_id, owner_id, now):
    """A salesperson who filed the customer by hand owns it; the rotation takes no turn."""
    return ownership.record_owner({"_id": customer_id, "owner_id": owner_id, "team": team,
                                   "allocated_at": now, "reason": FILED_BY_HAND})
