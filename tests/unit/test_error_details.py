"""Errors keep their details' JSON types across services: nameko turns every argument that is not
a string, list or dict into its text ("False", "30", "None") unless the details travel as JSON."""

from datetime import UTC, datetime

import pytest
from nameko.exceptions import deserialize, serialize

from contracts.errors import Conflict, InvalidInput, Refused
from plugins.errors import PluginFailed


@pytest.mark.parametrize("error_type", [Refused, Conflict, InvalidInput, PluginFailed])
def test_details_arrive_over_rpc_with_their_types(error_type):
    details = {
        "info_pending_allowed": False,
        "allowed": 30,
        "used": 2.5,
        "resets_at": None,
        "items": [{"name": "order_details_complete", "passed": True, "reason": "ok"}],
        "fields": {"to": ["Not in sales."]},
    }
    arrived = deserialize(serialize(error_type("The checklist is not met.", details)))
    assert type(arrived) is error_type
    assert (arrived.message, arrived.details) == ("The checklist is not met.", details)
    assert arrived.to_dict()["details"]["items"][0]["passed"] is True


def test_moments_and_tuples_arrive_as_their_json_forms_and_no_details_as_an_empty_dict():
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    conflict = Conflict("taken", {"at": at, "limits": ("per_day",)})
    assert conflict.details == {"at": at, "limits": ("per_day",)}  # as raised, in the raising process
    assert deserialize(serialize(conflict)).details == {"at": "2026-03-02T09:00:00+00:00", "limits": ["per_day"]}
    assert Refused("no").details == {} and deserialize(serialize(Refused("no"))).details == {}
