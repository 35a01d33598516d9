"""A handler names only its event; where it comes from is the contracts' events table."""

import inspect

import pytest
from nameko.events import EventHandler
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from contracts.events import EVENTS
from services.gateway.service import GatewayService
from services.handoff.service import HandoffService
from services.intake.service import IntakeService
from services.notification.service import NotificationService
from services.pool.service import PoolService
from services.profile.service import ProfileService
from services.runtime.events import RetriedEventHandler, on

SERVICES = (GatewayService, IntakeService, ProfileService, PoolService, HandoffService, NotificationService)


def _event_handlers(service_cls):
    for name, function in inspect.getmembers(service_cls, inspect.isfunction):
        for entrypoint in getattr(function, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, EventHandler):
                yield name, entrypoint


def test_on_listens_to_the_service_the_events_table_names():
    def on_customer_allocated(self, payload):
        return payload

    (entrypoint,) = getattr(on("customer_allocated")(on_customer_allocated), ENTRYPOINT_EXTENSIONS_ATTR)
    assert isinstance(entrypoint, RetriedEventHandler)  # retried, then parked
    assert (entrypoint.source_service, entrypoint.event_type) == ("pool", "customer_allocated")


def test_an_event_the_contracts_do_not_name_is_refused():
    with pytest.raises(ValueError, match="order_placed"):
        on("order_placed")


def test_every_service_handler_is_wired_from_the_events_table():
    handled = set()
    for service_cls in SERVICES:
        for name, entrypoint in _event_handlers(service_cls):
            assert isinstance(entrypoint, RetriedEventHandler), f"{service_cls.name}.{name}: declare it with @on"
            assert entrypoint.source_service == EVENTS[entrypoint.event_type][0], f"{service_cls.name}.{name}"
            handled.add(entrypoint.event_type)
    # Every event some service publishes is handled somewhere, so none is published into nothing.
    assert handled == set(EVENTS)
