"""Normalisation of what people type, across scripts, widths, legal forms and formats."""

import pytest

from services.profile.domain.normalising import (
    company_email_domain,
    normalise_company,
    normalise_phone,
    normalise_registration_code,
    registrable_domain,
)


@pytest.mark.parametrize(
    "variants",
    [
        ["Acme Trading GmbH", "ACME TRADING, Inc.", "acme trading", "Acme-Trading Ltd."],
        ["Shenzhen ABC Co., Ltd.", "SHENZHEN ABC CO LTD", "Shenzhen ABC"],
        ["廣州貿易有限公司", "广州贸易公司", "广州贸易股份有限公司", "广州贸易"],
        ["ＡＢＣ　Ｌｔｄ．", "ABC Ltd"],
    ],
)
def test_company_name_variants_compare_equal(variants):
    assert len({normalise_company(v) for v in variants}) == 1


def test_different_companies_stay_different():
    assert normalise_company("Acme Trading GmbH") != normalise_company("Acme Lighting GmbH")
    assert normalise_company("") is None and normalise_company("GmbH") in (None, "gmbh")


# Countries are recognised before these rules (services.runtime.countries, tests/unit/test_countries.py):
# they take the ISO code.
@pytest.mark.parametrize(
    "raw, country, e164",
    [
        ("030 1234567", "DE", "+49301234567"),
        ("+49 (30) 123-4567", None, "+49301234567"),
        ("138 0013 8000", "CN", "+8613800138000"),
        ("＋８６ １３８００１３８０００", None, "+8613800138000"),
    ],
)
def test_phones_become_e164_with_the_country_as_hint(raw, country, e164):
    assert normalise_phone(raw, country) == e164


@pytest.mark.parametrize("raw", ["12", "not a phone", "", None, "030 1234567"])
def test_non_numbers_and_numbers_without_a_country_have_no_key(raw):
    assert normalise_phone(raw) is None


@pytest.mark.parametrize(
    "raw, domain",
    [
        ("https://www.acme.co.uk/products?id=1", "acme.co.uk"),
        ("shop.acme.de", "acme.de"),
        ("ACME.COM", "acme.com"),
        ("http://例子.中国", "例子.中国"),
    ],
)
def test_websites_reduce_to_the_registrable_domain_offline(raw, domain):
    assert registrable_domain(raw) == domain


def test_free_mail_never_names_a_company():
    assert company_email_domain("jane@mail.acme.co.uk") == "acme.co.uk"
    for free in ("x@gmail.com", "x@qq.com", "x@163.com", "x@126.com", "x@outlook.com", "x@yahoo.com"):
        assert company_email_domain(free) is None


def test_registration_codes_are_checked_by_their_standard():
    assert normalise_registration_code("91110000600037341L") == ("cn_uscc", "91110000600037341L")
    assert normalise_registration_code("91110000600037341X") is None  # check digit wrong
    assert normalise_registration_code("DE 136 695 976") == ("eu_vat", "DE136695976")
    assert normalise_registration_code("136695976", country_code="DE") == ("eu_vat", "DE136695976")
    assert normalise_registration_code("12345") is None


@pytest.mark.parametrize(
    "code, country, problem",
    [
        ("DE136695976", None, None),
        ("DE136695975", None, "Not a valid DE VAT number"),
        ("136695975", "DE", "Not a valid DE VAT number"),
        ("911100006000373410", "CN", "Not a valid unified social credit code"),
        ("12345", "US", None),  # no standard we check: kept as typed
    ],
)
def test_a_registration_code_is_checked_where_a_standard_exists(code, country, problem):
    from services.profile.domain.normalising import registration_code_problem

    found = registration_code_problem(code, country)
    assert (found or "").startswith(problem or "") and (found is None) == (problem is None)


@pytest.mark.parametrize(
    "variants",
    [
        ["Müller Elektrotechnik GmbH", "MUELLER ELEKTROTECHNIK", "Muller Elektrotechnik", "müller elektrotechnik AG"],
        ["Straße Bau GmbH", "STRASSE BAU", "Strasse Bau"],
        ["Yıldız Tekstil San. ve Tic. Ltd. Şti.", "YILDIZ TEKSTIL A.Ş.", "Yildiz Tekstil Limited Şirketi"],
        ["Łódź Meble Sp. z o.o.", "LODZ MEBLE SP.Z O.O.", "Lodz Meble sp. j."],
        ["Société Générale Éclairage SARL", "Societe Generale Eclairage"],
        ["Comercial Méndez S.A. de C.V.", "Comercial Mendez"],
        ["Tena Muebles S.L.U.", "TENA MUEBLES SLU", "Tena Muebles SAU"],
        ["Oliveira Ferramentas Ltda.", "Oliveira Ferramentas EIRELI", "OLIVEIRA FERRAMENTAS S/A"],
        ["Tallinna Puit OÜ", "Tallinna Puit"],
        ["Harper Partners LLP", "Harper Partners"],
        ["Công ty TNHH Hòa Phát", "Hoa Phat Co., Ltd", "CÔNG TY CỔ PHẦN HÒA PHÁT"],
        ["株式会社トヨタ", "トヨタ株式会社"],
        ["有限会社鈴木保険", "鈴木保険"],
        ["(주)삼성", "삼성 주식회사"],
        ["廣州貿易股份有限公司", "广州贸易有限公司"],
    ],
)
def test_transliterations_accents_and_every_market_s_legal_forms_fold_away(variants):
    assert len({normalise_company(v) for v in variants}) == 1, [normalise_company(v) for v in variants]


def test_folding_keeps_meaningful_words_and_leaves_other_scripts_as_written():
    from services.profile.domain.normalising import company_words

    assert company_words("Sunrise Home Goods Ltd") == ["sunrise", "home", "goods"]
    assert normalise_company("衣優庫資訊有限公司") == "衣优库资讯"  # 资讯 is part of the name, not its form
    assert normalise_company("广州贸易") == "广州贸易"  # never transliterated to pinyin
    assert normalise_company("주원") == "주원"  # (주) is a form only in brackets
    assert normalise_company("Atlas Home") != normalise_company("Atlas Homes")
