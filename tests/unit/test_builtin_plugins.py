"""The built-in plugins' rules, called directly (they are plain functions)."""

import pytest

from contracts.inquiry import InquirySchema
from plugins.builtin.default_fields import baton_custom_fields
from plugins.builtin.intent_grading import baton_grade_intent
from plugins.builtin.website_form import baton_inquiry_from_channel
from plugins.declarations import CustomField


@pytest.mark.parametrize(
    "message, products, grade",
    [
        ("We need 2,000 pcs of model X with CE by March.", [], "A"),
        ("Quote for 500 sets, target price USD 9.5", [], "A"),
        ("急需2000件，预算已批", [], "A"),
        ("两千件，下个月交货", [], "A"),
        ("Please quote 3 containers of PVC pipe", [], "B"),
        ("Price for your LED panel?", ["LED panel 60x60"], "B"),
        ("我们想合作", [], "C"),
        ("We are interested, please send catalog", [], "C"),
        ("", [], "C"),
    ],
)
def test_intent_grade_follows_seed_003(message, products, grade):
    verdict = baton_grade_intent({"message": message, "products": products})
    assert verdict.grade == grade, verdict.reasons
    assert verdict.rule == "intent_grading" and verdict.reasons


def test_grade_reasons_quote_the_evidence():
    verdict = baton_grade_intent({"message": "Need 2,000 pcs, delivery by March"})
    assert verdict.reasons == ("specific quantity: '2,000 pcs'", "timeline: 'by March'")


def test_default_fields_are_valid_declarations():
    declared = baton_custom_fields()
    assert all(isinstance(f, CustomField) for f in declared)
    assert "purchase_cycle" in {f.name for f in declared}


def test_a_website_form_becomes_a_valid_canonical_inquiry():
    form = {
        "full_name": " Jane Doe ",
        "email": "jane@acme.de",
        "tel": "+49 30 1234567",
        "company_name": "Acme",
        "country": "DE",
        "comments": "2000 pcs please",
        "products": "Lamp A, Lamp B",
        "utm_campaign": "q4",
        "page_url": "https://example.com/lamps",
        "newsletter": "yes",
    }
    inquiry = baton_inquiry_from_channel("website_form", form)
    assert inquiry == {
        "schema_version": 1,
        "channel": "website_form",
        "company": "Acme",
        "country": "DE",
        "message": "2000 pcs please",
        "contact": {"name": "Jane Doe", "email": "jane@acme.de", "phone": "+49 30 1234567"},
        "campaign": "q4",
        "initial_behaviour": "submitted website form on https://example.com/lamps",
        "products": ["Lamp A", "Lamp B"],
    }
    assert InquirySchema().validate(inquiry) == {}


def test_a_form_with_wrong_types_is_left_for_the_contract_to_refuse():
    inquiry = baton_inquiry_from_channel("website_form", {"email": ["a@b.co"], "company": {"$ne": 1}})
    errors = InquirySchema().validate(inquiry)
    assert errors["company"] == ["Not a valid string."] and "email" in errors["contact"]


def test_other_channels_are_not_answered():
    assert baton_inquiry_from_channel("alibaba", {"email": "a@b.co"}) is None
