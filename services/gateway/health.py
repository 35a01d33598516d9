"""``/health`` and ``/ready``: every service asked over RPC at once, each within the deadline
(``BATON.health.deadline_seconds``); what each answered, or why it did not.

No rules live here: each service judges its own health (``services.runtime.health``).
"""

from __future__ import annotations

import time
from typing import Any

import eventlet
from nameko.exceptions import UnknownService

from contracts.health import HealthSchema, ReadySchema

NOT_RUNNING = "not running"


class _Late(Exception):
    """The deadline passed before a service answered."""


def ask_all(
    proxies: dict, method: str, deadline_seconds: float, *args: Any, error_detail: bool = False
) -> dict[str, tuple[Any, str | None]]:
    """{service: (its answer, None) or (None, why there is none)}: ``method(*args)`` asked of every
    service in ``proxies`` at once, all answers awaited within one ``deadline_seconds``. An error a
    service answered with is named by its type, and with ``error_detail`` by its message too."""
    outcomes: dict[str, tuple[Any, str | None]] = {}
    replies = {}
    for name, proxy in proxies.items():
        try:
            replies[name] = getattr(proxy, method).call_async(*args)
        except UnknownService:  # no queue for it: it never ran on this broker
            outcomes[name] = (None, NOT_RUNNING)
        except Exception as error:  # the broker refused the publish
            outcomes[name] = (None, f"could not be asked ({type(error).__name__})")
    ends = time.monotonic() + deadline_seconds
    for name, reply in replies.items():
        try:
            with eventlet.Timeout(max(0.0, ends - time.monotonic()), _Late()):
                outcomes[name] = (reply.result(), None)
        except _Late:
            outcomes[name] = (None, f"did not answer within {deadline_seconds:g} s")
        except UnknownService:
            outcomes[name] = (None, NOT_RUNNING)
        except Exception as error:  # it answered with an error
            said = f"{type(error).__name__}: {error}" if error_detail else type(error).__name__
            outcomes[name] = (None, f"answered with an error ({said})")
    return {name: outcomes[name] for name in proxies}


def health_report(outcomes: dict[str, tuple[dict | None, str | None]]) -> tuple[int, dict]:
    """(HTTP status, the ``/health`` answer): 200 when every service answered healthy, else 503."""
    services: dict[str, dict] = {}
    for name, (answer, reason) in outcomes.items():
        if answer is None:
            services[name] = {"status": "failing", "reason": reason, "checks": {}}
            continue
        failing_checks = [
            f"{check}: {state['reason']}" for check, state in answer["checks"].items() if state["status"] != "ok"
        ]
        services[name] = {
            "status": answer["status"],
            "checks": answer["checks"],
            "reason": "; ".join(failing_checks) or None,
        }
    failing = sorted(name for name, state in services.items() if state["status"] != "ok")
    report = {"status": "failing" if failing else "ok", "services": services, "failing": failing}
    return (503 if failing else 200), HealthSchema().dump(report)


def readiness(store_reason: str | None, rpc_outcome: tuple[dict | None, str | None]) -> tuple[int, dict]:
    """(HTTP status, the ``/ready`` answer) from the gateway's store ping and an RPC round trip."""
    reasons = []
    if store_reason:
        reasons.append(f"store: {store_reason}")
    if rpc_outcome[0] is None:
        reasons.append(f"rpc: the gateway's own RPC {rpc_outcome[1]}")
    return (503 if reasons else 200), ReadySchema().dump(
        {"status": "not_ready" if reasons else "ready", "reasons": reasons}
    )
