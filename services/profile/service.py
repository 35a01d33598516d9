"""profile: keeps the one archive per customer and its timeline."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.access import MANAGERS, MARKETING_REPORT_READERS, REPORT_READERS, SCREENERS
from contracts.communication import CommunicationSchema
from contracts.countries import UnknownCountryListSchema
from contracts.customer import (
    CheckResultSchema,
    CustomerCheckSchema,
    CustomerCreateSchema,
    CustomerListQuerySchema,
    CustomerPageSchema,
    CustomerSchema,
    CustomerUpdateSchema,
    GradingSchema,
    GroupLeaveSchema,
    GroupLinkSchema,
    GroupViewSchema,
    MergeRequestSchema,
    ScreeningSchema,
    TimelinePageSchema,
    TimelineQuerySchema,
    timeline_kinds_asked,
)
from contracts.deals import CUSTOMER_STAGES, DEAL_STEPS, OrderAmendmentSchema, StageChangeSchema
from contracts.duplicates import DuplicatePageSchema, DuplicateQuerySchema, KeepApartSchema, KeptApartSchema
from contracts.errors import EXPECTED_ERRORS, Forbidden, InvalidInput, Refused
from contracts.events import dump_event, load_event
from contracts.reports import (
    BackfillRequestSchema,
    BackfillResultSchema,
    ConversionReportSchema,
    DemandQuerySchema,
    DemandReportSchema,
    FollowUpReportSchema,
    InquiriesByPlaceReportSchema,
    LostReasonsSchema,
    PeriodQuerySchema,
    PlaceQuerySchema,
    StageCountsSchema,
)
from plugins.dependency import Plugins
from services.profile import country_codes, duplicates, rekeying, reporting
from services.profile.changing import change_archive, existing_archive
from services.profile.checking import likely_customers
from services.profile.creating import create_customer
from services.profile.domain import timeline
from services.profile.domain.communications import dated_ahead, special_requirements_in, was_answered
from services.profile.domain.lookup import LOOKUP_FIELDS, lookup_keys
from services.profile.domain.screening import screened, screening_summary
from services.profile.domain.stated import stated_requirements
from services.profile.domain.summary import summary_of
from services.profile.domain.visibility import PRICE_FIELDS, can_read, refusal, scope_of, without_prices
from services.profile.editing import (
    amend_deal_order,
    grade,
    grade_value,
    group_view,
    link_group,
    record_deal_step,
    set_stage,
    unlink_group,
    update_customer,
)
from services.profile.filing import add_communication, filed_inquiry
from services.profile.merging import merge_customers
from services.profile.placing import record_collaborators, record_handoff, record_owner, record_return
from services.profile.settings import (
    CommunicationSettingsSchema,
    GradingSettingsSchema,
    MatchingSettingsSchema,
    ReportSettingsSchema,
)
from services.profile.store import Customers
from services.runtime import audit, health, parking, settings_check, upgrades
from services.runtime.access import AccessSettingsSchema, Caller, acting_user, require, sees_prices
from services.runtime.countries import tags_for, with_country_code
from services.runtime.country_settings import CountrySettingsSchema, country_in_query
from services.runtime.events import ReliableEventDispatcher, on
from services.runtime.mongo import AuditTrailStore, MongoStore
from services.runtime.prices import is_price_name
from services.runtime.queries import load_input, page_of
from services.runtime.queues import rpc
from services.runtime.reporting import report_query
from services.runtime.settings import Settings

# The mixins are not imported by name: `nameko run` would take them for services.
# Archives from before this version, brought up to it in the background (services/runtime/upgrades.py).
UPGRADES = (
    upgrades.Upgrade(
        "customers",
        2,
        "country codes read from every spelling of the country",
        lambda service, after, limit: service._fill_country_codes(after, limit)["next_after"],
    ),
    upgrades.Upgrade(
        "customers",
        3,
        "matching keys as today's rules make them (folded names, one domain key)",
        lambda service, after, limit: service._rekey(after, limit)["next_after"],
    ),
    upgrades.Upgrade(
        "report_facts",
        2,
        "monthly totals of the report facts noted before (a month at a time)",
        lambda service, after, limit: reporting.total_months_after(service.customers, service.reports, after),
    ),
    upgrades.Upgrade(
        "report_facts",
        3,
        "monthly report totals in shards per customer, one kind per report (a month at a time)",
        lambda service, after, limit: reporting.total_months_after(service.customers, service.reports, after),
    ),
    upgrades.Upgrade(
        "report_facts",
        4,
        "monthly report totals that keep each shard's sums beside its entries (a month at a time)",
        lambda service, after, limit: reporting.sum_months_after(service.customers, service.reports, after),
    ),
    upgrades.Upgrade(
        "customers",
        4,
        "name blocks that carry each company's folded words (faster matching)",
        lambda service, after, limit: rekeying.reindex_terms(service.customers, after, limit)["next_after"],
    ),
    upgrades.Upgrade(
        "customers",
        5,
        "possible duplicates listed as pairs for managers (GET /duplicates)",
        lambda service, after, limit: duplicates.backfill_pairs(service.customers, after, limit)["next_after"],
    ),
)


class ProfileService(
    audit.AuditTrailEntrypoints, parking.ParkedEventEntrypoints, health.HealthEntrypoints, upgrades.UpgradeEntrypoints
):
    name = "profile"
    UPGRADES = UPGRADES
    schema_versions = upgrades.UpgradeStore(UPGRADES)

    customers = MongoStore(Customers)
    plugins = Plugins()
    matching = Settings("matching", MatchingSettingsSchema)
    communications = Settings("communications", CommunicationSettingsSchema)
    grading = Settings("grading", GradingSettingsSchema)
    access = Settings("access", AccessSettingsSchema)
    reports = Settings("reports", ReportSettingsSchema)
    countries = Settings("countries", CountrySettingsSchema)
    caller = Caller()
    audit_trail_store = AuditTrailStore()
    dispatch = ReliableEventDispatcher()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def check_settings(self, config_text: str) -> list[dict[str, str]]:
        """Whether this service would load ``config_text`` (a deploy/config.yaml): [{path, reason}]."""
        return settings_check.answer(self.caller, config_text, type(self))

    @on("inquiry_received")
    def on_inquiry_received(self, payload: dict[str, Any]) -> None:
        event = load_event("inquiry_received", payload)
        inquiry_id, received_at = event["inquiry_id"], event["received_at"]
        inquiry = with_country_code(event["inquiry"], self.countries)
        filed = filed_inquiry(
            self.customers,
            self.plugins,
            self.matching,
            inquiry_id,
            inquiry,
            received_at,
            datetime.now(UTC),
            facts_of=lambda archive, opened: [
                reporting.inquiry_fact_for(
                    self.reports, inquiry_id, inquiry, received_at, archive["_id"], opened, archive
                )
            ],
        )
        for name, announced in filed.events:
            self.dispatch(name, dump_event(name, announced))
        archive = filed.archive
        reporting.note_inquiry(
            self.customers,
            self.reports,
            inquiry_id,
            inquiry,
            received_at,
            archive["_id"],
            opened=filed.opened,
            archive=archive,
            noted=filed.noted,
        )
        if not filed.opened:
            # What pool and notification filter by (stage, last contact, tags, version), as filed; the
            # report totals of the archive were written from it just now. A new archive's
            # customer_created carries them (its summary).
            self.dispatch("customer_updated", dump_event("customer_updated", summary_of(archive)))

    @on("customer_allocated")
    def on_customer_allocated(self, payload: dict[str, Any]) -> None:
        event = load_event("customer_allocated", payload)
        record_owner(
            self.customers,
            event["customer_id"],
            event["owner_id"],
            event["team"],
            event["reason"],
            event["allocated_at"],
            event["allocation_id"],
        )

    @on("customer_returned")
    def on_customer_returned(self, payload: dict[str, Any]) -> None:
        event = load_event("customer_returned", payload)
        # No report fact for the stage it sets: the lost-reasons report counts rejections in the
        # pool from the pool's own figures, and counted here too they would show twice.
        record_return(
            self.customers,
            event["customer_id"],
            event["state"],
            event["previous_owner_id"],
            event["reason"],
            event["by"],
            event["at"],
        )

    @on("collaborators_changed")
    def on_collaborators_changed(self, payload: dict[str, Any]) -> None:
        event = load_event("collaborators_changed", payload)
        record_collaborators(self.customers, event["customer_id"], event["collaborators"], event["by"], event["at"])

    @on("handoff_accepted")
    def on_handoff_accepted(self, payload: dict[str, Any]) -> None:
        event = load_event("handoff_accepted", payload)
        if event["complete"]:
            record_handoff(
                self.customers,
                event["customer_id"],
                event["to_departments"],
                event["handoff_id"],
                event["kind"],
                event["by"],
                event["at"],
                event["from_user"],
                event["new_owner_id"],
            )

    @on("recycling_warned")
    def on_recycling_warned(self, payload: dict[str, Any]) -> None:
        event = load_event("recycling_warned", payload)
        if self.customers.get(event["customer_id"]) is not None:
            self.customers.record(
                timeline.recycling_warned(
                    event["customer_id"], event["owner_id"], event["reason"], event["due_at"], event["warned_at"]
                )
            )

    @on("reminder_scheduled")
    def on_reminder_scheduled(self, payload: dict[str, Any]) -> None:
        event = load_event("reminder_scheduled", payload)
        self.customers.record(
            timeline.reminder_scheduled(
                event["customer_id"],
                event["reminder_id"],
                event["kind"],
                event["user_id"],
                event["due_at"],
                event["scheduled_at"],
            )
        )

    @on("reminder_updated")
    def on_reminder_updated(self, payload: dict[str, Any]) -> None:
        self._record_if_known(timeline.reminder_updated(load_event("reminder_updated", payload)))

    # what handoff announces of the customer: its timeline tells every event once, in order

    @on("handoff_submitted")
    def on_handoff_submitted(self, payload: dict[str, Any]) -> None:
        self._record_if_known(timeline.handoff_submitted(load_event("handoff_submitted", payload)))

    @on("handoff_returned")
    def on_handoff_returned(self, payload: dict[str, Any]) -> None:
        self._record_if_known(timeline.handoff_returned(load_event("handoff_returned", payload)))

    @on("handoff_withdrawn")
    def on_handoff_withdrawn(self, payload: dict[str, Any]) -> None:
        self._record_if_known(timeline.handoff_withdrawn(load_event("handoff_withdrawn", payload)))

    @on("requirement_changed")
    def on_requirement_changed(self, payload: dict[str, Any]) -> None:
        change = load_event("requirement_changed", payload)
        self._record_if_known(timeline.requirement_changed(change, is_price_name(change["field"])))

    @on("step_started")
    def on_step_started(self, payload: dict[str, Any]) -> None:
        self._record_if_known(timeline.step_started(load_event("step_started", payload)))

    def _record_if_known(self, entry):
        # an event about a customer merged away (or never filed) has no timeline to go on
        if self.customers.get(entry["customer_id"]) is not None:
            self.customers.record(entry)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_customer(self, customer_id: str) -> dict[str, Any]:
        return self._view(self._readable(customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_customers(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        query = load_input(CustomerListQuerySchema, query)
        asked = country_in_query(self.countries, query)
        asked["tags"] = tags_for(asked.pop("tag", None), self.countries)
        keys, problems = lookup_keys({name: asked.pop(name, None) for name in LOOKUP_FIELDS}, asked.get("country_code"))
        if problems:
            raise InvalidInput("The lookup is not valid: see the field errors.", {"fields": problems})
        if keys:
            holders = self.customers.holders_of(keys)
            found = set(holders.values())
            # several asked must all lead to one customer
            asked["ids"] = list(found) if len(holders) == len(keys) and len(found) == 1 else []
        items, total = self.customers.page(**asked, scope=scope_of(self.caller))
        return CustomerPageSchema().dump(page_of([self._shown(a) for a in items], total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def count_customers_by_stage(self) -> dict[str, Any]:
        """Customers the caller sees, in all and at each stage now (the funnel): one call, index
        counts only, the same totals ``list_customers`` gives per stage."""
        total, stages = self.customers.stage_counts(CUSTOMER_STAGES, scope_of(self.caller))
        return StageCountsSchema().dump({"total": total, "stages": stages})

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def check_before_create(self, typed: dict[str, Any]) -> dict[str, Any]:
        """Likely existing customers for what a salesperson typed, with owner and pool status."""
        typed = with_country_code(load_input(CustomerCheckSchema, typed, what="check"), self.countries)
        return CheckResultSchema().dump(likely_customers(self.customers, self.matching, typed))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def record_communication(
        self, customer_id: str, communication: dict[str, Any], record_id: str | None = None
    ) -> dict[str, Any]:
        """Add a contact record (notes convention); ``record_id`` makes a retried call harmless."""
        communication = load_input(CommunicationSchema, communication, what="communication")
        communication["by"] = self._by(communication["by"], "record contacts")
        before = self._changeable(customer_id, "record a contact with")
        now, record_id = datetime.now(UTC), _record_id("com", record_id)
        if ahead := dated_ahead(communication["at"], now, timedelta(minutes=self.communications["clock_skew_minutes"])):
            raise Refused(f"The contact's time is in the future. {ahead}", {"fields": {"at": [ahead]}})
        within = self.communications["record_within_minutes"]
        add_communication(
            self.customers,
            self.plugins,
            customer_id,
            record_id,
            communication,
            now,
            None if within is None else timedelta(minutes=within),
        )
        archive = self._archive(customer_id)
        recorded = next(c for c in archive["communications"] if c["id"] == record_id)
        self.dispatch(
            "communication_recorded",
            dump_event(
                "communication_recorded",
                {
                    **recorded,
                    "customer_id": customer_id,
                    "record_id": record_id,
                    "owner_id": archive["owner_id"],
                    "result": recorded.get("result"),
                    "next_follow_up_at": recorded.get("next_follow_up_at"),
                    "answered": was_answered(recorded.get("result"), self.communications["unanswered_phrases"]),
                    "stated_requirements": [
                        vars(stated)
                        for stated in stated_requirements(
                            special_requirements_in(recorded.get("summary"), recorded.get("customer_words"))
                        )
                    ],
                },
            ),
        )
        self._updated(customer_id, before)
        return self._view(self._archive(customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def record_screening(
        self, customer_id: str, record: dict[str, Any], record_id: str | None = None
    ) -> dict[str, Any]:
        """Marketing's screening of a lead (``ScreeningSchema``): the need joins the archive's needs,
        the contact attempt is a communication record; ``record_id`` makes a retried call harmless."""
        require(self.caller, SCREENERS, "screen leads")
        record = load_input(ScreeningSchema, record, what="screening")
        record["by"] = self._by(record["by"], "screen leads")
        self._changeable(customer_id, "screen")
        contact_id = None
        if record["contact_attempted"]:
            contact = record["contact"]
            # the attempt is a contact like any other: the checklist, reminders and timeline read it there
            key = f"screening:{customer_id}:{record_id or uuid.uuid4().hex}"
            self.record_communication(
                customer_id,
                {
                    "at": contact["at"].isoformat(),
                    "method": contact["method"],
                    "by": record["by"],
                    "summary": f"Screening contact: {contact['result']}",
                    "result": contact["result"],
                },
                record_id=key,
            )
            contact_id = _record_id("com", key)
        now = datetime.now(UTC)
        _, after = change_archive(self.customers, customer_id, lambda a: screened(a, record, contact_id, now))
        if after is not None:
            self.customers.record(
                timeline.details_updated(
                    customer_id, {"screening": (None, screening_summary(record))}, record["by"], now
                )
            )
            self._updated(customer_id)
        return self._view(self._archive(customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def update_customer(self, customer_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Correct or complete the archive by hand (``CustomerUpdateSchema``)."""
        changes = load_input(CustomerUpdateSchema, changes, what="change")
        changes["by"] = self._by(changes["by"], "change archives")
        before = self._changeable(customer_id, "change")
        if any(name in changes for name in PRICE_FIELDS) and not sees_prices(self.caller, self.access["price_readers"]):
            raise Forbidden.because(
                f"{self.caller.user_id} may not set prices ({', '.join(PRICE_FIELDS)}).", fields=list(PRICE_FIELDS)
            )
        update_customer(self.customers, self.plugins, self.countries, customer_id, changes, datetime.now(UTC))
        self._updated(customer_id, before)
        return self._view(self._archive(customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def record_deal_step(
        self, customer_id: str, kind: str, record: dict[str, Any], record_id: str | None = None
    ) -> dict[str, Any]:
        """Add a quote, sample or order (``kind``: quotes, samples, orders); the stage follows."""
        if kind not in DEAL_STEPS:
            raise InvalidInput(
                f"No such record kind {kind!r}.", {"fields": {"kind": [f"One of: {', '.join(DEAL_STEPS)}."]}}
            )
        record = load_input(DEAL_STEPS[kind], record, what=kind[:-1])
        record["by"] = self._by(record["by"], f"record {kind}")
        self._changeable(customer_id, f"record {kind} for")
        record_id = _record_id(kind[:3], record_id)
        now = datetime.now(UTC)
        record_deal_step(self.customers, customer_id, kind, record_id, record, now)
        if kind == "orders":
            grade_value(self.customers, self.plugins, customer_id, self.grading, now)
        reporting.note_deal_step(self.customers, self.reports, customer_id, kind, record_id, record)
        self._updated(customer_id)
        return self._view(self._archive(customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def amend_order(self, customer_id: str, order_id: str, amendment: dict[str, Any]) -> bool:
        """An agreed requirement change reaches the order it concerns (handoff asks, having checked
        who may change the customer's requirements): True when the order changed."""
        amendment = load_input(OrderAmendmentSchema, amendment, what="order change")
        amendment["by"] = self._by(amendment["by"], "change orders")
        before = self._changeable(customer_id, "change the orders of")
        changed = amend_deal_order(self.customers, customer_id, order_id, amendment, datetime.now(UTC))
        if changed:
            self._updated(customer_id, before)
        return changed

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def change_stage(self, customer_id: str, change: dict[str, Any]) -> dict[str, Any]:
        change = load_input(StageChangeSchema, change, what="stage change")
        by = self._by(change["by"], "change stages")
        before = self._changeable(customer_id, "change the stage of")
        entry = set_stage(self.customers, customer_id, change["stage"], by, change.get("reason"), datetime.now(UTC))
        if entry is not None:
            reporting.note_stage_change(self.customers, self.reports, entry, change.get("reason"))
        self._updated(customer_id, before)
        return self._view(self._archive(customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def grade_customer(self, customer_id: str, grading: dict[str, Any]) -> dict[str, Any]:
        """Set the intent grade, the value grade or both by hand, with the reason (a regrade)."""
        grading = load_input(GradingSchema, grading, what="grading")
        by = self._by(grading["by"], "grade customers")
        before = self._changeable(customer_id, "grade")
        grades = {field: grading[field] for field in ("intent_grade", "value_grade") if field in grading}
        grade(self.customers, customer_id, grades, by, grading["reason"], datetime.now(UTC))
        self._updated(customer_id, before)
        return self._view(self._archive(customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def link_group(self, customer_id: str, request: dict[str, Any]) -> dict[str, Any]:
        request = load_input(GroupLinkSchema, request, what="group link")
        by = self._by(request["by"], "link groups")
        self._changeable(customer_id, "link a group to")
        self._changeable(request["link"], "link a group to")
        link_group(self.customers, customer_id, request["link"], by, request.get("name"), datetime.now(UTC))
        return GroupViewSchema().dump(group_view(self.customers, customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def leave_group(self, customer_id: str, request: dict[str, Any]) -> dict[str, Any]:
        request = load_input(GroupLeaveSchema, request, what="request")
        by = self._by(request["by"], "change groups")
        self._changeable(customer_id, "take out of its group")
        unlink_group(self.customers, customer_id, by, datetime.now(UTC))
        return GroupViewSchema().dump(group_view(self.customers, customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_group(self, customer_id: str) -> dict[str, Any]:
        self._readable(customer_id)
        return GroupViewSchema().dump(group_view(self.customers, customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_customer(self, request: dict[str, Any], key: str | None = None) -> dict[str, Any]:
        """File a customer by hand for ``created_by``; ``Conflict`` names the owner if it exists."""
        request = load_input(CustomerCreateSchema, request, what="customer")
        created_by = self._by(request["created_by"], "file customers")
        now = datetime.now(UTC)
        inquiry = with_country_code(request["customer"], self.countries)
        event = create_customer(
            self.customers, self.plugins, self.matching, created_by, inquiry, key or uuid.uuid4().hex, now
        )
        self.dispatch("customer_created", dump_event("customer_created", event))
        reporting.note_inquiry(
            self.customers, self.reports, event["inquiry_id"], inquiry, now, event["customer_id"], opened=True
        )
        return self._view(self._archive(event["customer_id"]))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def merge_customers(self, kept_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """Merge ``request["absorb"]`` into ``kept_id``; asking again completes or repeats it harmlessly."""
        require(self.caller, MANAGERS, "merge archives")
        request = load_input(MergeRequestSchema, request, what="merge request")
        by = self._by(request["by"], "merge archives")
        self._changeable(kept_id, "merge into")
        if self.customers.get(request["absorb"]) is not None:  # absorbed before: the merge is repeated
            self._changeable(request["absorb"], "merge")
        merged = merge_customers(self.customers, kept_id, request["absorb"], by, datetime.now(UTC))
        self.dispatch("customers_merged", dump_event("customers_merged", merged))
        reporting.customers_merged(self.customers, self.reports, kept_id, request["absorb"])
        self._updated(kept_id)
        return self._view(self._archive(kept_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_possible_duplicates(self, query: dict | None = None) -> dict:
        """The open possible-duplicate pairs, each once, the most recently flagged first."""
        require(self.caller, MANAGERS, "list possible duplicates")
        query = load_input(DuplicateQuerySchema, query)
        items, total = duplicates.possible_duplicates(self.customers, query["limit"], query["offset"])
        return DuplicatePageSchema().dump(page_of(items, total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def keep_apart(self, customer_id: str, request: dict) -> dict:
        """Two archives are different companies: the flag goes from both and never comes back."""
        require(self.caller, MANAGERS, "keep archives apart")
        request = load_input(KeepApartSchema, request, what="request")
        by = self._by(request["by"], "keep archives apart")
        # as for a merge: both archives must be the caller's to change
        self._changeable(customer_id, "keep apart")
        if self.customers.get(request["other"]) is not None:
            self._changeable(request["other"], "keep apart")
        kept = duplicates.keep_apart(
            self.customers, customer_id, request["other"], by, request["note"], datetime.now(UTC)
        )
        # said again when asked again: pool places a customer held for this review once
        decided = duplicates.kept_apart_event(self.customers, kept)
        self.dispatch("duplicates_kept_apart", dump_event("duplicates_kept_apart", decided))
        return KeptApartSchema().dump(kept)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_timeline(self, customer_id: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every event of the customer in order; the reminder bookkeeping only when asked for."""
        query = load_input(TimelineQuerySchema, query)
        self._readable(customer_id)
        entries, total = self.customers.timeline_page(
            customer_id, query["limit"], query["offset"], timeline_kinds_asked(query)
        )
        shown = [{**timeline.shown(e), "id": e["_id"]} for e in entries]
        return TimelinePageSchema().dump(page_of(shown, total, query))

    # --- reports (services/profile/reporting.py says what each reads) ---------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def report_inquiries_by_place(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """Inquiries per country or region and month, with the month-on-month change."""
        query, period = self._report_query(PlaceQuerySchema, query, MARKETING_REPORT_READERS)
        return InquiriesByPlaceReportSchema().dump(
            reporting.inquiries_by_place(self.customers, self.reports, self.countries, period, query["by"])
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def report_demand(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """The products most asked for; the share of customers per place asking for each need."""
        query, period = self._report_query(DemandQuerySchema, query, REPORT_READERS)
        return DemandReportSchema().dump(
            reporting.demand(self.customers, self.reports, self.countries, period, query["by"])
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def report_follow_up(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """Time from each customer's first quote to its first sample, per salesperson."""
        _query, period = self._report_query(PeriodQuerySchema, query, REPORT_READERS)
        return FollowUpReportSchema().dump(reporting.follow_up(self.customers, self.reports, period))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def report_conversion(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """Customers opened per lead source (channel, campaign) and how many placed an order."""
        _query, period = self._report_query(PeriodQuerySchema, query, MARKETING_REPORT_READERS)
        return ConversionReportSchema().dump(reporting.conversion(self.customers, self.reports, period))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def report_lost_reasons(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """Customers moved to a lost stage (lost, invalid, rejected), per stage and reason."""
        _query, period = self._report_query(PeriodQuerySchema, query, REPORT_READERS)
        return LostReasonsSchema().dump(reporting.lost_reasons(self.customers, self.reports, period))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def backfill_report_facts(self, request: dict[str, Any] | None = None) -> dict[str, Any]:
        """Note report facts for one batch of archives filed before they were noted (admin CLI)."""
        require(self.caller, ("admin",), "backfill report facts")
        request = load_input(BackfillRequestSchema, request, what="request")
        return BackfillResultSchema().dump(
            reporting.backfill(self.customers, self.reports, request["after"], request["limit"])
        )

    # --- countries ----------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def unknown_countries(self) -> dict[str, Any]:
        """Countries customers wrote that were recognised as none, with how many archives each."""
        require(self.caller, MANAGERS, "list unknown countries")
        return UnknownCountryListSchema().dump(country_codes.unknown_countries(self.customers))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def backfill_country_codes(self, request: dict[str, Any] | None = None) -> dict[str, Any]:
        """Read the country of one batch of archives again and keep its code (admin CLI: ``baton
        countries backfill``): archives from before country codes, and after the aliases changed."""
        require(self.caller, ("admin",), "backfill country codes")
        request = load_input(BackfillRequestSchema, request, what="request")
        return BackfillResultSchema().dump(self._fill_country_codes(request["after"], request["limit"]))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def backfill_match_keys(self, request: dict[str, Any] | None = None) -> dict[str, Any]:
        """Rewrite one batch of archives' matching keys as today's rules make them (admin CLI: ``baton
        customers rekey``): after key kinds changed or names are folded further."""
        require(self.caller, ("admin",), "rekey customers")
        request = load_input(BackfillRequestSchema, request, what="request")
        return BackfillResultSchema().dump(self._rekey(request["after"], request["limit"]))

    def _fill_country_codes(self, after, limit):
        result, changed = country_codes.fill_country_codes(
            self.customers, self.countries, after, limit, datetime.now(UTC)
        )
        for customer_id in changed:
            self._updated(customer_id)  # pool keeps the code too
        return result

    def _rekey(self, after, limit):
        return rekeying.rekey_archives(self.customers, after, limit, datetime.now(UTC))

    def _report_query(self, schema, query, readers):
        return report_query(self.caller, readers, schema, query, self.reports, datetime.now(UTC))

    def _archive(self, customer_id):
        return existing_archive(self.customers, customer_id)

    def _readable(self, customer_id):
        archive = self._archive(customer_id)
        if not can_read(self.caller, archive):
            raise Forbidden.because(
                f"{self.caller.user_id} may not see {customer_id}: it is neither theirs nor in "
                "their department's or team's view.",
                customer_id=customer_id,
            )
        return archive

    def _changeable(self, customer_id, doing):
        archive = self._archive(customer_id)
        if reason := refusal(self.caller, archive, doing):
            raise Forbidden.because(reason, customer_id=customer_id, owner_id=archive.get("owner_id"))
        return archive

    def _by(self, named, doing):
        return acting_user(self.caller, named, doing)

    def _shown(self, archive):
        view = _as_view(archive)
        return view if sees_prices(self.caller, self.access["price_readers"]) else without_prices(view)

    def _view(self, archive):
        return CustomerSchema().dump(self._shown(archive))

    def _updated(self, customer_id, before=None):
        """Tell the others what they filter and decide by (pool: search, recycling, dormancy);
        ``before``: the archive as read before the change, when at hand (spares the report totals)."""
        archive = self.customers.get(customer_id)
        if archive is not None:
            self.dispatch("customer_updated", dump_event("customer_updated", summary_of(archive)))
            reporting.customer_changed(self.customers, self.reports, archive, before)  # its needs, its orders


def _record_id(prefix, key):
    """A record's id: from the caller's idempotency key (a retry adds nothing), else new."""
    return f"{prefix}_" + (hashlib.sha256(key.encode()).hexdigest()[:24] if key else uuid.uuid4().hex[:24])


def _as_view(archive):
    group = {"id": archive["group_id"], "name": archive.get("group_name")} if archive.get("group_id") else None
    return {**archive, "id": archive["_id"], "inquiry_count": len(archive["inquiry_ids"]), "group": group}
