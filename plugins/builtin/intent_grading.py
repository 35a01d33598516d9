"""The default intent grade (seed 003), read from what the customer wrote.

A: a specific quantity and either a near-term timeline or a budget/target price.
B: a specific need (a quantity, or a named product) without timeline or budget.
C: vague ("wants to cooperate", "interested", "send catalog") or nothing.
"""

import re
from typing import Any

from plugins.declarations import IntentGrade
from plugins.markers import hookimpl

RULE = "intent_grading"

QUANTITY = re.compile(
    r"(\d[\d,.\s]*\s*(?:k\s*)?(?:pcs|pieces?|units?|sets?|tons?|tonnes?|containers?|cartons?|pairs?|rolls?|meters?|m2|kg)\b"
    r"|\d[\d,.]*\s*(?:件|个|套|台|吨|柜|只|箱|米)"
    r"|[一二两三四五六七八九十百千万]+\s*(?:件|个|套|台|吨|柜|只|箱))",
    re.IGNORECASE,
)
TIMELINE = re.compile(
    r"(this (?:week|month|quarter)|next (?:week|month)|urgent|asap|as soon as possible|within \d+\s*(?:days?|weeks?)"
    r"|by (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|before (?:the )?(?:end|christmas|\d)"
    r"|尽快|下个?月|本月|这个月|下周|本周|急)",
    re.IGNORECASE,
)
BUDGET = re.compile(r"(budget|target price|usd|us\$|\$\s*\d|eur\s*\d|€\s*\d|预算|目标价)", re.IGNORECASE)
VAGUE = re.compile(
    r"(想合作|合作意向|感兴趣|wants? to cooperate|cooperation|interested|send (?:me )?(?:your )?catalog)", re.IGNORECASE
)


def _evidence(pattern, text):
    match = pattern.search(text)
    return match.group(0).strip() if match else None


@hookimpl
def baton_grade_intent(inquiry: dict[str, Any]) -> IntentGrade:
    text = " ".join(filter(None, [inquiry.get("message"), *(inquiry.get("products") or [])]))
    quantity, timeline, budget = (_evidence(p, text) for p in (QUANTITY, TIMELINE, BUDGET))
    product = (inquiry.get("products") or [None])[0]
    if quantity and (timeline or budget):
        reasons = [f"specific quantity: '{quantity}'"]
        reasons += [f"timeline: '{timeline}'"] if timeline else []
        reasons += [f"budget: '{budget}'"] if budget else []
        return IntentGrade("A", tuple(reasons), RULE)
    if quantity or product:
        need = f"specific quantity: '{quantity}'" if quantity else f"named product: '{product}'"
        return IntentGrade("B", (need, "no timeline or budget yet"), RULE)
    vague = _evidence(VAGUE, text)
    reason = (
        f"vague: '{vague}'" if vague else ("no need stated" if not text.strip() else "no quantity or product named")
    )
    return IntentGrade("C", (reason,), RULE)
