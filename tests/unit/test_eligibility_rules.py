"""Who may receive a new customer, why the others may not, and how that feeds the rotation."""

import math
from collections import Counter
from dataclasses import replace

from services.pool.domain.eligibility import (
    DEFAULT_RULES,
    NewCustomer,
    Rule,
    Salesperson,
    eligible,
    rotation_for,
    rule,
    rule_name,
)
from services.pool.domain.rotation import Rotation

US_LEAD = NewCustomer(country="US", intent_grade="A", department="sales", team="east")


def person(id, **changes):
    return replace(Salesperson(id, weight=1, team="east", department="sales"), **changes)


def test_a_person_without_restrictions_is_eligible():
    chosen, excluded = eligible([person("ann")], US_LEAD)
    assert [p.id for p in chosen] == ["ann"] and excluded == {}


def test_markets_are_iso_codes_matched_without_regard_to_case():
    assert eligible([person("ann", markets=("us", "CA"))], US_LEAD)[0]
    _, excluded = eligible([person("bob", markets=("DE", "FR"))], US_LEAD)
    assert excluded == {"bob": ["market: serves DE, FR; customer's country is US"]}


def test_an_unknown_country_goes_only_to_people_serving_every_market():
    unknown = replace(US_LEAD, country=None)
    chosen, excluded = eligible([person("ann", markets=("US",)), person("cai")], unknown)
    assert [p.id for p in chosen] == ["cai"]
    assert excluded["ann"] == ["market: serves US; customer's country is unknown"]


def test_grade_department_and_team_restrict():
    people = [person("ann", grades=("B", "C")), person("bob", department="service"), person("cai", team="west")]
    chosen, excluded = eligible(people, US_LEAD)
    assert chosen == []
    assert excluded == {
        "ann": ["grade: serves grades B, C; customer is graded A"],
        "bob": ["department: in department service; customer goes to sales"],
        "cai": ["team: in team west; customer goes to east"],
    }


def test_a_customer_without_department_or_team_fits_any():
    anywhere = replace(US_LEAD, department=None, team=None)
    assert len(eligible([person("bob", department="service"), person("cai", team="west")], anywhere)[0]) == 2


def test_every_reason_is_listed_so_a_manager_sees_why_nobody_was_eligible():
    away = person("ann", markets=("DE",), on_leave=True, held=200, max_held=200, weight=0)
    _, excluded = eligible([away], US_LEAD)
    assert excluded["ann"] == [
        "market: serves DE; customer's country is US",
        "on_leave: on leave",
        "holding_cap: holds 200 customers, the cap is 200",
        "weight: weight is 0 (receives no new customers)",
    ]


def test_below_the_cap_or_without_one_is_fine():
    assert eligible([person("ann", held=199, max_held=200), person("bob", held=10_000)], US_LEAD)[1] == {}


def test_extra_rules_from_plugins_are_any_named_callable():
    @rule("needs_ce")
    def needs_ce_training(person, customer):
        return None if person.id == "ann" else "not trained on CE certification"

    def night_shift(person, customer):  # a plain function: its __name__ names it
        return None

    class Quota:
        name = "quota"

        def __call__(self, person, customer):
            return "monthly quota filled" if person.id == "cai" else None

    chosen, excluded = eligible(
        [person("ann"), person("bob"), person("cai")], US_LEAD, extra_rules=(needs_ce_training, night_shift, Quota())
    )
    assert [p.id for p in chosen] == ["ann"]
    assert excluded == {
        "bob": ["needs_ce: not trained on CE certification"],
        "cai": ["needs_ce: not trained on CE certification", "quota: monthly quota filled"],
    }
    assert rule_name(night_shift) == "night_shift" and isinstance(needs_ce_training, Rule)


def test_rules_can_be_replaced_entirely():
    only_leave = tuple(r for r in DEFAULT_RULES if r.name == "on_leave")
    assert eligible([person("bob", markets=("DE",))], US_LEAD, rules=only_leave)[1] == {}


def allocate(rotation, people, count, start):
    """Assign ``count`` customers as the service would: eligibility, then the rotation."""
    owners = []
    for n in range(start, start + count):
        chosen, _ = eligible(people, US_LEAD)
        rotation = rotation_for(rotation, chosen)
        owner, rotation = rotation.assign(f"c{n}")
        owners.append(owner)
    return owners, rotation


def test_a_person_on_leave_takes_no_turn_and_returns_without_a_burst():
    team = [person("ann", weight=3), person("bob", weight=2), person("cai", weight=1)]
    total_weight = 6
    before, rotation = allocate(Rotation(()), team, 7, start=0)
    on_leave = [replace(p, on_leave=p.id == "cai") for p in team]
    away, rotation = allocate(rotation, on_leave, 30, start=7)
    assert "cai" not in away
    after, _ = allocate(rotation, team, 36, start=37)
    for m in range(1, len(after) + 1):
        assert after[:m].count("cai") <= math.ceil(m * 1 / total_weight), after[:m]
    assert Counter(after) == {"ann": 18, "bob": 12, "cai": 6}
