"""Smooth weighted round-robin: who receives the next new customer.

Each turn every member's running credit grows by their weight; the member with most credit
is chosen and pays back the total weight. Weights 3:2:1 give A-B-C-A-B-A: the same shares
as AAABBC, but interleaved, so nobody waits through a burst. Ties go to the member who has
waited longest since their last customer (then to configuration order).

The rotation remembers its latest decisions, so asking again for a customer it already
placed returns the same owner without taking a turn: redelivered events cannot skew it.
"""
from dataclasses import dataclass, field, replace

# How many recent decisions are remembered to make a repeated request harmless; far more
# than the number of deliveries that can be in flight at once.
REMEMBERED_DECISIONS = 256


class NobodyEligible(Exception):
    """No member has a positive weight."""


@dataclass(frozen=True)
class Member:
    id: str
    weight: int

    def __post_init__(self):
        if self.weight < 0:
            raise ValueError(f"member {self.id!r}: weight must be >= 0, got {self.weight}")


@dataclass(frozen=True)
class Rotation:
    members: tuple[Member, ...]
    credit: dict = field(default_factory=dict)      # member id -> running credit
    last_turn: dict = field(default_factory=dict)   # member id -> turn of their last customer
    turn: int = 0
    decisions: tuple = ()                            # ((customer id, member id), ...), newest last

    def with_members(self, members):
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
        )

    def decided(self, customer_id):
        for known, owner in reversed(self.decisions):
            if known == customer_id:
                return owner
        return None

    def assign(self, customer_id):
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
        chosen = max(eligible, key=lambda m: (credit[m.id], -self.last_turn.get(m.id, -1), -order[m.id]))
        credit[chosen.id] -= total
        return chosen.id, replace(
            self,
            credit=credit,
            last_turn={**self.last_turn, chosen.id: self.turn},
            turn=self.turn + 1,
            decisions=(self.decisions + ((customer_id, chosen.id),))[-REMEMBERED_DECISIONS:],
        )
