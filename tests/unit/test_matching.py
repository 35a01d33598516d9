"""Match keys and the match decision: one customer, several (a person decides), or none."""

from datetime import UTC

from services.profile.domain.matching import MatchDecision, decide, match_keys


def test_an_inquiry_carries_every_key_it_can_strongest_first():
    keys = match_keys(
        {
            "company": "Acme Trading GmbH",
            "country": "Deutschland",
            "country_code": "DE",
            "website": "https://www.acme.de",
            "registration_code": "DE136695976",
            "contact": {"email": "Jane@Acme.de", "phone": "030 1234567"},
        }
    )
    assert keys == {
        "code": "eu_vat:DE136695976",
        "email": "jane@acme.de",
        "phone": "+49301234567",
        "domain": "acme.de",
        "company": "DE:acmetrading",
    }
    assert list(keys) == ["code", "email", "phone", "domain", "company"]


def test_free_mail_gives_no_domain_key_and_a_name_without_country_is_kept_apart():
    keys = match_keys({"company": "ABC Ltd", "contact": {"email": "boss@qq.com"}})
    assert keys == {"email": "boss@qq.com", "company": "?:abc"}


def test_no_holder_means_a_new_customer():
    assert decide({}) == MatchDecision()
    assert decide({"email": None}) == MatchDecision()


def test_keys_agreeing_on_one_customer_match_on_the_strongest():
    assert decide({"company": "cus_1", "domain": "cus_1"}) == MatchDecision("cus_1", "domain")
    assert decide({"phone": "cus_1"}) == MatchDecision("cus_1", "phone")


def test_the_strongest_tier_decides_and_weaker_disagreement_is_flagged():
    decision = decide({"email": "cus_1", "company": "cus_2", "domain": "cus_1"})
    assert decision == MatchDecision("cus_1", "email", candidates=("cus_2",))
    assert not decision.ambiguous


def test_disagreement_within_the_strongest_tier_is_not_guessed():
    decision = decide({"email": "cus_1", "phone": "cus_2", "company": "cus_3"})
    assert decision.ambiguous and decision.customer_id is None
    assert decision.candidates == ("cus_1", "cus_2", "cus_3")


def test_a_similar_name_matches_only_when_no_key_does():
    assert decide({}, similar_name="cus_9") == MatchDecision("cus_9", "similar_name")
    assert decide({"company": "cus_1"}, similar_name="cus_9").customer_id == "cus_1"


def test_names_are_blocked_by_country_and_first_letters():
    from services.profile.domain.matching import name_block

    assert name_block("Acme Trading GmbH", "DE") == "DE:acme"
    assert name_block("ACME Tradng", "DE") == "DE:acme"
    assert name_block("廣州貿易有限公司", "CN") == "CN:广州贸易"
    assert name_block("Acme Trading GmbH", None) == "?:acme"  # no country, or one recognised as none
    assert name_block(None, "DE") is None


def test_candidates_rank_by_strongest_shared_key_then_name_similarity():
    from services.profile.domain.matching import name_similarity, rank_candidates

    assert name_similarity("Acme Tradng GmbH", "ACME Trading Ltd.") >= 90
    ranked = rank_candidates(
        {"domain": "cus_2", "company": "cus_2", "phone": "cus_1"},
        {"cus_2": 100, "cus_3": 91, "cus_4": 40},
        min_similarity=80,
    )
    assert [(c.customer_id, c.matched_on) for c in ranked] == [
        ("cus_1", ("phone",)),
        ("cus_2", ("domain", "company")),
        ("cus_3", ()),
    ]


def archive(customer_id, owner_id=None, age_days=0, **identity):
    from datetime import datetime, timedelta

    created = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(days=age_days)
    return {
        "_id": customer_id,
        "owner_id": owner_id,
        "created_at": created,
        "country": "Deutschland",
        "country_code": "DE",
        **identity,
    }


def test_an_inquiry_links_a_contact_without_company_to_the_company_it_names():
    from services.profile.domain.matching import archives_to_link

    person, company = archive("cus_p"), archive("cus_c", company="Acme GmbH", age_days=3)
    kept, absorbed = archives_to_link(
        [person, company], {"company": "ACME GmbH.", "country": "Germany", "country_code": "DE"}, 90, 75
    )
    assert kept["_id"] == "cus_c" and [a["_id"] for a in absorbed] == ["cus_p"]  # the oldest is kept


def test_the_owned_archive_is_kept_and_two_owners_are_never_linked():
    from services.profile.domain.matching import archives_to_link

    person, company = archive("cus_p", owner_id="alice"), archive("cus_c", company="Acme GmbH", age_days=3)
    assert archives_to_link([person, company], {"company": "Acme"}, 90, 75)[0]["_id"] == "cus_p"
    bob_s = {**company, "owner_id": "bob"}
    assert archives_to_link([person, bob_s], {"company": "Acme"}, 90, 75) is None
    assert archives_to_link([person, {**company, "owner_id": "alice"}], {"company": "Acme"}, 90, 75) is not None


def test_archives_that_name_different_companies_are_not_linked():
    from services.profile.domain.matching import archives_to_link, identity_conflict

    acme, subsidiary = (
        archive("cus_1", company="Acme Bolt Trading GmbH"),
        archive("cus_2", company="Acme Bolt Trading Hamburg"),
    )
    assert identity_conflict(acme, subsidiary, 90, 75) == "company"
    assert archives_to_link([acme, subsidiary], {}, 90, 75) is None
    assert (
        identity_conflict(
            archive("a", registration_code="DE136695976"), archive("b", registration_code="DE129273398"), 90, 75
        )
        == "registration_code"
    )
    assert (
        identity_conflict(archive("a", website="acme.de"), archive("b", website="https://www.acme.com"), 90, 75)
        == "website"
    )
    france, atlantis = {"country": "France", "country_code": "FR"}, {"country": "Atlantis", "country_code": None}
    assert identity_conflict(archive("a"), {**archive("b"), **france}, 90, 75) == "country"
    assert identity_conflict(archive("a"), {**archive("b"), **atlantis}, 90, 75) is None
    assert (
        identity_conflict(
            archive("a", company="Acme Trading GmbH"), archive("b", company="ACME Tradng", website="acme.de"), 90, 75
        )
        is None
    )
    # the inquiry itself must agree: a contact of Acme writing for Bolt links nothing
    assert (
        archives_to_link([archive("cus_p"), archive("cus_c", company="Acme GmbH")], {"company": "Bolt GmbH"}, 90, 75)
        is None
    )


def test_names_with_different_numbers_are_different_companies():
    from services.profile.domain.matching import name_similarity

    assert name_similarity("Bench Company 12 GmbH", "Bench Company 13 GmbH") == 0
    assert name_similarity("深圳市第3电子厂", "深圳市第5电子厂") == 0
    assert name_similarity("Acme Shenzhen 2 Ltd", "ACME Shenzhen 2 Co., Ltd.") >= 90


def test_a_website_and_an_email_give_one_domain_key_reduced_to_the_registrable_domain():
    by_site = match_keys({"website": "https://shop.acme.co.uk/en", "country_code": "GB", "contact": {}})
    by_mail = match_keys({"contact": {"email": "li@mail.acme.co.uk"}, "country_code": "GB"})
    assert by_site == {"domain": "acme.co.uk"} and by_mail["domain"] == "acme.co.uk"
    # both given and different: the domain the customer writes from is the key
    assert match_keys({"website": "acme.com", "contact": {"email": "li@acme.de"}})["domain"] == "acme.de"


def test_names_differing_in_a_meaningful_word_are_different_companies_whatever_the_score():
    from services.profile.domain.matching import name_similarity, same_name

    assert name_similarity("Sunrise Home Goods Ltd", "Sunrise Home Tools Ltd") >= 80
    assert not same_name("Sunrise Home Goods Ltd", "Sunrise Home Tools Ltd", 80, 75)
    assert not same_name("衣優庫股份有限公司", "衣优库资讯有限公司", 80, 75)  # 资讯 is a word, 股份有限公司 a form
    assert not same_name("Acme Trading Hamburg GmbH", "Acme Trading GmbH", 80, 75)
    assert same_name("Sunrise Home Goods Ltd", "SUNRISE HOME GODS LIMITED", 90, 75)  # a typo
    assert same_name("衣優庫股份有限公司", "衣优库有限公司", 90, 75)  # 繁/简, another form


def test_a_similar_name_needs_a_second_agreeing_signal():
    from services.profile.domain.matching import second_signal

    known = {"country_code": "DE", "city": "München", "contacts": [{"name": "Jörg Müller", "phone": "+49 89 1234567"}]}
    inquiry = {"country_code": "DE", "contact": {"name": "Someone Else", "email": "x@gmail.com"}}
    assert second_signal(inquiry, known, 7) is None
    assert second_signal({**inquiry, "contact": {"name": "jorg muller"}}, known, 7) == "contact_name"
    assert second_signal({**inquiry, "city": "Munchen"}, known, 7) == "city"
    assert second_signal({**inquiry, "contact": {"phone": "089 1239999"}}, known, 7) == "phone_area"
    assert second_signal({**inquiry, "contact": {"phone": "030 1239999"}}, known, 7) is None


def test_an_english_and_a_chinese_name_do_not_conflict_but_another_code_does():
    from services.profile.domain.matching import identity_conflict, other_registration_code

    chinese = {**archive("a", company="深圳华新电子有限公司"), "country_code": "CN"}
    english = {**archive("b", company="Shenzhen Huaxin Electronics Co., Ltd."), "country_code": "CN"}
    assert identity_conflict(chinese, english, 90, 75) is None
    assert other_registration_code({"registration_code": "DE136695976"}, {"registration_code": "DE129273398"})
    assert not other_registration_code({"registration_code": "DE136695976"}, {"registration_code": "DE 136 695 976"})
    assert not other_registration_code({}, {"registration_code": "DE129273398"})


def test_keys_stored_under_earlier_rules_read_as_today_s():
    from services.profile.domain.matching import archive_name_blocks, current_key

    assert current_key("website", "acme.de") == ("domain", "acme.de")
    assert current_key("email_domain", "acme.de") == ("domain", "acme.de")
    assert current_key("company", "DE:müllerelektrotechnik") == ("company", "DE:mullerelektrotechnik")
    assert current_key("company", "DE:muellerelektrotechnik") == ("company", "DE:mullerelektrotechnik")
    assert current_key("company", "CN:广州贸易") == ("company", "CN:广州贸易")
    assert current_key("phone", "+49301234567") == ("phone", "+49301234567")
    assert archive_name_blocks({"company": "Müller GmbH", "aliases": ["MUELLER"], "country_code": "DE"}) == ["DE:mull"]


def test_a_misspelt_legal_form_is_a_legal_form_all_the_same():
    from services.profile.domain.matching import same_name, without_misspelt_forms

    assert same_name("ruppert handel gmh & co. kg", "Ruppert Handel GmbH & Co. KG", 90, 75)
    assert same_name("ROBERTSON LIGHTING LIMMITED", "Robertson Lighting Ltd", 90, 75)
    assert same_name("Yılmaz Lojistik Ld. Şti.", "Yilmaz Lojistik LTD. ŞTİ.", 90, 75)  # "Ld" beside a form
    assert same_name("công ty tnnhh lê điện tử", "CÔNG TY TNHH LÊ ĐIỆN TỬ", 90, 75)  # a form written first
    assert without_misspelt_forms(["davis", "packaging", "icn"]) == ["davis", "packaging"]  # two letters swapped
    # another letter is another word ("Ink" is no "Inc"), a lone two-letter word stays, and a name keeps a word
    assert not same_name("Acme Ink", "Acme Inc", 90, 75)
    assert without_misspelt_forms(["acme", "ld"]) == ["acme", "ld"]
    assert without_misspelt_forms(["gmbbh"]) == ["gmbbh"]
    # a meaningful word still decides
    assert not same_name("Sunrise Home Goods Limmited", "Sunrise Home Tools Ltd", 80, 75)


def test_a_misspelt_word_changes_its_first_letter_or_a_short_one_s_letters_only_by_a_slip():
    from services.profile.domain.matching import same_name

    assert same_name("Grs Herramientas S.L.", "Gras Herramientas S.L.", 90, 75)  # a letter dropped
    assert same_name("KRASU TEXTIL AG", "Kraus Textil AG", 90, 75)  # two letters swapped
    assert same_name("Caballero Herramieentas SL", "Caballero Herramientas SL", 90, 75)
    assert not same_name("Amber Works GmbH", "Ember Works GmbH", 90, 75)  # another first letter
    assert not same_name("Mark Works GmbH", "Mask Works GmbH", 90, 75)  # another letter, short word
    assert not same_name("Abc Herramientas", "Abd Herramientas", 90, 75)
    assert same_name("Acme Rtading GmbH", "Acme Trading GmbH", 90, 75)  # swapped, first letter too
    assert not same_name("Acme Grading Systems", "Acme Trading Systems", 90, 75)  # another first letter


def test_a_name_is_compared_within_the_block_of_its_first_letters_in_its_country():
    from services.profile.domain.matching import name_blocks

    assert name_blocks("Kraus Textil AG", "DE") == ["DE:krau"] and name_blocks("Kraus Textil", None) == ["?:krau"]
    assert name_blocks("深圳华新电子有限公司", "CN") == ["CN:深圳华新"]
    assert name_blocks(None, "DE") == [] and name_blocks("GmbH", "DE") == []


def test_another_company_is_named_only_against_every_name_the_archive_has_in_that_script():
    from services.profile.domain.matching import another_company_named

    archive = {"company": "Acme Kunststoffe GmbH", "aliases": ["Acme Plastics Ltd", "艾克美塑料"]}
    assert another_company_named({"company": "Acme Kunststoffe Hamburg"}, archive, 90, 75)
    assert not another_company_named({"company": "ACME PLASTICS"}, archive, 90, 75)  # an alias
    assert not another_company_named({"company": "Acme Kunstoffe GmbH"}, archive, 90, 75)  # a typo
    assert not another_company_named({"company": "艾克美塑料有限公司"}, archive, 90, 75)
    assert not another_company_named({"company": "深圳华新电子"}, {"company": "Acme GmbH"}, 90, 75)  # none to compare
    assert not another_company_named({}, archive, 90, 75)


def test_an_inquiry_carrying_keys_of_a_misspelt_archive_and_of_the_right_one_links_them():
    from services.profile.domain.matching import archives_to_link

    misspelt = {
        "_id": "cus_1",
        "company": "ROBERTSON LIGHTING LIMMITED",
        "country_code": "GB",
        "owner_id": None,
        "created_at": 1,
    }
    right = {
        "_id": "cus_2",
        "company": "Robertson Lighting Ltd",
        "country_code": "GB",
        "owner_id": None,
        "created_at": 2,
    }
    kept, absorbed = archives_to_link([misspelt, right], {"contact": {"phone": "+44 1293 181227"}}, 90, 75)
    assert kept["_id"] == "cus_1" and [a["_id"] for a in absorbed] == ["cus_2"]
    lookalike = {**right, "company": "Robertson Heating Ltd"}
    assert archives_to_link([misspelt, lookalike], {}, 90, 75) is None


def test_a_group_company_named_after_its_city_is_known_by_the_city_as_well_as_the_name():
    from services.profile.domain.matching import named_after_place

    assert named_after_place("Nevado Herramientas Valencia S.A.", "Nevado Herramientas SL", "Valencia")
    assert named_after_place("太極信息彬市傢俱有限公司", "太极信息家具有限公司", "彬市")  # 繁/简 folded alike
    # without the city a longer name is just a longer name, and a city elsewhere in it is no place added
    assert not named_after_place("Nevado Herramientas Valencia", "Nevado Herramientas", None)
    assert not named_after_place("Nevado Herramientas Valencia", "Nevado Herramientas", "Madrid")
    assert not named_after_place("Valencia Herramientas Nevado", "Nevado Herramientas", "Valencia")
    assert not named_after_place("Nevado Herramientas", "Nevado Herramientas", "Valencia")


def test_a_registration_code_decides_before_an_address_or_a_phone():
    # The code names the legal entity; the phone may be a group colleague's line, the address a person's.
    decision = decide({"code": "cus_1", "phone": "cus_2", "email": "cus_3"})
    assert decision == MatchDecision("cus_1", "code", candidates=("cus_3", "cus_2"))
    assert not decision.ambiguous
    # an address and a number naming two archives are still not guessed between
    assert decide({"email": "cus_1", "phone": "cus_2"}).ambiguous


def test_a_slip_among_a_name_s_first_letters_is_looked_for_where_the_name_typed_right_is():
    from services.profile.domain.matching import name_blocks, typo_blocks

    assert typo_blocks("Bsoch Rexroth AG", "DE")[0] == "DE:bsoc"  # its own block first
    assert "DE:bosc" in typo_blocks("Bsoch Rexroth AG", "DE")  # two letters swapped
    assert "NL:phil" in typo_blocks("Phhilips Lighting B.V.", "NL")  # a letter doubled
    assert "NL:phil" in typo_blocks("Pihlips Lighting", "NL")
    # a dropped letter is found the other way round: the right name looks where the slip was filed
    assert "DE:bosc" not in typo_blocks("Bsch Rexroth", "DE")
    assert "DE:bsch" in typo_blocks("Bosch Rexroth", "DE")
    # the first letter is kept: another first letter is another name ("Amber" / "Ember")
    assert all(block.startswith("DE:b") for block in typo_blocks("Bosch Rexroth", "DE"))
    # no slips of that kind in Chinese, and a name no longer than a block is its own block
    assert typo_blocks("华为技术有限公司", "CN") == name_blocks("华为技术有限公司", "CN") == ["CN:华为技术"]
    assert typo_blocks("Bosh", "DE") == ["DE:bosh"] and typo_blocks(None, "DE") == []


def test_a_misspelt_legal_form_leaves_the_name_in_its_own_block():
    from services.profile.domain.matching import name_block

    assert name_block("Công ty TNHHH Hòa Phát", "VN") == name_block("Công ty TNHH Hòa Phát", "VN") == "VN:hoap"
    assert name_block("Cônng ty Cổ phần Vinamilk", "VN") == "VN:vina"
    assert name_block("Thyssen Krupp Aktiengeselschaft", "DE") == "DE:thys"
    # a word that only resembles a form is the name's: "Inc Design" is in its own block
    assert name_block("Ink Design Ltd", "GB") == "GB:inkd"


def test_a_group_company_s_name_is_the_group_s_with_words_added():
    from services.profile.domain.matching import name_with_words_added

    assert name_with_words_added("Brenner Logistik Kassel GmbH", "BRENNER LOGISTIK")
    assert name_with_words_added("Sanchez Fernandez Hermanos Construcciones S.A.", "Sánchez Construcciones SL")
    assert name_with_words_added("深圳华新龙岗电子有限公司", "深圳華新電子")  # 繁/简 folded alike
    # another name, the same name, or the shorter one first: none
    assert not name_with_words_added("Bolt GmbH", "Acme GmbH")
    assert not name_with_words_added("Brenner Logistik", "Brenner Logistik GmbH")
    assert not name_with_words_added("Brenner Logistik", "Brenner Logistik Kassel")
    assert not name_with_words_added("Logistik Brenner Kassel", "Brenner Logistik")  # words in another order
    assert not name_with_words_added("深圳华新电子", "深圳华为电子") and not name_with_words_added(None, "Acme")


def test_a_word_three_edits_from_another_is_another_word_however_alike():
    from services.profile.domain.matching import same_name

    assert not same_name("Vallée Éclairage SAS", "Valette Éclairage SAS", 90, 75)  # 77% alike, 3 edits
    assert not same_name("Santoro Ceramiche S.r.l.", "Santorini Ceramiche S.r.l.", 85, 75)  # 75% alike, 3 edits
    assert same_name("Hofmann Armaturen GmbH", "Hoffmann Armaturen GmbH", 90, 75)  # one slip
    assert same_name("Rheinmetal Waffe Munition", "Rheinmetall Waffe Munitoin", 90, 75)  # a slip in two words
