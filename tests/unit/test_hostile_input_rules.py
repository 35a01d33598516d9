"""Pure rules behind hostile-input handling: merged pages past one service page, the test clock."""

import pytest

from contracts.access import AuditQuerySchema
from contracts.errors import InvalidInput
from services.gateway.merged_lists import merged_page
from services.runtime import given_clock


def pages_of(entries_by_service):
    """``ask`` for merged_page over fixed entries, refusing a limit over 200 as the services do."""
    asked = []

    def ask(service, query):
        limit, offset = int(query["limit"]), int(query["offset"])
        assert 1 <= limit <= 200, limit
        asked.append((service, offset, limit))
        entries = entries_by_service.get(service, [])
        return {"items": entries[offset : offset + limit], "total": len(entries), "limit": limit, "offset": offset}

    return ask, asked


def entries(service, count):
    return [
        {"id": f"{service}-{n:04}", "at": f"2026-01-01T00:{n // 60:02}:{n % 60:02}+00:00"}
        for n in reversed(range(count))
    ]


def test_a_merged_page_past_200_reads_each_service_in_pages_of_200():
    ask, asked = pages_of({"intake": entries("intake", 450), "profile": entries("profile", 5)})
    page = merged_page(ask, {"limit": "200", "offset": "250"}, AuditQuerySchema, services=("intake", "profile"))
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (455, 200, 250, 200)
    everything = sorted(entries("intake", 450) + entries("profile", 5), key=lambda e: e["at"], reverse=True)
    assert page["items"] == everything[250:450]
    assert [(s, o) for s, o, _ in asked] == [("intake", 0), ("intake", 200), ("intake", 400), ("profile", 0)]


@pytest.mark.parametrize("limit", ["abc", "null", "", "201", "0", "1.5"])
def test_a_merged_page_refuses_a_bad_limit_naming_it(limit):
    ask, asked = pages_of({})
    with pytest.raises(InvalidInput) as refused:
        merged_page(ask, {"limit": limit}, AuditQuerySchema, services=("intake",))
    assert list(refused.value.details["fields"]) == ["limit"] and asked == []


class Recorder:
    def __init__(self):
        self.changes = []

    def changed(self, resource, before, after):
        self.changes.append((resource, before, after))


def test_a_given_now_needs_the_test_clock_and_is_audited(monkeypatch):
    recorder = Recorder()
    monkeypatch.delenv(given_clock.ENVIRONMENT_VARIABLE, raising=False)
    given_clock.accept_given_now(None, recorder, "sweep")  # no time given: nothing to check
    for value in ("0", "true", ""):
        monkeypatch.setenv(given_clock.ENVIRONMENT_VARIABLE, value)
        with pytest.raises(InvalidInput) as refused:
            given_clock.accept_given_now("5034-01-01T00:00:00+00:00", recorder, "sweep")
        assert list(refused.value.details["fields"]) == ["now"]
    assert recorder.changes == []
    monkeypatch.setenv(given_clock.ENVIRONMENT_VARIABLE, "1")
    given_clock.accept_given_now("5034-01-01T00:00:00+00:00", recorder, "sweep")
    assert recorder.changes == [
        (
            "test_clock",
            None,
            {"_id": "sweep@5034-01-01T00:00:00+00:00", "what": "sweep", "now": "5034-01-01T00:00:00+00:00"},
        )
    ]
