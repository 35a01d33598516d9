"""The shapes profile's rules pass around: plain dicts, as stored and as received."""

from typing import Any

Archive = dict[str, Any]  # a customer's archive
Inquiry = dict[str, Any]  # an accepted inquiry (contracts.inquiry), with its ``country_code``
Entry = dict[str, Any]  # a timeline entry (domain.timeline)
Record = dict[str, Any]  # a communication, quote, sample, order or screening as given
