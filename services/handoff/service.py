"""handoff: checked handoffs between departments (移交) — checklists, submit / sign / return,
info pending with deadlines, packages, leavers, agreed requirements, gated steps, measures, quality audits."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError
from nameko.timer import timer

from contracts.access import MANAGERS, REPORT_READERS
from contracts.errors import EXPECTED_ERRORS, Forbidden, InvalidInput, NotFound
from contracts.events import load_event
from contracts.handoff import (
    BriefingSchema,
    ChecklistSchema,
    HandoffKindListSchema,
    HandoffListQuerySchema,
    HandoffPageSchema,
    HandoffSchema,
    InfoCompletionSchema,
    LeaverHandoverSchema,
    LeavingResultSchema,
    MeasuresQuerySchema,
    MeasuresSchema,
    PackageSchema,
    QualityAuditPageSchema,
    QualityAuditQuerySchema,
    QualityAuditRunSchema,
    QualityAuditSchema,
    RequirementSetSchema,
    RequirementsSchema,
    ResubmitSchema,
    ReturnSchema,
    SignSchema,
    StepsSchema,
    StepStartSchema,
    SubmitSchema,
    WithdrawalSchema,
)
from contracts.inquiry import FIELD_KEY
from contracts.reports import HandoffTimelinessQuerySchema, HandoffTimelinessReportSchema
from plugins.dependency import Plugins
from services.handoff.agreeing import record_stated, set_requirement
from services.handoff.announcing import publish, publish_pending
from services.handoff.checking import checklist_items, checklist_names
from services.handoff.domain.checklists import ready_since
from services.handoff.domain.visibility import requirements_without_prices, without_prices
from services.handoff.leaving import (
    end_sign_in,
    hand_over_leaver,
    leavers_a_move_may_release,
    sign_in_when_nothing_held,
)
from services.handoff.measuring import measures_between, sum_totals_after
from services.handoff.people import PeopleDirectory, save_user
from services.handoff.permitting import (
    listing_scope,
    may_act_for_sender,
    may_answer,
    may_change_customer,
    may_change_owner,
    may_hand_over,
    may_see,
    may_see_steps,
    may_start_step,
)
from services.handoff.quality_auditing import run_quality_audits
from services.handoff.receiving import briefing_timeline, give_back, sign
from services.handoff.settings import HandoffSettingsSchema
from services.handoff.stepping import start_step, steps_of
from services.handoff.store import Handoffs
from services.handoff.submitting import (
    complete_pending,
    existing_handoff,
    recheck_pending,
    resubmit_returned,
    submit,
    withdraw_open,
)
from services.handoff.views import handoff_view, kind_view, quality_audit_view, requirements_view
from services.runtime import audit, health, parking, settings_check, upgrades
from services.runtime.access import AccessSettingsSchema, Caller, SystemRpcProxy, acting_user, require, sees_prices
from services.runtime.events import ReliableEventDispatcher, on
from services.runtime.given_clock import accept_given_now
from services.runtime.mongo import AuditTrailStore, MongoStore
from services.runtime.queries import load_input, page_of
from services.runtime.queues import rpc
from services.runtime.reporting import ReportPeriodSettingsSchema, check_span, report_query
from services.runtime.settings import Settings

ANNOUNCE_CHECK_SECONDS = 1  # how often unpublished events are looked for (how old they must be is configured)
QUALITY_AUDIT_CHECK_SECONDS = 60  # how often instances look whether a quality audit run is due
ANNOUNCE_BATCH = 100
HANDOFFS, REGISTERS, LEAVERS = "handoffs", "registers", "leavers"


# Handoffs and refusals from before this version, brought up to it in the background
# (services/runtime/upgrades.py): the epoch seconds the measures range over.
def _time_keys_of(collection: str) -> Callable[[Any, str | None, int], str | None]:
    return lambda service, after, limit: service.handoffs.key_times(collection, after, limit)


def _outboxes_keyed(collection: str) -> Callable[[Any, str | None, int], str | None]:
    return lambda service, after, limit: service.handoffs.key_outboxes(collection, after, limit)


def _moved_to_quality_audits(old_name: str) -> Callable[[Any, str | None, int], str | None]:
    return lambda service, after, limit: service.handoffs.move_quality_audits(old_name, after, limit)


UPGRADES = (
    *(
        upgrades.Upgrade(
            collection, 2, "epoch seconds the measures range over, served by an index", _time_keys_of(collection)
        )
        for collection in ("handoffs", "refused_handoffs")
    ),
    upgrades.Upgrade(
        "handoff_totals",
        2,
        "monthly measure totals that keep their sums beside their entries",
        lambda service, after, limit: sum_totals_after(service.handoffs, after, limit),
    ),
    # When each outbox's oldest event was added, in epoch seconds: what the announcing timer looks for.
    *(
        upgrades.Upgrade(collection, version, "the time unpublished events wait since, served by an index", step)
        for collection, version, step in (
            ("handoffs", 3, _outboxes_keyed("handoffs")),
            ("agreed_requirements", 2, _outboxes_keyed("agreed_requirements")),
            ("leavers", 2, _outboxes_keyed("leavers")),
            ("started_steps", 2, _outboxes_keyed("started_steps")),
        )
    ),
    # The quality audit's collections under their new names (the old read like the audit trail's);
    # declared on the old name: only an install that has documents there has anything to move.
    *(
        upgrades.Upgrade(old, 2, f"moved to {new} (then dropped)", _moved_to_quality_audits(old))
        for old, new in (("audits", "quality_audits"), ("audit_schedules", "quality_audit_schedules"))
    ),
)


# The mixins are not imported by name: `nameko run` would take them for services.
class HandoffService(
    audit.AuditTrailEntrypoints, parking.ParkedEventEntrypoints, health.HealthEntrypoints, upgrades.UpgradeEntrypoints
):
    name = "handoff"
    UPGRADES = UPGRADES
    schema_versions = upgrades.UpgradeStore(UPGRADES)

    handoffs = MongoStore(Handoffs)
    # Read and written as the system: the rules of services.handoff.permitting decide who may.
    profile = SystemRpcProxy("profile")
    pool = SystemRpcProxy("pool")
    plugins = Plugins()
    caller = Caller()
    audit_trail_store = AuditTrailStore()
    settings = Settings("handoff", HandoffSettingsSchema)
    access = Settings("access", AccessSettingsSchema)
    reports = Settings("reports", ReportPeriodSettingsSchema)
    dispatch = ReliableEventDispatcher()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def check_settings(self, config_text: str) -> list[dict[str, str]]:
        """Whether this service would load ``config_text`` (a deploy/config.yaml): [{path, reason}]."""
        return settings_check.answer(self.caller, config_text, type(self))

    @property
    def policy(self) -> dict[str, Any]:
        """The settings, with the departments as the gateway's directory has them now."""
        return {**self.settings, "directory": PeopleDirectory(self.handoffs, self.settings["directory"])}

    @on("user_saved")
    def on_user_saved(self, payload: dict[str, Any]) -> None:
        save_user(self.handoffs, load_event("user_saved", payload))

    # --- kinds and checklists -------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_kinds(self) -> dict[str, Any]:
        """The kinds of handoff as configured: who sends and receives, signs and owns, for which
        annual value, and the checklist's item names."""
        currency = self.policy["valuation"].currency
        return HandoffKindListSchema().dump(
            {
                "items": [
                    kind_view(spec, checklist_names(self.plugins, spec), currency)
                    for spec in self.policy["kinds"].values()
                ]
            }
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def evaluate_checklist(self, kind: str, customer_id: str, package: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every item of ``kind``'s checklist over the archive (and a draft ``package``)."""
        if kind not in self.policy["kinds"]:
            raise NotFound.of("checklist", kind)
        written = load_input(PackageSchema, package, what="package")
        archive = self.profile.get_customer(customer_id)
        may_hand_over(self.caller, archive)
        items = checklist_items(self.plugins, self.policy, self.policy["kinds"][kind], archive, written)
        return ChecklistSchema().dump(
            {
                "kind": kind,
                "customer_id": customer_id,
                "passed": all(i.passed for i in items),
                "items": [vars(i) for i in items],
                "ready_at": ready_since(items),
            }
        )

    # --- the sender -----------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def submit_handoff(self, request: dict[str, Any], key: str | None = None) -> dict[str, Any]:
        """Hand a customer over (``SubmitSchema``); ``key`` makes a retried call harmless."""
        request = load_input(SubmitSchema, request, what="handoff")
        request["by"] = acting_user(self.caller, request["by"], "hand customers over")
        archive = self.profile.get_customer(request["customer_id"])
        may_hand_over(self.caller, archive)
        if (spec := self.policy["kinds"].get(request["kind"])) is not None:
            may_change_owner(
                self.caller, archive, spec.transfers_owner, request.get("new_owner") or next(iter(request["to"]), None)
            )
            if not request["to"] and spec.receiver_by_rotation:
                request["to"] = [self.pool.receiver_for_lead(request["customer_id"])["receiver"]]
        request["current_owner"] = archive.get("owner_id")
        return _dumped(
            self._published(submit(self.handoffs, self.profile, self.plugins, self.policy, request, key, _now()))
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def resubmit_handoff(self, handoff_id: str, request: dict[str, Any], key: str | None = None) -> dict[str, Any]:
        request = load_input(ResubmitSchema, request, what="resubmission")
        request["by"] = acting_user(self.caller, request["by"], "resubmit handoffs")
        doc = existing_handoff(self.handoffs, handoff_id)
        may_act_for_sender(self.caller, doc, "resubmit")
        return _dumped(
            self._published(
                resubmit_returned(self.handoffs, self.profile, self.plugins, self.policy, doc, request, key, _now())
            )
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def complete_info(self, handoff_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """The sender completed what an info-pending handoff lacked: read it again."""
        request = load_input(InfoCompletionSchema, request, what="request")
        request["by"] = acting_user(self.caller, request["by"], "complete handoffs")
        doc = existing_handoff(self.handoffs, handoff_id)
        may_act_for_sender(self.caller, doc, "complete")
        return _dumped(
            self._published(
                complete_pending(self.handoffs, self.profile, self.plugins, self.policy, doc, request, _now())
            )
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def withdraw_handoff(self, handoff_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """The sender takes back a handoff not yet accepted; the receivers are told."""
        doc = existing_handoff(self.handoffs, handoff_id)
        may_act_for_sender(self.caller, doc, "withdraw")
        request = load_input(WithdrawalSchema, request, what="withdrawal")
        request["by"] = acting_user(self.caller, request["by"], "withdraw handoffs")
        return _dumped(self._published(withdraw_open(self.handoffs, doc, request, _now())))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def hand_over_leaver(self, person_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """A salesperson leaves: pool chooses successors (and moves the customers now, or when each
        successor signs); each successor gets a handoff to sign."""
        require(self.caller, MANAGERS, "hand over a leaver's customers")
        request = load_input(LeaverHandoverSchema, request, what="request")
        request["by"] = acting_user(self.caller, request["by"], "hand over a leaver's customers")
        record, opened, unassigned, waiting = hand_over_leaver(
            self.handoffs, self.profile, self.pool, self.plugins, self.policy, person_id, request, _now()
        )
        handoffs = [self._published(doc) for doc in opened]
        leaver = end_sign_in(self.handoffs, self.pool, person_id, request["by"], request.get("sign_in_until"), _now())
        publish(self.handoffs, self.dispatch, LEAVERS, leaver)
        return LeavingResultSchema().dump(
            {
                "leaver": person_id,
                "reassignment_id": record["id"],
                "effective": request["effective"],
                "handoffs": handoffs,
                "unassigned": unassigned,
                "waiting": waiting,
                "sign_in_ends_at": leaver["sign_in_ends_at"],
            }
        )

    # --- the receivers --------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_handoff(self, handoff_id: str) -> dict[str, Any]:
        """The receiver's first view: the handoff and its package beside the customer's timeline."""
        doc = existing_handoff(self.handoffs, handoff_id)
        may_see(self.caller, doc, self.profile.get_customer(doc["customer_id"]))
        return BriefingSchema().dump(
            {
                **self._priced(handoff_view(doc, _now())),
                "timeline": briefing_timeline(self.handoffs, self.profile, doc["customer_id"]),
            }
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_handoffs(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        query = load_input(HandoffListQuerySchema, query)
        listing_scope(self.caller, query)
        if query.get("customer_id") and self.caller is not None:
            may_hand_over(self.caller, self.profile.get_customer(query["customer_id"]))
        now, overdue = _now(), query.pop("overdue", None)
        items, total = self.handoffs.page(**query, overdue_at=now if overdue else None)
        return HandoffPageSchema().dump(page_of([self._priced(handoff_view(d, now)) for d in items], total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def awaiting_totals(self, user_ids: list[str]) -> dict[str, int | None]:
        """{person: handoffs awaiting their signature} for several people in one call (the team
        board), as ``list_handoffs(awaiting=person)`` totals them; None where the caller may not list them."""
        totals: dict[str, int | None] = {}
        for user_id in user_ids:
            query = load_input(HandoffListQuerySchema, {"awaiting": user_id, "limit": 1})
            try:
                listing_scope(self.caller, query)
            except Forbidden:
                totals[user_id] = None
                continue
            totals[user_id] = self.handoffs.page(**query, overdue_at=None)[1]
        return totals

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def sign_handoff(self, handoff_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """A receiver accepts (signs); the handoff is accepted once every receiver has."""
        doc = existing_handoff(self.handoffs, handoff_id)
        may_answer(self.caller, doc, "sign")
        request = load_input(SignSchema, request, what="signature")
        request["by"] = acting_user(self.caller, request["by"], "sign handoffs")
        return _dumped(self._published(sign(self.handoffs, doc, request, _now())))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def return_handoff(self, handoff_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """A receiver returns the handoff to its sender with reasons."""
        doc = existing_handoff(self.handoffs, handoff_id)
        may_answer(self.caller, doc, "return")
        request = load_input(ReturnSchema, request, what="return")
        request["by"] = acting_user(self.caller, request["by"], "return handoffs")
        return _dumped(self._published(give_back(self.handoffs, doc, request, _now())))

    # --- agreed requirements and gated steps ---------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_requirements(self, customer_id: str) -> dict[str, Any]:
        may_change_customer(self.caller, self.profile.get_customer(customer_id), "read the requirements of")
        return self._requirements(customer_id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_requirement(self, customer_id: str, field: str, request: dict[str, Any]) -> dict[str, Any]:
        """Record or change an agreed requirement; everyone holding part of the customer is told."""
        try:
            FIELD_KEY(field)
        except ValidationError as exc:
            raise InvalidInput(f"Not a requirement name: {field!r}.", {"fields": {"field": exc.messages}}) from exc
        request = load_input(RequirementSetSchema, request, what="requirement")
        request["by"] = acting_user(self.caller, request["by"], "change requirements")
        may_change_customer(self.caller, self.profile.get_customer(customer_id), "change the requirements of")
        register = set_requirement(
            self.handoffs, self.profile, self.pool, self.policy["requirements"], customer_id, field, request, _now()
        )
        publish(self.handoffs, self.dispatch, REGISTERS, register)
        return self._requirements(customer_id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_steps(self, customer_id: str) -> dict[str, Any]:
        may_see_steps(
            self.caller,
            self.profile.get_customer(customer_id),
            {spec.department for spec in self.policy["steps"].values()},
        )
        return StepsSchema().dump(steps_of(self.handoffs, self.profile, self.policy, customer_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def start_step(self, customer_id: str, step: str, request: dict[str, Any]) -> dict[str, Any]:
        """Start a department's step; refused, naming what is missing, while its gate is closed."""
        request = load_input(StepStartSchema, request, what="request")
        request["by"] = acting_user(self.caller, request["by"], "start steps")
        spec = self.policy["steps"].get(step)
        may_start_step(self.caller, self.profile.get_customer(customer_id), spec.department if spec else None)
        announce = lambda record: publish(self.handoffs, self.dispatch, "steps", record)  # noqa: E731
        return StepsSchema().dump(
            start_step(self.handoffs, self.profile, self.policy, customer_id, step, request, _now(), announce)
        )

    # --- measures and quality audits ------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def measures(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        require(self.caller, MANAGERS, "read handoff measures")
        query = load_input(MeasuresQuerySchema, query)
        now = _now()
        check_span(query.get("since"), query.get("until"), self.reports, now)
        return MeasuresSchema().dump(measures_between(self.handoffs, self.policy, query, now))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def report_timeliness(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """The measures above over a period of months, for the reports (GET /reports/handoffs)."""
        query, period = report_query(
            self.caller, REPORT_READERS, HandoffTimelinessQuerySchema, query, self.reports, _now()
        )
        measured = measures_between(
            self.handoffs,
            self.policy,
            {"since": period.since, "until": period.last_moment, "kind": query.get("kind")},
            _now(),
        )
        return HandoffTimelinessReportSchema().dump(period.answer(**measured))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def run_quality_audit(self, now: str | None = None) -> list[dict[str, Any]]:
        """Quality-audit everyone due (``now``: ISO time with offset, for tests and replays); the reports made."""
        require(self.caller, ("admin",), "run quality audits by hand")
        given = load_input(QualityAuditRunSchema, {"now": now} if now else {}, what="quality audit run").get("now")
        accept_given_now(given, self.handoffs.audit, "quality audit")  # an invented time only on a test clock, audited
        reports = run_quality_audits(self.handoffs, self.pool, self.profile, self.policy, given or _now())
        return QualityAuditSchema(many=True).dump([quality_audit_view(r) for r in reports])

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_quality_audits(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        require(self.caller, MANAGERS, "read quality audits")
        query = load_input(QualityAuditQuerySchema, query)
        items, total = self.handoffs.quality_audit_page(**query)
        return QualityAuditPageSchema().dump(page_of([quality_audit_view(r) for r in items], total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_quality_audit(self, quality_audit_id: str) -> dict[str, Any]:
        require(self.caller, MANAGERS, "read quality audits")
        report = self.handoffs.quality_audit(quality_audit_id)
        if report is None:
            raise NotFound.of("quality audit", quality_audit_id)
        return QualityAuditSchema().dump(quality_audit_view(report))

    # --- what happens elsewhere, and schedules --------------------------------------------

    @on("customer_updated")
    def on_customer_updated(self, payload: dict[str, Any]) -> None:
        """The archive changed: an info-pending handoff may now be complete."""
        customer_id = load_event("customer_updated", payload)["customer_id"]
        for doc in recheck_pending(self.handoffs, self.profile, self.plugins, self.policy, customer_id, _now()):
            publish(self.handoffs, self.dispatch, HANDOFFS, doc)

    @on("communication_recorded")
    def on_communication_recorded(self, payload: dict[str, Any]) -> None:
        """A contact's 【特殊】 lines that state a requirement (voltage, plug, certification,
        packaging, delivery date) are recorded as that requirement: nothing typed twice."""
        contact = load_event("communication_recorded", payload)
        if not contact["stated_requirements"]:
            return
        record_stated(
            self.handoffs,
            self.profile,
            self.pool,
            self.policy["requirements"],
            contact["customer_id"],
            contact["stated_requirements"],
            contact,
            _now(),
        )
        # read again: every change left its event in the one register's outbox
        publish(self.handoffs, self.dispatch, REGISTERS, self.handoffs.register(contact["customer_id"]))

    @on("customer_allocated")
    def on_customer_allocated(self, payload: dict[str, Any]) -> None:
        """A customer moved: a leaver whose sign-in waits for their last customer may be done."""
        allocation = load_event("customer_allocated", payload)
        for leaver in leavers_a_move_may_release(self.handoffs, allocation):
            publish(
                self.handoffs,
                self.dispatch,
                LEAVERS,
                sign_in_when_nothing_held(self.handoffs, self.pool, leaver, _now()),
            )

    @on("customer_returned")
    def on_customer_returned(self, payload: dict[str, Any]) -> None:
        """A customer taken from its owner (released, recycled): a leaver's last one, perhaps."""
        returned = load_event("customer_returned", payload)
        if returned["previous_owner_id"]:
            publish(
                self.handoffs,
                self.dispatch,
                LEAVERS,
                sign_in_when_nothing_held(self.handoffs, self.pool, returned["previous_owner_id"], _now()),
            )

    @timer(interval=ANNOUNCE_CHECK_SECONDS)
    def retry_announcements(self) -> None:
        now, every = _now(), self.policy["announce_retry_after"]
        if self.handoffs.take_turn("announce", now, every):
            publish_pending(self.handoffs, self.dispatch, now - every, ANNOUNCE_BATCH)

    @timer(interval=QUALITY_AUDIT_CHECK_SECONDS)
    def quality_audit_when_due(self) -> None:
        # the turn was "audit" before the rename: that document is left, unused
        if self.handoffs.take_turn("quality_audit", _now(), self.policy["quality_audit_check_every"]):
            run_quality_audits(self.handoffs, self.pool, self.profile, self.policy, _now())

    def _published(self, doc):
        """Publish what the change left in the handoff's outbox; the handoff as it is now."""
        publish(self.handoffs, self.dispatch, HANDOFFS, doc)
        return self._priced(handoff_view(self.handoffs.handoff(doc["_id"]) or doc, _now()))

    def _priced(self, view):
        """A handoff as the caller may read it: its prices blanked unless they are a price reader."""
        return view if sees_prices(self.caller, self.access["price_readers"]) else without_prices(view)

    def _requirements(self, customer_id):
        view = requirements_view(customer_id, self.handoffs.register(customer_id))
        if not sees_prices(self.caller, self.access["price_readers"]):
            view = requirements_without_prices(view)
        return RequirementsSchema().dump(view)


def _dumped(view):
    return HandoffSchema().dump(view)


def _now():
    return datetime.now(UTC)
