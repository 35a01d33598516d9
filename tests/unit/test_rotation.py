"""Smooth weighted round-robin: order, shares, repeat requests, membership changes."""

from collections import Counter

import pytest

from services.pool.domain.rotation import Member, NobodyEligible, Rotation


def team(**weights):
    return tuple(Member(name, weight) for name, weight in weights.items())


def sequence(rotation, count, start=0):
    owners = []
    for n in range(start, start + count):
        owner, rotation = rotation.assign(f"c{n}")
        owners.append(owner)
    return "".join(owners), rotation


@pytest.mark.parametrize(
    "weights, expected",
    [
        ({"A": 3, "B": 2, "C": 1}, "ABCABA"),
        ({"A": 5, "B": 1, "C": 1}, "AABACAA"),
        ({"A": 1, "B": 1, "C": 1}, "ABC"),
        ({"A": 2, "B": 1}, "ABA"),
        ({"A": 1, "B": 0, "C": 1}, "AC"),
    ],
)
def test_one_cycle_interleaves_by_weight(weights, expected):
    order, _ = sequence(Rotation(()).with_members(team(**weights)), len(expected))
    assert order == expected


@pytest.mark.parametrize("weights", [{"A": 3, "B": 2, "C": 1}, {"A": 7, "B": 3}, {"A": 4, "B": 4, "C": 1, "D": 2}])
def test_every_cycle_repeats_and_gives_exact_shares(weights):
    rotation = Rotation(()).with_members(team(**weights))
    cycle = sum(weights.values())
    first, rotation = sequence(rotation, cycle)
    second, _ = sequence(rotation, cycle, start=cycle)
    assert first == second
    assert Counter(first) == Counter(weights)


def test_asking_again_for_a_placed_customer_returns_its_owner_without_a_turn():
    rotation = Rotation(()).with_members(team(A=3, B=2, C=1))
    owner, after = rotation.assign("c1")
    again, unchanged = after.assign("c1")
    assert (again, unchanged) == (owner, after)
    assert after.assign("c2")[0] == "B"


def test_a_member_joining_starts_level_and_others_keep_their_place():
    rotation = Rotation(()).with_members(team(A=1, B=1))
    _, rotation = sequence(rotation, 1)  # A served
    rotation = rotation.with_members(team(A=1, B=1, C=1))
    order, _ = sequence(rotation, 3, start=1)
    assert order == "BCA"


def test_a_leaving_member_is_never_chosen_again():
    rotation = Rotation(()).with_members(team(A=1, B=1, C=1))
    _, rotation = sequence(rotation, 2)
    rotation = rotation.with_members(team(A=1, C=1))
    order, _ = sequence(rotation, 6, start=2)
    assert "B" not in order and Counter(order) == {"A": 3, "C": 3}


def test_nobody_with_weight_means_nobody_is_chosen():
    with pytest.raises(NobodyEligible):
        Rotation(()).with_members(team(A=0, B=0)).assign("c1")
    with pytest.raises(NobodyEligible):
        Rotation(()).assign("c1")


def test_negative_weight_is_refused_naming_the_member():
    with pytest.raises(ValueError, match="'A'"):
        Member("A", -1)
