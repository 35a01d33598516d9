"""Gates between departments' steps, and agreed requirements whose changes reach everyone concerned."""
from datetime import datetime, timedelta, timezone

import pytest

from services.handoff.domain.gates import StepSpec, check_starter, gate, recorded_value, step_record
from services.handoff.domain.kinds import NotAllowed
from services.handoff.domain.requirements import agreed, changed, new_register, people_to_notify

AT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
PRODUCTION = StepSpec("production_start", "production", after=("order_confirmed",), requires=("voltage", "logo"))


def test_production_may_not_start_before_the_voltage_is_recorded():
    closed = gate(PRODUCTION, {"order_confirmed"}, {"logo": "custom"}, {})
    assert (closed.open, closed.missing_fields, closed.missing_steps) == (False, ("voltage",), ())
    assert closed.reasons == ("voltage is not recorded (PUT /customers/<id>/requirements/voltage)",)
    assert gate(PRODUCTION, {"order_confirmed"}, {"logo": "custom", "voltage": "110V"}, {}).open


def test_the_previous_step_must_have_started():
    closed = gate(PRODUCTION, set(), {"logo": "custom", "voltage": "110V"}, {})
    assert (closed.open, closed.missing_steps, closed.reasons) == (False, ("order_confirmed",),
                                                                   ("order_confirmed has not started yet",))


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
    moved = changed(first, "delivery_date", "2026-05-10", "alice", "10 days earlier", "whatsapp", ["sam"],
                    AT + timedelta(days=1))
    assert [(c["before"], c["after"]) for c in moved["changes"]] == [(None, "2026-05-20"), ("2026-05-20", "2026-05-10")]
    assert moved["outbox"][-1]["payload"] == {
        "change_id": "rqc_cus_1_delivery_date_2", "customer_id": "cus_1", "field": "delivery_date",
        "before": "2026-05-20", "after": "2026-05-10", "by": "alice", "at": AT + timedelta(days=1),
        "notify_users": ["sam"]}
    assert changed(moved, "delivery_date", "2026-05-10", "alice", None, None, [], AT) is None   # asked twice
    cleared = changed(moved, "delivery_date", None, "alice", None, None, [], AT)
    assert agreed(cleared) == {} and cleared["changes"][-1]["after"] is None


def test_everyone_holding_part_of_the_customer_is_told_but_not_who_changed_it():
    assert people_to_notify("alice", ["sam", "tom"], ["mia", "sam", "pete", None], "alice") == [
        "mia", "pete", "sam", "tom"]
    assert people_to_notify(None, [], [], "alice") == []
