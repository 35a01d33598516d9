"""POSTing JSON to someone else's endpoint, for the webhook channels: which answers mean
"try again later" (no answer, 408, 425, 429, 5xx) and which mean "this will never work"."""

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from plugins.errors import DeliveryFailed

RETRYABLE_STATUSES = {408, 425, 429}
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def check_url(address: str | None) -> str | None:
    parsed = urllib.parse.urlsplit(address or "")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "Not an http(s) URL with a host."
    return None


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """The answer's (status, text) for a 2xx; DeliveryFailed otherwise. ``body``: bytes."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", "User-Agent": "Baton", **headers}
    )
    try:
        with NO_PROXY.open(request, timeout=timeout) as response:
            return response.status, response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        text = exc.read(500).decode("utf-8", "replace")
        permanent = exc.code < 500 and exc.code not in RETRYABLE_STATUSES
        raise DeliveryFailed(f"{url} answered {exc.code}: {text[:200]}", permanent=permanent) from exc
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        raise DeliveryFailed(f"{url} unreachable: {getattr(exc, 'reason', exc)}") from exc


def encoded(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
