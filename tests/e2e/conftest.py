"""The whole system as a user runs it: the real supervisor on a vhost and data folder of its own."""

import pytest

from deploy.local_system import local_system, provision_users
from tests.integration.helpers import ApiClient

# Who uses the system in these tests: {user id: (role, department, team)}. Sales members become
# salespeople of their team: alice, bob and carol are the default team's rotation (weighing 3:2:1 by
# BATON_SALESPEOPLE, tests/conftest.py: the shipped configuration names nobody); dora and erik sell
# in a second team, so the rotation tests see three people.
PEOPLE = {
    "root": ("admin", None, None),
    "alice": ("member", "sales", "default"),
    "bob": ("member", "sales", "default"),
    "carol": ("member", "sales", "default"),
    "dora": ("member", "sales", "export-2"),
    "erik": ("member", "sales", "export-2"),
    "meier": ("manager", "sales", "default"),
    "mia": ("member", "marketing", None),
    "sam": ("member", "service", None),
    "svc-lead": ("manager", "service", None),
    "sue": ("member", "service", None),
    "tom": ("member", "tech", None),
    "pete": ("member", "production", None),
    "web": ("integration", None, None),
}


@pytest.fixture(scope="session")
def system(tmp_path_factory, mail_server):  # mail_server: tests/conftest.py
    """A running system (api, amqp_uri, mongo_uri, supervisor_pid), stopped with Ctrl-C's signal."""
    data_dir = tmp_path_factory.mktemp("baton-var")
    # BATON_TEST_CLOCK: the reminder tests fire as of a time they choose (services.runtime.given_clock).
    # BATON_SCREENING=false: these tests are about what follows allocation (tests/e2e/test_screening.py: screening).
    with local_system(
        data_dir, env={"BATON_SMTP_PORT": str(mail_server.port), "BATON_TEST_CLOCK": "1", "BATON_SCREENING": "false"}
    ) as running:
        yield running
    print((data_dir / "supervisor.out").read_text()[-3000:])


@pytest.fixture(scope="session")
def people(system):
    """An API client per user in ``PEOPLE``, each with its own token."""
    return {user: ApiClient(system.api, token) for user, token in provision_users(system, PEOPLE).items()}


@pytest.fixture
def api(people):
    """The admin's client: every route is open to it."""
    return people["root"]
