"""The whole system as a user runs it: the real supervisor on a vhost and data folder of its own."""
import pytest

from deploy.local_system import local_system


@pytest.fixture(scope="session")
def system(tmp_path_factory, mail_server):   # mail_server: tests/conftest.py
    """A running system (api, amqp_uri, mongo_uri, supervisor_pid), stopped with Ctrl-C's signal."""
    data_dir = tmp_path_factory.mktemp("baton-var")
    with local_system(data_dir, env={"BATON_SMTP_PORT": str(mail_server.port)}) as running:
        yield running
    print((data_dir / "supervisor.out").read_text()[-3000:])
