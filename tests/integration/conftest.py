import copy

import pytest
from pymongo import MongoClient

from tests.conftest import load_config_file


@pytest.fixture(scope="session")
def file_config():
    return load_config_file()


@pytest.fixture
def config(file_config, rabbit_config, mongo_uri):
    """The shipped configuration, on a fresh RabbitMQ vhost and a fresh database."""
    merged = copy.deepcopy(file_config)
    merged.update(rabbit_config)
    merged["MONGO_URI"] = mongo_uri
    return merged


@pytest.fixture
def db(mongo_uri):
    client = MongoClient(mongo_uri, tz_aware=True)
    yield client.get_default_database()
    client.close()
