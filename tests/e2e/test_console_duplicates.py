"""Possible duplicates in the console, in real Chromium against the whole system: a manager lists
every pair by name, keeps one pair apart with a note and merges another, and a later inquiry for
the pair kept apart does not flag it again (web/e2e/duplicates/pairs.journey.mjs). Screenshots
under var/e2e-screens/ (pairs-*.png)."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.local_system import local_system, provision_users

pytestmark = pytest.mark.e2e

REPOSITORY = Path(__file__).resolve().parents[2]
WEB = REPOSITORY / "web"
SCREENSHOTS = REPOSITORY / "var" / "e2e-screens"
JOURNEY = "e2e/duplicates/pairs.journey.mjs"
JOURNEY_SECONDS = 300
# {id: (name, role, department, team)}: a manager decides, marketing files the inquiries.
PEOPLE = {
    "meier": ("Klaus Meier", "manager", "sales", "default"),
    "mia": ("Mia Chen", "member", "marketing", None),
}


def password_of(user_id):
    return f"pw-{user_id}-2026"


@pytest.fixture(scope="module")
def console_system(tmp_path_factory):
    assert (WEB / "dist" / "index.html").is_file(), "the console is not built: run scripts/bootstrap"
    with local_system(tmp_path_factory.mktemp("duplicates-var")) as running:
        yield running


def test_a_manager_keeps_one_pair_apart_and_merges_another_in_chromium(console_system, tmp_path):
    provision_users(console_system, {user: spec[1:] for user, spec in PEOPLE.items()})
    with ClusterRpcProxy({"AMQP_URI": console_system.amqp_uri}) as cluster:
        for user, (name, *_rest) in PEOPLE.items():
            cluster.gateway.change_user(user, {"name": name})
            cluster.gateway.set_password(user, {"password": password_of(user)})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    fixture = tmp_path / "fixture.json"
    fixture.write_text(
        json.dumps(
            {
                "baseUrl": console_system.api,
                "screenshots": str(SCREENSHOTS),
                "users": {
                    user: {"password": password_of(user), "name": name, "role": role, "department": dept, "team": team}
                    for user, (name, role, dept, team) in PEOPLE.items()
                },
                "seed": {},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        ["node", "--test", JOURNEY],
        cwd=WEB,
        env={**os.environ, "BATON_E2E_FIXTURE": str(fixture)},
        capture_output=True,
        text=True,
        timeout=JOURNEY_SECONDS,
    )
    report = done.stdout + done.stderr
    print(report[-20000:])
    assert done.returncode == 0, report[-6000:]
    assert "# fail 0" in report and "# pass 0" not in report
    assert list(SCREENSHOTS.glob("pairs-*.png")), "the journey kept no screenshots"
