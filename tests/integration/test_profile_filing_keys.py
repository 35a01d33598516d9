"""profile: which archive an inquiry is filed into by names, domains and groups (issue 14), through real
events, the real RabbitMQ and the document server; and archives stored under earlier key rules rekeyed."""

from tests.integration.helpers import call, canonical_inquiry, customers_by_id


def test_a_transliterated_name_from_a_colleague_s_gmail_joins_the_archive(profile, received):
    received(
        "inq_1",
        canonical_inquiry(
            email="j.mueller@mueller-elektro.de", company="Müller Elektrotechnik GmbH", country="Deutschland"
        ),
    )
    received(
        "inq_2",
        {
            **canonical_inquiry(email="kollege.mueller@gmail.com", company="MUELLER ELEKTROTECHNIK", country="Germany"),
            "contact": {"name": "J. Mueller", "email": "kollege.mueller@gmail.com"},
        },
    )
    assert list(customers_by_id(profile)) == ["cus_1"]
    assert call(profile, "get_customer", "cus_1")["inquiry_count"] == 2
    # and a salesperson checking before creating finds it under any spelling
    found = call(profile, "check_before_create", {"company": "Muller Elektrotechnik", "country": "DE"})["candidates"]
    assert [c["customer_id"] for c in found] == ["cus_1"]


def test_look_alike_names_stay_two_companies_and_a_bare_typo_is_only_flagged(profile, received):
    received("inq_1", canonical_inquiry(email="a@gmail.com", company="Sunrise Home Goods Ltd", country="GB"))
    received("inq_2", canonical_inquiry(email="b@gmail.com", company="Sunrise Home Tools Ltd", country="GB"))
    assert set(customers_by_id(profile)) == {"cus_1", "cus_2"}
    assert call(profile, "get_customer", "cus_2")["possible_duplicates"] == []
    # a misspelling from the person who wrote before (a second signal agrees): merged
    received(
        "inq_3",
        {
            **canonical_inquiry(company="Sunrise Home Gods Ltd", country="GB"),
            "contact": {"name": "Jane Doe", "email": "jane.doe@outlook.com"},
        },
    )
    assert call(profile, "get_customer", "cus_1")["inquiry_count"] == 2
    # a misspelling with nothing else agreeing: a possible duplicate for a person, never merged
    received(
        "inq_4",
        {
            **canonical_inquiry(company="Sunrise Home Goosd Ltd", country="UK"),
            "contact": {"name": "Someone New", "email": "c@gmail.com"},
        },
    )
    assert call(profile, "get_customer", "cus_4")["possible_duplicates"] == ["cus_1"]
    assert call(profile, "get_customer", "cus_1")["inquiry_count"] == 2


def test_an_archive_opened_under_a_misspelling_joins_the_one_a_later_inquiry_s_keys_find(profile, received):
    """The misspelt name's archive is linked when an inquiry found by its keys also carries that archive's
    second signal (its contact by name); a misspelling with nothing agreeing stays a separate archive."""
    received(
        "inq_1",
        {
            **canonical_inquiry(company="Amor Herramieentas S.L.U.", country="ES"),
            "contact": {"name": "Ana Farré", "phone": "+34 917 90 76 26"},
        },
    )
    received(
        "inq_2",
        canonical_inquiry(email="rogelio@amorherramientas.es", company="AMOR HERRAMIENTAS S.L.U.", country="ES"),
    )
    assert set(customers_by_id(profile)) == {"cus_1", "cus_2"}  # nothing but the name agrees: flagged, not merged
    assert call(profile, "get_customer", "cus_2")["possible_duplicates"] == ["cus_1"]
    received(
        "inq_3",
        {
            **canonical_inquiry(email="ana.farre@amorherramientas.es", company="Amor Herramientas SLU", country="ES"),
            "contact": {"name": "Ana Farre", "email": "ana.farre@amorherramientas.es"},
        },
    )
    (kept,) = customers_by_id(profile)  # the older archive is kept
    assert kept == "cus_1"
    assert call(profile, "get_customer", kept)["inquiry_count"] == 3


def test_a_website_and_an_email_domain_are_one_key(profile, received):
    received(
        "inq_1",
        {
            **canonical_inquiry(company="Bolt Lighting"),
            "website": "https://www.bolt-lighting.de/en",
            "contact": {"name": "Form", "phone": "+49 30 1234567"},
        },
    )
    received("inq_2", canonical_inquiry(email="li@mail.bolt-lighting.de", company="Bolt Beleuchtung"))
    assert list(customers_by_id(profile)) == ["cus_1"]
    timeline = call(profile, "get_timeline", "cus_1")["items"]
    assert [e["details"].get("matched_on") for e in timeline if e["kind"] == "inquiry_received"] == [None, "domain"]


def test_a_subsidiary_sharing_the_domain_with_another_code_is_linked_to_the_group(profile, received):
    received(
        "inq_1",
        canonical_inquiry(email="info@acme-group.de", company="Acme Kunststoffe GmbH", registration_code="DE136695976"),
    )
    received(
        "inq_2",
        canonical_inquiry(
            email="hamburg@acme-group.de", company="Acme Kunststoffe Hamburg GmbH", registration_code="DE129273398"
        ),
    )
    archives = customers_by_id(profile)
    assert set(archives) == {"cus_1", "cus_2"}
    group = call(profile, "get_group", "cus_2")
    assert sorted(m["customer_id"] for m in group["members"]) == ["cus_1", "cus_2"]
    assert archives["cus_1"]["group"]["id"] == archives["cus_2"]["group"]["id"]
    # the subsidiary's next inquiry, by its name on the shared domain, is the subsidiary's
    received("inq_3", canonical_inquiry(email="sales@acme-group.de", company="ACME KUNSTSTOFFE HAMBURG"))
    assert call(profile, "get_customer", "cus_2")["inquiry_count"] == 2
    assert call(profile, "get_customer", "cus_1")["inquiry_count"] == 1


def test_a_later_inquiry_joins_an_archive_opened_under_a_misspelt_name_with_the_right_one(profile, received):
    received(
        "inq_1",
        {
            **canonical_inquiry(company="ROBERTSON LIGHTING LIMMITED", country="United Kingdom"),
            "contact": {"name": "Damian Charlton", "phone": "+44 1293 181227"},
        },
    )
    # the right name from a private address, nothing else agreeing: its own archive, flagged for a person
    received(
        "inq_2",
        {
            **canonical_inquiry(company="Robertson Lighting Ltd", country="GB"),
            "contact": {"name": "Liam Harper", "email": "liam.harper@hotmail.com"},
        },
    )
    assert call(profile, "get_customer", "cus_2")["possible_duplicates"] == ["cus_1"]
    # the same person again, now with the first archive's phone: both archives are one customer's
    nameless = {name: value for name, value in canonical_inquiry(country="UK").items() if name != "company"}
    received(
        "inq_3",
        {**nameless, "contact": {"name": "Liam Harper", "email": "liam.harper@hotmail.com", "phone": "01293 181227"}},
    )
    assert list(customers_by_id(profile)) == ["cus_1"]
    archive = call(profile, "get_customer", "cus_1")
    assert archive["inquiry_count"] == 3 and archive["aliases"] == ["Robertson Lighting Ltd"]
    timeline = call(profile, "get_timeline", "cus_1")["items"]
    assert [e["kind"] for e in timeline].count("customers_merged") == 1


def test_a_group_company_writing_from_the_domain_another_member_opened_is_grouped_never_merged(profile, received):
    received(
        "inq_1",
        {
            **canonical_inquiry(email="hamburg@acme-group.de", company="Acme Kunststoffe Hamburg GmbH"),
            "city": "Hamburg",
        },
    )
    # the parent, from the shared domain without a code, under the member's name less its city: its own
    # archive in the group, flagged in case it is one
    received("inq_2", canonical_inquiry(email="info@acme-group.de", company="Acme Kunststoffe GmbH"))
    assert set(customers_by_id(profile)) == {"cus_1", "cus_2"}
    assert call(profile, "get_customer", "cus_2")["possible_duplicates"] == ["cus_1"]
    assert sorted(m["customer_id"] for m in call(profile, "get_group", "cus_2")["members"]) == ["cus_1", "cus_2"]
    # a member known so far only from private mail, then writing from the domain with its own code: the
    # archive its name has takes the inquiry and joins the group
    received("inq_3", canonical_inquiry(email="k.wolf@gmail.com", company="Acme Kunststoffe München GmbH"))
    received(
        "inq_4",
        canonical_inquiry(
            email="muenchen@acme-group.de", company="ACME KUNSTSTOFFE MUENCHEN", registration_code="DE136695976"
        ),
    )
    assert set(customers_by_id(profile)) == {"cus_1", "cus_2", "cus_3"}
    assert call(profile, "get_customer", "cus_3")["inquiry_count"] == 2
    assert sorted(m["customer_id"] for m in call(profile, "get_group", "cus_3")["members"]) == [
        "cus_1",
        "cus_2",
        "cus_3",
    ]


def test_a_group_company_named_after_its_city_joins_the_group_from_private_mail(profile, received):
    received(
        "inq_1",
        canonical_inquiry(email="ventas@nevado-herramientas.es", company="Nevado Herramientas S.L.", country="España"),
    )
    received(
        "inq_2",
        {
            **canonical_inquiry(
                email="gustavo.vidal@gmail.com", company="Nevado Herramientas Valencia S.A.", country="Spain"
            ),
            "city": "Valencia",
        },
    )
    # the same longer name from elsewhere is no place added: its own archive, in no group
    received(
        "inq_3",
        {
            **canonical_inquiry(email="otro@gmail.com", company="Nevado Herramientas Industriales", country="ES"),
            "city": "Madrid",
        },
    )
    assert set(customers_by_id(profile)) == {"cus_1", "cus_2", "cus_3"}
    assert sorted(m["customer_id"] for m in call(profile, "get_group", "cus_2")["members"]) == ["cus_1", "cus_2"]
    assert call(profile, "get_group", "cus_3")["group"] is None


def test_an_english_and_a_chinese_name_joined_by_a_phone_are_aliases_of_one_archive(profile, received):
    received(
        "inq_1",
        {
            **canonical_inquiry(company="深圳华新电子有限公司", country="中国"),
            "contact": {"name": "王伟", "phone": "+86 755 2345 6789"},
        },
    )
    received(
        "inq_2",
        {
            **canonical_inquiry(company="Shenzhen Huaxin Electronics Co., Ltd.", country="China"),
            "contact": {"name": "Wang Wei", "phone": "0755 2345 6789", "email": "wangwei@gmail.com"},
        },
    )
    assert list(customers_by_id(profile)) == ["cus_1"]
    archive = call(profile, "get_customer", "cus_1")
    assert archive["company"] == "深圳华新电子有限公司"
    assert archive["aliases"] == ["Shenzhen Huaxin Electronics Co., Ltd."]
    # found by the English name from then on
    received("inq_3", canonical_inquiry(email="buyer@163.com", company="SHENZHEN HUAXIN ELECTRONICS", country="CN"))
    assert call(profile, "get_customer", "cus_1")["inquiry_count"] == 3


def test_archives_stored_under_earlier_key_rules_are_rekeyed_and_found(profile, received, db):
    received("inq_1", canonical_inquiry(email="j@mueller-bau.de", company="Müller Bau GmbH"))
    # as an earlier version stored it: the domain under "email_domain", the name folded without accents
    db.customer_keys.delete_many({"customer_id": "cus_1"})
    db.customer_keys.insert_many(
        [
            {"_id": "email:j@mueller-bau.de", "customer_id": "cus_1"},
            {"_id": "email_domain:mueller-bau.de", "customer_id": "cus_1"},
            {"_id": "company:DE:müllerbau", "customer_id": "cus_1"},
        ]
    )
    db.customers.update_one({"_id": "cus_1"}, {"$set": {"name_blocks": ["DE:müll"]}})
    assert call(profile, "backfill_match_keys", {"limit": 10}) == {"examined": 1, "written": 1, "next_after": None}
    assert call(profile, "backfill_match_keys", {})["written"] == 0  # again: nothing to change
    keys = sorted(doc["_id"] for doc in db.customer_keys.find({"customer_id": "cus_1"}))
    assert keys == ["company:DE:mullerbau", "domain:mueller-bau.de", "email:j@mueller-bau.de"]
    assert "DE:mull" in db.customers.find_one({"_id": "cus_1"})["name_blocks"]
    received("inq_2", canonical_inquiry(email="k@mueller-bau.de", company="Mueller Bau"))  # by the domain
    received("inq_3", canonical_inquiry(email="x@gmail.com", company="MULLER BAU AG"))  # by the name
    assert list(customers_by_id(profile)) == ["cus_1"]
    assert call(profile, "get_customer", "cus_1")["inquiry_count"] == 3
