"""Every bench script still runs (tiny sizes; no figure is judged here — the scripts print their
figures and targets when run at full size). A script left behind by a contract change fails here,
not on the day someone needs its figures."""

import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.bench  # their own tier: `pytest -m "not bench"` leaves them out

RUNS = {
    # a whole system and Chromium (web/dist built, /usr/bin/chromium): about 40 s, most of it start-up
    "console.py": (["--small", "3", "--large", "30", "--runs", "1"], "first page (rows of both lists shown)"),
    "country_spellings.py": ([], "(target >= 95%, wrong 0)"),
    # a whole system and Chromium again, the managers' dashboard
    "dashboard.py": (["--small", "20", "--customers", "60", "--runs", "1"], "dashboard shown at 60 vs 20 customers"),
    "match_latency.py": (
        ["--small", "200", "--large", "1000", "--lookups", "10", "--warmup", "2", "--scan-probes", "2"],
        "latency ",
    ),
    "intake_throughput.py": (["--messages", "20"], "Baton intake end to end"),
    "import_rows.py": (["--rows", "30", "--before-rows", "5"], "after: batches"),
    "store_round_trips.py": (["--messages", "10", "--idle", "2"], "store commands per inquiry"),
    "pool_allocation.py": (["--customers", "40"], "weighted shares"),
    "pool_claims.py": (
        ["--customers", "40", "--claimers", "5", "--attempts", "4", "--hot", "2", "--baseline-calls", "20"],
        "double owners                 0",
    ),
    "pool_recycling.py": (["--small", "200", "--large", "1000", "--timed-sweeps", "1", "--probes", "1"], "left due: 0"),
    "reminder_firing.py": (
        ["--small", "200", "--large", "1000", "--minutes", "1", "--due-per-minute", "10", "--deliveries", "5"],
        "find and fire",
    ),
}


@pytest.mark.parametrize("script", sorted(RUNS))
def test_the_bench_runs(script):
    arguments, expected = RUNS[script]
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert expected in done.stdout, done.stdout[-3000:]
