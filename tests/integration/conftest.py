import copy

import pytest
from pymongo import MongoClient

from services.profile.service import ProfileService
from tests.conftest import load_config_file
from tests.databases import ServiceDatabases
from tests.integration.helpers import inquiry_delivery, start_downstream_of, started


@pytest.fixture(scope="session")
def file_config():
    return load_config_file()


@pytest.fixture
def config(file_config, rabbit_config, mongo_uri):
    """The shipped configuration, on a fresh RabbitMQ vhost and a fresh database."""
    merged = copy.deepcopy(file_config)
    merged.update(rabbit_config)
    merged["MONGO_URI"] = mongo_uri
    # No gateway runs here to tell handoff who works where: the tests' people, placed by configuration.
    merged["BATON"]["handoff"]["departments"] = {
        "marketing": ["mia"],
        "sales": ["alice", "bob", "carol"],
        "service": ["sam", "sue"],
        "tech": ["tom"],
        "production": ["pete"],
    }
    return merged


@pytest.fixture(autouse=True)
def test_clock(monkeypatch):
    """Sweeps and firing take the ``now`` these tests give (services.runtime.given_clock); a test
    of the refusal takes it away with ``monkeypatch.delenv``."""
    monkeypatch.setenv("BATON_TEST_CLOCK", "1")


@pytest.fixture
def db(mongo_uri):
    """The services' databases under the test's store URI (``tests.databases.ServiceDatabases``):
    ``db.holdings`` is pool's, ``db.of("intake").audit`` intake's audit trail."""
    client = MongoClient(mongo_uri, tz_aware=True)
    yield ServiceDatabases(client, mongo_uri)
    client.close()


@pytest.fixture
def profile(container_factory, config):
    """A running profile service, with a stand-in listening to every event it publishes."""
    start_downstream_of(container_factory, config, "profile")
    return started(container_factory, ProfileService, config)


@pytest.fixture
def received(config, profile):
    """``received(inquiry_id, inquiry)``: an inquiry announced by intake and filed by ``profile``."""
    return inquiry_delivery(config, profile)
