"""Match keys and the match decision: one customer, several (a person decides), or none."""
from services.profile.domain.matching import MatchDecision, decide, match_keys


def test_an_inquiry_carries_every_key_it_can_strongest_first():
    keys = match_keys({"company": "Acme Trading GmbH", "country": "Deutschland", "country_code": "DE",
                       "website": "https://www.acme.de",
                       "registration_code": "DE136695976",
                       "contact": {"email": "Jane@Acme.de", "phone": "030 1234567"}})
    assert keys == {"code": "eu_vat:DE136695976", "email": "jane@acme.de", "phone": "+49301234567",
                    "email_domain": "acme.de", "website": "acme.de", "company": "DE:acmetrading"}
    assert list(keys) == ["code", "email", "phone", "email_domain", "website", "company"]


def test_free_mail_gives_no_domain_key_and_a_name_without_country_is_kept_apart():
    keys = match_keys({"company": "ABC Ltd", "contact": {"email": "boss@qq.com"}})
    assert keys == {"email": "boss@qq.com", "company": "?:abc"}


def test_no_holder_means_a_new_customer():
    assert decide({}) == MatchDecision()
    assert decide({"email": None}) == MatchDecision()


def test_keys_agreeing_on_one_customer_match_on_the_strongest():
    assert decide({"company": "cus_1", "email_domain": "cus_1"}) == MatchDecision("cus_1", "email_domain")
    assert decide({"phone": "cus_1"}) == MatchDecision("cus_1", "phone")


def test_the_strongest_tier_decides_and_weaker_disagreement_is_flagged():
    decision = decide({"email": "cus_1", "company": "cus_2", "website": "cus_1"})
    assert decision == MatchDecision("cus_1", "email", candidates=("cus_2",))
    assert not decision.ambiguous


def test_disagreement_within_the_strongest_tier_is_not_guessed():
    decision = decide({"email": "cus_1", "phone": "cus_2", "company": "cus_3"})
    assert decision.ambiguous and decision.customer_id is None
    assert decision.candidates == ("cus_1", "cus_2", "cus_3")
    assert decide({"email_domain": "cus_1", "website": "cus_2"}).ambiguous


def test_a_similar_name_matches_only_when_no_key_does():
    assert decide({}, similar_name="cus_9") == MatchDecision("cus_9", "similar_name")
    assert decide({"company": "cus_1"}, similar_name="cus_9").customer_id == "cus_1"


def test_names_are_blocked_by_country_and_first_letters():
    from services.profile.domain.matching import name_block
    assert name_block("Acme Trading GmbH", "DE") == "DE:acme"
    assert name_block("ACME Tradng", "DE") == "DE:acme"
    assert name_block("廣州貿易有限公司", "CN") == "CN:广州贸易"
    assert name_block("Acme Trading GmbH", None) == "?:acme"     # no country, or one recognised as none
    assert name_block(None, "DE") is None


def test_candidates_rank_by_strongest_shared_key_then_name_similarity():
    from services.profile.domain.matching import name_similarity, rank_candidates
    assert name_similarity("Acme Tradng GmbH", "ACME Trading Ltd.") >= 90
    ranked = rank_candidates({"email_domain": "cus_2", "company": "cus_2", "phone": "cus_1"},
                             {"cus_2": 100, "cus_3": 91, "cus_4": 40}, min_similarity=80)
    assert [(c.customer_id, c.matched_on) for c in ranked] == [
        ("cus_1", ("phone",)), ("cus_2", ("email_domain", "company")), ("cus_3", ())]


def archive(customer_id, owner_id=None, age_days=0, **identity):
    from datetime import datetime, timedelta, timezone
    created = datetime(2026, 1, 1, tzinfo=timezone.utc) - timedelta(days=age_days)
    return {"_id": customer_id, "owner_id": owner_id, "created_at": created, "country": "Deutschland",
            "country_code": "DE", **identity}


def test_an_inquiry_links_a_contact_without_company_to_the_company_it_names():
    from services.profile.domain.matching import archives_to_link
    person, company = archive("cus_p"), archive("cus_c", company="Acme GmbH", age_days=3)
    kept, absorbed = archives_to_link([person, company], {"company": "ACME GmbH.", "country": "Germany",
                                                           "country_code": "DE"}, 90)
    assert kept["_id"] == "cus_c" and [a["_id"] for a in absorbed] == ["cus_p"]   # the oldest is kept


def test_the_owned_archive_is_kept_and_two_owners_are_never_linked():
    from services.profile.domain.matching import archives_to_link
    person, company = archive("cus_p", owner_id="alice"), archive("cus_c", company="Acme GmbH", age_days=3)
    assert archives_to_link([person, company], {"company": "Acme"}, 90)[0]["_id"] == "cus_p"
    bob_s = {**company, "owner_id": "bob"}
    assert archives_to_link([person, bob_s], {"company": "Acme"}, 90) is None
    assert archives_to_link([person, {**company, "owner_id": "alice"}], {"company": "Acme"}, 90) is not None


def test_archives_that_name_different_companies_are_not_linked():
    from services.profile.domain.matching import archives_to_link, identity_conflict
    acme, subsidiary = archive("cus_1", company="Acme Bolt Trading GmbH"), archive("cus_2", company="Acme Bolt Trading Hamburg")
    assert identity_conflict(acme, subsidiary, 90) == "company"
    assert archives_to_link([acme, subsidiary], {}, 90) is None
    assert identity_conflict(archive("a", registration_code="DE136695976"), archive("b", registration_code="DE129273398"),
                             90) == "registration_code"
    assert identity_conflict(archive("a", website="acme.de"), archive("b", website="https://www.acme.com"), 90) == "website"
    assert identity_conflict(archive("a"), {**archive("b"), "country": "France", "country_code": "FR"}, 90) == "country"
    assert identity_conflict(archive("a"), {**archive("b"), "country": "Atlantis", "country_code": None}, 90) is None
    assert identity_conflict(archive("a", company="Acme Trading GmbH"), archive("b", company="ACME Tradng", website="acme.de"), 90) is None
    # the inquiry itself must agree: a contact of Acme writing for Bolt links nothing
    assert archives_to_link([archive("cus_p"), archive("cus_c", company="Acme GmbH")], {"company": "Bolt GmbH"}, 90) is None


def test_names_with_different_numbers_are_different_companies():
    from services.profile.domain.matching import name_similarity
    assert name_similarity("Bench Company 12 GmbH", "Bench Company 13 GmbH") == 0
    assert name_similarity("深圳市第3电子厂", "深圳市第5电子厂") == 0
    assert name_similarity("Acme Shenzhen 2 Ltd", "ACME Shenzhen 2 Co., Ltd.") >= 90
