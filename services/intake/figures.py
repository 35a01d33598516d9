"""intake's figures for /metrics (``services.runtime.health``): inquiries kept, by outcome and channel."""

from contracts.topology import channel_of_routing_key
from services.runtime.health import Tally

UNKNOWN_CHANNEL = "unknown"  # a rejected canonical body: its channel was not read


def inquiries_figure(tally: Tally) -> dict:
    """Accepted ones by the channel they name; rejected ones by the channel they were sent to."""
    samples = [
        (
            {"status": "accepted", "channel": channel},
            tally.count("inquiries", {"status": "accepted", "inquiry.channel": channel}),
        )
        for channel in tally.values("inquiries", "inquiry.channel")
    ]
    rejected: dict[str, int] = {}
    for routing_key in tally.values("inquiries", "routing_key"):
        channel = channel_of_routing_key(routing_key) or UNKNOWN_CHANNEL
        rejected[channel] = rejected.get(channel, 0) + tally.count(
            "inquiries", {"status": "rejected", "routing_key": routing_key}
        )
    samples += [({"status": "rejected", "channel": channel}, n) for channel, n in sorted(rejected.items())]
    return tally.figure("baton_inquiries", "Inquiries kept, by outcome (accepted, rejected) and channel", samples)


FIGURES = (inquiries_figure,)
