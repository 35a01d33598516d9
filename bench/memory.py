"""Memory figures for the benches: the most a piece of work holds at once."""

import tracemalloc


def peak_allocated(work):
    """(``work()``'s result, the most memory Python held for it at once, in bytes). Traced, and so
    slower: run it beside the timed work, never as it."""
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
