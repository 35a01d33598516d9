"""Keys that identify a customer across channels.

The foundation matches on the exact normalised email; company-name, domain, phone and
registration-code keys join here as further entries of ``match_keys``.
"""
from services.profile.domain.normalising import normalise_email


def match_keys(inquiry):
    """The matching keys an inquiry carries, as ``{kind: normalised value}``."""
    keys = {}
    email = normalise_email((inquiry.get("contact") or {}).get("email"))
    if email:
        keys["email"] = email
    return keys
