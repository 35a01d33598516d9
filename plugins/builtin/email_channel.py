"""Email over SMTP (``BATON.notification.channels.email``: host, port, sender, optional
username/password, ``security``: none, starttls or ssl, timeout_seconds).

The Message-ID is derived from the notice, so a retried delivery is recognisably the same mail.
A 4xx answer or a lost connection is retried; a 5xx refusal of the address is permanent.
"""

import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from email_validator import EmailNotValidError, validate_email

from plugins.declarations import NotificationChannel, OutgoingMessage, Recipient
from plugins.errors import DeliveryFailed
from plugins.markers import hookimpl

NAME = "email"


def check_address(address: str) -> str | None:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def compose(message: OutgoingMessage, recipient: Recipient, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = sender
    mail["To"] = recipient.address
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = f"<{message.id}@baton>"
    mail["X-Baton-Kind"] = message.kind
    mail.set_content(message.body + "\n")
    return mail


def sender_of(settings: dict[str, Any]) -> Callable[[OutgoingMessage, Recipient], str]:
    def send(message, recipient):
        mail = compose(message, recipient, settings.get("sender", "baton@localhost"))
        security = settings.get("security", "none")
        client = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP
        try:
            with client(
                settings.get("host", "127.0.0.1"),
                int(settings.get("port", 25)),
                timeout=float(settings.get("timeout_seconds", 10)),
            ) as smtp:
                if security == "starttls":
                    smtp.starttls()
                if settings.get("username"):
                    smtp.login(settings["username"], settings.get("password") or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryFailed(
                f"SMTP refused {recipient.address}: {exc.recipients}", permanent=all(code >= 500 for code in codes)
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryFailed(
                f"SMTP answered {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
            ) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"SMTP server unreachable: {type(exc).__name__}: {exc}") from exc
        return mail["Message-ID"]

    return send


@hookimpl
def baton_notification_channels(settings: dict[str, Any]) -> list[NotificationChannel]:
    return [
        NotificationChannel(
            NAME,
            sender_of(settings.get(NAME) or {}),
            "Email through the configured SMTP server.",
            check_address=check_address,
        )
    ]
