"""Every hook a Baton plugin can implement, grouped by what it extends.

Hooks are called through ``plugins.host.PluginHost``, never through ``pm.hook`` directly,
so each result is checked before it can reach stored data.
"""
from plugins.markers import hookspec

# --- Archive: fields ------------------------------------------------------------------


@hookspec
def baton_custom_fields():
    """Declare fields this plugin adds to the customer archive.

    Parameters: none.

    Returns: a list of ``plugins.declarations.CustomField``. Values for these fields arrive in
    an inquiry's ``custom_fields`` and are validated against the declarations on write.

    firstresult: no. Every plugin's list is combined; a name declared by two plugins is an
    error naming both.
    """


# --- Archive: traits ------------------------------------------------------------------


@hookspec
def baton_traits(text):
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
def baton_grade_intent(inquiry):
    """Grade how ready a lead is to buy: A (clear need, budget, near-term), B (need not
    detailed), C (vague).

    Parameters: ``inquiry`` — the canonical inquiry (a dict shaped like
    ``contracts.inquiry.InquirySchema``), read-only.

    Returns: a ``plugins.declarations.IntentGrade``, or None to leave the decision to the
    next rule.

    firstresult: yes. The plugin enabled last is asked first, so a company's rule can replace
    the built-in one (always answer) or add to it (answer only the cases it knows).
    """


# --- Allocation ------------------------------------------------------------------------


@hookspec
def baton_allocation_rules():
    """Add rules on who may receive a new customer (beyond market, grade, department, team,
    leave and holding cap, which are built in and configured).

    Parameters: none.

    Returns: a list of ``plugins.declarations.AllocationRule``. Each rule is asked about every
    salesperson for every new customer; a reason excludes that person, and a manager sees the
    reasons when nobody is eligible.

    firstresult: no. Every plugin's rules apply. A rule that raises or returns something other
    than a string or None is reported naming its plugin, and the customer waits in the pool.
    """


# --- Channels --------------------------------------------------------------------------


@hookspec(firstresult=True)
def baton_inquiry_from_channel(channel, payload):
    """Turn a channel's own payload (a web form, an ad platform's lead, a chat message) into
    a canonical inquiry.

    Parameters: ``channel`` — the channel name from the routing key ``channel.<name>`` or
    the URL ``/channels/<name>/inquiries``; ``payload`` — the decoded JSON object (or form).

    Returns: a dict shaped like ``contracts.inquiry.InquirySchema`` (``schema_version`` 1)
    for a channel this plugin handles, else None. The result is validated against the
    contract before anything is stored, so a connector cannot store bad data.

    firstresult: yes. The first connector that answers wins.
    """


# --- Notifications ---------------------------------------------------------------------


@hookspec
def baton_notification_channels(settings, inbox):
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
