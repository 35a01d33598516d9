"""The built-in channel connectors: each channel's own shape in, a valid canonical inquiry out."""
import pytest

from contracts.inquiry import InquirySchema
from plugins.builtin import chat_bridge, email_inquiry, google_ads
from plugins.errors import PluginFailed
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
    lead = {"lead_id": "L1", "campaign_id": 9981, "form_id": 17, "user_column_data": [
        {"column_id": "FIRST_NAME", "string_value": "Li"}, {"column_id": "LAST_NAME", "string_value": "Wei"},
        {"column_id": "WORK_EMAIL", "string_value": "li@wei.cn"}, {"column_id": "PHONE_NUMBER", "string_value": "+86 138 0013 8000"},
        {"column_id": "COMPANY_NAME", "string_value": "Wei Trading"}, {"column_id": "COUNTRY", "string_value": "China"},
        {"column_id": "Q1", "column_name": "How many units?", "string_value": "5000"}]}
    inquiry = valid(google_ads.baton_inquiry_from_channel("google_ads", lead))
    assert inquiry["contact"] == {"name": "Li Wei", "email": "li@wei.cn", "phone": "+86 138 0013 8000"}
    assert (inquiry["company"], inquiry["country"], inquiry["campaign"]) == ("Wei Trading", "China", "9981")
    assert inquiry["message"] == "How many units?: 5000"
    assert inquiry["initial_behaviour"] == "submitted Google Ads lead form 17"


@pytest.mark.parametrize("channel, sender, expected", [
    ("whatsapp", "+49 30 1234567", {"name": "Hans", "phone": "+49 30 1234567", "whatsapp": "+49 30 1234567"}),
    ("linkedin", "https://www.linkedin.com/in/hans", {"name": "Hans", "linkedin": "https://www.linkedin.com/in/hans"}),
])
def test_chat_messages_become_inquiries_from_their_sender(channel, sender, expected):
    payload = {"platform": channel, "from": sender, "profile_name": "Hans", "text": "price for 300 sets?",
               "email": "hans@example.de"}
    inquiry = valid(chat_bridge.baton_inquiry_from_channel(channel, payload))
    assert inquiry["contact"] == {**expected, "email": "hans@example.de"}
    assert inquiry["message"] == "price for 300 sets?"


def test_connectors_leave_other_channels_alone():
    for connector in (email_inquiry, google_ads, chat_bridge):
        assert connector.baton_inquiry_from_channel("website_form", {}) is None
