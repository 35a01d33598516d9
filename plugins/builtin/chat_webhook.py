"""A sample channel plugin: a chat group's incoming webhook (WeCom 企业微信, DingTalk 钉钉 or Slack).

The payload takes the shape the app expects, chosen from the URL's host (qyapi.weixin.qq.com,
oapi.dingtalk.com, hooks.slack.com) or forced with ``BATON.notification.channels.chat.app``.
WeCom and DingTalk answer 200 with an ``errcode``; anything but 0 is a failure (their rate
limits are retried, a bad key is not).
"""

import json
import urllib.parse
from collections.abc import Callable
from typing import Any

from plugins.builtin.posting import check_url, encoded, post_json
from plugins.declarations import NotificationChannel, OutgoingMessage, Recipient
from plugins.errors import DeliveryFailed
from plugins.markers import hookimpl

NAME = "chat"
APPS = ("wecom", "dingtalk", "slack")
HOSTS = {"qyapi.weixin.qq.com": "wecom", "oapi.dingtalk.com": "dingtalk", "hooks.slack.com": "slack"}
RATE_LIMITED = {45009, 130101}  # WeCom, DingTalk: too many messages, try later


def app_of(url: str, configured: str | None = None) -> str:
    if configured in APPS:
        return configured
    return HOSTS.get(urllib.parse.urlsplit(url).hostname or "", "slack")


def payload(app: str, message: OutgoingMessage) -> dict[str, Any]:
    text = f"{message.title}\n{message.body}"
    if app == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": f"**{message.title}**\n{message.body}"}}
    if app == "dingtalk":
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": f"### {message.title}\n{message.body}"},
        }
    return {
        "text": text,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": message.body[:3000]}},
        ],
    }


def sender_of(settings: dict[str, Any]) -> Callable[[OutgoingMessage, Recipient], str]:
    def send(message, recipient):
        app = app_of(recipient.address, settings.get("app"))
        status, text = post_json(
            recipient.address, encoded(payload(app, message)), {}, float(settings.get("timeout_seconds", 10))
        )
        if app in ("wecom", "dingtalk"):
            try:
                code = int(json.loads(text or "{}").get("errcode", 0))
            except (ValueError, AttributeError):
                code = 0
            if code:
                raise DeliveryFailed(f"{app} refused the message: {text[:200]}", permanent=code not in RATE_LIMITED)
        return f"{app} HTTP {status}"

    return send


@hookimpl
def baton_notification_channels(settings: dict[str, Any]) -> list[NotificationChannel]:
    return [
        NotificationChannel(
            NAME,
            sender_of(settings.get(NAME) or {}),
            "A chat group's incoming webhook (WeCom, DingTalk or Slack).",
            check_address=check_url,
        )
    ]
