from datetime import UTC, datetime, timedelta

import pytest

from services.profile.domain.communications import record_communication, special_requirements_in, was_answered

T0 = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)


def test_special_requirements_are_lifted_from_marked_lines():
    text = "phone call, confirmed 500 pcs\n【特殊】invoice must carry the VAT number\n[special] needs CE"
    assert special_requirements_in(text, "【特殊】 110V only") == [
        "invoice must carry the VAT number",
        "needs CE",
        "110V only",
    ]
    assert special_requirements_in("wants CE eventually", None) == []


def test_a_record_is_added_in_time_order_once():
    archive = {"version": 1, "communications": [], "special_requirements": ["needs CE"]}
    later = {"at": T0 + timedelta(days=1), "method": "email", "by": "alice", "summary": "quote sent"}
    earlier = {
        "at": T0,
        "method": "phone",
        "by": "alice",
        "summary": "call\n【特殊】needs CE\n【特殊】neutral packaging",
    }
    archive = record_communication(archive, "com_2", later, T0)
    archive = record_communication(archive, "com_1", earlier, T0)
    assert [c["id"] for c in archive["communications"]] == ["com_1", "com_2"]
    assert archive["special_requirements"] == ["needs CE", "neutral packaging"]
    assert archive["version"] == 1  # the domain leaves the version: the guarded write moves it on
    assert record_communication(archive, "com_1", earlier, T0) is None


@pytest.mark.parametrize(
    ("result", "answered"),
    [("No answer, left voicemail", False), ("客户未回复", False), ("quote requested", True), (None, True), ("", True)],
)
def test_a_result_saying_nobody_answered_is_unanswered(result, answered):
    assert was_answered(result, ["no answer", "voicemail", "未回复"]) is answered


def test_a_record_made_later_than_the_convention_asks_is_marked_late_and_the_timeline_says_so():
    from services.profile.domain.communications import communication_record
    from services.profile.domain.timeline import communication_recorded

    call = {"at": T0, "method": "phone", "by": "alice", "summary": "confirmed 500 pcs"}
    hour = timedelta(hours=1)
    on_time = communication_record("com_1", call, T0 + timedelta(minutes=50), hour)
    late = communication_record("com_2", call, T0 + timedelta(hours=3, minutes=10), hour)
    assert (on_time["recorded_after_minutes"], on_time["recorded_late"]) == (50, False)
    assert (late["recorded_after_minutes"], late["recorded_late"]) == (190, True)
    assert communication_record("com_3", call, T0 + timedelta(days=2), None)["recorded_late"] is False
    assert communication_record("com_4", call, T0 - timedelta(minutes=5), hour)["recorded_after_minutes"] == 0
    assert communication_recorded("cus_1", late, hour)["summary"].endswith(
        "(recorded 3 h 10 min after it happened; the notes convention asks within 1 h)"
    )
    assert "recorded" not in communication_recorded("cus_1", on_time, hour)["summary"]
