"""A grading plugin's failure is recorded on the archive by name; it never stops the filing."""

from plugins import hookimpl
from plugins.builtin import intent_grading
from plugins.host import PluginHost
from services.profile.filing import grade_intent


class Broken:
    @staticmethod
    @hookimpl
    def baton_grade_intent(inquiry):
        raise ZeroDivisionError("division by zero")


def test_the_builtin_grade_is_stored_as_plain_data():
    grade, error = grade_intent(PluginHost([("intent_grading", intent_grading)]), {"message": "3 containers ASAP"})
    assert grade == {
        "grade": "A",
        "reasons": ["specific quantity: '3 containers'", "timeline: 'ASAP'"],
        "rule": "intent_grading",
    }
    assert error is None


def test_a_failing_rule_leaves_no_grade_and_names_the_plugin():
    grade, error = grade_intent(PluginHost([("intent_grading", intent_grading), ("acme", Broken)]), {"message": "x"})
    assert grade is None
    assert error == "plugin 'acme' failed in baton_grade_intent: ZeroDivisionError: division by zero"


def test_no_rule_means_no_grade():
    assert grade_intent(PluginHost([]), {"message": "x"}) == (None, None)
