"""notification's application functions over in-memory stores (``tests.fakes``) with the test's
own clock: scheduling, firing what is due exactly once (twice called, two instances, a dead
instance's lease), quiet hours, digests, and deliveries retried by the retry policy until they
are delivered or failed — what tests/integration/test_notification_firing.py and
test_notification_service.py check over the real broker and store, at the fast tier. Each pass
is an explicit call with its ``now``: no timer is waited for."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from contracts.errors import Conflict, Forbidden, InvalidInput
from contracts.notification import PreferencesUpdateSchema
from plugins.builtin import inbox_channel
from plugins.declarations import NotificationChannel
from plugins.errors import DeliveryFailed
from services.notification.delivering import Delivering, InboxFiling, deliver_due, read_in_inbox, send_due_digests
from services.notification.domain import reminders as rules
from services.notification.domain import satisfying
from services.notification.domain.timing import RetryPolicy
from services.notification.firing import FIRED, fire, fire_due
from services.notification.recipients import cached, preferences_of, set_preferences
from services.notification.reminding import COLLAPSED, REPEATED, SCHEDULED, close_all, mark_done, schedule, snooze
from services.notification.settings import NotificationSettingsSchema, ReminderSettingsSchema
from services.notification.summarising import send_manager_summaries
from services.runtime.document_store import moved_on
from services.runtime.queries import load_input
from tests.fakes import FakeOutbox, FakeRecipients, FakeReminders

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
DUE = AT + timedelta(days=3)
SETTINGS = NotificationSettingsSchema().load({})  # retry: 6 attempts, 30 s doubling, at most an hour apart
POLICY = ReminderSettingsSchema().load({"first_touch_days": 3})
HOOK = "https://hooks.example.com/baton"


class ScriptedChannel:
    """A webhook-like channel answering each send with the next of ``answers`` (a receipt, or a
    ``DeliveryFailed`` raised); the last answer repeats."""

    def __init__(self, name="webhook", answers=("ok",)):
        self.answers, self.sent = list(answers), []
        self.channel = NotificationChannel(name, self.send, "a scripted channel")

    def send(self, message, recipient):
        self.sent.append((message, recipient))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Notification:
    """One test's notification service without the service: its stores in memory, its firing pass
    (``NotificationService.fire_due``) as one call with the test's ``now``."""

    def __init__(self, settings=SETTINGS, webhook=None, broken=None):
        self.settings = settings
        self.reminders, self.outbox, self.recipients = FakeReminders(), FakeOutbox(), FakeRecipients()
        filing = InboxFiling(self.outbox, settings, self.reminders.customer_names)
        [inbox] = inbox_channel.baton_notification_channels(inbox=filing)
        self.webhook = webhook or ScriptedChannel()
        self.channels = {"inbox": inbox, "webhook": self.webhook.channel}
        self.broken = broken or {}

    def prefer(self, user_id, **preferences):
        self.recipients.add({"_id": user_id, "version": 0, **preferences})

    def allocate(self, customer_id="cus_1", owner="alice", at=AT):
        return schedule(self.reminders, rules.first_touch(POLICY, customer_id, owner, at, f"alc_{customer_id}"))

    def preferences(self):
        return cached(lambda user_id: preferences_of(self.recipients, self.settings["defaults"], user_id))

    def fire(self, now):
        preferences = self.preferences()
        immediate = {name for name, channel in self.channels.items() if not channel.digestible}
        fired = fire_due(self.reminders, self.outbox, preferences, immediate, self.settings, now)
        delivering = send_due_digests(
            self.outbox, self.reminders, preferences, immediate, self.settings, now, Delivering()
        )
        summaries = send_manager_summaries(
            self.outbox, self.reminders, self.recipients, preferences, self.settings, now
        )
        deliver_due(
            self.outbox, self.channels, self.broken, preferences, self.settings["retry"], self.settings, now, delivering
        )
        return {"fired": fired.fired, "deferred": fired.deferred, "summaries": summaries, **vars(delivering)}

    def inbox(self, user_id="alice"):
        return self.outbox.inbox_page(user_id, False, 50, 0)[0]

    def deliveries(self, channel):
        return [d for d in self.outbox.deliveries.all() if d["channel"] == channel]


def test_an_allocation_schedules_one_first_touch_and_a_redelivery_schedules_nothing_more():
    notification = Notification()
    reminder, outcome = notification.allocate()
    assert outcome == SCHEDULED
    assert (reminder["kind"], reminder["user_id"], reminder["due_at"], reminder["status"]) == (
        "first_touch",
        "alice",
        DUE,
        "pending",
    )
    assert notification.allocate()[1] == REPEATED
    assert len(notification.reminders.all()) == 1


def test_a_due_reminder_fires_once_into_the_inbox_even_when_fire_is_called_twice():
    notification = Notification()
    notification.allocate()
    assert notification.fire(DUE - timedelta(minutes=1))["fired"] == 0
    assert notification.fire(DUE + timedelta(minutes=1)) == {
        "fired": 1,
        "deferred": 0,
        "summaries": 0,
        "delivered": 1,
        "retrying": 0,
        "failed": 0,
        "digests": 0,
    }
    assert notification.fire(DUE + timedelta(minutes=1))["fired"] == 0
    assert notification.fire(DUE + timedelta(minutes=2))["fired"] == 0
    [entry] = notification.inbox()
    assert (entry["kind"], entry["due_at"], entry["read"]) == ("first_touch", DUE, False)
    assert "Due 2026-11-23 16:00 (Asia/Shanghai)" in entry["body"]  # the default zone
    assert [r["status"] for r in notification.reminders.all()] == ["fired"]
    assert len(notification.outbox.notices.find()) == 1


def test_two_instances_that_found_the_same_reminder_due_fire_it_once():
    notification = Notification()
    notification.allocate()
    now = DUE + timedelta(minutes=1)
    [found] = notification.reminders.due(now, 10)
    preferences = notification.preferences()("alice")
    outcomes = [fire(notification.reminders, notification.outbox, preferences, {"inbox"}, SETTINGS, found, now)]
    outcomes.append(fire(notification.reminders, notification.outbox, preferences, {"inbox"}, SETTINGS, found, now))
    assert outcomes == [FIRED, None]  # the second read it before the first leased it: its write lost
    assert len(notification.outbox.notices.find()) == 1
    assert len(notification.outbox.deliveries.all()) == 1


def test_after_downtime_an_overdue_reminder_fires_showing_its_original_due_time():
    notification = Notification()
    notification.allocate()
    assert notification.fire(DUE + timedelta(days=10))["fired"] == 1
    [entry] = notification.inbox()
    assert entry["due_at"] == DUE
    assert "Sent late: it was due 2026-11-23 16:00" in entry["body"]


def test_an_instance_that_died_mid_firing_lets_go_when_its_lease_runs_out():
    notification = Notification()
    reminder, _ = notification.allocate()
    # what a dead instance leaves: leased, never finished
    assert notification.reminders.replace(
        {
            **reminder,
            "status": "firing",
            "lease_token": "dead",
            "lease_until": DUE + timedelta(minutes=2),
        },
        reminder,
    )
    assert notification.reminders.get(reminder["_id"])["version"] == reminder["version"] + 1  # the write moved it on
    assert notification.reminders.replace(reminder, reminder) is False  # so a write from the old read is refused
    assert notification.fire(DUE + timedelta(minutes=1))["fired"] == 0  # the lease still holds
    assert notification.fire(DUE + timedelta(minutes=3))["fired"] == 1
    assert notification.fire(DUE + timedelta(minutes=9))["fired"] == 0
    assert len(notification.inbox()) == 1


def test_quiet_hours_defer_firing_to_their_end_in_the_persons_zone():
    notification = Notification()
    notification.prefer("alice", time_zone="Europe/Berlin", quiet_hours={"start": "22:00", "end": "07:30"})
    notification.allocate(at=datetime(2026, 11, 20, 22, 0, tzinfo=UTC))  # due 23:00 Berlin
    due = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    assert notification.fire(due + timedelta(minutes=1))["deferred"] == 1
    [reminder] = notification.reminders.all()
    assert (reminder["fire_at"], reminder["due_at"]) == (datetime(2026, 11, 24, 6, 30, tzinfo=UTC), due)
    assert notification.fire(datetime(2026, 11, 24, 6, 29, tzinfo=UTC))["fired"] == 0
    assert notification.fire(datetime(2026, 11, 24, 6, 31, tzinfo=UTC))["fired"] == 1
    assert "Sent late" not in notification.inbox()[0]["body"]


def test_a_digest_reader_gets_the_inbox_at_once_and_one_webhook_digest_at_their_hour():
    notification = Notification()
    notification.prefer(
        "alice",
        time_zone="Asia/Shanghai",
        digest=True,
        digest_at="08:30",
        channels=["inbox", "webhook"],
        addresses={"webhook": HOOK},
    )
    notification.allocate("cus_1")
    notification.allocate("cus_2", at=AT + timedelta(hours=1))
    notification.fire(DUE + timedelta(hours=2))  # 18:00 in Shanghai: both fire
    assert len(notification.inbox()) == 2
    assert notification.webhook.sent == []
    digest_time = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)  # 08:30 next day in Shanghai
    assert notification.fire(digest_time)["digests"] == 1
    [(message, recipient)] = notification.webhook.sent
    assert (message.kind, len(message.items), recipient.address) == ("digest", 2, HOOK)
    assert "2 reminders" in message.title
    assert notification.fire(digest_time + timedelta(minutes=5))["digests"] == 0


def test_a_failing_delivery_waits_its_backoff_between_attempts_and_recovers():
    webhook = ScriptedChannel(answers=(DeliveryFailed("HTTP 503"), DeliveryFailed("HTTP 500"), "200 OK"))
    notification = Notification(webhook=webhook)
    notification.prefer("alice", channels=["inbox", "webhook"], addresses={"webhook": HOOK})
    notification.allocate()
    now = DUE + timedelta(minutes=1)
    assert notification.fire(now)["retrying"] == 1
    assert notification.fire(now + timedelta(seconds=10))["retrying"] == 0  # waits its backoff (30 s)
    assert notification.fire(now + timedelta(seconds=31))["retrying"] == 1  # then 60 s
    assert notification.fire(now + timedelta(seconds=80))["delivered"] == 0
    assert notification.fire(now + timedelta(seconds=95))["delivered"] == 1
    assert len(webhook.sent) == 3
    [delivery] = notification.deliveries("webhook")
    assert (delivery["status"], delivery["receipt"], delivery["last_error"]) == ("delivered", "200 OK", None)
    assert [a["ok"] for a in delivery["attempts"]] == [False, False, True]
    assert "503" in delivery["attempts"][0]["error"]


def test_a_delivery_that_keeps_failing_is_retried_per_the_retry_policy_then_marked_failed():
    retry = RetryPolicy(max_attempts=3, first_wait=timedelta(seconds=30), factor=2, longest_wait=timedelta(seconds=45))
    webhook = ScriptedChannel(answers=(DeliveryFailed("connection refused"),))
    notification = Notification(settings={**SETTINGS, "retry": retry}, webhook=webhook)
    notification.prefer("alice", channels=["webhook"], addresses={"webhook": HOOK})
    notification.allocate()
    now = DUE + timedelta(minutes=1)
    waits = []
    for attempt, at in enumerate((now, now + timedelta(seconds=30), now + timedelta(seconds=75)), start=1):
        result = notification.fire(at)
        [delivery] = notification.deliveries("webhook")
        waits.append(delivery["next_attempt_at"] - at)
        assert (result["retrying"], result["failed"]) == ((1, 0) if attempt < 3 else (0, 1)), attempt
    assert waits[:2] == [timedelta(seconds=30), timedelta(seconds=45)]  # doubled, then capped by longest_wait
    assert (delivery["status"], delivery["failed_at"]) == ("failed", now + timedelta(seconds=75))
    assert [a["permanent"] for a in delivery["attempts"]] == [False, False, False]
    for later in (now + timedelta(days=1), now + timedelta(days=2)):
        assert (notification.fire(later)["retrying"], notification.fire(later)["failed"]) == (0, 0)
    assert len(webhook.sent) == 3  # never tried again


def test_a_permanent_refusal_is_failed_at_once_and_the_inbox_still_gets_it():
    webhook = ScriptedChannel(answers=(DeliveryFailed("HTTP 404 from the hook", permanent=True),))
    notification = Notification(webhook=webhook)
    notification.prefer("alice", channels=["inbox", "webhook"], addresses={"webhook": HOOK})
    notification.allocate()
    result = notification.fire(DUE + timedelta(minutes=1))
    assert (result["failed"], result["delivered"]) == (1, 1)
    [failed] = notification.deliveries("webhook")
    assert "404" in failed["last_error"] and failed["attempts"][0]["permanent"] is True
    assert len(notification.inbox()) == 1


def test_a_channel_whose_plugin_broke_fails_its_deliveries_naming_it_and_nothing_else_breaks():
    notification = Notification(broken={"acme_pager": "plugin 'acme_pager' failed in baton_notification_channels"})
    notification.prefer("alice", channels=["pager", "inbox"])
    notification.allocate()
    result = notification.fire(DUE + timedelta(minutes=1))
    assert (result["fired"], result["delivered"], result["failed"]) == (1, 1, 1)
    [failed] = notification.deliveries("pager")
    assert failed["last_error"].startswith("no channel named 'pager' is installed (plugins that failed: plugin 'acme")
    assert len(notification.inbox()) == 1


def test_a_channel_needing_an_address_without_one_fails_for_good():
    notification = Notification()
    notification.prefer("alice", channels=["webhook"])
    notification.allocate()
    assert notification.fire(DUE + timedelta(minutes=1))["failed"] == 1
    assert notification.deliveries("webhook")[0]["last_error"] == "alice has no address for channel 'webhook'"


def test_snooze_with_a_reason_fires_again_later_and_done_closes_it():
    notification = Notification()
    reminder, _ = notification.allocate()
    with pytest.raises(Forbidden) as refused:
        snooze(notification.reminders, reminder["_id"], {"by": "bob", "minutes": 60}, DUE)
    assert refused.value.message == "Only alice, whom it reminds, can snooze it."
    notification.fire(DUE + timedelta(minutes=1))
    now, until = DUE + timedelta(hours=1), DUE + timedelta(days=2)
    request = {"by": "alice", "until": until, "reason": "customer travelling, call next week"}
    snoozed = snooze(notification.reminders, reminder["_id"], request, now)
    assert (snoozed["status"], snoozed["snooze_reason"], snoozed["due_at"]) == (
        "pending",
        "customer travelling, call next week",
        DUE,
    )
    assert notification.fire(until - timedelta(minutes=1))["fired"] == 0
    assert notification.fire(until + timedelta(minutes=1))["fired"] == 1
    assert len(notification.inbox()) == 2  # a snoozed reminder fires anew: a notice of its own
    done = mark_done(notification.reminders, reminder["_id"], {"by": "alice", "note": "called, quote sent"}, until)
    assert (done["status"], done["close_reason"]) == ("done", "called, quote sent")
    with pytest.raises(Conflict, match="already done"):
        snooze(notification.reminders, reminder["_id"], {"by": "alice", "minutes": 5}, until)
    assert notification.fire(until + timedelta(days=30))["fired"] == 0


def test_the_handoff_flow_reminds_receivers_and_both_sides_of_an_info_pending_deadline():
    notification = Notification()
    submitted = {
        "handoff_id": "hof_1",
        "kind": "sales_to_service",
        "customer_id": "cus_1",
        "from_user": "alice",
        "to_users": ["bob", "carol"],
        "info_pending": True,
        "pending_until": AT + timedelta(days=3),
        "missing": ["special_requirements_marked"],
        "submitted_at": AT,
    }
    for _delivery in range(2):  # redelivered: nothing new
        outcomes = [schedule(notification.reminders, new)[1] for new in rules.handoff_submitted(POLICY, submitted)]
    assert set(outcomes) == {REPEATED}

    def open_kinds(user_id):
        return sorted(
            r["kind"] for r in notification.reminders.all() if r["user_id"] == user_id and r["status"] in rules.OPEN
        )

    assert open_kinds("bob") == ["handoff_acceptance", "handoff_waiting", "info_pending"]
    assert open_kinds("alice") == ["info_pending"]
    accepted = {"by": "bob", "at": AT, "complete": False}
    close_all(
        notification.reminders,
        satisfying.closed_by_acceptance(accepted, notification.reminders.open_about("hof_1")),
        AT,
    )
    assert open_kinds("bob") == ["info_pending"]
    # the deadline passes with nothing completed: both sides are told, each once
    fired = notification.fire(AT + timedelta(days=3, minutes=1))
    told = sorted((e["user_id"], e["kind"]) for user in ("alice", "bob", "carol") for e in notification.inbox(user))
    assert ("alice", "info_pending") in told and ("bob", "info_pending") in told and ("carol", "info_pending") in told
    assert fired["fired"] == len(told)
    assert notification.fire(AT + timedelta(days=4))["fired"] == 0
    close_all(
        notification.reminders,
        satisfying.closed_by_info_completed(notification.reminders.open_about("hof_1")),
        AT + timedelta(days=4),
    )
    assert open_kinds("alice") == [] and open_kinds("bob") == []


def test_an_info_pending_reminder_closed_before_its_deadline_never_fires():
    notification = Notification()
    submitted = {
        "handoff_id": "hof_2",
        "kind": "marketing_to_sales",
        "customer_id": "cus_2",
        "from_user": "mia",
        "to_users": ["bob"],
        "info_pending": True,
        "pending_until": AT + timedelta(days=3),
        "missing": ["contact_attempted"],
        "submitted_at": AT,
    }
    for new in rules.handoff_submitted(POLICY, submitted):
        schedule(notification.reminders, new)
    notification.fire(AT + timedelta(minutes=1))  # "waits for you" goes out at once
    close_all(
        notification.reminders,
        satisfying.closed_by_info_completed(notification.reminders.open_about("hof_2")),
        AT + timedelta(days=1),
    )
    notification.fire(AT + timedelta(days=5))
    assert "info_pending" not in {e["kind"] for user in ("mia", "bob") for e in notification.inbox(user)}


def test_another_occurrence_of_an_open_reminders_cause_collapses_into_it():
    notification = Notification()
    stall = rules.reminder(
        rules.ALLOCATION_STALLED, "maria", "cus_1", AT, AT, "Nobody can take customer cus_1.", ("maria", "cus_1"), "s1"
    )
    assert schedule(notification.reminders, stall)[1] == SCHEDULED
    again = {**stall, "occurrences": ["s2"]}
    stored, outcome = schedule(notification.reminders, again)
    assert (outcome, stored["repeats"], stored["occurrences"]) == (COLLAPSED, 1, ["s1", "s2"])
    assert schedule(notification.reminders, again)[1] == REPEATED
    notification.fire(AT + timedelta(minutes=1))
    assert "Raised 2 times." in notification.inbox("maria")[0]["body"]


def test_a_reminder_closed_while_another_writer_moved_it_is_closed_on_the_latest_version():
    notification = Notification()
    reminder, _ = notification.allocate()
    notification.reminders.collection.race(
        reminder["_id"], lambda r: {**r, "message": "moved by another instance", "version": r["version"] + 1}
    )
    [closed] = close_all(
        notification.reminders, [satisfying.Closing(reminder["_id"], rules.DONE, "contacted")], AT + timedelta(days=1)
    )
    assert (closed["status"], closed["message"], closed["version"]) == ("done", "moved by another instance", 2)
    assert notification.fire(DUE + timedelta(minutes=1))["fired"] == 0


def test_many_notices_of_a_kind_in_one_window_are_one_inbox_digest_entry():
    settings = {**SETTINGS, "digest_min_count": 3}
    notification = Notification(settings=settings)
    for n in range(4):
        notification.allocate(f"cus_{n}")
    assert notification.fire(DUE + timedelta(minutes=1))["delivered"] == 4
    shown = notification.inbox()
    assert [(e["kind"], len(e["items"])) for e in shown] == [("inbox_digest", 4)]
    digest_id = shown[0]["_id"]
    assert len(notification.outbox.inbox_page("alice", False, 50, 0, digest_id)[0]) == 4


def test_reading_a_digest_while_another_filing_grows_it_keeps_the_new_item_and_reads_the_rest():
    settings = {**SETTINGS, "digest_min_count": 3}
    notification = Notification(settings=settings)
    for n in range(3):
        notification.allocate(f"cus_{n}")
    notification.fire(DUE + timedelta(minutes=1))
    [digest] = notification.inbox()
    grown = [*digest["items"], "ntf_late"]
    # a filing lands between this read of the digest and the write marking it read
    notification.outbox.inbox.race(digest["_id"], lambda d: moved_on({**d, "items": grown, "read": False}, d))
    read_at = DUE + timedelta(hours=1)
    after = read_in_inbox(notification.outbox, digest, read_at)
    assert (after["items"], after["read"], after["read_at"]) == (grown, True, read_at)
    assert after["version"] == digest["version"] + 2  # the filing's write, then this one
    members = notification.outbox.inbox_members(digest["_id"])
    assert [read_in_inbox(notification.outbox, m, read_at)["read"] for m in members] == [True] * 3
    assert read_in_inbox(notification.outbox, after, read_at + timedelta(hours=1)) == after  # read already


def test_preferences_are_the_defaults_until_set():
    notification = Notification()
    defaults = notification.preferences()("zed")
    assert (defaults.time_zone, defaults.channels, defaults.digest) == ("Asia/Shanghai", ("inbox",), False)
    notification.prefer("zed", channels=["inbox", "webhook"], addresses={"webhook": HOOK})
    chosen = notification.preferences()("zed")
    assert dataclasses.replace(chosen, channels=("inbox",), addresses={}) == defaults


def test_preferences_refuse_unknown_channels_and_missing_addresses_and_keep_what_is_set():
    notification = Notification()

    def set_(changes):
        changes = load_input(PreferencesUpdateSchema, changes, what="preferences")
        defaults = notification.settings["defaults"]
        return set_preferences(notification.recipients, defaults, notification.channels, "alice", changes, AT)

    for changes, field in (({"channels": ["pager"]}, "channels"), ({"channels": ["webhook"]}, "addresses")):
        with pytest.raises(InvalidInput) as refused:
            set_(changes)
        assert field in refused.value.details["fields"], changes
    saved, updated_at = set_(
        {
            "channels": ["inbox", "webhook"],
            "addresses": {"webhook": HOOK},
            "secrets": {"webhook": "s3cret-s3cret-s3cret"},
        }
    )
    assert (saved.channels, saved.addresses, updated_at) == (("inbox", "webhook"), {"webhook": HOOK}, AT)
    assert set_({"addresses": {"webhook": ""}, "channels": ["inbox"]})[0].addresses == {}  # an empty address removes it
    assert notification.recipients.audit.resources() == ["preferences", "preferences", "preferences"]
