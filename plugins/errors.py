"""Plugin failures, named after the plugin so an admin knows what to fix or disable."""

from typing import Self

from nameko.exceptions import deserialize_to_instance

from contracts.errors import BatonError


@deserialize_to_instance
class PluginFailed(BatonError):
    """A plugin raised, or returned something its hook does not allow."""

    code = "plugin_failed"

    @classmethod
    def of(cls, plugin: str, hook: str, reason: str) -> Self:
        return cls(f"plugin '{plugin}' failed in {hook}: {reason}", {"plugin": plugin, "hook": hook})


class NotAnInquiry(Exception):
    """Raised by a channel connector for a payload its channel carries that is no inquiry (a
    bounce, an auto-reply, a mailing list's mail): intake keeps it as rejected with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PluginLoadError(Exception):
    """An enabled plugin cannot be found or imported; the service refuses to start."""


class DeliveryFailed(Exception):
    """A notification channel could not deliver a message. ``permanent``: retrying cannot help
    (an address refused, a 4xx answer); otherwise it is retried with backoff."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
