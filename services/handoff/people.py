"""Who works in which department: the gateway's users as they were last saved (user_saved), over
the configured ``BATON.handoff.departments`` for anyone the directory has not told of. A user
added by an admin can send and receive handoffs at once; one deactivated is in no department, so
nothing is handed to them."""
from services.runtime.guarded import change_guarded


def save_user(store, user):
    """Keep what handoff needs of a saved user; an older version (redelivered, overtaken) changes nothing."""
    person = {"_id": user["user_id"], "department": user["department"], "active": user["active"],
              "user_version": user["version"]}
    if store.person(user["user_id"]) is None and store.add_person(person):
        return
    change_guarded(store.person, store.replace_person, user["user_id"],
                   lambda before: None if before["user_version"] >= user["version"] else {**before, **person})


class PeopleDirectory:
    """The ``department_of`` of ``domain.kinds.Directory``, with the directory's users first. Made
    for one request: each person is looked up once."""

    def __init__(self, store, configured):
        self.store, self.configured, self.known = store, configured, {}

    def department_of(self, person):
        if person not in self.known:
            saved = self.store.person(person)
            self.known[person] = (self.configured.department_of(person) if saved is None
                                  else saved["department"] if saved["active"] else None)
        return self.known[person]
