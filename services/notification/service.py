"""notification: reminders from what happens to customers and handoffs, fired once each, on
time, through channel plugins (in-app inbox, email, webhook, chat)."""

import logging
from datetime import UTC, datetime
from typing import Any

from nameko.amqp.publish import UndeliverableMessage
from nameko.timer import timer

from contracts.access import MANAGERS
from contracts.errors import EXPECTED_ERRORS, Forbidden, NotFound
from contracts.events import dump_event, load_event
from contracts.notification import (
    ChannelListSchema,
    DeliveryPageSchema,
    DeliveryQuerySchema,
    DoneSchema,
    FireSchema,
    InboxEntrySchema,
    InboxPageSchema,
    InboxQuerySchema,
    PreferencesSchema,
    PreferencesUpdateSchema,
    ReadSchema,
    SnoozeSchema,
)
from contracts.reminder import OPEN_STATUSES, ReminderListQuerySchema, ReminderPageSchema, ReminderSchema
from plugins.dependency import Plugins
from services.notification import figures
from services.notification.delivering import Delivering, InboxFiling, deliver_due, read_in_inbox, send_due_digests
from services.notification.domain import follow_up, satisfying
from services.notification.domain import reminders as rules
from services.notification.domain.notices import INBOX_DIGEST, with_customer_names
from services.notification.firing import fire_due
from services.notification.following import follow, follow_allocation, follow_creation, named
from services.notification.recipients import cached, preferences_of, set_preferences, view_of
from services.notification.reminding import COLLAPSED, close_all, mark_done, schedule, snooze
from services.notification.settings import NotificationSettingsSchema, ReminderSettingsSchema
from services.notification.store import Outbox, Recipients, Reminders
from services.notification.summarising import send_manager_summaries
from services.runtime import audit, health, parking, settings_check
from services.runtime.access import Caller, acting_user, own_or_managed, require
from services.runtime.directory import keep_latest
from services.runtime.events import ReliableEventDispatcher, on
from services.runtime.given_clock import accept_given_now
from services.runtime.mongo import AuditTrailStore, MongoStore
from services.runtime.queries import load_input, page_of
from services.runtime.queues import rpc
from services.runtime.settings import Settings

log = logging.getLogger(__name__)
TICK_SECONDS = 10  # how often each instance looks for due reminders (leases keep it to one firing)


# The mixins are not imported by name: `nameko run` would take them for services.
class NotificationService(audit.AuditTrailEntrypoints, parking.ParkedEventEntrypoints, health.HealthEntrypoints):
    name = "notification"
    service_figures = figures.FIGURES  # for /metrics (services.runtime.health)

    reminders = MongoStore(Reminders)
    outbox = MongoStore(Outbox)
    recipients = MongoStore(Recipients)
    policy = Settings("reminders", ReminderSettingsSchema)
    settings = Settings("notification", NotificationSettingsSchema)
    plugins = Plugins()
    caller = Caller()
    audit_trail_store = AuditTrailStore()
    dispatch = ReliableEventDispatcher()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def check_settings(self, config_text: str) -> list[dict[str, str]]:
        """Whether this service would load ``config_text`` (a deploy/config.yaml): [{path, reason}]."""
        return settings_check.answer(self.caller, config_text, type(self))

    # --- customers ------------------------------------------------------------------------

    @on("customer_allocated")
    def on_customer_allocated(self, payload: dict[str, Any]) -> None:
        """The new owner's first touch, follow-up and regrade; what the customer asked of others goes."""
        for reminder in follow_allocation(
            self.reminders, self.policy, load_event("customer_allocated", payload), _now()
        ):
            if reminder["kind"] in rules.ANNOUNCED_KINDS:
                self._announce(reminder)

    @on("communication_recorded")
    def on_communication_recorded(self, payload: dict[str, Any]) -> None:
        """A recorded contact is the first touch (done, not left to nag); an unanswered one asks
        for a second, a meeting for its minutes."""
        event = load_event("communication_recorded", payload)
        self._close(
            event["customer_id"], event["at"], lambda open_: satisfying.closed_by_contact(self.policy, event, open_)
        )
        asked = [rules.second_touch(self.policy, event)] if not event["answered"] else []
        self._schedule(asked + [r for r in [rules.meeting_minutes(self.policy, event)] if r])
        self._follow(event["customer_id"], lambda c: follow_up.with_contact(c, event))

    @on("customer_created")
    def on_customer_created(self, payload: dict[str, Any]) -> None:
        """What its summary says (grades, stage, deal status: as ``customer_updated`` would), and
        its company name, shown with its reminders and inbox entries."""
        for reminder in follow_creation(self.reminders, self.policy, load_event("customer_created", payload), _now()):
            if reminder["kind"] in rules.ANNOUNCED_KINDS:
                self._announce(reminder)

    @on("customer_updated")
    def on_customer_updated(self, payload: dict[str, Any]) -> None:
        """Grades, stage and deal status set the cadence of the next follow-up; the name is shown."""
        event = load_event("customer_updated", payload)
        self._follow(event["customer_id"], lambda c: follow_up.with_archive(c, event))

    @on("customer_returned")
    def on_customer_returned(self, payload: dict[str, Any]) -> None:
        event = load_event("customer_returned", payload)
        self._close(event["customer_id"], event["at"], lambda open_: satisfying.closed_by_return(event, open_))
        self._schedule([told for told in [rules.returned_to_pool(event)] if told])
        self._follow(event["customer_id"], lambda c: follow_up.with_owner(c, None))

    @on("recycling_warned")
    def on_recycling_warned(self, payload: dict[str, Any]) -> None:
        self._schedule([rules.recycling_warning(load_event("recycling_warned", payload))])

    @on("allocation_stalled")
    def on_allocation_stalled(self, payload: dict[str, Any]) -> None:
        stall = load_event("allocation_stalled", payload)
        directory = self.recipients.managers_in(stall["department"]) if stall["department"] else []
        self.reminders.note_allocation_stalled(stall["customer_id"])  # before the notices: the allocation reads them
        self._schedule(rules.allocation_stalled(stall, rules.managers_to_tell(self.policy, stall, directory)))

    @on("user_saved")
    def on_user_saved(self, payload: dict[str, Any]) -> None:
        """Who manages which team, from the gateway's user directory."""
        user = load_event("user_saved", payload)
        keep_latest(
            self.recipients,
            {
                "_id": user["user_id"],
                "role": user["role"],
                "department": user["department"],
                "team": user["team"],
                "active": user["active"],
                "user_version": user["version"],
            },
        )

    @on("customers_merged")
    def on_customers_merged(self, payload: dict[str, Any]) -> None:
        event = load_event("customers_merged", payload)
        self._close(event["absorbed_id"], event["merged_at"], lambda open_: satisfying.closed_by_merge(event, open_))
        self.reminders.forget_customer(event["absorbed_id"])

    # --- handoffs -------------------------------------------------------------------------

    @on("handoff_submitted")
    def on_handoff_submitted(self, payload: dict[str, Any]) -> None:
        self._schedule(rules.handoff_submitted(self.policy, load_event("handoff_submitted", payload)))

    @on("handoff_info_completed")
    def on_handoff_info_completed(self, payload: dict[str, Any]) -> None:
        event = load_event("handoff_info_completed", payload)
        self._close_about(event["handoff_id"], event["at"], satisfying.closed_by_info_completed)

    @on("handoff_accepted")
    def on_handoff_accepted(self, payload: dict[str, Any]) -> None:
        event = load_event("handoff_accepted", payload)
        self._close_about(event["handoff_id"], event["at"], lambda open_: satisfying.closed_by_acceptance(event, open_))
        if event["complete"] and event["new_owner_id"]:
            reason = f"handed over to {event['new_owner_id']} ({event['kind'].replace('_', ' ')})"
            self._close(
                event["customer_id"],
                event["at"],
                lambda open_: satisfying.closed_by_new_owner(event["new_owner_id"], reason, open_, rules.OWNER_KINDS),
            )
            self._follow(event["customer_id"], lambda c: follow_up.with_owner(c, event["new_owner_id"]))

    @on("handoff_returned")
    def on_handoff_returned(self, payload: dict[str, Any]) -> None:
        event = load_event("handoff_returned", payload)
        self._close_about(
            event["handoff_id"], event["at"], lambda open_: satisfying.closed_by_handoff_return(event, open_)
        )
        self._schedule([rules.handoff_returned(event)])

    @on("handoff_withdrawn")
    def on_handoff_withdrawn(self, payload: dict[str, Any]) -> None:
        event = load_event("handoff_withdrawn", payload)
        self._close_about(event["handoff_id"], event["at"], lambda open_: satisfying.closed_by_withdrawal(event, open_))
        self._schedule(rules.handoff_withdrawn(event))

    @on("requirement_changed")
    def on_requirement_changed(self, payload: dict[str, Any]) -> None:
        """Everyone holding part of the customer is told, and the owner's managers."""
        change = load_event("requirement_changed", payload)
        owner = self.recipients.person(change["owner_id"]) if change["owner_id"] else None
        managers = rules.owners_managers(owner, self.recipients.people_in(owner["department"]) if owner else [])
        self._schedule(rules.requirement_changed(change, managers))

    # --- firing -------------------------------------------------------------------------

    @timer(interval=TICK_SECONDS)
    def tick(self) -> None:
        if self.settings["fire_on_timer"]:
            self.fire_due()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def fire_due(self, now: str | None = None) -> dict[str, Any]:
        """Fire what is due, send due digests, deliver and retry (``now``: ISO time with offset, for
        tests and replays)."""
        require(self.caller, ("admin",), "fire reminders by hand")
        given = load_input(FireSchema, {"now": now} if now else {}, what="firing").get("now")
        accept_given_now(given, self.reminders.audit, "firing")  # an invented time only on a test clock, audited
        at = given or _now()
        preferences = cached(lambda user_id: preferences_of(self.recipients, self.settings["defaults"], user_id))
        channels, broken = self._channels()
        immediate = {name for name, channel in channels.items() if not channel.digestible}
        fired = fire_due(self.reminders, self.outbox, preferences, immediate, self.settings, at)
        delivering = send_due_digests(
            self.outbox, self.reminders, preferences, immediate, self.settings, at, Delivering()
        )
        summaries = send_manager_summaries(self.outbox, self.reminders, self.recipients, preferences, self.settings, at)
        deliver_due(self.outbox, channels, broken, preferences, self.settings["retry"], self.settings, at, delivering)
        return {"fired": fired.fired, "deferred": fired.deferred, "summaries": summaries, **vars(delivering)}

    # --- what people do -------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def snooze_reminder(self, reminder_id: str, request: dict[str, Any]) -> dict[str, Any]:
        request = load_input(SnoozeSchema, request, what="snooze")
        request["by"] = acting_user(self.caller, request["by"], "snooze reminders")
        now = _now()
        snoozed = snooze(self.reminders, reminder_id, request, now)
        self._announce_change(snoozed, "snoozed", now, until=snoozed["fire_at"], note=request.get("reason"))
        return self._reminder_view(snoozed)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def complete_reminder(self, reminder_id: str, request: dict[str, Any]) -> dict[str, Any]:
        request = load_input(DoneSchema, request, what="done")
        request["by"] = acting_user(self.caller, request["by"], "mark reminders done")
        done = mark_done(self.reminders, reminder_id, request, _now())
        # at: when it was closed, so marking it done again names the same timeline entry
        if done.get("closed_by") == request["by"]:  # not one a contact had closed already
            self._announce_change(done, "done", done["closed_at"], note=request.get("note"))
        return self._reminder_view(done)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_preferences(self, user_id: str) -> dict[str, Any]:
        own_or_managed(self.caller, user_id, "read the preferences")
        stored = self.recipients.stored(user_id) or {}
        return PreferencesSchema().dump(
            view_of(preferences_of(self.recipients, self.settings["defaults"], user_id), stored.get("updated_at"))
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_preferences(self, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        own_or_managed(self.caller, user_id, "change the preferences")
        changes = load_input(PreferencesUpdateSchema, changes, what="preferences")
        channels, _ = self._channels()
        return PreferencesSchema().dump(
            view_of(*set_preferences(self.recipients, self.settings["defaults"], channels, user_id, changes, _now()))
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def mark_read(self, user_id: str, entry_id: str, request: dict[str, Any]) -> dict[str, Any]:
        load_input(ReadSchema, request, what="read")
        own_or_managed(self.caller, user_id, "read the inbox")
        entry = self.outbox.inbox_entry(entry_id)
        if entry is None or entry["user_id"] != user_id:
            raise NotFound.of("inbox entry", entry_id)
        entry = read_in_inbox(self.outbox, entry, _now())
        for item in self.outbox.inbox_members(entry_id) if entry["kind"] == INBOX_DIGEST else []:
            read_in_inbox(self.outbox, item, entry["read_at"])  # read in one go with the digest standing for them
        return InboxEntrySchema().dump(*self._inbox_views([entry]))

    # --- reading --------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_reminders(self, user_id: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        own_or_managed(self.caller, user_id, "see the reminders")
        query = load_input(ReminderListQuerySchema, query)
        status = query.pop("status")
        items, total = self.reminders.page_for(user_id, OPEN_STATUSES if status == "open" else (status,), **query)
        return ReminderPageSchema().dump(page_of([_view(r) for r in named(self.reminders, items)], total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def reminder_totals(self, user_ids: list[str]) -> dict[str, dict[str, int] | None]:
        """{person: {"fired": overdue reminders, "open": open ones}} for several people in one call
        (the team board); None for a person whose reminders the caller may not see."""
        totals: dict[str, dict[str, int] | None] = {}
        for user_id in user_ids:
            try:
                own_or_managed(self.caller, user_id, "see the reminders")
            except Forbidden:
                totals[user_id] = None
                continue
            totals[user_id] = {
                status: self.reminders.page_for(user_id, OPEN_STATUSES if status == "open" else (status,), limit=1)[1]
                for status in ("fired", "open")
            }
        return totals

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_reminder(self, reminder_id: str) -> dict[str, Any]:
        reminder = self.reminders.get(reminder_id)
        if reminder is None:
            raise NotFound.of("reminder", reminder_id)
        own_or_managed(self.caller, reminder["user_id"], "see the reminders")
        return self._reminder_view(reminder)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_inbox(self, user_id: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        own_or_managed(self.caller, user_id, "see the inbox")
        query = load_input(InboxQuerySchema, query)
        items, total = self.outbox.inbox_page(
            user_id, query["unread"], query["limit"], query["offset"], query.get("digest")
        )
        return InboxPageSchema().dump(page_of(self._inbox_views(items), total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_deliveries(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        query = load_input(DeliveryQuerySchema, query)
        if self.caller is not None and not self.caller.is_any(*MANAGERS):
            own_or_managed(self.caller, query.get("user_id") or self.caller.user_id, "see the deliveries")
            query["user_id"] = self.caller.user_id
        items, total = self.outbox.page_of_deliveries(**query)
        return DeliveryPageSchema().dump(page_of([_view(d) for d in items], total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_channels(self) -> dict[str, Any]:
        channels, broken = self._channels()
        return ChannelListSchema().dump(
            {"channels": sorted(channels.values(), key=lambda c: c.name), "broken_plugins": broken}
        )

    # --- plumbing -------------------------------------------------------------------------

    def _reminder_view(self, reminder):
        return ReminderSchema().dump(_view(*named(self.reminders, [reminder])))

    def _channels(self):
        return self.plugins.notification_channels(
            self.settings["channels"], InboxFiling(self.outbox, self.settings, self.reminders.customer_names)
        )

    def _inbox_views(self, entries):
        """Inbox entries as read: customers called by their company names as known now, a digest's too."""
        listed = [c for e in entries for c in (e.get("details") or {}).get("customer_ids", [])]
        names = self.reminders.customer_names(listed)
        return [
            _view(
                {
                    "grouped_in": None,
                    **e,
                    "item_ids": e.get("items") or [],
                    **({"details": with_customer_names(e["details"], names)} if e["kind"] == INBOX_DIGEST else {}),
                }
            )
            for e in named(self.reminders, entries)
        ]

    def _follow(self, customer_id, change, open_reminders=None):
        for reminder in follow(self.reminders, self.policy, customer_id, change, _now(), open_reminders):
            if reminder["kind"] in rules.ANNOUNCED_KINDS:
                self._announce(reminder)

    def _schedule(self, new_reminders):
        for new in new_reminders:
            reminder, outcome = schedule(self.reminders, new)
            # Said again on redelivery (the first try may have stopped before it); profile's
            # timeline keeps one entry per reminder.
            if outcome != COLLAPSED and reminder["kind"] in rules.ANNOUNCED_KINDS:
                self._announce(reminder)

    def _announce(self, reminder):
        self.dispatch(
            "reminder_scheduled",
            dump_event(
                "reminder_scheduled",
                {
                    "reminder_id": reminder["_id"],
                    "kind": reminder["kind"],
                    "user_id": reminder["user_id"],
                    "customer_id": reminder["customer_id"],
                    "due_at": reminder["due_at"],
                    "scheduled_at": reminder["created_at"],
                },
            ),
        )

    def _announce_change(self, reminder, change, at, until=None, note=None):
        """A person's done or snooze, for the customer's timeline (its reminder bookkeeping)."""
        if not (reminder["kind"] in rules.ANNOUNCED_KINDS and reminder.get("customer_id")):
            return
        try:
            self.dispatch(
                "reminder_updated",
                dump_event(
                    "reminder_updated",
                    {
                        "reminder_id": reminder["_id"],
                        "kind": reminder["kind"],
                        "user_id": reminder["user_id"],
                        "customer_id": reminder["customer_id"],
                        "change": change,
                        "by": reminder["user_id"],
                        "at": at,
                        "until": until,
                        "note": note,
                    },
                ),
            )
        except UndeliverableMessage:
            # the person's done or snooze stands; only its line in the timeline's bookkeeping is missing
            log.warning("reminder_updated for %s not delivered (nobody subscribed)", reminder["_id"])

    def _close(self, customer_id, at, closings_of):
        close_all(self.reminders, closings_of(self.reminders.open_for_customer(customer_id)), at)

    def _close_about(self, subject_id, at, closings_of):
        close_all(self.reminders, closings_of(self.reminders.open_about(subject_id)), at)


def _now():
    return datetime.now(UTC)


def _view(doc):
    return {**doc, "id": doc["_id"]}
