"""Group links (集团): subsidiaries keep their own archives and owners, linked so whoever opens
one sees the whole group."""


def group_id_for(first_member_id):
    return "grp_" + first_member_id.removeprefix("cus_")


def join_group(archive, group_id, name, now):
    """The archive in the group (named, if a name is given), or None if it already is."""
    name = name or archive.get("group_name")
    if archive.get("group_id") == group_id and archive.get("group_name") == name:
        return None
    return {**archive, "group_id": group_id, "group_name": name, "updated_at": now, "version": archive["version"] + 1}


def leave_group(archive, now):
    if archive.get("group_id") is None:
        return None
    return {**archive, "group_id": None, "group_name": None, "updated_at": now, "version": archive["version"] + 1}
