"""Event dispatch that refuses to lose an event.

A plain publish to an exchange with no bound queue vanishes: on a fresh broker the first
events can go out before their consumers have declared queues. Publishing ``mandatory``
makes such an event raise instead; the handler that dispatched it fails, its own message is
requeued, and the (idempotent) handler announces again once the consumer is there.
"""
from nameko.events import EventDispatcher


class ReliableEventDispatcher(EventDispatcher):
    def __init__(self, **options):
        options.setdefault("mandatory", True)
        super().__init__(**options)
