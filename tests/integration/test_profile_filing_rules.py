"""profile: filing rules added for issue 14's measurement — a registration code before an address or a
phone, a slip among a name's first letters, a group company's name held by an archive of its own —
through real events, the real RabbitMQ and the document server."""

from tests.integration.helpers import call, canonical_inquiry, customers_by_id


def test_a_registration_code_files_an_inquiry_whose_phone_another_archive_holds(profile, received):
    received(
        "inq_1",
        canonical_inquiry(
            email="a.keller@gmx.de", company="Keller Antriebstechnik GmbH", registration_code="DE136695976"
        ),
    )
    received(
        "inq_2",
        {
            **canonical_inquiry(company="Nord Service GmbH"),
            "contact": {"name": "Empfang", "email": "empfang@nord-service.de", "phone": "030 1234567"},
        },
    )
    # the code's entity, written from a line the other archive holds (a shared switchboard): the code decides
    received(
        "inq_3",
        {
            **canonical_inquiry(company="Keller Antriebstechnik", registration_code="DE 136 695 976"),
            "contact": {"name": "B. Kraft", "phone": "+49 30 1234567"},
        },
    )
    assert set(customers_by_id(profile)) == {"cus_1", "cus_2"}
    archive = call(profile, "get_customer", "cus_1")
    assert archive["inquiry_count"] == 2 and archive["possible_duplicates"] == ["cus_2"]


def test_a_name_misspelt_among_its_first_letters_joins_with_a_second_signal(profile, received):
    received(
        "inq_1",
        {
            **canonical_inquiry(company="Wernicke Sanitär GmbH"),
            "contact": {"name": "Ole Brandt", "email": "o.brandt@wernicke-sanitaer.de"},
        },
    )
    received(
        "inq_2",
        {
            **canonical_inquiry(company="Wrenicke Sanitär GmbH", country="Germany"),
            "contact": {"name": "Ole Brandt", "email": "ole.brandt@gmail.com"},
        },
    )
    # another slip from someone the archive does not know: flagged for a person, never merged (the first
    # slip is the archive's alias now, an exact key)
    received(
        "inq_3",
        {
            **canonical_inquiry(company="Wenricke Sanitär GmbH"),
            "contact": {"name": "Ines Vogt", "email": "ines.vogt@web.de"},
        },
    )
    assert set(customers_by_id(profile)) == {"cus_1", "cus_3"}
    assert call(profile, "get_customer", "cus_1")["inquiry_count"] == 2
    assert call(profile, "get_customer", "cus_3")["possible_duplicates"] == ["cus_1"]


def test_a_group_company_s_name_on_the_domain_goes_to_the_archive_that_name_has(profile, received):
    # a group company first, from the group's domain, known by no city; the parent from private mail
    received("inq_1", canonical_inquiry(email="kassel@brenner-logistik.de", company="Brenner Logistik Kassel GmbH"))
    received("inq_2", canonical_inquiry(email="k.hoffmann@web.de", company="Brenner Logistik GmbH"))
    # the parent from the domain: its name is the second archive's exactly and not the first's
    received("inq_3", canonical_inquiry(email="info@brenner-logistik.de", company="BRENNER LOGISTIK"))
    assert set(customers_by_id(profile)) == {"cus_1", "cus_2"}
    assert call(profile, "get_customer", "cus_2")["inquiry_count"] == 2
    assert call(profile, "get_customer", "cus_1")["inquiry_count"] == 1
    assert sorted(m["customer_id"] for m in call(profile, "get_group", "cus_2")["members"]) == ["cus_1", "cus_2"]


def test_an_archive_with_its_own_code_found_by_a_phone_joins_the_group_of_the_domain_it_writes_from(profile, received):
    received(
        "inq_1",
        {
            **canonical_inquiry(company="Gerlach Ventiltechnik GmbH", registration_code="DE136695976"),
            "contact": {"name": "R. Gerlach", "email": "r.gerlach@t-online.de", "phone": "030 1234567"},
        },
    )
    received(
        "inq_2",
        canonical_inquiry(
            email="info@gerlach-gruppe.de", company="Gerlach Service Nord GmbH", registration_code="DE129273398"
        ),
    )
    # the first company again, by its phone, from the group's domain and without a code: grouped, not merged
    received(
        "inq_3",
        {
            **canonical_inquiry(company="Gerlach Ventiltechnik GmbH"),
            "contact": {"name": "S. Brandt", "email": "s.brandt@gerlach-gruppe.de", "phone": "+49 30 1234567"},
        },
    )
    assert set(customers_by_id(profile)) == {"cus_1", "cus_2"}
    assert call(profile, "get_customer", "cus_1")["inquiry_count"] == 2
    assert sorted(m["customer_id"] for m in call(profile, "get_group", "cus_1")["members"]) == ["cus_1", "cus_2"]


def test_a_group_company_opened_before_its_city_was_known_joins_the_group_once_it_is(profile, received):
    received(
        "inq_1",
        canonical_inquiry(email="ventas@nevado-herramientas.es", company="Nevado Herramientas S.L.", country="ES"),
    )
    received(
        "inq_2",
        {
            **canonical_inquiry(company="Nevado Herramientas Valencia S.A.", country="ES"),
            "contact": {"name": "Gustavo Vidal", "email": "gustavo.vidal@gmail.com", "phone": "+34 961 234 567"},
        },
    )
    assert call(profile, "get_group", "cus_2")["group"] is None  # a longer name alone is just a longer name
    received(
        "inq_3",
        {
            **canonical_inquiry(company="nevado herramientas valencia", country="España"),
            "contact": {"name": "Gustavo Vidal", "phone": "961 234 567"},
            "city": "Valencia",
        },
    )
    assert set(customers_by_id(profile)) == {"cus_1", "cus_2"}
    assert call(profile, "get_customer", "cus_2")["inquiry_count"] == 2
    assert sorted(m["customer_id"] for m in call(profile, "get_group", "cus_2")["members"]) == ["cus_1", "cus_2"]
