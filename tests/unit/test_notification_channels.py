"""Notification channels as plugins: declared through the hook, checked, and a broken one named."""

import json
import types
from datetime import UTC, datetime

import pytest

from contracts.notification import WebhookNotificationSchema
from plugins import hookimpl
from plugins.builtin import chat_webhook, email_channel, webhook_channel
from plugins.declarations import NotificationChannel, OutgoingMessage, Recipient
from plugins.errors import DeliveryFailed
from plugins.host import PluginHost

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
MESSAGE = OutgoingMessage(
    "ntf_1", "alice", "first_touch", "First touch due: customer cus_1", "Call them.", "cus_1", AT, AT
)
BUILTIN_CHANNELS = ["inbox_channel", "email_channel", "webhook_channel", "chat_webhook"]


def host(*extra):
    return PluginHost(
        [
            (name, __import__(f"plugins.builtin.{module}", fromlist=["x"]))
            for name, module in zip(
                BUILTIN_CHANNELS, ["inbox_channel", "email_channel", "webhook_channel", "chat_webhook"], strict=False
            )
        ]
        + list(extra)
    )


class Inbox:
    def __init__(self):
        self.filed = []

    def put(self, message):
        self.filed.append(message)


def test_the_builtins_declare_four_channels_and_the_inbox_files_into_batons_inbox():
    inbox = Inbox()
    channels, broken = host().notification_channels({}, inbox)
    assert (sorted(channels), broken) == (["chat", "email", "inbox", "webhook"], {})
    assert channels["inbox"].digestible is False and channels["inbox"].needs_address is False
    assert channels["inbox"].send(MESSAGE, Recipient("alice", "UTC")) is None
    assert inbox.filed == [MESSAGE]


def plugin(function):
    return types.SimpleNamespace(baton_notification_channels=hookimpl(function))


def test_a_plugin_whose_send_breaks_is_named_and_its_delivery_fails_for_good():
    def send(message, recipient):
        return {}["token"]

    channels, _ = host(
        ("acme", plugin(lambda: [NotificationChannel("pager", send, "Pager", needs_address=False)]))
    ).notification_channels({}, Inbox())
    with pytest.raises(DeliveryFailed) as failed:
        channels["pager"].send(MESSAGE, Recipient("alice", "UTC"))
    assert (
        failed.value.permanent and failed.value.reason == "plugin 'acme' failed in channel 'pager': KeyError: 'token'"
    )


def test_a_plugin_whose_hook_breaks_or_takes_a_name_is_left_out_named_and_the_others_work():
    def broken():
        raise RuntimeError("no licence")

    clash = plugin(lambda: [NotificationChannel("email", lambda m, r: None, "Another email")])
    channels, broken_plugins = host(("bad", plugin(broken)), ("clash", clash)).notification_channels({}, Inbox())
    assert sorted(channels) == ["chat", "email", "inbox", "webhook"]
    assert broken_plugins["bad"] == "plugin 'bad' failed in baton_notification_channels: RuntimeError: no licence"
    assert "already declared by plugin 'email_channel'" in broken_plugins["clash"]


def test_a_channel_declaration_is_checked():
    with pytest.raises(ValueError):
        NotificationChannel("Bad Name", lambda m, r: None, "x")
    with pytest.raises(ValueError):
        NotificationChannel("ok", "not callable", "x")


def test_the_webhook_signature_is_an_hmac_of_timestamp_and_body():
    body = b'{"id":"ntf_1"}'
    assert webhook_channel.signature("secret", "1700000000", body) == (
        "sha256=" + __import__("hmac").new(b"secret", b"1700000000." + body, "sha256").hexdigest()
    )
    with pytest.raises(DeliveryFailed) as failed:
        webhook_channel.sender_of({})(MESSAGE, Recipient("alice", "UTC", "http://127.0.0.1:9/x"))
    assert failed.value.permanent and "no webhook secret" in failed.value.reason


def test_the_webhook_body_is_the_published_contract():
    digest = OutgoingMessage(
        "ntf_d", "alice", "digest", "Your Baton digest: 1 reminder", "- …", None, AT, AT, (MESSAGE,)
    )
    loaded = WebhookNotificationSchema().load(json.loads(webhook_channel.body_of(digest)))
    assert (loaded["event"], loaded["items"][0]["due_at"]) == ("baton.notification", AT)


def test_addresses_are_checked_by_their_channel():
    assert email_channel.check_address("alice@example.com") is None
    assert email_channel.check_address("alice@") is not None
    assert webhook_channel.check_url("ftp://x") == "Not an http(s) URL with a host."
    assert webhook_channel.check_url("https://hooks.example.com/a") is None


@pytest.mark.parametrize(
    "url, app",
    [
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "wecom"),
        ("https://oapi.dingtalk.com/robot/send?access_token=t", "dingtalk"),
        ("https://hooks.slack.com/services/T/B/X", "slack"),
    ],
)
def test_the_chat_sample_speaks_each_apps_shape(url, app):
    assert chat_webhook.app_of(url) == app
    payload = chat_webhook.payload(app, MESSAGE)
    if app == "wecom":
        assert payload == {
            "msgtype": "markdown",
            "markdown": {"content": "**First touch due: customer cus_1**\nCall them."},
        }
    elif app == "dingtalk":
        assert payload["markdown"]["title"] == MESSAGE.title and payload["msgtype"] == "markdown"
    else:
        assert payload["text"].startswith(MESSAGE.title) and payload["blocks"][0]["type"] == "header"
    assert chat_webhook.app_of(url, "slack") == "slack"


def test_an_email_is_composed_with_a_stable_message_id():
    mail = email_channel.compose(MESSAGE, Recipient("alice", "UTC", "alice@example.com"), "Baton <baton@example.com>")
    assert (mail["To"], mail["Message-ID"], mail["Subject"]) == ("alice@example.com", "<ntf_1@baton>", MESSAGE.title)
