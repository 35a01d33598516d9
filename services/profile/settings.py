from collections import Counter
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates

from contracts.deals import CUSTOMER_STAGES
from services.runtime.reporting import ReportPeriodSettingsSchema

LOST_STAGES = ("lost", "invalid", "rejected")


class MatchingSettingsSchema(Schema):
    min_name_similarity = fields.Integer(required=True, validate=validate.Range(0, 100))
    merge_name_similarity = fields.Integer(required=True, validate=validate.Range(0, 100))
    max_name_block = fields.Integer(required=True, validate=validate.Range(min=1))
    # Each word of a typo'd name at least this similar to its counterpart (else another word).
    min_word_similarity = fields.Integer(required=True, validate=validate.Range(0, 100))
    # A phone sharing this many leading characters of E.164 ("+4930…") is in the same area.
    typo_phone_prefix_digits = fields.Integer(required=True, validate=validate.Range(min=3, max=16))


class GradingSettingsSchema(Schema):
    """``BATON.grading``: what the value-grade rule plugins are given (``baton_grade_value``)."""

    value_currency = fields.String(required=True, validate=validate.Length(equal=3))
    exchange_rates = fields.Dict(
        keys=fields.String(validate=validate.Length(equal=3)),
        values=fields.Float(validate=validate.Range(min=0, min_inclusive=False)),
        required=True,
    )
    core_annual_value = fields.Float(required=True, validate=validate.Range(min=0))
    potential_annual_value = fields.Float(required=True, validate=validate.Range(min=0))


class CommunicationSettingsSchema(Schema):
    unanswered_phrases = fields.List(fields.String(validate=validate.Length(min=1)), required=True)
    record_within_minutes = fields.Float(
        load_default=60, allow_none=True, validate=validate.Range(min=0, min_inclusive=False)
    )
    # a contact dated later than now plus this is refused (it has not happened)
    clock_skew_minutes = fields.Float(load_default=10, validate=validate.Range(min=0))


COUNTRY_CODE = validate.Regexp(r"^[A-Z]{2}\Z", error="An ISO 3166 alpha-2 code in capitals, e.g. DE.")


class ReportSettingsSchema(ReportPeriodSettingsSchema):
    """``BATON.reports``: the period settings every service reads, and what profile's reports count."""

    class Meta:
        unknown = RAISE

    top_products = fields.Integer(load_default=20, validate=validate.Range(min=1))
    # A month's per-customer totals split over this many documents (by a hash of the customer):
    # a change of one customer rewrites one of them. Changing it rebuilds each month when next read.
    totals_shards = fields.Integer(load_default=64, validate=validate.Range(min=1, max=1024))
    # Stages whose changes (with their reasons) the lost-reasons report counts.
    lost_stages = fields.List(fields.String(validate=validate.OneOf(CUSTOMER_STAGES)), load_default=list(LOST_STAGES))
    # Region -> ISO countries; a country in none is in other_region.
    regions = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        values=fields.List(fields.String(validate=COUNTRY_CODE)),
        load_default=dict,
    )
    other_region = fields.String(load_default="Other", validate=validate.Length(min=1, max=100))
    # Need -> the words that ask for it, in any language (English ones match whole words).
    needs = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        values=fields.List(fields.String(validate=validate.Length(min=1)), validate=validate.Length(min=1)),
        load_default=dict,
    )

    @validates("regions")
    def one_region_a_country(self, value: dict[str, list[str]], **kwargs: Any) -> None:
        listed = Counter(code for codes in value.values() for code in codes)
        if twice := sorted(code for code, count in listed.items() if count > 1):
            raise ValidationError(f"Countries in more than one region: {', '.join(twice)}.")

    @post_load
    def region_lookup(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        regions = {code: region for region, codes in data["regions"].items() for code in codes}
        return {**data, "region_of_country": regions}
