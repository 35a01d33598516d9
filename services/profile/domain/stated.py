"""Structured requirements stated in 【特殊】 lines (备注规范): "【特殊】needs 110V" is the voltage
the production gate asks for, "【特殊】美规插头" the plug type, "【特殊】CE + RoHS" the
certification — recognised here so nobody types them twice (handoff records them as agreed).

Each recogniser reads one line and gives the value in one canonical spelling (110V, US, Type A,
CE, UL, a date as YYYY-MM-DD), or nothing; a line may state several requirements. Anything not
recognised stays a special requirement in words, as before.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

_NOT_LATIN = r"(?<![A-Za-z0-9])"  # \b fails between a Chinese character and a Latin letter
_NOT_LATIN_AFTER = r"(?![A-Za-z0-9])"

VOLTAGE = re.compile(
    _NOT_LATIN + r"(\d{2,3})(?:\s*(?:V|伏)?\s*(/|~|-|–|to|或)\s*(\d{2,3}))?\s*(?:V|伏|VAC|volts?)" + _NOT_LATIN_AFTER,
    re.IGNORECASE,
)
# plug types by country or region (美规, US plug) and by IEC letter (Type A, A型插头)
REGIONS = {"US": "US", "美": "US", "EU": "EU", "欧": "EU", "UK": "UK", "英": "UK", "AU": "AU", "澳": "AU"}
PLUG_REGION_EN = re.compile(
    _NOT_LATIN + r"(US|EU|UK|AU)\s*(?:-\s*)?(?:plugs?|sockets?|standard plugs?)" + _NOT_LATIN_AFTER, re.IGNORECASE
)
PLUG_REGION_ZH = re.compile(r"([美欧英澳])(?:规|标|式)(?:插头|插座)?")
PLUG_LETTER_EN = re.compile(
    _NOT_LATIN + r"(?:plug\s+type\s+([A-N])|type\s+([A-N])\s+plugs?)" + _NOT_LATIN_AFTER, re.IGNORECASE
)
PLUG_LETTER_ZH = re.compile(_NOT_LATIN + r"([A-N])\s*型插(?:头|座)")
CERTIFICATIONS = (
    "CE",
    "UL",
    "FCC",
    "RoHS",
    "ETL",
    "CB",
    "CCC",
    "SAA",
    "GS",
    "UKCA",
    "REACH",
    "FDA",
    "CSA",
    "PSE",
    "KC",
    "EAC",
)
CERTIFICATION = re.compile(_NOT_LATIN + r"(" + "|".join(CERTIFICATIONS) + r")" + _NOT_LATIN_AFTER, re.IGNORECASE)
# Two-letter marks are only taken in capitals ("ce" in a sentence is no certificate).
_CASE_FREE = {c.casefold(): c for c in CERTIFICATIONS if len(c) > 2}
PACKAGING_EN = re.compile(
    r"\b((?:neutral|plain|blank|custom(?:ised|ized)?|retail|gift|colou?r|white|brown|kraft|blister|export|bulk)"
    r"\s+(?:packaging|packing|package|boxe?s?|cartons?))\b",
    re.IGNORECASE,
)
PACKAGING_ZH = re.compile(r"((?:中性|定制|礼品|彩|白|牛皮纸?|吸塑|出口|散装)(?:包装|盒|纸箱|箱))")
DELIVERY_WORDS = re.compile(r"deliver|delivery|ship|arriv|交货|交期|发货|到货|出货", re.IGNORECASE)
DATE_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
DATE_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")


@dataclass(frozen=True)
class Stated:
    field: str
    value: str
    line: str


def stated_requirements(lines: Iterable[str]) -> list[Stated]:
    """Every structured requirement the special-requirement ``lines`` (without their marker) state,
    at most one value per field (the last line saying it wins, as the latest word does)."""
    found: dict[str, Stated] = {}
    for line in lines:
        for field, value in _recognised(line):
            found.pop(field, None)
            found[field] = Stated(field, value, line)
    return list(found.values())


def _recognised(line: str) -> Iterator[tuple[str, str]]:
    for field, recognise in (
        ("voltage", voltage),
        ("plug_type", plug_type),
        ("certification", certification),
        ("packaging", packaging),
        ("delivery_date", delivery_date),
    ):
        value = recognise(line)
        if value:
            yield field, value


def voltage(line: str) -> str | None:
    """ "needs 110V", "电压 220伏", "110-120 V", "110V/220V" → 110V, 220V, 110-120V (a range), 110V/220V
    (either)."""
    match = VOLTAGE.search(line)
    if match is None:
        return None
    low, separator, high = match.groups()
    if high is None:
        return f"{low}V"
    return f"{low}V/{high}V" if separator in ("/", "或") else f"{low}-{high}V"


def plug_type(line: str) -> str | None:
    """ "US plug", "美规插头" → US; "Type A plug", "plug type G", "A型插头" → Type A, Type G."""
    if match := PLUG_LETTER_EN.search(line):
        return f"Type {(match.group(1) or match.group(2)).upper()}"
    if match := PLUG_LETTER_ZH.search(line):
        return f"Type {match.group(1).upper()}"
    if match := PLUG_REGION_EN.search(line):
        return REGIONS[match.group(1).upper()]
    if match := PLUG_REGION_ZH.search(line):
        return REGIONS[match.group(1)]
    return None


def certification(line: str) -> str | None:
    """ "CE and RoHS", "需要UL认证" → "CE, RoHS", "UL" (in the order named, each once)."""
    marks = []
    for match in CERTIFICATION.finditer(line):
        text = match.group(1)
        mark = text if text in CERTIFICATIONS else _CASE_FREE.get(text.casefold())
        if mark and mark not in marks:
            marks.append(mark)
    return ", ".join(marks) or None


def packaging(line: str) -> str | None:
    """ "neutral packaging", "中性包装", "gift box" → that phrase (lower case in English)."""
    if match := PACKAGING_EN.search(line):
        return re.sub(r"\s+", " ", match.group(1).lower())
    if match := PACKAGING_ZH.search(line):
        return match.group(1)
    return None


def delivery_date(line: str) -> str | None:
    """A date in a line about delivery: "deliver by 2027-03-01", "交货期 2027年3月1日" → 2027-03-01."""
    if not DELIVERY_WORDS.search(line):
        return None
    for pattern in (DATE_ISO, DATE_ZH):
        if match := pattern.search(line):
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
            except ValueError:  # 2027-02-30: not a date, not a requirement
                return None
    return None
