"""What a service keeps of the gateway's users (user_saved): the latest version wins, in whatever
order the events arrive or however often one is redelivered."""
from services.runtime.guarded import change_guarded


def keep_latest(store, person):
    """Store ``person`` (what this service needs of a user, with its ``user_version``) unless the
    stored one is as new. ``store``: ``person(id)``, ``add_person(doc)`` -> (stored, added?) and
    ``replace_person(doc, before)`` -> replaced?"""
    stored, added = store.add_person(person)
    if not added:
        change_guarded(store.person, store.replace_person, person["_id"],
                       lambda before: None if before["user_version"] >= person["user_version"] else {**before, **person},
                       stored)
