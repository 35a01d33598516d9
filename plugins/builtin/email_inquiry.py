"""Channel connector for inquiries that arrive by email: a raw RFC 822 message in, an inquiry out.

Payload: {"raw": "<the message as received>"}. The sender becomes the contact; the company is
read from the signature (a line with a legal form such as GmbH, Ltd., 有限公司) or, for a
company address, from its registrable domain ("mail.alpha-lighting.de" → "Alpha Lighting").

Mail that is no inquiry is refused with the reason (``NotAnInquiry``; intake keeps it as
rejected): bounces and delivery reports (RFC 3464 multipart/report, MAILER-DAEMON, postmaster),
auto-replies (RFC 3834 Auto-Submitted, X-Autoreply, out-of-office subjects), mailing lists and
bulk mail (RFC 2919 List-Id, RFC 2369 List-Unsubscribe, Precedence: bulk/list/junk).
"""

import re
import unicodedata
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from typing import Any

import tldextract

from plugins.errors import NotAnInquiry
from plugins.free_mail import FREE_MAIL_DOMAINS
from plugins.markers import hookimpl

CHANNEL = "email"
LEGAL_FORM = re.compile(
    r"\b(GmbH|AG|KG|Ltd\.?|Limited|LLC|Inc\.?|Corp\.?|S\.?A\.?S?|SARL|S\.?r\.?l\.?|B\.?V\.?|"
    r"Co\.,? ?Ltd\.?|Sp\. z o\.o\.)(?=\W|$)|有限公司|股份有限公司",
    re.IGNORECASE,
)
SIGNATURE_START = re.compile(
    r"^(--\s*$|best regards|kind regards|regards|best|thanks|sincerely|此致|谢谢)", re.IGNORECASE
)
MAX_SIGNATURE_LINES = 8
# The bundled public-suffix snapshot: no download, no cache written (as profile's normalising).
_DOMAINS = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

SYSTEM_SENDERS = ("mailer-daemon", "postmaster")
BULK_PRECEDENCE = ("bulk", "list", "junk")
# How auto-replies begin their subject in the markets' languages, when no header says so.
OUT_OF_OFFICE_SUBJECTS = tuple(
    phrase.casefold()
    for phrase in (
        "out of office",
        "out of the office",
        "automatic reply",
        "auto reply",
        "auto-reply",
        "autoreply",
        "auto response",
        "auto-response",
        "autoresponse",
        "away from the office",
        "on vacation",
        "on holiday",
        "abwesenheit",
        "abwesend",
        "automatische antwort",
        "nicht im büro",
        "außer haus",  # de
        "réponse automatique",
        "absence du bureau",
        "absent du bureau",
        "message d'absence",  # fr
        "respuesta automática",
        "fuera de la oficina",
        "fuera de oficina",  # es
        "resposta automática",
        "fora do escritório",  # pt
        "risposta automatica",
        "fuori ufficio",
        "fuori sede",  # it
        "automatisch antwoord",
        "afwezig",
        "buiten kantoor",  # nl
        "odpowiedź automatyczna",
        "automatyczna odpowiedź",
        "poza biurem",
        "nieobecność",  # pl
        "otomatik yanıt",
        "otomatik cevap",
        "ofis dışında",  # tr
        "автоответ",
        "автоматический ответ",
        "вне офиса",  # ru
        "trả lời tự động",
        "vắng mặt",  # vi
        "رد تلقائي",
        "الرد التلقائي",
        "خارج المكتب",  # ar
        "自動返信",
        "自動応答",
        "不在通知",
        "外出中",  # ja
        "자동 응답",
        "자동응답",
        "자동 회신",
        "부재중",  # ko
        "自动回复",
        "自動回覆",
        "自動回复",
        "自动答复",
        "休假中",
        "不在办公室",  # zh
    )
)
# What a reply, a forward or a tag puts before the subject: "RE: ", "AW: ", "回复：", "[External] ".
SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|fw|fwd|wg|tr|rv|回复|答复|转发)\s*[:：]\s*|\[[^\]]*\]\s*|\([^)]*\)\s*)", re.IGNORECASE
)


@hookimpl
def baton_inquiry_from_channel(channel: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    if channel != CHANNEL:
        return None
    raw = payload.get("raw")
    if not isinstance(raw, str):
        # Reported as this connector's refusal, stored with the inquiry as rejected.
        raise ValueError("the payload needs 'raw': the email as received (RFC 822 text)")
    # Mail is bytes on the wire; parsing the text as str would mangle non-ASCII bodies.
    message = BytesParser(policy=policy.default).parsebytes(raw.encode("utf-8", errors="surrogateescape"))
    name, address = parseaddr(str(message.get("From", "")))
    if reason := not_an_inquiry(message, address):
        raise NotAnInquiry(reason)
    body = _text_of(message)
    inquiry = {
        "schema_version": 1,
        "channel": CHANNEL,
        "initial_behaviour": "sent an email",
        "contact": {k: v for k, v in (("name", name), ("email", address)) if v},
    }
    subject = str(message.get("Subject", "")).strip()
    inquiry["message"] = "\n\n".join(filter(None, [subject, body.strip()])) or None
    company = _company_in_signature(body) or _company_from_domain(address)
    if company:
        inquiry["company"] = company
    return {k: v for k, v in inquiry.items() if v is not None}


def not_an_inquiry(message: EmailMessage, sender: str) -> str | None:
    """Why this mail is no customer's inquiry (a bounce, an auto-reply, list or bulk mail), or None."""
    kind = message.get_content_type()
    if kind == "multipart/report":
        report = message.get_param("report-type") or "unnamed"
        return f"a delivery report (multipart/report, report-type {report}), not an inquiry"
    if sender.partition("@")[0].casefold() in SYSTEM_SENDERS or message.get("X-Failed-Recipients"):
        return f"a bounce from the mail system ({sender or 'no sender'}), not an inquiry"
    if (submitted := _header(message, "Auto-Submitted")) and submitted.split(";")[0].strip().casefold() != "no":
        return f"an auto-reply (Auto-Submitted: {submitted}), not an inquiry"
    for name in ("X-Autoreply", "X-Autorespond"):
        if value := _header(message, name):
            return f"an auto-reply ({name}: {value}), not an inquiry"
    precedence = _header(message, "Precedence").casefold()
    if precedence == "auto_reply":
        return "an auto-reply (Precedence: auto_reply), not an inquiry"
    if _out_of_office(subject := _header(message, "Subject")):
        return f"an auto-reply (subject {subject!r}), not an inquiry"
    for name in ("List-Id", "List-Unsubscribe"):
        if value := _header(message, name):
            return f"mailing-list mail ({name}: {value[:100]}), not an inquiry"
    if precedence in BULK_PRECEDENCE or kind == "multipart/digest":
        return f"bulk mail ({f'Precedence: {precedence}' if precedence in BULK_PRECEDENCE else kind}), not an inquiry"
    return None


def _header(message, name):
    return str(message.get(name) or "").strip()


def _out_of_office(subject):
    text = unicodedata.normalize("NFKC", subject).casefold()
    while (prefix := SUBJECT_PREFIX.match(text)) and prefix.end():
        text = text[prefix.end() :]
    return text.startswith(OUT_OF_OFFICE_SUBJECTS)


def _text_of(message):
    part = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
    try:
        return part.get_content() if part is not None else ""
    except (LookupError, UnicodeDecodeError):
        return part.get_payload(decode=True).decode("utf-8", errors="replace")


def _company_in_signature(body):
    lines = [line.strip() for line in body.splitlines()]
    start = next(
        (i for i, line in enumerate(lines) if SIGNATURE_START.match(line)), max(0, len(lines) - MAX_SIGNATURE_LINES)
    )
    for line in lines[start : start + MAX_SIGNATURE_LINES + 1]:
        if LEGAL_FORM.search(line) and len(line) <= 120:
            return line
    return None


def _company_from_domain(address):
    """The name in the registrable domain: "mail.zeta-trading.co.uk" → "Zeta Trading"; never a
    free-mail provider's, nor a host that is no registered name (an IP address, "localhost")."""
    host = address.rpartition("@")[2].strip().rstrip(".").casefold()
    parts = _DOMAINS(host)
    registered = parts.top_domain_under_public_suffix
    if not registered or host in FREE_MAIL_DOMAINS or registered in FREE_MAIL_DOMAINS:
        return None
    label = parts.domain
    if label.startswith("xn--"):
        try:
            label = label.encode("ascii").decode("idna")
        except UnicodeError:
            return None
    words = re.sub(r"[-_.]+", " ", label).strip()
    return words.title() if any(ch.isalpha() for ch in words) else None
