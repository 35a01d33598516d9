import pytest

from services.profile.domain.matching import match_keys
from services.profile.domain.normalising import normalise_email


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Jane@Acme.DE", "jane@acme.de"),
        ("  jane@acme.de  ", "jane@acme.de"),
        ("Jane Doe <jane@acme.de>", "jane@acme.de"),
        ("mailto:jane@acme.de", "jane@acme.de"),
        ("ｊａｎｅ＠ａｃｍｅ．ｄｅ", "jane@acme.de"),  # full-width, typed on a Chinese IME
        ("J.Ane.Doe+expo@GoogleMail.com", "janedoe@gmail.com"),
        ("jane+expo@outlook.com", "jane@outlook.com"),
        ("jane+expo@acme.de", "jane+expo@acme.de"),  # a company's own tags may be meaningful
        ("j.ane@acme.de", "j.ane@acme.de"),  # dots matter outside Gmail
        ("jane@acme.de.", "jane@acme.de"),
    ],
)
def test_normalises_to_one_comparable_form(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "not an email", "a@b@c.com", "@acme.de", "jane@localhost"])
def test_non_addresses_have_no_key(raw):
    assert normalise_email(raw) is None


def test_the_email_key_is_the_normalised_address():
    assert match_keys({"contact": {"email": "Jane <Jane@Acme.de>"}})["email"] == "jane@acme.de"
    assert "email" not in match_keys({"contact": {"phone": "+49 30 1234567"}})
