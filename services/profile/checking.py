"""Check before create: the customers a salesperson is probably about to file again."""

from typing import Any

from services.profile.domain.matching import folded_similarity, match_keys, name_blocks, name_words, rank_candidates
from services.profile.domain.normalising import normalise_company


def likely_customers(customers: Any, matching: dict[str, Any], typed: dict[str, Any]) -> dict[str, list[dict]]:
    """Likely customers for what was ``typed`` (with its ``country_code``, ``with_country_code``)."""
    inquiry = {
        "company": typed.get("company"),
        "country_code": typed.get("country_code"),
        "website": typed.get("website"),
        "registration_code": typed.get("registration_code"),
        "contact": {"email": typed.get("email"), "phone": typed.get("phone")},
    }
    holders = customers.holders_of(match_keys(inquiry))
    similar: dict[str, float] = {}
    name = normalise_company(typed.get("company"))
    blocks = name_blocks(typed.get("company"), typed.get("country_code"))
    for archived in customers.in_name_blocks(blocks, matching["max_name_block"]).values():
        for known in archived:
            similar[known["_id"]] = folded_similarity(name, "".join(name_words(known)))
    ranked = rank_candidates(holders, similar, matching["min_name_similarity"])
    archives = {c: customers.get(c) for c in dict.fromkeys(c.customer_id for c in ranked)}
    return {
        "candidates": [
            {
                "customer_id": c.customer_id,
                "company": archives[c.customer_id]["company"],
                "country": archives[c.customer_id]["country"],
                "country_code": archives[c.customer_id].get("country_code"),
                "owner_id": archives[c.customer_id]["owner_id"],
                "pool_status": archives[c.customer_id].get("pool_state")
                or ("owned" if archives[c.customer_id]["owner_id"] else "public_pool"),
                "matched_on": list(c.matched_on),
                "similarity": c.similarity,
            }
            for c in ranked
            if archives[c.customer_id] is not None
        ]
    }
