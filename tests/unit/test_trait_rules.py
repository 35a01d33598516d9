"""Traits read from communications by rule plugins: the built-in rules, the declaration, the host facade."""

import types

import pytest

from plugins import hookimpl
from plugins.builtin import trait_rules
from plugins.builtin.trait_rules import baton_traits
from plugins.declarations import Trait
from plugins.errors import PluginFailed
from plugins.host import PluginHost


def plugin(**hooks):
    module = types.SimpleNamespace()
    for name, function in hooks.items():
        setattr(module, name, hookimpl(function))
    return module


def evidence(text, name):
    return [t.evidence for t in baton_traits(text) if t.name == name]


# --- the built-in rules ----------------------------------------------------------------


def test_the_shanghai_example_is_tagged_has_competitor_with_the_phrase_and_the_suggestion():
    [trait] = baton_traits("We are comparing a Shanghai supplier's quote.")
    assert trait == Trait(
        "comparing_competitors",
        "has competitor",
        "comparing a Shanghai supplier's quote",
        "stress QC certification and after-sales",
        "trait_rules",
    )
    assert "Shanghai supplier" in trait.evidence


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("Your price is too high for our market.", "price is too high"),
        ("It is a bit expensive.", "a bit expensive"),
        ("Can you make it cheaper?", "cheaper"),
        ("Please give us your best price.", "best price"),
        ("Any discount for 5000 pcs?", "Any discount"),
        ("no discount needed", "discount"),
        ("Could you lower the price a little?", "lower the price"),
        ("This is over our budget.", "over our budget"),
        ("太贵了", "太贵了"),
        ("能便宜一点吗", "便宜一点"),
        ("希望能降价", "降价"),
        ("有优惠吗", "优惠"),
        ("可以打个折扣吗", "折扣"),
        ("最低价多少", "最低价"),
        ("你们价格高", "价格高"),
        ("报价偏高", "报价偏高"),
    ],
)
def test_price_sensitive(text, phrase):
    assert evidence(text, "price_sensitive") == [phrase]


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("Quality is our first concern.", "Quality"),
        ("We need high-quality LED panels.", "high-quality"),
        ("Do you have CE certificate?", "CE certificate"),
        ("FCC and RoHS please", "FCC"),
        ("UL listed drivers only", "UL listed"),
        ("Our QC team will visit.", "QC"),
        ("A third-party inspection before shipment.", "third-party inspection"),
        ("We will do a factory audit.", "factory audit"),
        ("What is the warranty?", "warranty"),
        ("ISO 9001 certified?", "ISO 9001 certified"),
        ("Please send test reports.", "test reports"),
        ("质量一定要好", "质量"),
        ("品质稳定吗", "品质稳定"),
        ("需要CE认证", "CE认证"),
        ("下单前要验厂", "验厂"),
        ("出货前质检", "质检"),
        ("保修几年", "保修"),
    ],
)
def test_quality_focused(text, phrase):
    assert evidence(text, "quality_focused")[0] == phrase


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("Another supplier offered a lower price.", "Another supplier"),
        ("We also have quotes from other factories.", "other factories"),
        ("Your competitor is faster.", "Your competitor"),
        ("A Ningbo factory quoted 20% less.", "A Ningbo factory"),
        ("We found an Alibaba seller Sunrise Lighting with the same lamp.", "an Alibaba seller Sunrise Lighting"),
        ("Alibaba seller X offers it for less.", "Alibaba seller X"),
        ("Our current supplier in Vietnam is slow.", "Our current supplier in Vietnam"),
        ("We have received 3 quotations.", "received 3 quotations"),
        ("We are shopping around.", "shopping around"),
        ("别家报价更低", "别家报价"),
        ("其他供应商也在报", "其他供应商"),
        ("我们正在对比上海一家供应商的报价", "对比上海一家供应商的报价"),
        ("上海一家供应商报价更低", "上海一家供应商报价"),
        ("比较了几家供应商的价格", "比较了几家供应商的价格"),
        ("我们在比较报价", "比较报价"),
        ("竞争对手的报价更低", "竞争对手的报价"),
        ("同行的价格更低", "同行的价格"),
        ("我们还在对比", "对比"),
    ],
)
def test_comparing_competitors(text, phrase):
    traits = [t for t in baton_traits(text) if t.name == "comparing_competitors"]
    assert [t.evidence for t in traits] == [phrase]
    assert traits[0].label == "has competitor" and traits[0].suggestion == "stress QC certification and after-sales"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "We need 500 pcs of model X by March, please send catalog.",
        "Nice to meet you at the Canton Fair. Please send the price list and lead time.",
        "The price of ice is nice since the service is precise.",  # CE only as a word
        "AQCD and QCM are part numbers.",  # QC only as a word
        "Please send the certificate of origin.",  # a customs document, not quality
        "We are looking for a reliable supplier.",
        "Please send 2 quotations, FOB and CIF.",
        "The price compared to last year's prices is fine.",
        "我们需要2000件，下个月交货",
        "屏幕对比度高",  # contrast ratio, not comparing
        "价格比较合理",  # 比较 as "rather"
        "客户想参观我们广东的工厂",  # the seller's own factory
        "同行业的客户",  # same industry
    ],
)
def test_no_trait_is_read_where_there_is_none(text):
    assert baton_traits(text) == []


def test_every_phrase_is_evidence_once_and_the_longest_overlap_wins():
    traits = baton_traits(
        "Too expensive! too expensive. A Shanghai supplier is cheaper, 太贵了，别家报价更低，要CE认证。"
    )
    assert [(t.name, t.evidence) for t in traits] == [
        ("price_sensitive", "Too expensive"),
        ("price_sensitive", "cheaper"),
        ("price_sensitive", "太贵了"),
        ("quality_focused", "CE认证"),
        ("comparing_competitors", "A Shanghai supplier"),
        ("comparing_competitors", "别家报价"),
    ]
    assert {t.rule for t in traits} == {"trait_rules"}
    suggestions = {t.name: t.suggestion for t in traits}
    assert suggestions["price_sensitive"] == "lead with value and volume tiers, not discounts"
    assert suggestions["quality_focused"] == "send test reports and certificates early"


def test_not_a_text_reads_nothing():
    assert baton_traits(None) == []


# --- the declaration -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"name": "Price Sensitive"}, "name"),
        ({"label": " "}, "label"),
        ({"evidence": ""}, "evidence"),
        ({"evidence": None}, "evidence"),
        ({"rule": ""}, "rule"),
        ({"suggestion": None}, "suggestion"),
    ],
)
def test_a_trait_names_the_field_it_refuses(kwargs, field):
    values = {
        "name": "price_sensitive",
        "label": "price sensitive",
        "evidence": "too expensive",
        "suggestion": "",
        "rule": "acme",
    } | kwargs
    with pytest.raises(ValueError, match=field):
        Trait(**values)


def test_a_trait_may_come_without_suggestion():
    assert Trait("vip", "VIP", "CEO", "", "acme").suggestion == ""


# --- the host facade -------------------------------------------------------------------


def test_the_builtin_rules_are_enabled_through_their_entry_point():
    host = PluginHost.from_config({"BATON": {"plugins": {"enabled": ["intent_grading", "trait_rules"]}}})
    assert [t.label for t in host.traits("We are comparing a Shanghai supplier's quote")] == ["has competitor"]
    assert host.traits("") == []


def test_traits_of_all_plugins_are_combined_in_plugin_order_without_repeats():
    extra = plugin(
        baton_traits=lambda text: (
            [
                Trait(
                    "comparing_competitors", "has competitor", "别家报价", "", "acme"
                ),  # same name and evidence: dropped
                Trait("decision_maker", "decision maker", "I am the owner", "", "acme"),
            ]
            if "owner" in text
            else []
        )
    )
    host = PluginHost([("trait_rules", trait_rules), ("acme", extra)])
    traits = host.traits("I am the owner. 别家报价更低")
    assert [(t.name, t.evidence, t.rule) for t in traits] == [
        ("comparing_competitors", "别家报价", "trait_rules"),
        ("decision_maker", "I am the owner", "acme"),
    ]


def test_a_plugin_with_no_traits_hook_or_no_answer_adds_nothing():
    host = PluginHost([("quiet", plugin(baton_traits=lambda text: None)), ("trait_rules", trait_rules)])
    assert [t.name for t in host.traits("太贵了")] == ["price_sensitive"]
    assert PluginHost([]).traits("太贵了") == []


def test_a_plugin_returning_something_else_than_traits_is_named():
    host = PluginHost([("trait_rules", trait_rules), ("sloppy", plugin(baton_traits=lambda text: ["cheap"]))])
    with pytest.raises(PluginFailed, match="plugin 'sloppy' failed in baton_traits: returned str, not Trait"):
        host.traits("too expensive")
    single = PluginHost([("lazy", plugin(baton_traits=lambda text: Trait("vip", "VIP", "CEO", "", "lazy")))])
    with pytest.raises(PluginFailed, match="plugin 'lazy' failed in baton_traits: returned Trait, not a list"):
        single.traits("CEO")


def test_a_plugin_that_raises_is_named_with_its_hook():
    def explode(text):
        raise ValueError("trait 'VIP': name must match")

    host = PluginHost([("trait_rules", trait_rules), ("flaky", plugin(baton_traits=explode))])
    with pytest.raises(PluginFailed) as failed:
        host.traits("too expensive")
    assert failed.value.message == "plugin 'flaky' failed in baton_traits: ValueError: trait 'VIP': name must match"
    assert failed.value.details == {"plugin": "flaky", "hook": "baton_traits"}
