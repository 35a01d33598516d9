"""notification fires each reminder once — through restarts, crashes mid-firing and two
instances racing — in the person's time zone and quiet hours, alone or in a daily digest, and
delivers through real channels (SMTP, webhook) that fail and recover."""

import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.errors import Forbidden, InvalidInput
from contracts.events import dump_event
from services.notification.service import NotificationService
from services.notification.store import Reminders
from tests.endpoints import RecordingHttpServer
from tests.integration.helpers import recorder_of, started
from tests.plugin_packages import install_plugin_package

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
DUE = AT + timedelta(days=3)
SECRET = "s3cret-s3cret-s3cret"


@pytest.fixture
def notification(container_factory, config):
    config["BATON"]["notification"]["fire_on_timer"] = False  # the tests' clock drives firing
    started(container_factory, recorder_of("notification", "reminder_scheduled"), config)
    return started(container_factory, NotificationService, config)


def call(container, method, *args):
    with entrypoint_hook(container, method) as hook:
        return hook(*args)


def allocate(container, config, customer_id="cus_1", owner="alice", at=AT):
    with entrypoint_waiter(container, "on_customer_allocated"):
        event_dispatcher(config)(
            "pool",
            "customer_allocated",
            dump_event(
                "customer_allocated",
                {
                    "customer_id": customer_id,
                    "owner_id": owner,
                    "team": "default",
                    "allocated_at": at,
                    "reason": "weighted round-robin",
                },
            ),
        )


def fire(container, now):
    return call(container, "fire_due", now.isoformat())


def test_a_due_reminder_fires_once_into_the_inbox_with_its_due_time(notification, config):
    allocate(notification, config)
    assert fire(notification, DUE - timedelta(minutes=1))["fired"] == 0
    assert fire(notification, DUE + timedelta(minutes=1))["fired"] == 1
    assert fire(notification, DUE + timedelta(minutes=2))["fired"] == 0
    inbox = call(notification, "list_inbox", "alice", {})
    assert inbox["total"] == 1
    entry = inbox["items"][0]
    assert (entry["kind"], entry["due_at"], entry["read"]) == ("first_touch", DUE.isoformat(), False)
    assert "Due 2026-11-23 16:00 (Asia/Shanghai)" in entry["body"]  # the default zone
    assert [r["status"] for r in call(notification, "list_reminders", "alice", {})["items"]] == ["fired"]
    read = call(notification, "mark_read", "alice", entry["id"], {"by": "alice"})
    assert read["read"] is True
    assert call(notification, "list_inbox", "alice", {"unread": "true"})["total"] == 0


def test_after_downtime_an_overdue_reminder_fires_on_recovery_showing_its_original_due_time(
    container_factory, config, notification
):
    allocate(notification, config)
    notification.stop()  # down before the reminder is due, back ten days later
    again = started(container_factory, NotificationService, config)
    assert fire(again, DUE + timedelta(days=10))["fired"] == 1
    entry = call(again, "list_inbox", "alice", {})["items"][0]
    assert entry["due_at"] == DUE.isoformat()
    assert "Sent late: it was due 2026-11-23 16:00" in entry["body"]


def test_an_instance_that_died_mid_firing_lets_go_when_its_lease_runs_out(notification, config, db):
    allocate(notification, config)
    store = Reminders(db)
    reminder = db.reminders.find_one({"kind": "first_touch"})
    # what a dead instance leaves: leased, never finished
    assert store.replace(
        {
            **reminder,
            "status": "firing",
            "lease_token": "dead",
            "lease_until": DUE + timedelta(minutes=2),
            "version": reminder["version"] + 1,
        },
        reminder,
    )
    assert fire(notification, DUE + timedelta(minutes=1))["fired"] == 0  # the lease still holds
    assert fire(notification, DUE + timedelta(minutes=3))["fired"] == 1
    assert fire(notification, DUE + timedelta(minutes=9))["fired"] == 0
    assert call(notification, "list_inbox", "alice", {})["total"] == 1


def test_two_instances_racing_fire_each_reminder_once(container_factory, config, notification, db):
    for n in range(30):
        allocate(notification, config, customer_id=f"cus_{n}")
    started(container_factory, NotificationService, config)  # after: the two share event queues
    now = (DUE + timedelta(minutes=1)).isoformat()
    with ClusterRpcProxy(config) as cluster:  # calls spread over both instances
        results = [reply.result() for reply in [cluster.notification.fire_due.call_async(now) for _ in range(6)]]
    assert sum(r["fired"] for r in results) == 30
    assert sum(r["delivered"] for r in results) == 30
    assert db.notices.count_documents({}) == 30
    # one entry per notice, and the one digest standing for them all (30 of a kind in one window)
    assert db.inbox.count_documents({"user_id": "alice", "kind": "first_touch"}) == 30
    assert [len(d["items"]) for d in db.inbox.find({"user_id": "alice", "kind": "inbox_digest"})] == [30]
    assert [len(d["attempts"]) for d in db.deliveries.find({})] == [1] * 30


def test_quiet_hours_defer_firing_to_their_end_in_the_persons_zone(notification, config):
    call(
        notification,
        "set_preferences",
        "alice",
        {"time_zone": "Europe/Berlin", "quiet_hours": {"start": "22:00", "end": "07:30"}},
    )
    allocate(notification, config, at=datetime(2026, 11, 20, 22, 0, tzinfo=UTC))  # due 23:00 Berlin
    due = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    assert fire(notification, due + timedelta(minutes=1))["deferred"] == 1
    reminder = call(notification, "list_reminders", "alice", {})["items"][0]
    assert reminder["fire_at"] == "2026-11-24T06:30:00+00:00" and reminder["due_at"] == due.isoformat()
    assert fire(notification, datetime(2026, 11, 24, 6, 29, tzinfo=UTC))["fired"] == 0
    assert fire(notification, datetime(2026, 11, 24, 6, 31, tzinfo=UTC))["fired"] == 1
    assert "Sent late" not in call(notification, "list_inbox", "alice", {})["items"][0]["body"]


def test_a_digest_reader_gets_the_inbox_at_once_and_one_webhook_digest_at_their_hour(notification, config):
    with RecordingHttpServer() as hook:
        call(
            notification,
            "set_preferences",
            "alice",
            {
                "time_zone": "Asia/Shanghai",
                "digest": True,
                "digest_at": "08:30",
                "channels": ["inbox", "webhook"],
                "addresses": {"webhook": hook.url},
                "secrets": {"webhook": SECRET},
            },
        )
        allocate(notification, config, customer_id="cus_1")
        allocate(notification, config, customer_id="cus_2", at=AT + timedelta(hours=1))
        fire(notification, DUE + timedelta(hours=2))  # 18:00 in Shanghai: both fire
        assert call(notification, "list_inbox", "alice", {})["total"] == 2
        assert hook.received == []
        digest_time = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)  # 08:30 next day in Shanghai
        assert fire(notification, digest_time)["digests"] == 1
        assert len(hook.received) == 1
        sent = hook.received[0]["json"]
        assert (sent["kind"], len(sent["items"])) == ("digest", 2)
        assert "2 reminders" in sent["title"]
        assert fire(notification, digest_time + timedelta(minutes=5))["digests"] == 0


def test_snooze_with_a_reason_fires_again_later_and_done_closes_it(notification, config):
    allocate(notification, config)
    reminder = call(notification, "list_reminders", "alice", {})["items"][0]
    with pytest.raises(Forbidden) as refused:
        call(notification, "snooze_reminder", reminder["id"], {"by": "bob", "minutes": 60})
    assert refused.value.message == "Only alice, whom it reminds, can snooze it."
    fire(notification, DUE + timedelta(minutes=1))
    until = datetime.now(UTC) + timedelta(days=2)  # snoozing is done now, by the real clock
    snoozed = call(
        notification,
        "snooze_reminder",
        reminder["id"],
        {"by": "alice", "until": until.isoformat(), "reason": "customer travelling, call next week"},
    )
    assert (snoozed["status"], snoozed["snooze_reason"], snoozed["due_at"]) == (
        "pending",
        "customer travelling, call next week",
        DUE.isoformat(),
    )
    assert fire(notification, until - timedelta(minutes=1))["fired"] == 0
    assert fire(notification, until + timedelta(minutes=1))["fired"] == 1
    assert call(notification, "list_inbox", "alice", {})["total"] == 2
    done = call(notification, "complete_reminder", reminder["id"], {"by": "alice", "note": "called, quote sent"})
    assert (done["status"], done["close_reason"]) == ("done", "called, quote sent")
    assert call(notification, "list_reminders", "alice", {})["total"] == 0


def test_webhook_deliveries_are_signed_retried_with_backoff_and_recover(notification, config):
    with RecordingHttpServer(answers=(503, 500, 200)) as hook:
        call(
            notification,
            "set_preferences",
            "alice",
            {"channels": ["inbox", "webhook"], "addresses": {"webhook": hook.url}, "secrets": {"webhook": SECRET}},
        )
        allocate(notification, config)
        now = DUE + timedelta(minutes=1)
        assert fire(notification, now)["retrying"] == 1
        assert fire(notification, now + timedelta(seconds=10))["retrying"] == 0  # waits its backoff
        assert fire(notification, now + timedelta(seconds=31))["retrying"] == 1
        assert fire(notification, now + timedelta(seconds=95))["delivered"] == 1
        assert len(hook.received) == 3
        last = hook.received[-1]
        headers = {k.lower(): v for k, v in last["headers"].items()}
        expected = hmac.new(
            SECRET.encode(), f"{headers['x-baton-timestamp']}.".encode() + last["raw"], hashlib.sha256
        ).hexdigest()
        assert headers["x-baton-signature"] == f"sha256={expected}"
        assert headers["x-baton-delivery"] == last["json"]["id"]
        assert last["json"]["due_at"] == DUE.isoformat()
    delivery = call(notification, "list_deliveries", {"user_id": "alice", "channel": "webhook"})["items"][0]
    assert delivery["status"] == "delivered"
    assert [a["ok"] for a in delivery["attempts"]] == [False, False, True]
    assert "503" in delivery["attempts"][0]["error"]


def test_a_permanent_webhook_refusal_is_recorded_as_failed_and_visible(notification, config):
    with RecordingHttpServer(answers=(404,)) as hook:
        call(
            notification,
            "set_preferences",
            "alice",
            {"channels": ["inbox", "webhook"], "addresses": {"webhook": hook.url}, "secrets": {"webhook": SECRET}},
        )
        allocate(notification, config)
        result = fire(notification, DUE + timedelta(minutes=1))
    assert (result["failed"], result["delivered"]) == (1, 1)  # the inbox still got it
    failed = call(notification, "list_deliveries", {"status": "failed"})["items"]
    assert [(d["channel"], d["user_id"]) for d in failed] == [("webhook", "alice")]
    assert "404" in failed[0]["last_error"] and failed[0]["attempts"][0]["permanent"] is True


@pytest.fixture
def smtp_server(config, mail_server):
    config["BATON"]["notification"]["channels"]["email"].update({"host": "127.0.0.1", "port": mail_server.port})
    mail_server.refusals = 1
    yield mail_server
    mail_server.refusals = 0


def test_email_goes_through_a_real_smtp_server_that_refuses_once_then_accepts(smtp_server, notification, config):
    address = f"alice-{uuid.uuid4().hex[:8]}@example.com"
    call(notification, "set_preferences", "alice", {"channels": ["email"], "addresses": {"email": address}})
    allocate(notification, config)
    now = DUE + timedelta(minutes=1)
    assert fire(notification, now)["retrying"] == 1
    assert fire(notification, now + timedelta(seconds=31))["delivered"] == 1
    mails = [m for m in smtp_server.messages if m["To"] == address]
    assert len(mails) == 1
    mail = mails[0]
    assert mail["Subject"] == "First touch due: customer cus_1"
    assert mail["Message-ID"].startswith("<ntf_rem_first_touch_")
    assert "Due 2026-11-23 16:00" in mail.get_payload()
    failed_once = call(notification, "list_deliveries", {"channel": "email"})["items"][0]["attempts"][0]
    assert "451" in failed_once["error"] and failed_once["permanent"] is False


def test_preferences_refuse_unknown_channels_and_missing_or_bad_addresses(notification):
    for changes, field in (
        ({"channels": ["pager"]}, "channels"),
        ({"channels": ["email"]}, "addresses"),
        ({"addresses": {"email": "not-an-address"}}, "addresses"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "quiet_hours"),
    ):
        with pytest.raises(InvalidInput) as refused:
            call(notification, "set_preferences", "alice", changes)
        assert field in refused.value.details["fields"], changes
    saved = call(
        notification,
        "set_preferences",
        "alice",
        {
            "channels": ["inbox", "webhook"],
            "addresses": {"webhook": "https://hooks.example.com/x"},
            "secrets": {"webhook": SECRET},
        },
    )
    assert saved["secrets_set"] == ["webhook"] and SECRET not in str(saved)
    assert call(notification, "get_preferences", "alice")["channels"] == ["inbox", "webhook"]
    assert call(notification, "get_preferences", "zed")["channels"] == ["inbox"]  # the configured default


@pytest.fixture
def broken_channel_plugin(tmp_path, monkeypatch, config):
    """An installed third-party channel plugin whose send raises."""
    uninstall = install_plugin_package(
        tmp_path,
        monkeypatch,
        "acme_pager",
        """
        from plugins import hookimpl
        from plugins.declarations import NotificationChannel

        @hookimpl
        def baton_notification_channels(settings):
            def send(message, recipient):
                raise KeyError("pager_token")
            return [NotificationChannel("pager", send, "Acme pager", needs_address=False)]
    """,
        {"acme_pager": "acme_pager"},
    )
    config["BATON"]["plugins"]["enabled"] = [*config["BATON"]["plugins"]["enabled"], "acme_pager"]
    yield
    uninstall()


def test_a_broken_channel_plugin_is_named_its_delivery_failed_and_nothing_else_breaks(
    broken_channel_plugin, notification, config
):
    call(notification, "set_preferences", "alice", {"channels": ["pager", "inbox"]})
    allocate(notification, config)
    result = fire(notification, DUE + timedelta(minutes=1))
    assert (result["fired"], result["delivered"], result["failed"]) == (1, 1, 1)
    failed = call(notification, "list_deliveries", {"status": "failed"})["items"][0]
    assert failed["last_error"] == "plugin 'acme_pager' failed in channel 'pager': KeyError: 'pager_token'"
    assert call(notification, "list_inbox", "alice", {})["total"] == 1
