"""An agreed requirement change reaches the order it concerns: its delivery date moves, once."""

from datetime import UTC, datetime

import pytest

from services.profile.domain.deals import amend_order
from services.profile.domain.timeline import order_amended

AT = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
ARCHIVE = {
    "_id": "cus_1",
    "version": 3,
    "orders": [{"id": "ord_1", "at": AT, "amount": 9000, "delivery_date": "2027-01-15", "payment_method": "L/C"}],
}


def test_the_orders_date_moves_and_the_change_is_kept_on_the_order():
    amended, before = amend_order(
        ARCHIVE, "ord_1", "delivery_date", "2027-01-05", "rqc_1", "sam", "10 days earlier", AT
    )
    order = amended["orders"][0]
    assert (before, order["delivery_date"], amended["version"]) == ("2027-01-15", "2027-01-05", 3)
    assert order["amendments"] == [
        {
            "change_id": "rqc_1",
            "field": "delivery_date",
            "before": "2027-01-15",
            "after": "2027-01-05",
            "by": "sam",
            "note": "10 days earlier",
            "at": AT,
        }
    ]
    assert order["amount"] == 9000


def test_asked_twice_it_changes_once():
    amended, _ = amend_order(ARCHIVE, "ord_1", "delivery_date", "2027-01-05", "rqc_1", "sam", None, AT)
    assert amend_order(amended, "ord_1", "delivery_date", "2027-01-05", "rqc_1", "sam", None, AT)[0] is None
    assert amend_order(amended, "ord_1", "delivery_date", "2027-01-09", "rqc_1", "sam", None, AT)[0] is None
    assert amend_order(ARCHIVE, "ord_1", "delivery_date", "2027-01-15", "rqc_2", "sam", None, AT)[0] is None


def test_an_unknown_order_is_named():
    with pytest.raises(KeyError):
        amend_order(ARCHIVE, "ord_x", "delivery_date", "2027-01-05", "rqc_1", "sam", None, AT)


def test_the_timeline_names_before_after_and_the_note_never_a_price():
    entry = order_amended(
        "cus_1",
        "ord_1",
        {
            "field": "delivery_date",
            "before": "2027-01-15",
            "value": "2027-01-05",
            "by": "sam",
            "note": "10 days earlier",
            "change_id": "rqc_1",
        },
        AT,
    )
    assert entry["_id"] == "cus_1:order_amended:rqc_1"
    assert entry["summary"] == "Order delivery date: 2027-01-15 → 2027-01-05 by sam (10 days earlier)"
    assert entry["details"]["after"] == "2027-01-05" and "amount" not in entry["details"]
