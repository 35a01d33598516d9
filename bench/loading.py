"""Loading a large generated data set into the store: generation in worker processes while this
process encodes and inserts (the house style of the benches that store a million documents)."""

import multiprocessing
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor


def generated(generate_batch, count, chunk, workers, *args):
    """``generate_batch(start, stop, *args)`` for each chunk of 0..count-1, in order, computed in
    worker processes while the caller stores the one before; at most ``2 * workers`` chunks are in
    flight, so memory stays bounded. ``generate_batch`` must be importable (spawned workers)."""
    starts = iter(range(0, count, chunk))
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending = deque()

        def submit_next():
            start = next(starts, None)
            if start is not None:
                pending.append(pool.submit(generate_batch, start, min(start + chunk, count), *args))

        for _ in range(2 * workers):
            submit_next()
        while pending:
            result = pending.popleft().result()
            submit_next()
            yield result


class Progress:
    """Prints how far a load has come every ``every`` seconds and at the end."""

    def __init__(self, count, label, unit, every=15):
        self.count, self.label, self.unit, self.every = count, label, unit, every
        self.done = 0
        self.started = self.last_report = time.perf_counter()

    def add(self, done, note=""):
        self.done += done
        now = time.perf_counter()
        if now - self.last_report >= self.every or self.done == self.count:
            rate = self.done / (now - self.started)
            print(
                f"  [{self.label}] loaded {self.done:,}/{self.count:,} {self.unit} ({rate:,.0f}/s{note}), "
                f"eta {(self.count - self.done) / rate:,.0f} s",
                flush=True,
            )
            self.last_report = now

    @property
    def seconds(self):
        return time.perf_counter() - self.started
