"""The handoff measures read off monthly totals (issue 18): the same figures as over the handoffs
themselves, a handoff's later changes (signed, accepted) in them, an entry written twice kept once,
and a month that missed a handoff made again from its handoffs."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from services.handoff.domain.checklists import Item
from services.handoff.domain.handoffs import Deadline, Draft, acknowledge, open_handoff
from services.handoff.domain.kinds import KindSpec
from services.handoff.domain.measures import measures
from services.handoff.measuring import SUMS_FIELDS, measures_between, sum_totals_after
from services.handoff.store import Handoffs

NOW = datetime(2026, 3, 20, 9, 0, 0, 250_000, tzinfo=UTC)
TO_SALES = KindSpec("marketing_to_sales", ("marketing",), ("sales",), ())
DEPARTMENTS = {"mia": "marketing", "alice": "sales", "bob": "sales"}
POLICY = {"directory": SimpleNamespace(department_of=DEPARTMENTS.get)}


@pytest.fixture
def handoffs(db):
    store = Handoffs(db.of("handoff"))
    store.ensure_indexes()
    return store


def submitted(n, at, to="alice"):
    draft = Draft(f"hof_{n}", TO_SALES, f"cus_{n}", "mia", "mia", [to], to, (), DEPARTMENTS, {}, {})
    return open_handoff(draft, [Item("need_is_specific", True, "2,000 pcs")], False, None, at, Deadline(3, 30), at)


def direct(store, query):
    """The measures over the handoffs and refusals read one by one, as before the totals."""
    until, since = query["until"], query["since"]
    figures = measures(
        store.submitted_between(since, until, query.get("kind")),
        store.refused_between(since, until, query.get("kind")),
        POLICY["directory"].department_of,
        NOW,
    )
    return {"since": since, "until": until, "kind": query.get("kind"), **figures}


def test_measures_from_the_totals_are_the_measures_from_the_handoffs(handoffs):
    for n in range(6):
        handoffs.add_handoff(submitted(n, NOW - timedelta(days=12 * n, hours=n), to="alice" if n % 2 else "bob"))
        handoffs.add_refusal(
            {
                "_id": f"ref_{n}",
                "kind": TO_SALES.name,
                "from_user": "mia",
                "at": NOW - timedelta(days=9 * n),
                "missing": ["x"],
            }
        )
    for n in (1, 2, 4):
        signer = "alice" if n % 2 else "bob"
        handoffs.change_handoff(
            f"hof_{n}", lambda doc, by=signer, n=n: acknowledge(doc, by, None, NOW - timedelta(days=10 * n))
        )
    handoffs.add_handoff(submitted(3, NOW))  # delivered again: kept once
    query = {"since": NOW - timedelta(days=60), "until": NOW + timedelta(days=1)}
    answer = measures_between(handoffs, POLICY, query, NOW)
    assert answer == direct(handoffs, query)
    assert answer["handoffs"] == 5 and answer["accepted"] == 3 and answer["refused"] == 7 - 1
    assert measures_between(handoffs, POLICY, {**query, "kind": "repair_case"}, NOW)["handoffs"] == 0
    stored = handoffs.totals.find_one({"_id": "handoffs|2026-03"})
    assert stored["count"] == handoffs.count_submitted(
        datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    )


def test_a_month_that_missed_a_handoff_is_made_again_from_its_handoffs(handoffs):
    handoffs.add_handoff(submitted(1, NOW))
    query = {"since": NOW - timedelta(days=5), "until": NOW + timedelta(days=1)}
    assert measures_between(handoffs, POLICY, query, NOW)["handoffs"] == 1
    handoffs.handoffs.insert_one(
        {**submitted(2, NOW), "submitted_epoch": int(NOW.timestamp())}
    )  # stopped before its totals
    answer = measures_between(handoffs, POLICY, query, NOW)
    assert answer["handoffs"] == 2 and answer == direct(handoffs, query)


class ReadingTotals(Handoffs):
    """The handoff store, noting the fields each read of the monthly totals asked for."""

    def __init__(self, database):
        super().__init__(database)
        self.reads = []

    def measure_totals(self, totals_ids, fields=None):
        found = super().measure_totals(totals_ids, fields)
        self.reads.append((fields, sorted(found)))
        return found


def test_whole_months_are_read_by_their_sums_alone_and_totals_kept_before_sums_until_the_upgrade(db):
    store = ReadingTotals(db.of("handoff"))
    store.ensure_indexes()
    for n in range(8):
        at = NOW - timedelta(days=11 * n, hours=n)
        store.add_handoff(submitted(n, at, to="alice" if n % 3 else "bob"))
        store.add_refusal(
            {"_id": f"ref_{n}", "kind": TO_SALES.name, "from_user": "mia", "at": at, "missing": ["x"] * (n % 2)}
        )
    for n in (1, 2, 5):
        store.change_handoff(
            f"hof_{n}", lambda doc, n=n: acknowledge(doc, doc["to_users"][0], None, NOW - timedelta(days=10 * n))
        )
    whole = {"since": datetime(2026, 1, 1, tzinfo=UTC), "until": datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC)}
    part = {"since": datetime(2026, 1, 15, tzinfo=UTC), "until": NOW}
    for query in (whole, part, {**whole, "kind": "repair_case"}):
        assert measures_between(store, POLICY, query, NOW) == direct(store, query)
    store.reads.clear()
    answer = measures_between(store, POLICY, whole, NOW)
    assert answer["handoffs"] == len([n for n in range(8) if NOW - timedelta(days=11 * n, hours=n) >= whole["since"]])
    assert [fields for fields, _found in store.reads] == [SUMS_FIELDS, SUMS_FIELDS]  # never the entries

    store.totals.update_many({}, {"$unset": {"sums": ""}})  # as kept before sums were
    for query in (whole, part):
        assert measures_between(store, POLICY, query, NOW) == direct(store, query)
    after = sum_totals_after(store, None, 2)
    while after is not None:
        after = sum_totals_after(store, after, 2)
    assert store.totals.count_documents({"sums": {"$exists": False}}) == 0
    for query in (whole, part):
        assert measures_between(store, POLICY, query, NOW) == direct(store, query)
    store.reads.clear()
    measures_between(store, POLICY, whole, NOW)
    assert [fields for fields, _found in store.reads] == [SUMS_FIELDS, SUMS_FIELDS]
