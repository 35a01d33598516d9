"""A ``now`` given to a job run by hand acts on real data as of an invented time: the recycling
sweep and reminder firing (tests/integration/test_hostile_http.py) and the quality audit take one
only on a test clock (``BATON_TEST_CLOCK=1``), and write each use to the audit trail."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts.errors import InvalidInput
from services.handoff.service import HandoffService
from services.pool.service import PoolService
from services.runtime.given_clock import ENVIRONMENT_VARIABLE
from tests.integration.helpers import call, started


def test_a_quality_audit_at_an_invented_time_needs_the_test_clock_and_is_audited(
    container_factory, config, db, monkeypatch
):
    started(container_factory, PoolService, config)  # the audit asks the pool who sells
    handoff = started(container_factory, HandoffService, config)
    later = (datetime.now(UTC) + timedelta(days=8)).replace(microsecond=0).isoformat()
    monkeypatch.delenv(ENVIRONMENT_VARIABLE)
    with pytest.raises(InvalidInput) as refused:
        call(handoff, "run_quality_audit", later)
    assert list(refused.value.details["fields"]) == ["now"]
    assert ENVIRONMENT_VARIABLE in refused.value.details["fields"]["now"][0]
    assert call(handoff, "run_quality_audit") == []  # without one: the real time, nobody due yet
    assert db.of("handoff").audit.count_documents({"resource": "test_clock"}) == 0

    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "1")
    reports = call(handoff, "run_quality_audit", later)
    assert {r["person"] for r in reports} == {"alice", "bob", "carol"}  # due a week on: it ran as of then
    entries = list(db.of("handoff").audit.find({"resource": "test_clock"}))
    assert [(e["action"], e["actor"]) for e in entries] == [("run_quality_audit", "system")]
    assert entries[0]["changes"]["what"]["after"] == "quality audit"
    assert entries[0]["changes"]["now"]["after"].startswith(later[:10])
