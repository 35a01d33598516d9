"""Expected refusals are one INFO line without a traceback; real faults stay ERROR with one
(issue 15 item 9). Through real RabbitMQ, with the filter the shipped LOGGING configuration names."""

import logging
import logging.config

import pytest
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcProxy

from contracts.access import ACTOR_CONTEXT_KEY
from contracts.errors import EXPECTED_ERRORS, InvalidInput, NotFound, Refused
from tests.integration.helpers import started


class Refusing:
    name = "refusing"

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def missing(self, customer_id):
        raise NotFound.of("customer", customer_id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def refused(self):
        raise Refused("The handoff is missing items.", {"missing": ["contact attempted"], "passed": False})

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def invalid(self):
        raise InvalidInput.from_messages({"at": ["Later than now."]})

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def broken(self):
        raise RuntimeError("a real fault")


@pytest.fixture
def configured_filter(file_config):
    """The filter on the logger the shipped configuration puts it on, as `nameko run` would."""
    spec = file_config["LOGGING"]
    (logger_name,) = [name for name, logger in spec["loggers"].items() if logger.get("filters")]
    (filter_name,) = spec["loggers"][logger_name]["filters"]
    factory = logging.config.DictConfigurator(spec).resolve(spec["filters"][filter_name]["()"])
    logger, added = logging.getLogger(logger_name), factory()
    logger.addFilter(added)
    yield logger_name
    logger.removeFilter(added)


def test_refusals_log_one_info_line_and_faults_stay_errors_with_a_traceback(
    container_factory, config, configured_filter, caplog
):
    started(container_factory, Refusing, config)
    caplog.set_level(logging.DEBUG, logger=configured_filter)
    with ClusterRpcProxy(config, context_data={ACTOR_CONTEXT_KEY: {"user_id": "mia", "role": "member"}}) as cluster:
        with pytest.raises(NotFound):
            cluster.refusing.missing("cus_9")
        with pytest.raises(Refused) as refused:
            cluster.refusing.refused()
        with pytest.raises(InvalidInput):
            cluster.refusing.invalid()
        assert refused.value.details == {"missing": ["contact attempted"], "passed": False}  # the caller's copy
        with pytest.raises(Exception, match="a real fault"):
            cluster.refusing.broken()

    worker_records = [r for r in caplog.records if r.name == configured_filter and r.levelno >= logging.INFO]
    refusals = [r for r in worker_records if r.levelno == logging.INFO]
    assert [r.getMessage() for r in refusals] == [
        "refused refusing.missing for mia: not_found: No customer with id 'cus_9'. "
        '{"resource": "customer", "id": "cus_9"}',
        "refused refusing.refused for mia: refused: The handoff is missing items. "
        '{"missing": ["contact attempted"], "passed": false}',
        "refused refusing.invalid for mia: invalid_input: The input is not valid: see the field errors. "
        '{"fields": {"at": ["Later than now."]}}',
    ]
    assert all(r.exc_info is None and "\n" not in caplog.handler.format(r) for r in refusals)
    (fault,) = [r for r in worker_records if r.levelno > logging.INFO]
    assert fault.levelno == logging.ERROR and isinstance(fault.exc_info[1], RuntimeError)
    assert "Traceback" in caplog.handler.format(fault)
