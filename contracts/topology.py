"""Where integrations publish inquiries: the AMQP side of the public contract.

An integration in any language publishes a JSON body to ``INQUIRY_EXCHANGE`` (a durable topic
exchange) with ``delivery_mode=2`` (persistent), ``content_type=application/json`` and a
``message_id`` that stays the same when it retries: Baton processes each message id once.

- routing key ``inquiry``: the body is a canonical inquiry (``contracts.inquiry.InquirySchema``);
- routing key ``channel.<name>`` (e.g. ``channel.website_form``): the body is that channel's own
  payload, turned into a canonical inquiry by the channel-connector plugin named ``<name>``.
"""

INQUIRY_EXCHANGE = "baton.inquiries"
INTAKE_QUEUE = "baton.intake.inquiries"
CANONICAL_ROUTING_KEY = "inquiry"
CHANNEL_ROUTING_PREFIX = "channel."


def channel_of_routing_key(routing_key: str | None) -> str | None:
    """The connector named by a ``channel.<name>`` routing key, or None for a canonical body."""
    if routing_key and routing_key.startswith(CHANNEL_ROUTING_PREFIX):
        return routing_key[len(CHANNEL_ROUTING_PREFIX) :] or None
    return None
