"""Countries as Baton recognises them: the spellings it recognised as none, for an admin to map."""

from marshmallow import fields

from contracts.base import OutputSchema


class UnknownCountrySchema(OutputSchema):
    """A country as customers wrote it that names no country Baton knows (or two): kept as given,
    with no country_code, until an admin maps it in BATON.countries.aliases and runs
    ``baton countries backfill``."""

    country = fields.String(required=True, metadata={"description": "As most of its customers wrote it."})
    spellings = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Every spelling written alike (case, accents, punctuation aside): one alias maps them all."
        },
    )
    customers = fields.Integer(required=True, metadata={"description": "Archives with this country."})
    customer_ids = fields.List(fields.String(), required=True, metadata={"description": "Up to 10 of them."})


class UnknownCountryListSchema(OutputSchema):
    items = fields.List(
        fields.Nested(UnknownCountrySchema), required=True, metadata={"description": "Most customers first."}
    )
