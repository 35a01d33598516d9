"""Smooth weighted round-robin: who receives the next new customer.

Each turn every member's running credit grows by their weight; the member with most credit
is chosen and pays back the total weight. Weights 3:2:1 give A-B-C-A-B-A: the same shares
as AAABBC, but interleaved, so nobody waits through a burst. Ties go to the member who has
waited longest since their last customer (then to configuration order).

Smooth WRR alone never serves anyone ahead of their share by a whole customer, but can leave
one behind by more (weights 7,1,1,7,1,9: the fourth is 27/26 behind after 15 turns). So a
choice is taken only if every member stays within one customer of their share, now and — by
an earliest-deadline look-ahead over one cycle — later; otherwise the member whose share is
most overdue is served. Such an order always exists (Tijdeman's chairman assignment theorem)
and the look-ahead finds it; in ordinary cases it changes nothing.

The rotation remembers its latest decisions, so asking again for a customer it already
placed returns the same owner without taking a turn: redelivered events cannot skew it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction

# How many recent decisions are remembered to make a repeated request harmless; far more
# than the number of deliveries that can be in flight at once.
REMEMBERED_DECISIONS = 256


class NobodyEligible(Exception):
    """No member has a positive weight."""


@dataclass(frozen=True)
class Member:
    id: str
    weight: int

    def __post_init__(self) -> None:
        if self.weight < 0:
            raise ValueError(f"member {self.id!r}: weight must be >= 0, got {self.weight}")


@dataclass(frozen=True)
class Rotation:
    members: tuple[Member, ...]
    credit: dict[str, int] = field(default_factory=dict)  # member id -> running credit
    last_turn: dict[str, int] = field(default_factory=dict)  # member id -> turn of their last customer
    turn: int = 0
    decisions: tuple[tuple[str, str], ...] = ()  # ((customer id, member id), ...), newest last
    served: dict[str, int] = field(default_factory=dict)  # member id -> customers since the members last changed

    def with_members(self, members: Iterable[Member]) -> "Rotation":
        """The same rotation over a new member list or new weights.

        Credits only balance (sum to zero) for a fixed member list, so any change starts them
        level again; who waited longest still breaks ties, so the member served last is not
        served first after the change.
        """
        members = tuple(members)
        if members == self.members:
            return self
        ids = {m.id for m in members}
        return replace(
            self,
            members=members,
            credit={m.id: 0 for m in members},
            last_turn={k: v for k, v in self.last_turn.items() if k in ids},
            served={},
        )

    def decided(self, customer_id: str) -> str | None:
        """The member this rotation gave ``customer_id`` to, if it remembers deciding it."""
        for known, owner in reversed(self.decisions):
            if known == customer_id:
                return owner
        return None

    def assign(self, customer_id: str) -> tuple[str, "Rotation"]:
        """(owner id, the rotation after this turn). Repeating a customer repeats its answer."""
        earlier = self.decided(customer_id)
        if earlier is not None:
            return earlier, self
        eligible = [m for m in self.members if m.weight > 0]
        if not eligible:
            raise NobodyEligible("no member of the rotation has a positive weight")
        total = sum(m.weight for m in eligible)
        credit = dict(self.credit)
        for m in eligible:
            credit[m.id] = credit.get(m.id, 0) + m.weight
        order = {m.id: i for i, m in enumerate(self.members)}
        smooth = sorted(
            eligible, key=lambda m: (credit[m.id], -self.last_turn.get(m.id, -1), -order[m.id]), reverse=True
        )
        quota = _Quota(eligible, self.served)
        chosen = next((m for m in smooth if quota.keeps_within_one(m)), None) or quota.most_overdue()
        credit[chosen.id] -= total
        return chosen.id, replace(
            self,
            credit=credit,
            last_turn={**self.last_turn, chosen.id: self.turn},
            turn=self.turn + 1,
            decisions=(self.decisions + ((customer_id, chosen.id),))[-REMEMBERED_DECISIONS:],
            served={**self.served, chosen.id: self.served.get(chosen.id, 0) + 1},
        )


class _Quota:
    """Each member's share of the customers since the members last changed, in whole numbers:
    after t turns a member of weight w holds c customers and is behind by (t·w - c·W) / W."""

    def __init__(self, members: list[Member], served: dict[str, int]) -> None:
        self.members = members
        self.weight = {m.id: m.weight for m in members}
        self.total = sum(self.weight.values())
        self.counts = {m.id: served.get(m.id, 0) for m in members}
        self.turn = sum(self.counts.values()) + 1  # the turn being decided

    def keeps_within_one(self, member: Member) -> bool:
        counts = {**self.counts, member.id: self.counts[member.id] + 1}
        return self._within_one(counts, self.turn) and self._stays_feasible(counts)

    def most_overdue(self) -> Member:
        return self._earliest_deadline(self.counts, self.turn)

    def _within_one(self, counts: dict[str, int], turn: int) -> bool:
        return all(abs(turn * self.weight[i] - counts[i] * self.total) < self.total for i in counts)

    def _stays_feasible(self, counts: dict[str, int]) -> bool:
        # Earliest-deadline-first is optimal for unit-length turns: if it keeps everyone within
        # one over a whole cycle from here, this choice can be continued.
        counts = dict(counts)
        for turn in range(self.turn + 1, self.turn + 1 + self.total):
            chosen = self._earliest_deadline(counts, turn)
            counts[chosen.id] += 1
            if not self._within_one(counts, turn):
                return False
        return True

    def _earliest_deadline(self, counts: dict[str, int], turn: int) -> Member:
        """Among members behind their share at ``turn``, the one whose next customer is due first."""
        behind = [m for m in self.members if turn * m.weight - counts[m.id] * self.total > 0]
        return min(behind, key=lambda m: Fraction(counts[m.id] + 1, m.weight))  # due at turn (c + 1)·W / w
