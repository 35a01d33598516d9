"""Every hook is documented: parameters, return, and whether the first answer wins."""

import inspect

import pytest

from plugins import hookspecs

HOOKS = [f for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("baton_")]


def test_there_are_hooks():
    assert {h.__name__ for h in HOOKS} >= {"baton_custom_fields", "baton_grade_intent", "baton_inquiry_from_channel"}


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h.__name__)
def test_hook_is_documented(hook):
    doc = inspect.getdoc(hook) or ""
    for section in ("Parameters:", "Returns:", "firstresult:"):
        assert section in doc, f"{hook.__name__} does not document {section!r}"


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h.__name__)
def test_firstresult_text_matches_the_marker(hook):
    marked = hook.baton_spec.get("firstresult", False)
    said = inspect.getdoc(hook).split("firstresult:")[1].strip().lower()
    assert said.startswith("yes" if marked else "no")
