"""What the audit trail says changed between two versions of a record."""

from datetime import UTC, datetime

from services.runtime.audit import _plain, changes_between

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def test_only_fields_that_differ_are_listed_and_bookkeeping_is_left_out():
    before = {"_id": "c1", "city": None, "stage": "inquiry", "version": 3, "updated_at": AT}
    after = {"_id": "c1", "city": "Bremen", "stage": "inquiry", "version": 4, "updated_at": AT.replace(hour=9)}
    assert changes_between(before, after) == {"city": {"before": None, "after": "Bremen"}}


def test_a_list_change_names_what_was_added_and_removed_not_the_whole_list():
    before = {"_id": "c1", "tags": ["A", "DE", "inquiry"]}
    after = {"_id": "c1", "tags": ["A", "DE", "quoted", "has competitor"]}
    assert changes_between(before, after) == {"tags": {"added": ["quoted", "has competitor"], "removed": ["inquiry"]}}


def test_a_created_record_lists_every_field_and_a_deleted_one_too():
    assert changes_between(None, {"_id": "c1", "company": "Acme"}) == {"company": {"before": None, "after": "Acme"}}
    assert changes_between({"_id": "c1", "company": "Acme"}, None) == {"company": {"before": "Acme", "after": None}}


def test_stored_values_are_plain_json():
    assert _plain({"at": AT, "items": [{"when": AT.date()}], "n": 1}) == {
        "at": "2026-11-20T08:00:00+00:00",
        "items": [{"when": "2026-11-20"}],
        "n": 1,
    }
