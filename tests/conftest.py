# nameko's containers need green sockets; patch before anything opens one, or container tests hang.
import eventlet

eventlet.monkey_patch()

import logging  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import yaml  # noqa: E402
from nameko.cli.main import setup_yaml_parser  # noqa: E402

from deploy.docstore import Docstore, free_port  # noqa: E402
from tests.endpoints import RecordingSmtpServer  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CONFIG_FILE = REPO / "deploy" / "config.yaml"

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
    return docstore.uri(f"test_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def mail_server():
    """One real SMTP server (aiosmtpd) for the whole run: its asyncio loop cannot run twice in
    eventlet's single OS thread. Tests tell their mails apart by recipient."""
    with RecordingSmtpServer() as smtp:
        yield smtp
