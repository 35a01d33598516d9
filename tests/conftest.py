# nameko's containers need green sockets; patch before anything opens one, or container tests hang.
import eventlet

eventlet.monkey_patch()

import logging  # noqa: E402
import os  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import yaml  # noqa: E402
from nameko.cli.main import setup_yaml_parser  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from deploy.docstore import Docstore, free_port  # noqa: E402
from tests.databases import drop_databases  # noqa: E402
from tests.endpoints import RecordingSmtpServer  # noqa: E402

# Most tests are about what happens once a lead has an owner: their systems (local_system passes
# this environment on) and configurations (load_config_file) allocate on arrival. The screening
# tests turn it back on (BATON_SCREENING=true, or allocation.screening in their config).
os.environ.setdefault("BATON_SCREENING", "false")
# The shipped configuration names nobody; the tests' salespeople (users they provision) weigh 3:2:1.
os.environ.setdefault("BATON_SALESPEOPLE", "[{id: alice, weight: 3}, {id: bob, weight: 2}, {id: carol, weight: 1}]")

REPO = Path(__file__).resolve().parents[1]
CONFIG_FILE = REPO / "deploy" / "config.yaml"
FINISHED_URIS: list[str] = []  # store URIs of finished tests, whose databases are dropped next

# The driver and the broker client chatter at DEBUG/INFO; test output should show our logs.
for noisy in ("pymongo", "kombu", "amqp", "nameko"):
    logging.getLogger(noisy).setLevel(logging.WARNING)


def load_config_file(path=CONFIG_FILE):
    """The config exactly as ``nameko run --config`` reads it (``${VAR:default}`` resolved)."""
    setup_yaml_parser()
    with open(path) as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="session")
def docstore(tmp_path_factory):
    """One embedded document server for the whole run; each test gets its own database."""
    data_dir = tmp_path_factory.mktemp("docstore")
    store = Docstore(data_dir, port=free_port(), log_file=data_dir / "docstore.log")
    store.start()
    yield store
    store.stop()


@pytest.fixture
def mongo_uri(docstore):
    """A store URI of the test's own: its services' databases (``<database>_<service>``) are new.

    Each test's databases are dropped when the next one starts: by then its services have
    stopped, where during its own teardown some may still run and write."""
    with MongoClient(docstore.uri(), tz_aware=True) as client:
        while FINISHED_URIS:
            drop_databases(client, FINISHED_URIS.pop())
    uri = docstore.uri(f"test_{uuid.uuid4().hex[:12]}")
    yield uri
    FINISHED_URIS.append(uri)


@pytest.fixture(scope="session")
def mail_server():
    """One real SMTP server (aiosmtpd) for the whole run: its asyncio loop cannot run twice in
    eventlet's single OS thread. Tests tell their mails apart by recipient."""
    with RecordingSmtpServer() as smtp:
        yield smtp
