"""bench/read_latency.py still runs (tiny sizes: every timed call answers 200 and the first-touch
phase gets its reminders; no figure is judged here — the script prints its figures and the target
when run at full size, 10,000 and 1,000,000 customers)."""

import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.bench  # the bench tier: `pytest -m "not bench"` leaves it out


def test_the_read_latency_bench_runs() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "read_latency.py"),
            *("--small", "60", "--customers", "150", "--day-share", "20", "--samples", "3", "--warmup", "1"),
            *("--first-touch", "3", "--chunk", "50", "--workers", "1", "--settle", "0"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for expected in (
        "day: my open reminders",
        "customer: timeline",
        "pool: country+grade",
        "in the store alone",
        "reads over target",
    ):
        assert expected in done.stdout, done.stdout[-3000:]
    assert "inquiry -> first touch at" in done.stdout, done.stdout[-3000:]
