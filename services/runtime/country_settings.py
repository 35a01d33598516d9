"""``BATON.countries`` as every service reads it — the languages whose names are recognised, the
display language, a company's own aliases — and a query's country read through it.

Every service loads the same section into the same recogniser (``services.runtime.countries``),
so intake, profile and pool read a spelling alike.
"""

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates

from contracts.errors import InvalidInput
from services.runtime.countries import ISO_CODES, Countries, country_key, known_language, load_countries

UNKNOWN_COUNTRY = (
    "Unknown country {text!r}: give its name (in any of the markets' languages) or its ISO 3166 "
    "alpha-2 or alpha-3 code. An admin can map this spelling in BATON.countries.aliases."
)


class CountrySettingsSchema(Schema):
    """Loads into the ``Countries`` recogniser."""

    class Meta:
        unknown = RAISE

    languages = fields.List(
        fields.String(validate=validate.Length(min=2, max=20)), required=True, validate=validate.Length(min=1)
    )
    display_language = fields.String(load_default="en")
    aliases = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)), values=fields.String(), load_default=dict
    )

    @validates("languages")
    def languages_cldr_knows(self, value: list[str], **kwargs: Any) -> None:
        if unknown := [language for language in value if not known_language(language)]:
            raise ValidationError(f"CLDR has no names in {', '.join(unknown)} (use Babel locale names, e.g. de, zh).")

    @validates("display_language")
    def display_language_cldr_knows(self, value: str, **kwargs: Any) -> None:
        if not known_language(value):
            raise ValidationError(f"CLDR has no names in {value}.")

    @validates("aliases")
    def aliases_name_one_country(self, value: dict[str, str], **kwargs: Any) -> None:
        problems = [
            f"{spelling!r}: {code!r} is no ISO 3166 alpha-2 code"
            for spelling, code in value.items()
            if code not in ISO_CODES
        ]
        codes: dict[str, set[str]] = {}
        for spelling, code in value.items():
            codes.setdefault(country_key(spelling), set()).add(code)
            if not country_key(spelling):
                problems.append(f"{spelling!r} has no letters to recognise")
        problems += [
            f"spellings written alike ({key!r}) name {', '.join(sorted(found))}"
            for key, found in codes.items()
            if len(found) > 1
        ]
        if problems:
            raise ValidationError(problems)

    @post_load
    def recogniser(self, data: dict[str, Any], **kwargs: Any) -> Countries:
        return load_countries(
            tuple(data["languages"]), tuple(sorted(data["aliases"].items())), data["display_language"]
        )


def country_in_query(countries: Countries, query: dict, field: str = "country") -> dict:
    """A copy of ``query`` with ``field`` (any spelling) as ``country_code``; ``InvalidInput`` naming the
    field when the spelling names no country (a filter nothing could match is a mistake to say)."""
    asked = {name: value for name, value in query.items() if name != field}
    if not query.get(field):
        return asked
    code = countries.code_of(query[field])
    if code is None:
        reason = UNKNOWN_COUNTRY.format(text=query[field])
        raise InvalidInput(reason, {"fields": {field: [reason]}})
    return {**asked, "country_code": code}
