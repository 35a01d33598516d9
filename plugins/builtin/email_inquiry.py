"""Channel connector for inquiries that arrive by email: a raw RFC 822 message in, an inquiry out.

Payload: {"raw": "<the message as received>"}. The sender becomes the contact; the company is
read from the signature (a line with a legal form such as GmbH, Ltd., 有限公司) or, for a
company address, from its domain.
"""
import re
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr

from plugins.markers import hookimpl

CHANNEL = "email"
LEGAL_FORM = re.compile(r"\b(GmbH|AG|KG|Ltd\.?|Limited|LLC|Inc\.?|Corp\.?|S\.?A\.?S?|SARL|S\.?r\.?l\.?|B\.?V\.?|"
                        r"Co\.,? ?Ltd\.?|Sp\. z o\.o\.)(?=\W|$)|有限公司|股份有限公司", re.IGNORECASE)
SIGNATURE_START = re.compile(r"^(--\s*$|best regards|kind regards|regards|best|thanks|sincerely|此致|谢谢)",
                             re.IGNORECASE)
FREE_MAIL_HINT = {"gmail.com", "qq.com", "163.com", "126.com", "outlook.com", "hotmail.com", "yahoo.com"}
MAX_SIGNATURE_LINES = 8


@hookimpl
def baton_inquiry_from_channel(channel, payload):
    if channel != CHANNEL:
        return None
    raw = payload.get("raw")
    if not isinstance(raw, str):
        # Reported as this connector's refusal, stored with the inquiry as rejected.
        raise ValueError("the payload needs 'raw': the email as received (RFC 822 text)")
    # Mail is bytes on the wire; parsing the text as str would mangle non-ASCII bodies.
    message = BytesParser(policy=policy.default).parsebytes(raw.encode("utf-8", errors="surrogateescape"))
    name, address = parseaddr(str(message.get("From", "")))
    body = _text_of(message)
    inquiry = {"schema_version": 1, "channel": CHANNEL, "initial_behaviour": "sent an email",
               "contact": {k: v for k, v in (("name", name), ("email", address)) if v}}
    subject = str(message.get("Subject", "")).strip()
    inquiry["message"] = "\n\n".join(filter(None, [subject, body.strip()])) or None
    company = _company_in_signature(body) or _company_from_domain(address)
    if company:
        inquiry["company"] = company
    return {k: v for k, v in inquiry.items() if v is not None}


def _text_of(message):
    part = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
    try:
        return part.get_content() if part is not None else ""
    except (LookupError, UnicodeDecodeError):
        return part.get_payload(decode=True).decode("utf-8", errors="replace")


def _company_in_signature(body):
    lines = [line.strip() for line in body.splitlines()]
    start = next((i for i, line in enumerate(lines) if SIGNATURE_START.match(line)), max(0, len(lines) - MAX_SIGNATURE_LINES))
    for line in lines[start:start + MAX_SIGNATURE_LINES + 1]:
        if LEGAL_FORM.search(line) and len(line) <= 120:
            return line
    return None


def _company_from_domain(address):
    domain = address.rpartition("@")[2].lower()
    if not domain or domain in FREE_MAIL_HINT:
        return None
    label = domain.split(".")[0]
    return label.replace("-", " ").title() if label else None
