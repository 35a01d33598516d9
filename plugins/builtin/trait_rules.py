"""The default traits, read from what a customer said or a salesperson recorded (English and Chinese).

price_sensitive        "too expensive", "best price", "discount", 太贵, 降价, 优惠 …
quality_focused        "quality", "CE certificate", "QC", "factory audit", 质量, 认证, 验厂 …
comparing_competitors  "another supplier", "comparing a Shanghai supplier's quote", 别家报价, 上海一家供应商 …

Each trait carries the exact phrase it was read from. Where phrases overlap, the one that starts
first wins, then the longest, so "comparing a Shanghai supplier's quote" is one piece of evidence,
not three. A phrase repeated (in any letter case) is reported once.
"""

import re

from plugins.declarations import Trait
from plugins.markers import hookimpl

RULE = "trait_rules"

# English words must stand alone: "CE" is not in "price" or "ICE", "QC" not in "AQCD". Python's
# \b counts Chinese characters as word characters ("CE认证" has no \b), so ASCII edges are used.
_START, _END = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
# One short stretch of a sentence: no sentence or clause punctuation, English or Chinese.
_CLAUSE = r"[^.,;:!?\n，。；：！？、]"
_SUPPLIER_EN = r"(?:suppliers?|vendors?|factor(?:y|ies)|manufacturers?|sellers?|makers?)"
_SUPPLIER_ZH = r"(?:供应商|供货商|厂家|厂商|工厂|卖家|商家)"
_NOT_OURS_ZH = r"(?<!我们)(?<!我们的)(?<!我司)(?<!本)"  # "我们广东的工厂" is the seller's own factory
# A capitalised name (a city, a country, a company) whatever the case-insensitive flag says.
_NAME = r"(?-i:[A-Z][a-z]+(?:-based)?)"
# Capitalised words that describe a supplier rather than name where it is.
_NOT_A_PLACE = r"(?!(?i:reliable|good|leading|professional|trusted|qualified|verified|gold|new|long-term|big|small)\b)"
# Where Chinese competitors usually are (and the countries buyers compare China with).
PLACES_ZH = (
    "上海",
    "深圳",
    "广州",
    "东莞",
    "佛山",
    "中山",
    "宁波",
    "义乌",
    "杭州",
    "温州",
    "台州",
    "苏州",
    "无锡",
    "常州",
    "南京",
    "厦门",
    "泉州",
    "福州",
    "青岛",
    "天津",
    "北京",
    "武汉",
    "成都",
    "重庆",
    "广东",
    "浙江",
    "江苏",
    "福建",
    "山东",
    "河北",
    "国内",
    "越南",
    "印度",
    "土耳其",
    "泰国",
    "马来西亚",
    "印尼",
    "台湾",
    "韩国",
    "日本",
)
MARKETPLACES = (
    "Alibaba",
    "1688",
    "AliExpress",
    "Made-in-China",
    "Made in China",
    "Global Sources",
    "DHgate",
    "Amazon",
    "Taobao",
)
MARKETPLACES_ZH = ("阿里巴巴", "阿里", "1688", "淘宝", "亚马逊", "中国制造网", "环球资源")
CERTIFICATION_MARKS = (
    "CE",
    "FCC",
    "RoHS",
    "UL",
    "ETL",
    "CSA",
    "SGS",
    "TUV",
    "TÜV",
    "Intertek",
    "BSCI",
    "SEDEX",
    r"ISO\s*\d{4,5}(?::\d{4})?",
    "GMP",
    "FDA",
    "LFGB",
)


def _en(*phrases):
    """English phrases, each standing alone (each its own pattern, so the longest match can win)."""
    return tuple(_START + "(?:" + phrase + ")" + _END for phrase in phrases)


def _zh(*phrases):
    """Chinese phrases, as they are: Chinese has no spaces, so no word edges either."""
    return phrases


def _alternatives(words):
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


PRICE_SENSITIVE_WORDS = (
    *_en(
        r"(?:(?:too|very|so|quite|rather|a bit|a little|bit|little)\s+)?(?:expensive|pricey|costly)",
        r"(?:much\s+|a bit\s+|a little\s+)?cheap(?:er|est)?",
        r"(?:the\s+)?(?:best|lowest|better|final|bottom|cheapest|good|special|rock[\s-]bottom)"
        r"\s+(?:price|offer|deal)s?",
        r"(?:any\s+|a\s+|some\s+|more\s+|extra\s+|bigger\s+|volume\s+|quantity\s+)?discounts?(?:ed)?",
        r"(?:lower|reduce|cut|drop|decrease|bring\s+down|beat)\s+(?:the\s+|your\s+|this\s+)?(?:prices?|quote|offer)",
        r"(?:unit\s+)?(?:prices?|quote|quotation|cost)\s+(?:is|are|seems?|looks?|was|were)\s+"
        r"(?:(?:too|very|so|quite|a bit|a little|rather|still)\s+)?(?:high|steep|expensive)",
        r"(?:prices?|quote|cost)\s+too\s+high",
        r"(?:over|above|beyond|exceeds?)\s+(?:our|my|the)\s+budget",
        r"(?:tight|limited|small)\s+budget",
        r"budget\s+is\s+(?:tight|limited)",
        r"price[\s-]sensitive",
        r"price\s+reduction",
        r"price\s+match(?:ing)?",
    ),
    *_zh(
        r"(?:价格|报价|价钱|单价)(?:还是|太|偏|有点|有些|比较|较|很|非常|稍)?(?:高|贵)了?",
        r"(?:太|有点|有些|比较|偏|很|非常|稍)贵了?",
        "贵了",
        r"(?:更|比较|再)?便宜(?:一?点|一些|些)?",
        r"降(?:一?点|低)?(?:价|价格)",
        r"(?:再|能)?降一?点",
        "优惠",
        "折扣",
        "打折",
        "让利",
        "砍价",
        "议价",
        r"最低(?:的)?(?:价|价格|报价)",
        r"最(?:优|好|低)(?:的)?(?:价|价格)",
        "底价",
        r"预算(?:有限|不够|不多|紧张|紧)",
        r"能(?:不能|否)?再?少一?点",
    ),
)

QUALITY_FOCUSED_WORDS = (
    *_en(
        r"(?:(?:high|good|best|top|stable|consistent|premium|better|excellent|poor|bad|low|product)[\s-]+)?quality"
        r"(?:\s+(?:control|standards?|requirements?|issues?|problems?|checks?|inspections?|assurance|certificates?))?",
        _alternatives(CERTIFICATION_MARKS)
        + r"(?:[\s-]*(?:certificates?|certifications?|certified|approved|approval|marking|mark|listed|standards?"
        r"|认证|证书))?",
        r"(?:quality\s+|product\s+)?certificat(?:e|es|ion|ions)(?!\s+of\s+origin)",
        r"certified",
        r"(?:test(?:ing)?|lab(?:oratory)?|inspection|audit)\s+reports?",
        r"lab(?:oratory)?\s+test(?:s|ing)?",
        r"(?:(?:third[\s-]party|pre[\s-]shipment|factory|final|random|on[\s-]site)\s+)?inspections?",
        r"inspect(?:ed)?\s+(?:the\s+)?(?:goods|products?|samples?|factory|production)",
        r"(?:factory|social|supplier|quality)\s+audits?",
        r"audit(?:ing)?\s+(?:your|the)\s+factory",
        "QC",
        "QA",
        r"warrant(?:y|ies)",
        r"defect(?:s|ive)?(?:\s+rate)?",
        r"durab(?:le|ility)",
        r"after[\s-]sales?\s+service",
    ),
    *_zh(
        r"(?:质量|品质)(?:要求|控制|标准|问题|保证|稳定|好|检验|检测)?",
        "品控",
        r"(?:第三方)?(?:认证|证书)",
        "验厂",
        r"(?:第三方)?(?:质检|验货)",
        r"(?:第三方)?(?:检测|测试|检验)报告",
        "保修",
        "质保",
        "不良率",
        "次品",
        "瑕疵",
    ),
)

COMPARING_COMPETITORS_WORDS = (
    *_en(
        r"compar(?:e|es|ed|ing)\s+(?!"
        + _CLAUSE
        + r"{0,40}?\b(?:last|previous|our\s+own)\b)"
        + _CLAUSE
        + r"{0,60}?(?:quotes?|quotations?|offers?|prices?|pricing|bids?|samples?)",
        r"(?:an?|one|another|other)\s+"
        + _NOT_A_PLACE
        + _NAME
        + r"(?:\s+"
        + _NOT_A_PLACE
        + _NAME
        + r")?\s+"
        + _SUPPLIER_EN
        + r"(?:['’]s?)?",
        r"(?:another|other|different|alternative|second|rival)\s+"
        + _SUPPLIER_EN
        + r"(?:\s+(?:from|in|based\s+in)\s+"
        + _NAME
        + r")?",
        r"(?:our\s+)?(?:current|existing|present|previous|old|usual|regular)\s+"
        + _SUPPLIER_EN
        + r"(?:\s+(?:from|in|based\s+in)\s+"
        + _NAME
        + r")?",
        r"(?:several|multiple|many|a\s+few|two|three|four|five|\d+)\s+(?:other\s+)?(?:suppliers|vendors|manufacturers)",
        r"(?:got|have|had|received|collected|compared|comparing|getting)\s+(?:several|multiple|many|a\s+few|two|three"
        r"|four|five|\d+)\s+(?:other\s+)?(?:quotes|quotations|offers)",
        r"(?:an?\s+)?(?:"
        + "|".join(re.escape(m) for m in MARKETPLACES)
        + r")(?:\.com)?\s+"
        + _SUPPLIER_EN
        + r"(?:\s+(?!I\b)(?-i:[A-Z][\w&.'-]*)(?:\s+(?-i:[A-Z][\w&.'-]*)){0,2})?",
        r"(?:your\s+|our\s+|their\s+)?competitors?(?:['’]s?)?",
        r"competing\s+(?:suppliers?|offers?|quotes?)",
        r"(?:quotes?|prices?|offers?)\s+elsewhere",
        r"shop(?:ping)?\s+around",
    ),
    *_zh(
        _NOT_OURS_ZH
        + _alternatives(PLACES_ZH + MARKETPLACES_ZH)
        + r"(?:上)?(?:的)?(?:一家|一个|另一家|某家?|几家)?"
        + _SUPPLIER_ZH
        + r"(?:的)?(?:报价|价格)?",
        r"(?:另一家|另外一家|另外的|别的|其他的?|其它的?)(?:" + _SUPPLIER_ZH + r"|公司|厂)(?:的)?(?:报价|价格)?",
        r"别家(?:的)?(?:报价|价格|产品)?",
        r"(?:对比|比较|比对)(?:了|一下|下)?"
        + _CLAUSE
        + r"{0,10}?(?:家|供应商|厂家|工厂|厂商|同行)"
        + _CLAUSE
        + r"{0,6}?(?:报价|价格)",
        r"(?:对比|比较|比对)(?:了|一下|下)?(?:各|两|几|多|不同)?(?:份|个|家)?(?:的)?报价",
        r"对比(?!度)",
        "货比三家",
        r"竞争对手(?:的)?(?:报价|价格)?",
        "竞品",
        "竞争者",
        r"同行(?![人者程业])(?:的)?(?:报价|价格)?",
        r"(?:多|几)家(?:的)?(?:报价|价格)",
    ),
)

RULES = (
    ("price_sensitive", "price sensitive", "lead with value and volume tiers, not discounts", PRICE_SENSITIVE_WORDS),
    ("quality_focused", "quality focused", "send test reports and certificates early", QUALITY_FOCUSED_WORDS),
    ("comparing_competitors", "has competitor", "stress QC certification and after-sales", COMPARING_COMPETITORS_WORDS),
)
PATTERNS = {name: tuple(re.compile(p, re.IGNORECASE) for p in patterns) for name, _, _, patterns in RULES}


def phrases(name: str, text: str | None) -> list[str]:
    """The phrases of ``text`` that show trait ``name``: earliest first, the longest where they overlap,
    each phrase once whatever its letter case."""
    found = sorted(
        (m.start(), -len(m.group(0).strip()), m.group(0).strip())
        for pattern in PATTERNS[name]
        for m in pattern.finditer(text or "")
        if m.group(0).strip()
    )
    kept, end, seen = [], -1, set()
    for start, length, phrase in found:
        if start >= end:
            end = start - length
            if phrase.lower() not in seen:
                seen.add(phrase.lower())
                kept.append(phrase)
    return kept


@hookimpl
def baton_traits(text: str) -> list[Trait]:
    if not isinstance(text, str):
        return []
    return [
        Trait(name, label, phrase, suggestion, RULE)
        for name, label, suggestion, _ in RULES
        for phrase in phrases(name, text)
    ]
