"""Python's cycle collector held off while a service decodes and combines a large read (a report's
monthly totals, the handoff measures): hundreds of thousands of new, acyclic containers, each
batch of which would otherwise set off a collection walking all of them again (most of a large
report's time). Reference counting frees them as usual; the collector runs again once the last
read in progress, across the process's workers, is done — also when it fails."""

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

_reading = 0  # reads holding the collector off now, across workers
_reading_lock = threading.Lock()

Read = TypeVar("Read", bound=Callable[..., Any])


@contextmanager
def collector_paused() -> Iterator[None]:
    global _reading
    with _reading_lock:
        _reading += 1
        gc.disable()
    try:
        yield
    finally:
        with _reading_lock:
            _reading -= 1
            if not _reading:
                gc.enable()


def with_collector_paused(read: Read) -> Read:
    """``read`` run within ``collector_paused``."""

    @wraps(read)
    def paused(*args: Any, **kwargs: Any) -> Any:
        with collector_paused():
            return read(*args, **kwargs)

    return paused  # type: ignore[return-value]
