"""Every hook a Baton plugin can implement, grouped by what it extends.

Hooks are called through ``plugins.host.PluginHost``, never through ``pm.hook`` directly,
so each result is checked before it can reach stored data.
"""

from datetime import datetime
from typing import Any

from plugins.declarations import (
    AllocationRule,
    CustomField,
    HandoffRule,
    IntentGrade,
    NotificationChannel,
    Trait,
    ValueGrade,
)
from plugins.markers import hookspec

# --- Archive: fields ------------------------------------------------------------------


@hookspec
def baton_custom_fields() -> list[CustomField] | None:
    """Declare fields this plugin adds to the customer archive.

    Parameters: none.

    Returns: a list of ``plugins.declarations.CustomField``. Values for these fields arrive in
    an inquiry's ``custom_fields`` and are validated against the declarations on write.

    firstresult: no. Every plugin's list is combined; a name declared by two plugins is an
    error naming both.
    """


# --- Archive: traits ------------------------------------------------------------------


@hookspec
def baton_traits(text: str) -> list[Trait] | None:
    """Read traits of a customer (price sensitive, quality focused, comparing competitors…)
    from one piece of what the customer said or what a salesperson recorded.

    Parameters: ``text`` — one piece of plain text, English or Chinese: a communication's
    summary and the customer's words, or an inquiry's message. Read-only; may be empty.

    Returns: a list of ``plugins.declarations.Trait`` (possibly empty), each carrying the
    exact phrase found in ``text`` as its evidence and, optionally, a suggestion for how to
    approach such a customer.

    firstresult: no. Every rule plugin's traits are combined in plugin order; a trait with
    the same name and evidence as an earlier one is dropped.
    """


# --- Grading ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def baton_grade_intent(inquiry: dict[str, Any]) -> IntentGrade | None:
    """Grade how ready a lead is to buy: A (clear need, budget, near-term), B (need not
    detailed), C (vague).

    Parameters: ``inquiry`` — the canonical inquiry (a dict shaped like
    ``contracts.inquiry.InquirySchema``), read-only.

    Returns: a ``plugins.declarations.IntentGrade``, or None to leave the decision to the
    next rule.

    firstresult: yes. The plugin enabled last is asked first, so a company's rule can replace
    the built-in one (always answer) or add to it (answer only the cases it knows).
    """


@hookspec(firstresult=True)
def baton_grade_value(orders: list[dict[str, Any]], valuation: dict[str, Any], now: datetime) -> ValueGrade | None:
    """Grade what a customer is worth: A core (large, stable), B potential, C ordinary, D low
    value or payment risk. Asked each time an order is recorded; a value grade a person set by
    hand is kept whatever the rules say (their judgment stands until they regrade).

    Parameters: ``orders`` — the customer's orders (dicts shaped like
    ``contracts.deals.OrderRecordSchema``: ``at``, ``amount``, ``currency`` …), copies;
    ``valuation`` — ``BATON.grading`` (``value_currency``, ``exchange_rates`` into it,
    ``core_annual_value``, ``potential_annual_value``); ``now`` — the time of grading.

    Returns: a ``plugins.declarations.ValueGrade``, or None to leave the decision to the next rule
    (or the grade as it is).

    firstresult: yes. The plugin enabled last is asked first, so a company's rule can replace
    the built-in one or add to it.
    """


# --- Allocation ------------------------------------------------------------------------


@hookspec
def baton_allocation_rules() -> list[AllocationRule] | None:
    """Add rules on who may receive a new customer (beyond market, grade, department, team,
    leave and holding cap, which are built in and configured).

    Parameters: none.

    Returns: a list of ``plugins.declarations.AllocationRule``. Each rule is asked about every
    salesperson for every new customer; a reason excludes that person, and a manager sees the
    reasons when nobody is eligible.

    firstresult: no. Every plugin's rules apply. A rule that raises or returns something other
    than a string or None is reported naming its plugin, and the customer waits in the pool.
    """


# --- Handoffs --------------------------------------------------------------------------


@hookspec
def baton_handoff_rules(kind: str) -> list[HandoffRule] | None:
    """Add items to the checklist of a kind of handoff (beyond the rules configured in
    ``BATON.handoff.kinds.<kind>.checklist``), e.g. "export licence recorded" for a company
    selling controlled goods.

    Parameters: ``kind`` — the kind of handoff being checked, as configured (``marketing_to_sales``,
    ``sales_to_service``, ``salesperson_leaving``, ``repair_case``, ``high_value_team``,
    ``ordinary_sync``, or a kind the company added).

    Returns: a list of ``plugins.declarations.HandoffRule`` (possibly empty) for that kind. Each
    rule's ``check(archive, package)`` is given copies of the archive (shaped like
    ``contracts.customer.CustomerSchema``, as JSON) and of what the sender wrote (shaped like
    ``contracts.handoff.PackageSchema``), and returns a ``plugins.declarations.ChecklistVerdict``.

    firstresult: no. Every plugin's rules are added after the configured items, in the order the
    plugins are enabled; a rule name may be used by one plugin only. A rule that raises or returns
    something other than a verdict shows as a failed item naming its plugin, so it can never let
    a handoff through, and what it was given cannot reach stored data.
    """


# --- Channels --------------------------------------------------------------------------


@hookspec(firstresult=True)
def baton_inquiry_from_channel(channel: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """Turn a channel's own payload (a web form, an ad platform's lead, a chat message) into
    a canonical inquiry.

    Parameters: ``channel`` — the channel name from the routing key ``channel.<name>`` or
    the URL ``/channels/<name>/inquiries``; ``payload`` — the decoded JSON object (or form).

    Returns: a dict shaped like ``contracts.inquiry.InquirySchema`` (``schema_version`` 1)
    for a channel this plugin handles, else None. The result is validated against the
    contract before anything is stored, so a connector cannot store bad data. A payload of
    the channel that is no inquiry (a bounce, an auto-reply) raises
    ``plugins.errors.NotAnInquiry(reason)``: it is kept as rejected with that reason.

    firstresult: yes. The first connector that answers wins.
    """


# --- Notifications ---------------------------------------------------------------------


@hookspec
def baton_notification_channels(settings: dict[str, Any], inbox: Any) -> list[NotificationChannel] | None:
    """Declare channels that notices (fired reminders, daily digests) reach people through:
    the in-app inbox, email, webhooks, chat apps…

    Parameters: ``settings`` — ``BATON.notification.channels`` from the config, a dict of
    channel name -> that channel's settings (SMTP server, timeouts…), read-only; ``inbox`` —
    Baton's in-app inbox: ``inbox.put(message)`` files a ``plugins.declarations.OutgoingMessage``
    where ``GET /users/<id>/inbox`` shows it (for a channel that keeps messages in Baton).

    Returns: a list of ``plugins.declarations.NotificationChannel``. Its ``send(message,
    recipient)`` delivers one ``OutgoingMessage`` to one ``plugins.declarations.Recipient`` and
    raises ``plugins.errors.DeliveryFailed`` when it cannot (retried with backoff unless
    ``permanent``). Any other exception is reported naming the plugin and the delivery is
    recorded as failed; other channels and deliveries carry on.

    firstresult: no. Every plugin's channels are combined; a channel name declared by two
    plugins is an error naming both. A person picks channels by name in their preferences.
    """
