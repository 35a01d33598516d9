"""Returning neglected customers to the pool, dormancy, reactivation, and the store's cutoffs."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.pool.domain.recycling import (
    DORMANT,
    KEEP,
    OWNED,
    PUBLIC_POOL,
    REJECTED,
    MoveToDormant,
    OwnedCustomer,
    PooledCustomer,
    Reactivation,
    RecyclingRules,
    ReturnToPool,
    Warn,
    contact_clock,
    dormancy_verdict,
    due_thresholds,
    follow_up_clock,
    reactivation_on_inquiry,
    recycling_verdict,
)

RULES = RecyclingRules(no_follow_up_days=15, no_deal_days=90, warn_days_before=3, dormant_after_days=180)
CLAIMED = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def owned(**changes):
    base = OwnedCustomer(
        "cus_1", "alice", CLAIMED, None, deal_closed=False, has_open_need=True, last_contact_at=None, warned_for=None
    )
    return replace(base, **changes)


def test_a_customer_followed_up_recently_is_kept():
    customer = owned(last_follow_up_at=CLAIMED + 10 * DAY)
    assert recycling_verdict(customer, RULES, CLAIMED + 20 * DAY) == KEEP


def test_the_owner_is_warned_when_the_window_opens():
    verdict = recycling_verdict(owned(), RULES, CLAIMED + 12 * DAY)
    assert verdict == Warn("no_follow_up", "no follow-up recorded for 15 days", CLAIMED + 15 * DAY)
    assert recycling_verdict(owned(), RULES, CLAIMED + 12 * DAY - timedelta(seconds=1)) == KEEP


def test_a_warned_customer_is_kept_until_the_deadline_then_returns():
    warning = recycling_verdict(owned(), RULES, CLAIMED + 12 * DAY)
    warned = owned(warned_for=warning.key)
    assert recycling_verdict(warned, RULES, CLAIMED + 13 * DAY) == KEEP
    assert recycling_verdict(warned, RULES, CLAIMED + 15 * DAY - timedelta(seconds=1)) == KEEP
    assert recycling_verdict(warned, RULES, CLAIMED + 15 * DAY) == ReturnToPool(
        "no_follow_up", "no follow-up recorded for 15 days"
    )


def test_a_follow_up_answers_the_warning_and_the_next_deadline_is_warned_again():
    first = recycling_verdict(owned(), RULES, CLAIMED + 12 * DAY)
    followed_up = owned(last_follow_up_at=CLAIMED + 14 * DAY, warned_for=first.key)
    assert recycling_verdict(followed_up, RULES, CLAIMED + 20 * DAY) == KEEP
    second = recycling_verdict(followed_up, RULES, CLAIMED + 26 * DAY)
    assert isinstance(second, Warn) and second.due_at == CLAIMED + 29 * DAY and second.key != first.key


def test_an_overdue_customer_never_warned_gets_a_full_warning_window_first():
    now = CLAIMED + 40 * DAY  # e.g. an admin just shortened the rule, or the job was down
    verdict = recycling_verdict(owned(), RULES, now)
    assert verdict == Warn("no_follow_up", "no follow-up recorded for 15 days", now + 3 * DAY)
    warned = owned(warned_for=verdict.key)
    assert recycling_verdict(warned, RULES, now + 3 * DAY - timedelta(seconds=1)) == KEEP
    assert isinstance(recycling_verdict(warned, RULES, now + 3 * DAY), ReturnToPool)


def test_no_deal_long_after_claiming_returns_even_with_follow_ups():
    busy = owned(last_follow_up_at=CLAIMED + 89 * DAY)
    warning = recycling_verdict(busy, RULES, CLAIMED + 87 * DAY)
    assert warning == Warn("no_deal", "no deal within 90 days of claiming", CLAIMED + 90 * DAY)
    assert recycling_verdict(replace(busy, warned_for=warning.key), RULES, CLAIMED + 90 * DAY) == ReturnToPool(
        "no_deal", "no deal within 90 days of claiming"
    )


def test_a_closed_deal_is_exempt_unless_configured_otherwise():
    dealt = owned(deal_closed=True)
    assert recycling_verdict(dealt, RULES, CLAIMED + 400 * DAY) == KEEP
    strict = replace(RULES, closed_deals_exempt=False)
    assert recycling_verdict(dealt, strict, CLAIMED + 400 * DAY).rule == "no_follow_up"


def test_follow_ups_from_before_the_claim_do_not_count_for_the_new_owner():
    customer = owned(last_follow_up_at=CLAIMED - 30 * DAY)
    assert follow_up_clock(customer) == CLAIMED
    assert recycling_verdict(customer, RULES, CLAIMED + DAY) == KEEP


def test_an_unreadable_warning_record_means_warn_again_not_return():
    verdict = recycling_verdict(owned(warned_for="no_follow_up@yesterday"), RULES, CLAIMED + 30 * DAY)
    assert isinstance(verdict, Warn)


def test_rules_whose_warning_window_swallows_the_rule_are_refused():
    with pytest.raises(ValueError, match="no_follow_up_days"):
        RecyclingRules(no_follow_up_days=3, warn_days_before=3)


# Dormancy and reactivation


def pooled(**changes):
    base = PooledCustomer("cus_2", last_contact_at=CLAIMED, has_open_need=False, created_at=CLAIMED - 400 * DAY)
    return replace(base, **changes)


def test_no_contact_for_six_months_and_no_need_goes_dormant():
    assert dormancy_verdict(pooled(), RULES, CLAIMED + 180 * DAY) == MoveToDormant(
        "no contact for 180 days and no open need"
    )
    assert dormancy_verdict(pooled(), RULES, CLAIMED + 180 * DAY - timedelta(seconds=1)) is None


def test_an_open_need_keeps_a_customer_out_of_the_dormant_pool():
    assert dormancy_verdict(pooled(has_open_need=True), RULES, CLAIMED + 999 * DAY) is None


def test_a_customer_never_contacted_counts_from_its_creation():
    never = pooled(last_contact_at=None, created_at=CLAIMED)
    assert contact_clock(never) == CLAIMED
    assert dormancy_verdict(never, RULES, CLAIMED + 179 * DAY) is None
    assert dormancy_verdict(never, RULES, CLAIMED + 180 * DAY) is not None


def test_a_new_inquiry_wakes_a_dormant_customer_but_only_flags_a_rejected_one():
    assert reactivation_on_inquiry(DORMANT) == Reactivation(PUBLIC_POOL, "reactivated by new inquiry", False)
    rejected = reactivation_on_inquiry(REJECTED)
    assert rejected.state == REJECTED and rejected.needs_review
    assert reactivation_on_inquiry(OWNED) is None and reactivation_on_inquiry(PUBLIC_POOL) is None
    with pytest.raises(ValueError, match="lost_in_space"):
        reactivation_on_inquiry("lost_in_space")


# The store's cutoffs and the verdicts agree


def test_cutoffs_sit_exactly_on_the_verdict_boundaries():
    now = CLAIMED + 100 * DAY
    cut = due_thresholds(RULES, now)
    tick = timedelta(microseconds=1)
    # A closed deal under rules that still recycle it: only the follow-up rule speaks.
    follow_up_only = replace(RULES, closed_deals_exempt=False)
    at_warn = owned(deal_closed=True, last_follow_up_at=cut.warn_follow_up_clock_at_or_before)
    assert isinstance(recycling_verdict(at_warn, follow_up_only, now), Warn)
    later = replace(at_warn, last_follow_up_at=cut.warn_follow_up_clock_at_or_before + tick)
    assert recycling_verdict(later, follow_up_only, now) == KEEP
    # Never followed up, claimed exactly at the no-deal warning cutoff: the no-deal rule speaks.
    claimed = cut.warn_claimed_at_or_before
    assert recycling_verdict(owned(claimed_at=claimed, last_follow_up_at=now), RULES, now).rule == "no_deal"
    assert recycling_verdict(owned(claimed_at=claimed + tick, last_follow_up_at=now), RULES, now) == KEEP
    assert dormancy_verdict(pooled(last_contact_at=cut.dormant_contact_clock_at_or_before), RULES, now) is not None
    assert dormancy_verdict(pooled(last_contact_at=cut.dormant_contact_clock_at_or_before + tick), RULES, now) is None


def matches_warn_cutoffs(customer, cut, rules):
    follow_up_rule_applies = not (customer.deal_closed and rules.closed_deals_exempt)
    return (follow_up_rule_applies and follow_up_clock(customer) <= cut.warn_follow_up_clock_at_or_before) or (
        not customer.deal_closed and customer.claimed_at <= cut.warn_claimed_at_or_before
    )


def matches_return_cutoffs(customer, cut, rules):
    follow_up_rule_applies = not (customer.deal_closed and rules.closed_deals_exempt)
    return (follow_up_rule_applies and follow_up_clock(customer) <= cut.return_follow_up_clock_at_or_before) or (
        not customer.deal_closed and customer.claimed_at <= cut.return_claimed_at_or_before
    )


NOW = datetime(2026, 6, 1, tzinfo=UTC)
# Whole days drawn evenly (plain integers would crowd near zero), nudged around the boundaries.
offsets = st.builds(
    lambda days, seconds: timedelta(days=days, seconds=seconds),
    st.sampled_from(range(201)),
    st.sampled_from((0, 1, 43_200, 86_399)),
)


@st.composite
def owned_customers(draw):
    claimed_at = NOW - draw(offsets)
    follow_up = draw(st.none() | offsets.map(lambda d: NOW - d))
    customer = owned(claimed_at=claimed_at, last_follow_up_at=follow_up, deal_closed=draw(st.booleans()))
    # Sometimes the owner was already warned about the current deadline, as the job would have done.
    if draw(st.booleans()):
        warned_at = NOW - draw(offsets)
        warning = recycling_verdict(customer, RULES, max(warned_at, claimed_at))
        if isinstance(warning, Warn):
            customer = replace(customer, warned_for=warning.key)
    return customer


@settings(max_examples=400, deadline=None)
@given(owned_customers())
def test_whatever_the_verdict_acts_on_is_found_by_the_cutoffs(customer):
    cut = due_thresholds(RULES, NOW)
    verdict = recycling_verdict(customer, RULES, NOW)
    if not matches_warn_cutoffs(customer, cut, RULES):
        assert verdict == KEEP
    if isinstance(verdict, ReturnToPool):
        assert matches_return_cutoffs(customer, cut, RULES)
    if customer.warned_for is None and matches_warn_cutoffs(customer, cut, RULES):
        assert isinstance(verdict, Warn) and verdict.due_at >= NOW + RULES.warn_window


@settings(max_examples=200, deadline=None)
@given(offsets, st.none() | offsets, st.booleans())
def test_dormancy_and_its_cutoff_agree(since_created, since_contact, open_need):
    customer = pooled(
        created_at=NOW - since_created,
        has_open_need=open_need,
        last_contact_at=None if since_contact is None else NOW - since_contact,
    )
    found = not open_need and contact_clock(customer) <= due_thresholds(RULES, NOW).dormant_contact_clock_at_or_before
    assert (dormancy_verdict(customer, RULES, NOW) is not None) == found
