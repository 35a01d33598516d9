"""pool: who owns each customer — allocation, claims, releases, recycling, rejection, leavers."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from nameko.timer import timer

from contracts.access import MANAGERS, REPORT_READERS, SCREENERS
from contracts.errors import EXPECTED_ERRORS, Forbidden, NotFound
from contracts.events import load_event
from contracts.paging import PageQuerySchema
from contracts.pool import (
    DO_NOT_CONTACT_READERS,
    ClaimAllowanceSchema,
    ClaimSchema,
    CollaboratorSchema,
    ContactStatusListSchema,
    ContactStatusQuerySchema,
    DoNotContactIdsSchema,
    DoNotContactPageSchema,
    InvalidLeadSchema,
    LeavingSchema,
    PoolPageSchema,
    PoolQuerySchema,
    ReactivateSchema,
    ReassignmentSchema,
    ReceiverSchema,
    RejectedPageSchema,
    RejectSchema,
    ReleaseSchema,
    SalespeopleSchema,
    SalespersonSchema,
    SalespersonUpdateSchema,
    SweepResultSchema,
    SweepSchema,
    WeightsSchema,
)
from contracts.reports import BackfillRequestSchema, BackfillResultSchema, PeriodQuerySchema, RejectedReasonsSchema
from plugins.dependency import Plugins
from services.pool.announcing import announce, ownership
from services.pool.claims import claim, reactivate, reject, release, remaining_claims, search_scope, set_collaborator
from services.pool.directory import change_person, seed, sync_user, view
from services.pool.domain.claiming import ClaimLimits, limits_for
from services.pool.domain.holdings import rejection_reason
from services.pool.domain.recycling import REJECTED, SCREENING
from services.pool.leaving import reassign_leaver
from services.pool.placing import Placement, keep_facts, place_new_customer, place_on_inquiry, profile_facts
from services.pool.reviewing import place_after_review
from services.pool.screening import mark_invalid, receiver_for
from services.pool.settings import AllocationSettingsSchema, PoolSettingsSchema
from services.pool.store import Pool
from services.pool.sweeping import sweep_announced
from services.pool.transferring import transfer_on_acceptance
from services.pool.upgrading import UPGRADES, fill_country_codes
from services.pool.weights import recompute_weights
from services.runtime import audit, health, parking, settings_check, upgrades
from services.runtime.access import Caller, acting_user, allowed, require
from services.runtime.countries import tags_for
from services.runtime.country_settings import CountrySettingsSchema, country_in_query
from services.runtime.events import ReliableEventDispatcher, on
from services.runtime.given_clock import accept_given_now
from services.runtime.mongo import AuditTrailStore, MongoStore
from services.runtime.queries import load_input, page_of
from services.runtime.queues import rpc
from services.runtime.report_rules import count_reasons
from services.runtime.reporting import ReportPeriodSettingsSchema, report_query
from services.runtime.settings import Settings

log = logging.getLogger(__name__)
Document = dict[str, Any]
TICK_SECONDS = 30  # how often instances look whether a sweep is due (the period itself is configured)


# The mixins are not imported by name: `nameko run` would take them for services.
class PoolService(
    audit.AuditTrailEntrypoints, parking.ParkedEventEntrypoints, health.HealthEntrypoints, upgrades.UpgradeEntrypoints
):
    name = "pool"

    pool = MongoStore(Pool)
    allocation = Settings("allocation", AllocationSettingsSchema)
    settings = Settings("pool", PoolSettingsSchema)
    reports = Settings("reports", ReportPeriodSettingsSchema)
    countries = Settings("countries", CountrySettingsSchema)
    plugins = Plugins()
    caller = Caller()
    audit_trail_store = AuditTrailStore()
    dispatch = ReliableEventDispatcher()
    UPGRADES = UPGRADES
    schema_versions = upgrades.UpgradeStore(UPGRADES)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def check_settings(self, config_text: str) -> list[dict[str, str]]:
        """Whether this service would load ``config_text`` (a deploy/config.yaml): [{path, reason}]."""
        return settings_check.answer(self.caller, config_text, type(self))

    # --- what happens to customers elsewhere ----------------------------------------------

    @on("customer_created")
    def on_customer_created(self, payload: Document) -> None:
        place_new_customer(self._placement(), load_event("customer_created", payload), _now())

    @on("inquiry_matched")
    def on_inquiry_matched(self, payload: Document) -> None:
        place_on_inquiry(self._placement(), load_event("inquiry_matched", payload), _now())

    @on("customer_updated")
    def on_customer_updated(self, payload: Document) -> None:
        event = load_event("customer_updated", payload)
        # a profile from before country_code sent the ISO code as country
        facts = profile_facts(event, event["country_code"] or self.countries.code_of(event["country"]))
        keep_facts(self.pool, event["customer_id"], facts, event["version"], self.settings["early_facts"])

    @on("user_saved")
    def on_user_saved(self, payload: Document) -> None:
        self._seeded()  # people who were never users set aside first: a user saved now is active
        sync_user(self.pool, self.allocation, load_event("user_saved", payload), _now())

    @on("handoff_accepted")
    def on_handoff_accepted(self, payload: Document) -> None:
        # Ownership changes only when every receiver has signed.
        event = load_event("handoff_accepted", payload)
        if event["complete"] and (changed := transfer_on_acceptance(self.pool, event, _now())):
            self._announce(*changed)

    @on("duplicates_kept_apart")
    def on_duplicates_kept_apart(self, payload: Document) -> None:
        # A customer held unallocated for this review is placed now, as it would have been.
        place_after_review(self._placement(), load_event("duplicates_kept_apart", payload), _now())

    @on("customers_merged")
    def on_customers_merged(self, payload: Document) -> None:
        # The absorbed archive is no longer a customer: it holds no place in anyone's book.
        self.pool.forget(load_event("customers_merged", payload)["absorbed_id"])

    # --- schedules ------------------------------------------------------------------------

    @timer(interval=TICK_SECONDS)
    def sweep_when_due(self) -> None:
        if self.pool.take_turn("recycling", _now(), timedelta(seconds=self.settings["sweep_every_seconds"])):
            self.run_sweep()
        if self.pool.take_turn(
            "weights", _now(), timedelta(seconds=self.allocation["recompute_weights_every_seconds"])
        ):
            recompute_weights(self.pool, self.allocation, _now())

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def run_sweep(self, now: str | None = None) -> Document:
        """Warn, recycle and move to dormant what is due (``now``: ISO time with offset, for tests
        and replays; the current time without it)."""
        require(self.caller, ("admin",), "run the recycling sweep by hand")
        given = load_input(SweepSchema, {"now": now} if now else {}, what="sweep").get("now")
        accept_given_now(given, self.pool.audit, "sweep")  # an invented time only on a test clock, audited
        return SweepResultSchema().dump(
            sweep_announced(
                self.pool, self.dispatch, self.settings["recycling"], self.settings["sweep_batch"], given or _now()
            )
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def recompute_weights(self) -> Document:
        require(self.caller, MANAGERS, "recompute weights")
        return WeightsSchema().dump({"weights": recompute_weights(self.pool, self.allocation, _now())})

    # --- claims and changes by people -----------------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def claim(self, customer_id: str, request: Document) -> Document:
        request = load_input(ClaimSchema, request, what="claim")
        who = acting_user(self.caller, request["by"], "claim customers")
        self._seeded()
        before = self.pool.holding(customer_id)
        after = claim(self.pool, self.settings, self._limits_of, customer_id, who, _now())
        return self._announce(before, after)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def claim_allowance(self, user_id: str) -> Document:
        """What ``user_id`` may still claim this day, week and month, and how many they hold."""
        self._seeded()
        return ClaimAllowanceSchema().dump(
            remaining_claims(self.pool, self.settings, self._limits_of, self.caller, user_id, _now())
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def claim_allowances(self, user_ids: list[str]) -> dict[str, Document | None]:
        """``claim_allowance`` of several people in one call (the team board); None for a person
        whose allowance the caller may not see."""
        self._seeded()
        now, allowances = _now(), {}
        for user_id in user_ids:
            try:
                allowances[user_id] = ClaimAllowanceSchema().dump(
                    remaining_claims(self.pool, self.settings, self._limits_of, self.caller, user_id, now)
                )
            except Forbidden:
                allowances[user_id] = None
        return allowances

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def release(self, customer_id: str, request: Document) -> Document:
        request = load_input(ReleaseSchema, request, what="release")
        who = acting_user(self.caller, request["by"], "release customers")
        return self._announce(
            *release(self.pool, customer_id, who, request["reason"], _now(), any_owner=allowed(self.caller, MANAGERS))
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def reject(self, customer_id: str, request: Document) -> Document:
        request = load_input(RejectSchema, request, what="rejection")
        who = acting_user(self.caller, request["by"], "reject customers")
        return self._announce(
            *reject(self.pool, customer_id, who, request["reason"], _now(), any_owner=allowed(self.caller, MANAGERS))
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def reactivate(self, customer_id: str, request: Document) -> Document:
        require(self.caller, MANAGERS, "reactivate customers")
        request = load_input(ReactivateSchema, request, what="reactivation")
        who = acting_user(self.caller, request["by"], "reactivate customers")
        return self._announce(*reactivate(self.pool, customer_id, who, request["reason"], _now()))

    # --- marketing's screening (screening.py) -------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def screening_queue(self, query: Document | None = None) -> Document:
        """The leads waiting for marketing's screening, newest first."""
        require(self.caller, SCREENERS, "read the screening queue")
        query = load_input(PageQuerySchema, query)
        items, total = self.pool.search(SCREENING, limit=query["limit"], offset=query["offset"], sort="-since")
        return PoolPageSchema().dump(page_of([_entry(h) for h in items], total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def receiver_for_lead(self, customer_id: str) -> Document:
        """Whose turn it is to receive a screened lead (handoff asks when marketing names nobody)."""
        require(self.caller, SCREENERS, "choose who receives a lead")
        self._seeded()
        return ReceiverSchema().dump(
            {
                "customer_id": customer_id,
                "receiver": receiver_for(
                    self.pool, self.allocation["team"], self._limits_of, self._rules(), customer_id
                ),
            }
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def mark_invalid(self, customer_id: str, request: Document) -> Document:
        require(self.caller, (*SCREENERS, "sales"), "mark leads invalid")
        request = load_input(InvalidLeadSchema, request, what="request")
        who = acting_user(self.caller, request["by"], "mark leads invalid")
        return self._announce(
            *mark_invalid(
                self.pool, customer_id, who, request["reason"], _now(), any_owner=allowed(self.caller, MANAGERS)
            )
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_collaborator(self, customer_id: str, request: Document, present: bool = True) -> Document:
        request = load_input(CollaboratorSchema, request, what="collaborator")
        who = acting_user(self.caller, request["by"], "name collaborators")
        before, after = set_collaborator(
            self.pool, customer_id, request["user"], present, who, any_owner=allowed(self.caller, MANAGERS)
        )
        return self._announce(before, after, by=who)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_owner(self, customer_id: str) -> Document:
        holding = self.pool.holding(customer_id)
        if holding is None:
            raise NotFound.of("owner record", customer_id)
        return ownership(holding)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def search_pool(self, query: Document | None = None) -> Document:
        query = load_input(PoolQuerySchema, query)
        asked = country_in_query(self.countries, query)
        asked["tags"] = tags_for(asked.pop("tag", None), self.countries)
        # The caller's scope wins over what they asked (it may name the same owner_id).
        items, total = self.pool.search(**{**asked, **search_scope(self.caller, query)})
        return PoolPageSchema().dump(page_of([_entry(h) for h in items], total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def contact_status(self, query: Document | None) -> Document:
        """For marketing channels: which of these customers must not be contacted, and why."""
        query = load_input(ContactStatusQuerySchema, query)
        known = self.pool.holdings_of(query["customer_ids"])
        ids = {h["_id"] for h in known}
        return ContactStatusListSchema().dump(
            {
                "items": [
                    {
                        "customer_id": h["_id"],
                        "state": h["state"],
                        "do_not_contact": h["state"] == REJECTED,
                        "reason": h["reason"],
                    }
                    for h in known
                ],
                "unknown": [c for c in dict.fromkeys(query["customer_ids"]) if c not in ids],
            }
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def do_not_contact(self, query: Document | None = None) -> Document:
        """The rejected customers (拒绝往来) marketing must not contact, most recently rejected first;
        only those of ``customer_ids`` when given."""
        require(self.caller, DO_NOT_CONTACT_READERS, "read the do-not-contact list")
        query = load_input(DoNotContactIdsSchema, query)
        if "customer_ids" in query:
            rejected = [h for h in self.pool.holdings_of(query["customer_ids"]) if h["state"] == REJECTED]
            items, total = rejected[query["offset"] : query["offset"] + query["limit"]], len(rejected)
        else:
            items, total = self.pool.search(REJECTED, limit=query["limit"], offset=query["offset"])
        return DoNotContactPageSchema().dump(
            page_of(
                [
                    {
                        "customer_id": h["_id"],
                        "company": h.get("company"),
                        "country": h.get("country"),
                        "country_code": h.get("country_code"),
                        "reason": rejection_reason(h),
                        "rejected_at": h["since"],
                        "rejected_by": h["by"],
                    }
                    for h in items
                ],
                total,
                query,
            )
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def rejected_for_review(self, query: Document | None = None) -> Document:
        """The monthly review: rejected customers, those a new inquiry came from first, then the
        longest rejected; each with when its review is due."""
        require(self.caller, MANAGERS, "review rejected customers")
        query = load_input(PageQuerySchema, query)
        items, total = self.pool.search(REJECTED, limit=10_000, offset=0)
        days = timedelta(days=self.settings["rejected_review_days"])
        items.sort(key=lambda h: (h.get("inquiry_since_rejection") is None, h["since"]))
        page = items[query["offset"] : query["offset"] + query["limit"]]
        return RejectedPageSchema().dump(
            page_of(
                [
                    {
                        **_entry(h),
                        "review_due_at": h["since"] + days,
                        "new_inquiry": h.get("inquiry_since_rejection") is not None,
                    }
                    for h in page
                ],
                total,
                query,
            )
        )

    # --- reports ------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def report_rejected_reasons(self, query: Document | None = None) -> Document:
        """Customers rejected in the period and rejected still, per reason. Reads the holdings that
        entered the rejected state in the period: a range of the ``state_key`` index."""
        _query, period = report_query(self.caller, REPORT_READERS, PeriodQuerySchema, query, self.reports, _now())
        reasons = [rejection_reason(h) for h in self.pool.entered_between(REJECTED, period.since, period.until)]
        return RejectedReasonsSchema().dump(period.answer(total=len(reasons), reasons=count_reasons(reasons)))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def backfill_report_keys(self, request: Document | None = None) -> Document:
        """Give rejected holdings written before holdings had a ``state_key`` theirs, one batch
        in id order (admin CLI: ``baton reports backfill``)."""
        require(self.caller, ("admin",), "backfill report keys")
        request = load_input(BackfillRequestSchema, request, what="request")
        holdings, keyless = self.pool.without_state_key(REJECTED, request["after"], request["limit"])
        written = sum(self.pool.rekey(h) for h in keyless)
        done = len(holdings) < request["limit"]
        return BackfillResultSchema().dump(
            {"examined": len(holdings), "written": written, "next_after": None if done else holdings[-1]["_id"]}
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def backfill_country_codes(self, request: Document | None = None) -> Document:
        """Give holdings written before holdings kept a ``country_code`` theirs, read from their
        country (then an ISO code), one batch in id order (admin CLI: ``baton countries backfill``)."""
        require(self.caller, ("admin",), "backfill country codes")
        request = load_input(BackfillRequestSchema, request, what="request")
        return BackfillResultSchema().dump(
            fill_country_codes(self.pool, self.countries, request["after"], request["limit"])
        )

    # --- salespeople ----------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_salespeople(self) -> Document:
        self._seeded()
        return SalespeopleSchema().dump(
            {"items": [view(self.pool, p) for p in self.pool.everyone(self.allocation["team"])]}
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def update_salesperson(self, person_id: str, changes: Document) -> Document:
        require(self.caller, MANAGERS, "change salespeople")
        changes = load_input(SalespersonUpdateSchema, changes, what="change")
        self._seeded()
        changes.pop("by", None)
        person = change_person(
            self.pool, person_id, lambda p: None if all(p.get(k) == v for k, v in changes.items()) else {**p, **changes}
        )
        if person is None:
            raise NotFound.of("salesperson", person_id)
        return SalespersonSchema().dump(view(self.pool, person))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def salesperson_leaves(self, person_id: str, request: Document) -> Document:
        require(self.caller, MANAGERS, "reassign a leaver's customers")
        request = load_input(LeavingSchema, request, what="request")
        who = acting_user(self.caller, request["by"], "reassign customers")
        self._seeded()
        record, changes = reassign_leaver(
            self.pool,
            self.allocation["team"],
            self._limits_of,
            self._rules(),
            person_id,
            request.get("to"),
            who,
            _now(),
            request["effective"],
        )
        for before, after in changes:
            self._announce(before, after)
        return ReassignmentSchema().dump({**record, "id": record["_id"]})

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_reassignment(self, reassignment_id: str) -> Document:
        record = self.pool.reassignment(reassignment_id)
        if record is None:
            raise NotFound.of("reassignment", reassignment_id)
        return ReassignmentSchema().dump({**record, "id": record["_id"]})

    # --- plumbing -------------------------------------------------------------------------

    def _announce(self, before: Document | None, after: Document | None, by: str | None = None) -> Document:
        return announce(self.dispatch, before, after, _now(), by)

    def _placement(self) -> Placement:
        return Placement(self.pool, self.dispatch, self.allocation, self._limits_of, self._rules())

    def _limits_of(self, role: str) -> ClaimLimits:
        return limits_for(role, self.settings["claim_limits"], self.settings["role_limits"])

    def _rules(self) -> tuple[Any, ...]:
        """The configured built-in rules, then every plugin's."""
        return (*self.allocation["rules"], *self.plugins.allocation_rules())

    def _seeded(self) -> None:
        seed(self.pool, self.allocation, _now())


def _entry(holding: Document) -> Document:
    return {**holding, "customer_id": holding["_id"]}


def _now() -> datetime:
    return datetime.now(UTC)
