"""Group links (集团): subsidiaries keep their own archives and owners, linked so whoever opens
one sees the whole group."""

from datetime import datetime

from services.profile.domain.documents import Archive


def group_id_for(first_member_id: str) -> str:
    return "grp_" + first_member_id.removeprefix("cus_")


def join_group(archive: Archive, group_id: str, name: str | None, now: datetime) -> Archive | None:
    """The archive in the group (named, if a name is given), or None if it already is."""
    name = name or archive.get("group_name")
    if archive.get("group_id") == group_id and archive.get("group_name") == name:
        return None
    return {**archive, "group_id": group_id, "group_name": name, "updated_at": now}


def leave_group(archive: Archive, now: datetime) -> Archive | None:
    if archive.get("group_id") is None:
        return None
    return {**archive, "group_id": None, "group_name": None, "updated_at": now}
