"""Possible duplicates in the console, in real Chromium against the whole system: a manager lists
every pair by name, keeps one pair apart with a note and merges another, and a later inquiry for
the pair kept apart does not flag it again (web/e2e/duplicates/pairs.journey.mjs). Screenshots
under var/e2e-screens/ (pairs-*.png)."""

from pathlib import Path

import pytest

from deploy.local_system import local_system
from tests.e2e.console_seed import WEB, journey_fixture, provision_people, run_journeys

pytestmark = pytest.mark.e2e

REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPOSITORY / "var" / "e2e-screens"
JOURNEY = "e2e/duplicates/pairs.journey.mjs"
JOURNEY_SECONDS = 300
# {id: (name, role, department, team)}: a manager decides, marketing files the inquiries.
PEOPLE = {
    "meier": ("Klaus Meier", "manager", "sales", "default"),
    "mia": ("Mia Chen", "member", "marketing", None),
}


@pytest.fixture(scope="module")
def console_system(tmp_path_factory):
    assert (WEB / "dist" / "index.html").is_file(), "the console is not built: run scripts/bootstrap"
    with local_system(tmp_path_factory.mktemp("duplicates-var")) as running:
        yield running


def test_a_manager_keeps_one_pair_apart_and_merges_another_in_chromium(console_system, tmp_path):
    provision_people(console_system, PEOPLE)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    run_journeys(journey_fixture(console_system, SCREENSHOTS, PEOPLE, {}), tmp_path, [JOURNEY], JOURNEY_SECONDS)
    assert list(SCREENSHOTS.glob("pairs-*.png")), "the journey kept no screenshots"
