"""Structured requirements stated in 【特殊】 lines, recognised in Chinese and English."""

import pytest

from services.profile.domain.communications import special_requirements_in
from services.profile.domain.stated import stated_requirements


def stated(*lines):
    return {s.field: s.value for s in stated_requirements(lines)}


@pytest.mark.parametrize(
    "line, field, value",
    [
        ("needs 110V", "voltage", "110V"),
        ("电压220伏", "voltage", "220V"),
        ("需要110V电压", "voltage", "110V"),
        ("110-120 V", "voltage", "110-120V"),
        ("110 to 240 volts", "voltage", "110-240V"),
        ("dual voltage 110V/220V", "voltage", "110V/220V"),
        ("US plug", "plug_type", "US"),
        ("美规插头", "plug_type", "US"),
        ("英标插头", "plug_type", "UK"),
        ("Type G plug", "plug_type", "Type G"),
        ("plug type A", "plug_type", "Type A"),
        ("A型插头", "plug_type", "Type A"),
        ("CE and RoHS", "certification", "CE, RoHS"),
        ("需要UL认证", "certification", "UL"),
        ("FCC + rohs please", "certification", "FCC, RoHS"),
        ("neutral packaging, no logo", "packaging", "neutral packaging"),
        ("Gift Box", "packaging", "gift box"),
        ("中性包装", "packaging", "中性包装"),
        ("彩盒包装", "packaging", "彩盒"),
        ("deliver by 2027-03-01", "delivery_date", "2027-03-01"),
        ("交货期 2027年3月1日", "delivery_date", "2027-03-01"),
        ("must ship before 2027/3/9", "delivery_date", "2027-03-09"),
    ],
)
def test_a_line_stating_a_requirement_gives_it_in_one_spelling(line, field, value):
    assert stated(line)[field] == value


@pytest.mark.parametrize(
    "line",
    [
        "invoice must carry the VAT number",
        "5V USB output",
        "ce marking in lower case is no mark",
        "the PRICE includes freight",
        "meeting on 2027-03-01",
        "deliver by 2027-02-30",
    ],
)
def test_a_line_stating_no_structured_requirement_gives_none(line):
    assert stated(line) == {}


def test_one_line_may_state_several_and_the_last_line_saying_a_field_wins():
    assert stated("110V, US plug, UL listed") == {"voltage": "110V", "plug_type": "US", "certification": "UL"}
    latest = stated_requirements(["needs 220V", "客户改为110V"])
    assert [(s.field, s.value, s.line) for s in latest] == [("voltage", "110V", "客户改为110V")]


def test_the_lines_come_from_the_notes_marker():
    lines = special_requirements_in("Called Jane.\n【特殊】needs 110V\n[special] neutral packaging", "【特殊】CE认证")
    assert stated(*lines) == {"voltage": "110V", "packaging": "neutral packaging", "certification": "CE"}
