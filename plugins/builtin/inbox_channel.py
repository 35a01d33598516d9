"""The in-app inbox: every notice filed in Baton, read through ``GET /users/<id>/inbox``.

It takes each notice as it fires even for people who read a daily digest elsewhere: an inbox
is read when its owner chooses, so it never disturbs.
"""

from typing import Any

from plugins.declarations import NotificationChannel
from plugins.markers import hookimpl

NAME = "inbox"


@hookimpl
def baton_notification_channels(inbox: Any) -> list[NotificationChannel]:
    def send(message, recipient):
        inbox.put(message)
        return None

    return [
        NotificationChannel(NAME, send, "In-app inbox, read through the API.", needs_address=False, digestible=False)
    ]
