"""Logs as JSON lines (BATON_LOG_FORMAT=json): through the LOGGING section of deploy/config.yaml
exactly as `nameko run` configures it, one parseable object per line, ids kept, secrets masked."""

import io
import json
import logging
import logging.config

import pytest

from services.runtime.log_format import JsonFormatter, masked
from tests.conftest import load_config_file


@pytest.fixture
def json_logging(monkeypatch):
    monkeypatch.setenv("BATON_LOG_FORMAT", "json")
    monkeypatch.setenv("BATON_SERVICE", "pool")
    config = load_config_file()["LOGGING"]
    assert config["handlers"]["console"]["formatter"] == "json"
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logging.config.dictConfig(config)
    stream = io.StringIO()
    root.handlers[0].stream = stream
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_each_record_is_one_json_object_with_the_service_and_the_ids(json_logging):
    logging.getLogger("services.pool.claims").info(
        "claim of %s refused: %s", "cus_1", "daily limit", extra={"customer_id": "cus_1", "caller": "alice"}
    )
    line = json.loads(json_logging.getvalue().strip())
    assert line["level"] == "INFO" and line["service"] == "pool" and line["logger"] == "services.pool.claims"
    assert line["event"] == "claim of cus_1 refused: daily limit"
    assert (line["customer_id"], line["caller"]) == ("cus_1", "alice")
    assert line["timestamp"].endswith("+00:00")


def test_a_fault_keeps_its_traceback_in_one_line(json_logging):
    try:
        raise KeyError("role")
    except KeyError:
        logging.getLogger("services.notification").exception("manager lookup failed")
    lines = json_logging.getvalue().strip().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line["level"] == "ERROR" and "KeyError: 'role'" in line["exception"]


def test_tokens_and_passwords_never_reach_a_line():
    assert masked("Authorization: Bearer abc.DEF-123") == "Authorization: Bearer ***"
    assert masked('{"password": "pw-alice-2026", "user": "alice"}') == '{"password": "***", "user": "alice"}'
    assert masked("token=s3cr3t&x=1") == "token=***&x=1"
    record = logging.LogRecord("gateway", logging.WARNING, __file__, 1, "sign-in with password=%s", ("hunter2",), None)
    assert "hunter2" not in JsonFormatter(service="gateway").format(record)
