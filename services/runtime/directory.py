"""What a service keeps of the gateway's users (user_saved): the latest version wins, in whatever
order the events arrive or however often one is redelivered."""

from typing import Any

from services.runtime.guarded import change_guarded
from services.runtime.mongo import insert_once


class KeptPeople:
    """A store's part for the users it keeps: one document per user in ``self.people``, with the
    ``user_version`` it was saved at."""

    people: Any

    def person(self, user_id: str) -> dict[str, Any] | None:
        return self.people.find_one({"_id": user_id})

    def add_person(self, person: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """(stored person, added?): this one, or the one saved first."""
        return insert_once(self.people, person)

    def replace_person(self, person: dict[str, Any], before: dict[str, Any]) -> bool:
        return (
            self.people.replace_one(
                {"_id": person["_id"], "user_version": before["user_version"]}, person
            ).matched_count
            == 1
        )


def keep_latest(store: KeptPeople, person: dict[str, Any]) -> None:
    """Store ``person`` (what this service needs of a user, with its ``user_version``) in a
    ``KeptPeople`` store, unless the stored one is as new."""
    stored, added = store.add_person(person)
    if not added:
        change_guarded(
            store.person,
            store.replace_person,
            person["_id"],
            lambda before: None if before["user_version"] >= person["user_version"] else {**before, **person},
            stored,
        )
