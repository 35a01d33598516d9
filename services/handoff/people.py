"""Who works in which department: the gateway's users as they were last saved (user_saved), over
the configured ``BATON.handoff.departments`` for anyone the directory has not told of. A user
added by an admin can send and receive handoffs at once; one deactivated is in no department, so
nothing is handed to them."""

from typing import Any

from services.handoff.domain import Document
from services.handoff.domain.kinds import Directory
from services.runtime.directory import keep_latest


def save_user(store: Any, user: Document) -> None:
    """Keep what handoff needs of a saved user; an older version (redelivered, overtaken) changes nothing."""
    keep_latest(
        store,
        {
            "_id": user["user_id"],
            "department": user["department"],
            "active": user["active"],
            "user_version": user["version"],
        },
    )


class PeopleDirectory:
    """The ``department_of`` of ``domain.kinds.Directory``, with the directory's users first. Made
    for one request: each person is looked up once."""

    def __init__(self, store: Any, configured: Directory):
        self.store, self.configured = store, configured
        self.known: dict[str, str | None] = {}

    def department_of(self, person: str) -> str | None:
        if person not in self.known:
            self.known[person] = self._looked_up(person)
        return self.known[person]

    def _looked_up(self, person):
        saved = self.store.person(person)
        if saved is None:
            return self.configured.department_of(person)
        return saved["department"] if saved["active"] else None
