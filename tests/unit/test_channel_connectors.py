"""The built-in channel connectors: each channel's own shape in, a valid canonical inquiry out."""

import pytest

from contracts.inquiry import InquirySchema
from plugins.builtin import chat_bridge, email_inquiry, google_ads
from plugins.errors import NotAnInquiry, PluginFailed
from plugins.host import PluginHost

EMAIL = """From: Jane Doe <jane@acme-lighting.de>
To: sales@example.com
Subject: Inquiry: LED panels
Content-Type: text/plain; charset=utf-8

Hello, we need 2,000 pcs of 60x60 panels with CE, delivery by March.

Best regards
Jane Doe
Purchasing Manager
Acme Lighting GmbH
Berlin
"""


def valid(inquiry):
    assert InquirySchema().validate(inquiry) == {}, InquirySchema().validate(inquiry)
    return inquiry


def test_an_email_gives_sender_subject_body_and_the_company_from_the_signature():
    inquiry = valid(email_inquiry.baton_inquiry_from_channel("email", {"raw": EMAIL}))
    assert inquiry["contact"] == {"name": "Jane Doe", "email": "jane@acme-lighting.de"}
    assert inquiry["company"] == "Acme Lighting GmbH"
    assert inquiry["message"].startswith("Inquiry: LED panels\n\nHello, we need 2,000 pcs")


def test_without_a_signature_a_company_domain_names_the_company_and_free_mail_does_not():
    plain = "From: li@wei-trading.cn\nSubject: price\n\n500 sets please\n"
    assert valid(email_inquiry.baton_inquiry_from_channel("email", {"raw": plain}))["company"] == "Wei Trading"
    free = "From: Li <li.wei@qq.com>\nSubject: price\n\n500 sets please\n"
    assert "company" not in email_inquiry.baton_inquiry_from_channel("email", {"raw": free})


def test_a_chinese_signature_is_read_too():
    raw = "From: 王先生 <wang@huada.com.cn>\nSubject: 询价\nContent-Type: text/plain; charset=utf-8\n\n需要2000件\n\n此致\n王伟\n广州华达贸易有限公司\n"
    assert valid(email_inquiry.baton_inquiry_from_channel("email", {"raw": raw}))["company"] == "广州华达贸易有限公司"


def test_an_email_payload_without_the_message_text_is_refused_by_name():
    host = PluginHost([("email", email_inquiry)])
    with pytest.raises(PluginFailed, match="plugin 'email' failed .* needs 'raw'"):
        host.inquiry_from_channel("email", {"body": "hi"})


def test_a_google_ads_lead_form_maps_columns_and_keeps_custom_answers_as_the_need():
    lead = {
        "lead_id": "L1",
        "campaign_id": 9981,
        "form_id": 17,
        "user_column_data": [
            {"column_id": "FIRST_NAME", "string_value": "Li"},
            {"column_id": "LAST_NAME", "string_value": "Wei"},
            {"column_id": "WORK_EMAIL", "string_value": "li@wei.cn"},
            {"column_id": "PHONE_NUMBER", "string_value": "+86 138 0013 8000"},
            {"column_id": "COMPANY_NAME", "string_value": "Wei Trading"},
            {"column_id": "COUNTRY", "string_value": "China"},
            {"column_id": "Q1", "column_name": "How many units?", "string_value": "5000"},
        ],
    }
    inquiry = valid(google_ads.baton_inquiry_from_channel("google_ads", lead))
    assert inquiry["contact"] == {"name": "Li Wei", "email": "li@wei.cn", "phone": "+86 138 0013 8000"}
    assert (inquiry["company"], inquiry["country"], inquiry["campaign"]) == ("Wei Trading", "China", "9981")
    assert inquiry["message"] == "How many units?: 5000"
    assert inquiry["initial_behaviour"] == "submitted Google Ads lead form 17"


@pytest.mark.parametrize(
    "channel, sender, expected",
    [
        ("whatsapp", "+49 30 1234567", {"name": "Hans", "phone": "+49 30 1234567", "whatsapp": "+49 30 1234567"}),
        (
            "linkedin",
            "https://www.linkedin.com/in/hans",
            {"name": "Hans", "linkedin": "https://www.linkedin.com/in/hans"},
        ),
    ],
)
def test_chat_messages_become_inquiries_from_their_sender(channel, sender, expected):
    payload = {
        "platform": channel,
        "from": sender,
        "profile_name": "Hans",
        "text": "price for 300 sets?",
        "email": "hans@example.de",
    }
    inquiry = valid(chat_bridge.baton_inquiry_from_channel(channel, payload))
    assert inquiry["contact"] == {**expected, "email": "hans@example.de"}
    assert inquiry["message"] == "price for 300 sets?"


def test_connectors_leave_other_channels_alone():
    for connector in (email_inquiry, google_ads, chat_bridge):
        assert connector.baton_inquiry_from_channel("website_form", {}) is None


# --- mail that is no inquiry, and companies named by their registrable domain --------------------

DSN_BOUNCE = """Return-Path: <>
Received: by mx1.example-sales.com (Postfix) id 9F1A31A0F4; Tue,  3 Mar 2026 09:14:02 +0100 (CET)
Date: Tue,  3 Mar 2026 09:14:02 +0100 (CET)
From: MAILER-DAEMON@mx1.example-sales.com (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: sales@example-sales.com
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4B2C31A0F3.1772525642/mx1.example-sales.com"
Message-Id: <20260303081402.9F1A31A0F4@mx1.example-sales.com>

This is a MIME-encapsulated message.

--4B2C31A0F3.1772525642/mx1.example-sales.com
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx1.example-sales.com.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<buyer@ucla.edu>: host mx.ucla.edu[169.232.33.161] said: 550 5.1.1 User unknown

--4B2C31A0F3.1772525642/mx1.example-sales.com
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx1.example-sales.com
X-Postfix-Queue-ID: 4B2C31A0F3
Arrival-Date: Tue,  3 Mar 2026 09:14:01 +0100 (CET)

Final-Recipient: rfc822; buyer@ucla.edu
Original-Recipient: rfc822;buyer@ucla.edu
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.ucla.edu
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--4B2C31A0F3.1772525642/mx1.example-sales.com
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Sales <sales@example-sales.com>
To: buyer@ucla.edu
Subject: Our 2026 catalogue

--4B2C31A0F3.1772525642/mx1.example-sales.com--
"""

GMAIL_BOUNCE = """From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: sales@example-sales.com
Subject: Delivery Status Notification (Failure)
Content-Type: text/plain; charset="UTF-8"

Address not found

Your message wasn't delivered to zzz@zzz-imports.com because the address couldn't be found.
"""

OUT_OF_OFFICE = """Received: from EXCH01.alpha-lighting.local (10.0.0.12) by EXCH01.alpha-lighting.local
From: Klaus Weber <k.weber@mail.alpha-lighting.de>
To: "sales@example-sales.com" <sales@example-sales.com>
Subject: Automatische Antwort: LED panel offer
Thread-Topic: LED panel offer
Date: Wed, 4 Mar 2026 08:02:11 +0000
Message-ID: <7b1c0e9f4a7e4c5d9a3f@EXCH01.alpha-lighting.local>
Auto-Submitted: auto-generated
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: k.weber@mail.alpha-lighting.de
MIME-Version: 1.0
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

Ich bin bis zum 10.03.2026 nicht im B=FCro. In dringenden F=E4llen wenden Sie sich bitte an
einkauf@alpha-lighting.de.
"""

LIST_DIGEST = """From: trade-leads-request@lists.example.org
Subject: Trade-Leads Digest, Vol 12, Issue 4
To: trade-leads@lists.example.org
Reply-To: trade-leads@lists.example.org
Date: Thu, 05 Mar 2026 12:00:03 -0500
Message-ID: <mailman.1201.1772730003.trade-leads@lists.example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="===============0993165870=="
List-Id: Trade leads for lighting buyers <trade-leads.lists.example.org>
List-Unsubscribe: <https://lists.example.org/options/trade-leads>,
 <mailto:trade-leads-request@lists.example.org?subject=unsubscribe>
List-Post: <mailto:trade-leads@lists.example.org>
Precedence: list

--===============0993165870==
Content-Type: text/plain; charset="us-ascii"

Today's Topics:

   1. Looking for 5,000 LED tubes (Zzz Imports)

--===============0993165870==
Content-Type: multipart/digest; boundary="===============1212=="

--===============1212==
Content-Type: message/rfc822

From: Zzz Imports <buy@zzz-imports.com>
Subject: Looking for 5,000 LED tubes

Quote please.

--===============1212==--

--===============0993165870==--
"""

INQUIRY_FROM_A_MAIL_HOST = """From: "Klaus Weber" <k.weber@mail.alpha-lighting.de>
To: sales@example-sales.com
Subject: RE: Inquiry: 2,000 LED panels 60x60
Date: Mon, 9 Mar 2026 10:21:45 +0100
Message-ID: <AM0PR10MB3025@mail.alpha-lighting.de>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="_000_AM0PR10MB3025_"

--_000_AM0PR10MB3025_
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Hello,

we need 2,000 pcs of 60x60 panels with CE, delivery by May. Please quote FOB Ningbo.

Best regards
Klaus Weber
Purchasing

--_000_AM0PR10MB3025_
Content-Type: text/html; charset="utf-8"

<p>Hello,</p><p>we need 2,000 pcs of 60x60 panels with CE, delivery by May.</p>

--_000_AM0PR10MB3025_--
"""


@pytest.mark.parametrize(
    "raw, reason",
    [
        (DSN_BOUNCE, "a delivery report (multipart/report, report-type delivery-status), not an inquiry"),
        (GMAIL_BOUNCE, "a bounce from the mail system (mailer-daemon@googlemail.com), not an inquiry"),
        (
            "From: postmaster@zeta-trading.co.uk\nSubject: Message delayed\n\nStill trying.\n",
            "a bounce from the mail system (postmaster@zeta-trading.co.uk), not an inquiry",
        ),
        (
            "From: x@acme.de\nX-Failed-Recipients: a@b.de\nSubject: failed\n\nfailed\n",
            "a bounce from the mail system (x@acme.de), not an inquiry",
        ),
        (OUT_OF_OFFICE, "an auto-reply (Auto-Submitted: auto-generated), not an inquiry"),
        (
            "From: li@wei.cn\nX-Autoreply: yes\nSubject: Re: price\n\nI am away.\n",
            "an auto-reply (X-Autoreply: yes), not an inquiry",
        ),
        (
            "From: li@wei.cn\nPrecedence: auto_reply\nSubject: Re: price\n\nI am away.\n",
            "an auto-reply (Precedence: auto_reply), not an inquiry",
        ),
        (
            "From: li@wei.cn\nSubject: Out of Office: Re: price\n\nI am away.\n",
            "an auto-reply (subject 'Out of Office: Re: price'), not an inquiry",
        ),
        (
            LIST_DIGEST,
            "mailing-list mail (List-Id: Trade leads for lighting buyers <trade-leads.lists.example.org>), "
            "not an inquiry",
        ),
        (
            "From: news@fair.example\nList-Unsubscribe: <mailto:u@fair.example>\nSubject: Fair news\n\nNews\n",
            "mailing-list mail (List-Unsubscribe: <mailto:u@fair.example>), not an inquiry",
        ),
        (
            "From: news@fair.example\nPrecedence: bulk\nSubject: Fair news\n\nNews\n",
            "bulk mail (Precedence: bulk), not an inquiry",
        ),
    ],
)
def test_bounces_auto_replies_and_list_mail_are_refused_as_no_inquiry_with_the_reason(raw, reason):
    with pytest.raises(NotAnInquiry) as refused:
        email_inquiry.baton_inquiry_from_channel("email", {"raw": raw})
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: Re: price list",
        "Automatic reply: Inquiry",
        "RE: [EXT] Auto-Reply: quote",
        "Abwesenheitsnotiz",
        "AUSSER HAUS bis 10.03.",
        "Réponse automatique : devis",
        "Respuesta automática: cotización",
        "Resposta automática: cotação",
        "Risposta automatica: preventivo",
        "Automatisch antwoord: offerte",
        "Odpowiedź automatyczna: oferta",
        "Otomatik yanıt: fiyat teklifi",
        "Автоответ: запрос",
        "Trả lời tự động: báo giá",
        "رد تلقائي: عرض سعر",
        "自動返信: 見積もり",
        "자동 응답: 견적",
        "自动回复：询价",
        "自動回覆: 詢價",
    ],
)
def test_an_out_of_office_subject_in_the_markets_languages_is_an_auto_reply(subject):
    raw = f"From: buyer@zeta-trading.co.uk\nSubject: {subject}\nContent-Type: text/plain; charset=utf-8\n\nAway.\n"
    with pytest.raises(NotAnInquiry, match="an auto-reply"):
        email_inquiry.baton_inquiry_from_channel("email", {"raw": raw})


@pytest.mark.parametrize("subject", ["RE: Inquiry for office chairs", "Auto parts: 500 sets", "Offer for 自动化 lines"])
def test_ordinary_subjects_and_auto_submitted_no_are_inquiries(subject):
    raw = f"From: buyer@zeta-trading.co.uk\nAuto-Submitted: no\nSubject: {subject}\n\nPrice for 500 sets?\n"
    assert valid(email_inquiry.baton_inquiry_from_channel("email", {"raw": raw}))["company"] == "Zeta Trading"


def test_a_bounce_is_no_plugin_failure_but_reaches_intake_as_itself():
    host = PluginHost([("email", email_inquiry)])
    with pytest.raises(NotAnInquiry, match="delivery report"):
        host.inquiry_from_channel("email", {"raw": DSN_BOUNCE})


def test_the_company_is_the_registrable_domain_s_name_not_the_mail_host_s():
    inquiry = valid(email_inquiry.baton_inquiry_from_channel("email", {"raw": INQUIRY_FROM_A_MAIL_HOST}))
    assert inquiry["company"] == "Alpha Lighting"
    assert inquiry["contact"] == {"name": "Klaus Weber", "email": "k.weber@mail.alpha-lighting.de"}
    assert inquiry["message"].startswith("RE: Inquiry: 2,000 LED panels 60x60\n\nHello,")
    zeta = "From: Ann <ann@mail.zeta-trading.co.uk>\nSubject: price\n\n500 sets please\n"
    assert email_inquiry.baton_inquiry_from_channel("email", {"raw": zeta})["company"] == "Zeta Trading"


@pytest.mark.parametrize(
    "sender", ["hans@gmx.de", "li@vip.163.com", "ann@web.de", "x@yandex.ru", "root@localhost", "ops@[192.0.2.1]"]
)
def test_free_mail_and_hosts_without_a_registered_name_never_name_a_company(sender):
    raw = f"From: {sender}\nSubject: price\n\n500 sets please\n"
    assert "company" not in email_inquiry.baton_inquiry_from_channel("email", {"raw": raw})
