"""Correcting and completing an archive by hand.

What a person gives replaces what is there. A company renamed keeps its old name as an
alias: inquiries under the old name still find it, and the history reads true.
"""
SCALARS = ("company", "country", "city", "website", "registration_code", "target_price")
LISTS = ("aliases", "titles", "requirements", "cautions", "special_requirements", "competitors", "manual_tags")


def update_details(archive, changes, now):
    """(the archive with ``changes`` applied, {field: (before, after)}); (None, {}) if nothing differs.

    ``custom_fields`` merge into the existing ones; a None value clears one.
    """
    updated, changed = dict(archive), {}
    for name in SCALARS + LISTS:
        if name in changes and changes[name] != archive.get(name, [] if name in LISTS else None):
            changed[name] = (archive.get(name), changes[name])
            updated[name] = changes[name]
    old_name, new_name = archive.get("company"), updated.get("company")
    if old_name and new_name != old_name and old_name not in updated.get("aliases", []):
        updated["aliases"] = list(updated.get("aliases", [])) + [old_name]
        changed["aliases"] = (archive.get("aliases", []), updated["aliases"])
    if "custom_fields" in changes:
        fields = {**archive.get("custom_fields", {}), **changes["custom_fields"]}
        fields = {k: v for k, v in fields.items() if v is not None}
        if fields != archive.get("custom_fields", {}):
            changed["custom_fields"] = (archive.get("custom_fields", {}), fields)
            updated["custom_fields"] = fields
    if not changed:
        return None, {}
    updated.update(updated_at=now, version=archive["version"] + 1)
    return updated, changed

