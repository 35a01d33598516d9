"""Grades set by hand: who and why on the grade, the regrade clock restarted, the change told."""
from datetime import datetime, timezone

from services.profile.domain.archive import combine_archives, open_archive
from services.profile.domain.grades import grade_changes, regrade

FILED = datetime(2026, 9, 1, tzinfo=timezone.utc)
LATER = datetime(2026, 12, 1, tzinfo=timezone.utc)
INQUIRY = {"channel": "website_form", "company": "Acme GmbH", "contact": {"email": "jane@acme.de"},
           "message": "2000 pcs by March"}
PLUGIN_GRADE = {"grade": "B", "reasons": ["quantity"], "rule": "builtin_intent"}


def test_a_grade_set_by_hand_says_who_and_why_and_restarts_the_regrade_clock():
    archive = open_archive("cus_1", "inq_1", INQUIRY, PLUGIN_GRADE, None, FILED)
    assert (archive["graded_at"], archive["value_grade"]) == (FILED, None)
    after = regrade(archive, {"value_grade": "A", "intent_grade": "A"}, "alice", " paid 3 orders on time ", LATER)
    assert after["value_grade"] == {"grade": "A", "reasons": ["paid 3 orders on time"], "rule": "by alice"}
    assert (after["intent_grade"]["grade"], after["graded_at"], after["version"]) == ("A", LATER, archive["version"] + 1)
    assert grade_changes(archive, after, ["intent_grade", "value_grade"]) == "intent B → A, value — → A"
    confirmed = regrade(after, {"value_grade": "A"}, "bob", "reviewed", LATER)
    assert confirmed["graded_at"] == LATER and grade_changes(after, confirmed, ["value_grade"]) == "value A → A"


def test_an_archive_never_graded_has_no_regrade_clock():
    assert open_archive("cus_1", "inq_1", INQUIRY, None, "plugin failed", FILED)["graded_at"] is None


def test_merged_archives_keep_the_latest_value_grade_and_grading():
    kept = regrade(open_archive("cus_1", "inq_1", INQUIRY, PLUGIN_GRADE, None, FILED), {"value_grade": "C"}, "a", "x", FILED)
    absorbed = regrade(open_archive("cus_2", "inq_2", INQUIRY, PLUGIN_GRADE, None, FILED), {"value_grade": "A"}, "b", "y",
                       LATER)
    merged = combine_archives(kept, absorbed, LATER)
    assert (merged["value_grade"]["grade"], merged["graded_at"]) == ("A", LATER)
