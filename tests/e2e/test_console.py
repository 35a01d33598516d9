"""The web console as people use it: journeys in real Chromium (web/e2e/*.spec.mjs, driven by
playwright-core under node's test runner) against the whole system, started here on a vhost and
data folder of its own, so its claims and sessions touch no other test's people. Screenshots of
each journey are kept under var/e2e-screens/."""

import shutil
from pathlib import Path

import pytest

from deploy.local_system import local_system
from tests.e2e.console_seed import WEB, run_journeys, seed_console

pytestmark = pytest.mark.e2e

REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPOSITORY / "var" / "e2e-screens"
JOURNEYS_SECONDS = 600


@pytest.fixture(scope="module")
def console_system(tmp_path_factory):
    assert (WEB / "dist" / "index.html").is_file(), "the console is not built: run scripts/bootstrap"
    # screening on, as shipped: the seed's customers are filed by hand (no queue), a website lead waits in it
    with local_system(tmp_path_factory.mktemp("console-var"), env={"BATON_SCREENING": "true"}) as running:
        yield running


def test_people_work_in_the_console_in_chromium(console_system, tmp_path):
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    journeys = sorted(str(p.relative_to(WEB)) for p in (WEB / "e2e").glob("*.spec.mjs"))
    assert journeys, "no journeys in web/e2e"
    run_journeys(seed_console(console_system, SCREENSHOTS), tmp_path, journeys, JOURNEYS_SECONDS)
    assert list(SCREENSHOTS.glob("*.png")), "the journeys kept no screenshots"
