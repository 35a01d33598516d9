"""Keys that identify a customer across channels.

The foundation matches on the exact normalised email; company-name, domain, phone and
registration-code keys join here as further entries of ``match_keys``.
"""
import unicodedata
from email.utils import parseaddr

# Providers that ignore dots in the local part and everything after "+".
DOTLESS_PLUS_PROVIDERS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
# Providers that deliver "name+tag@" to "name@".
PLUS_PROVIDERS = {"outlook.com", "hotmail.com", "live.com", "icloud.com", "me.com",
                  "protonmail.com", "proton.me", "fastmail.com"}


def normalise_email(value):
    """The comparable form of an email address, or None if it is not one.

    NFKC folds full-width characters typed on Chinese keyboards; case is folded because
    mail systems treat local parts case-insensitively in practice.
    """
    if not value:
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):]
    address = parseaddr(text)[1] or text
    if address.count("@") != 1:
        return None
    local, domain = address.lower().split("@")
    domain = domain.strip().rstrip(".")
    local = local.strip()
    if not local or "." not in domain:
        return None
    if domain in DOTLESS_PLUS_PROVIDERS:
        domain = DOTLESS_PLUS_PROVIDERS[domain]
        local = local.split("+", 1)[0].replace(".", "")
    elif domain in PLUS_PROVIDERS:
        local = local.split("+", 1)[0]
    return f"{local}@{domain}"


def match_keys(inquiry):
    """The matching keys an inquiry carries, as ``{kind: normalised value}``."""
    keys = {}
    email = normalise_email((inquiry.get("contact") or {}).get("email"))
    if email:
        keys["email"] = email
    return keys
