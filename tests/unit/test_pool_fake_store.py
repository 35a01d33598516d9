"""The in-memory pool store (``tests.fakes.pool.FakePoolStore``) cannot drift from the real one
(``services.pool.store.Pool``) silently: every store method pool's application functions use (read
off their source) exists on both, with the same parameters. The same checks of behaviour run
against both in tests/integration/test_pool_store_contract.py."""

import inspect
from unittest.mock import MagicMock

from services.pool.store import Pool
from tests.fakes.pool import FakePoolStore
from tests.unit.test_fake_stores import application_modules, parameters, used_on

# what the fast tests call themselves, as the entrypoints and timers do
CALLED_BY_TESTS = {"take_turn", "holdings_of", "forget"}


def test_the_fake_pool_offers_every_store_method_the_application_functions_use_with_the_same_parameters():
    real, fake = Pool(MagicMock()), FakePoolStore()
    used = used_on(application_modules("pool"), {"pool"})
    assert {"holding", "replace_holding", "due", "claimer", "save_rotation"} <= set(used), "the scan is broken"
    names = set(used) | CALLED_BY_TESTS
    assert sorted(name for name in names if not hasattr(real, name)) == []
    methods = sorted(name for name in names if inspect.ismethod(getattr(real, name)))
    assert [name for name in methods if not hasattr(fake, name)] == []
    differing = {
        name: (parameters(getattr(real, name)), parameters(getattr(fake, name)))
        for name in methods
        if parameters(getattr(real, name)) != parameters(getattr(fake, name))
    }
    assert differing == {}
    for name in sorted(names - set(methods)):  # attributes (the teams seeded)
        assert hasattr(fake, name), f"FakePoolStore lacks {name}"
