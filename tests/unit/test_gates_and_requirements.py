"""Gates between departments' steps, and agreed requirements whose changes reach everyone concerned."""

from datetime import UTC, datetime, timedelta

import pytest

from services.handoff.domain.gates import StepSpec, check_starter, gate, recorded_value, step_record
from services.handoff.domain.kinds import NotAllowed
from services.handoff.domain.requirements import (
    BadRequirement,
    RequirementPolicy,
    agreed,
    changed,
    current_value,
    new_register,
    new_value,
    order_concerned,
    people_to_notify,
    recorded_from,
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PRODUCTION = StepSpec("production_start", "production", after=("order_confirmed",), requires=("voltage", "logo"))


def test_production_may_not_start_before_the_voltage_is_recorded():
    closed = gate(PRODUCTION, {"order_confirmed"}, {"logo": "custom"}, {})
    assert (closed.open, closed.missing_fields, closed.missing_steps) == (False, ("voltage",), ())
    assert closed.reasons == ("voltage is not recorded (PUT /customers/<id>/requirements/voltage)",)
    assert gate(PRODUCTION, {"order_confirmed"}, {"logo": "custom", "voltage": "110V"}, {}).open


def test_the_previous_step_must_have_started():
    closed = gate(PRODUCTION, set(), {"logo": "custom", "voltage": "110V"}, {})
    assert (closed.open, closed.missing_steps, closed.reasons) == (
        False,
        ("order_confirmed",),
        ("order_confirmed has not started yet",),
    )


def test_a_field_is_found_in_the_agreed_requirements_custom_fields_the_latest_order_or_the_archive():
    archive = {"custom_fields": {"voltage": "220V"}, "orders": [{"delivery_date": "2026-05-01"}], "target_price": "4.2"}
    assert recorded_value("voltage", {"voltage": "110V"}, archive) == "110V"
    assert recorded_value("voltage", {}, archive) == "220V"
    assert recorded_value("delivery_date", {}, archive) == "2026-05-01"
    assert recorded_value("target_price", {}, archive) == "4.2"
    assert recorded_value("packaging", {}, {**archive, "packaging": ""}) is None


def test_a_step_is_started_by_its_department_once():
    check_starter(PRODUCTION, "production")
    with pytest.raises(NotAllowed, match="done by production, not sales"):
        check_starter(PRODUCTION, "sales")
    assert step_record("cus_1", PRODUCTION, "pete", AT)["_id"] == "cus_1:production_start"


def test_a_requirement_change_is_recorded_once_and_told_to_everyone_concerned():
    register = new_register("cus_1", AT)
    first = changed(register, "delivery_date", "2026-05-20", "alice", None, "whatsapp", ["sam", "pete"], AT)
    assert agreed(first) == {"delivery_date": "2026-05-20"}
    moved = changed(
        first, "delivery_date", "2026-05-10", "alice", "10 days earlier", "whatsapp", ["sam"], AT + timedelta(days=1)
    )
    assert [(c["before"], c["after"]) for c in moved["changes"]] == [(None, "2026-05-20"), ("2026-05-20", "2026-05-10")]
    assert moved["outbox"][-1]["payload"] == {
        "change_id": "rqc_cus_1_delivery_date_2",
        "customer_id": "cus_1",
        "field": "delivery_date",
        "before": "2026-05-20",
        "after": "2026-05-10",
        "by": "alice",
        "at": AT + timedelta(days=1),
        "notify_users": ["sam"],
        "note": "10 days earlier",
        "source": "whatsapp",
        "order_id": None,
        "owner_id": None,
    }
    assert changed(moved, "delivery_date", "2026-05-10", "alice", None, None, [], AT) is None  # asked twice
    cleared = changed(moved, "delivery_date", None, "alice", None, None, [], AT)
    assert agreed(cleared) == {} and cleared["changes"][-1]["after"] is None


def test_everyone_holding_part_of_the_customer_is_told_but_not_who_changed_it():
    assert people_to_notify("alice", ["sam", "tom"], ["mia", "sam", "pete", None], "alice") == [
        "mia",
        "pete",
        "sam",
        "tom",
    ]
    assert people_to_notify(None, [], [], "alice") == []


POLICY = RequirementPolicy(order_fields=("delivery_date", "payment_method"), date_fields=("delivery_date",))
ORDERS = [
    {"id": "ord_old", "at": "2026-01-05T09:00:00+00:00", "delivery_date": "2026-03-01"},
    {"id": "ord_new", "at": "2026-02-05T09:00:00+00:00", "delivery_date": "2027-01-15"},
]


def test_a_change_of_a_field_orders_carry_concerns_the_latest_order_unless_one_is_named():
    assert order_concerned(POLICY, "delivery_date", ORDERS)["id"] == "ord_new"
    assert order_concerned(POLICY, "delivery_date", ORDERS, "ord_old")["id"] == "ord_old"
    assert order_concerned(POLICY, "voltage", ORDERS) is None  # orders do not carry it
    assert order_concerned(POLICY, "delivery_date", []) is None  # no order yet: the requirement alone
    with pytest.raises(BadRequirement, match="no order ord_x") as unknown:
        order_concerned(POLICY, "delivery_date", ORDERS, "ord_x")
    assert unknown.value.field == "order_id"
    with pytest.raises(BadRequirement, match="voltage is not a field of orders"):
        order_concerned(POLICY, "voltage", ORDERS, "ord_new")


def test_deliver_ten_days_earlier_moves_the_date_the_order_has_when_nothing_was_agreed_yet():
    before = current_value(new_register("cus_1", AT), "delivery_date", ORDERS[1])
    assert before == "2027-01-15"
    assert new_value(POLICY, "delivery_date", None, -10, before) == "2027-01-05"
    assert new_value(POLICY, "delivery_date", "2027-02-01", None, before) == "2027-02-01"
    agreed_register = changed(new_register("cus_1", AT), "delivery_date", "2027-01-20", "alice", None, None, [], AT)
    assert current_value(agreed_register, "delivery_date", ORDERS[1]) == "2027-01-20"  # the agreed value first


@pytest.mark.parametrize(
    "field, value, shift, current, request_field, message",
    [
        ("delivery_date", "next week", None, None, "value", "YYYY-MM-DD"),
        ("delivery_date", "2027-02-30", None, None, "value", "YYYY-MM-DD"),
        ("voltage", None, 3, "110V", "shift_days", "voltage is not a date"),
        ("delivery_date", None, -10, None, "shift_days", "no date yet"),
    ],
)
def test_a_value_a_requirement_cannot_take_is_refused_naming_the_field(
    field, value, shift, current, request_field, message
):
    with pytest.raises(BadRequirement, match=message) as refused:
        new_value(POLICY, field, value, shift, current)
    assert refused.value.field == request_field


def test_the_change_names_the_orders_value_as_before_the_order_and_the_owner_and_carries_the_note():
    register = changed(
        new_register("cus_1", AT),
        "delivery_date",
        "2027-01-05",
        "alice",
        "deliver 10 days earlier",
        "whatsapp",
        ["sam"],
        AT,
        before="2027-01-15",
        order_id="ord_new",
        owner_id="alice",
    )
    change = register["changes"][-1]
    assert (change["before"], change["after"], change["order_id"], change["note"]) == (
        "2027-01-15",
        "2027-01-05",
        "ord_new",
        "deliver 10 days earlier",
    )
    payload = register["outbox"][-1]["payload"]
    assert (payload["note"], payload["order_id"], payload["owner_id"]) == (
        "deliver 10 days earlier",
        "ord_new",
        "alice",
    )


def test_a_requirement_read_from_a_contact_is_recorded_once_per_contact():
    register = changed(
        new_register("cus_1", AT), "voltage", "110V", "alice", "needs 110V", "phone", [], AT, source_id="com_1"
    )
    assert recorded_from(register, "com_1", "voltage") and not recorded_from(register, "com_1", "plug_type")
    by_hand = changed(register, "voltage", "220V", "alice", None, None, [], AT)
    # the same contact again (redelivered) changes nothing, even after a change by hand
    assert changed(by_hand, "voltage", "110V", "alice", "needs 110V", "phone", [], AT, source_id="com_1") is None
