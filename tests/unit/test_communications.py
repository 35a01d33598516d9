from datetime import datetime, timedelta, timezone

import pytest

from services.profile.domain.communications import record_communication, special_requirements_in, was_answered

T0 = datetime(2026, 9, 20, 10, 0, tzinfo=timezone.utc)


def test_special_requirements_are_lifted_from_marked_lines():
    text = "phone call, confirmed 500 pcs\n【特殊】invoice must carry the VAT number\n[special] needs CE"
    assert special_requirements_in(text, "【特殊】 110V only") == [
        "invoice must carry the VAT number", "needs CE", "110V only"]
    assert special_requirements_in("wants CE eventually", None) == []


def test_a_record_is_added_in_time_order_once():
    archive = {"version": 1, "communications": [], "special_requirements": ["needs CE"]}
    later = {"at": T0 + timedelta(days=1), "method": "email", "by": "alice", "summary": "quote sent"}
    earlier = {"at": T0, "method": "phone", "by": "alice", "summary": "call\n【特殊】needs CE\n【特殊】neutral packaging"}
    archive = record_communication(archive, "com_2", later, T0)
    archive = record_communication(archive, "com_1", earlier, T0)
    assert [c["id"] for c in archive["communications"]] == ["com_1", "com_2"]
    assert archive["special_requirements"] == ["needs CE", "neutral packaging"]
    assert archive["version"] == 3
    assert record_communication(archive, "com_1", earlier, T0) is None


@pytest.mark.parametrize(("result", "answered"), [
    ("No answer, left voicemail", False), ("客户未回复", False), ("quote requested", True), (None, True), ("", True)])
def test_a_result_saying_nobody_answered_is_unanswered(result, answered):
    assert was_answered(result, ["no answer", "voicemail", "未回复"]) is answered
