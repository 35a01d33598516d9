"""intake: the door every inquiry comes through, from AMQP or HTTP."""

from datetime import UTC, datetime, timedelta
from typing import Any

from kombu import Exchange, Queue
from nameko.timer import timer

from contracts.errors import EXPECTED_ERRORS, InvalidInput, NotFound
from contracts.events import dump_event, load_event
from contracts.inquiry import (
    InquiryBatchResultSchema,
    InquiryListQuerySchema,
    InquiryPageSchema,
    InquiryRecordSchema,
    ReplayRequestSchema,
    ReplayResultSchema,
    SubmissionSchema,
)
from contracts.topology import CANONICAL_ROUTING_KEY, CHANNEL_ROUTING_PREFIX, INQUIRY_EXCHANGE, INTAKE_QUEUE
from plugins.dependency import Plugins
from services.intake import figures, imports
from services.intake.entrypoints import consume_raw_batches
from services.intake.reading import check_readable, submitter_scope
from services.intake.receiving import (
    announce_pending,
    announce_unconfirmed,
    link_customer,
    receive_batch,
    receive_deliveries,
    receive_inquiry,
    replay_rejected,
)
from services.intake.settings import IntakeSettingsSchema
from services.intake.store import Inquiries
from services.runtime import audit, health, parking, settings_check
from services.runtime.access import Caller, require
from services.runtime.country_settings import CountrySettingsSchema
from services.runtime.events import ReliableEventDispatcher, on
from services.runtime.input_limits import InputLimitsSchema
from services.runtime.mongo import AuditTrailStore, MongoStore
from services.runtime.queries import load_input, page_of
from services.runtime.queues import rpc
from services.runtime.settings import Settings

# The timer's period is fixed at import; how old a pending announcement must be is configured.
ANNOUNCE_CHECK_SECONDS = 1

inquiry_exchange = Exchange(INQUIRY_EXCHANGE, type="topic", durable=True)
intake_queue = Queue(INTAKE_QUEUE, exchange=inquiry_exchange, routing_key="#", durable=True)


# The mixins are not imported by name: `nameko run` would take them for services.
class IntakeService(audit.AuditTrailEntrypoints, parking.ParkedEventEntrypoints, health.HealthEntrypoints):
    name = "intake"
    service_figures = figures.FIGURES  # for /metrics (services.runtime.health)

    inquiries = MongoStore(Inquiries)
    plugins = Plugins()
    settings = Settings("intake", IntakeSettingsSchema)
    limits = Settings("limits", InputLimitsSchema)
    countries = Settings("countries", CountrySettingsSchema)
    caller = Caller()
    audit_trail_store = AuditTrailStore()
    dispatch = ReliableEventDispatcher()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def import_mappings(self) -> dict:
        """The column mappings a file import may be read under (deploy/import_mappings)."""
        return imports.import_mappings()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def read_import(self, request: dict) -> dict:
        """A CSV or XLSX file (base64) read under a mapping: its columns, and each row as a batch item."""
        return imports.read_import(request)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def check_settings(self, config_text: str) -> list[dict[str, str]]:
        """Whether this service would load ``config_text`` (a deploy/config.yaml): [{path, reason}]."""
        return settings_check.answer(self.caller, config_text, type(self))

    # Published inquiries come in batches (stored with a fixed number of commands). Bad input never
    # raises (it is stored as rejected); a batch that fails is handled message by message, and a
    # message that fails is retried a bounded number of times, then parked (see entrypoints).

    @consume_raw_batches(intake_queue)
    def receive_published(self, deliveries: list[dict[str, Any]]) -> None:
        receive_deliveries(self.inquiries, self.plugins, self.limits, self._announce, deliveries)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def submit_inquiry(self, body: str, message_id: str | None = None, channel: str | None = None) -> Any:
        """Receive an inquiry over HTTP: ``body`` is the JSON text, ``channel`` names a connector."""
        routing_key = CHANNEL_ROUTING_PREFIX + channel if channel else CANONICAL_ROUTING_KEY
        # surrogatepass: text that is not UTF-8 arrives as such and is rejected naming why, not a 500
        raw = body.encode("utf-8", "surrogatepass")
        return SubmissionSchema().dump(
            self._receive(
                raw, message_id, routing_key, via="http", submitted_by=self.caller.user_id if self.caller else None
            )
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def submit_batch(self, batch: Any = None) -> Any:
        """Receive up to ``batch_max`` canonical inquiries at once (``InquiryBatchSchema``): each is
        examined, kept and announced as ``submit_inquiry`` would, and answered in order."""
        items = (batch or {}).get("items") if isinstance(batch, dict) else None
        unknown = sorted(set(batch) - {"items"}) if isinstance(batch, dict) else []
        batch_max = self.settings["batch_max"]
        if unknown:
            raise InvalidInput.from_messages({name: ["Unknown field."] for name in unknown}, what="batch")
        if not isinstance(items, list) or not 1 <= len(items) <= batch_max:
            given = f"{len(items)} were given" if isinstance(items, list) else "none were given"
            raise InvalidInput.from_messages(
                {"items": [f"Give 1 to {batch_max} inquiries as a list ({given})."]}, what="batch"
            )
        outcomes = receive_batch(
            self.inquiries,
            self.plugins,
            self.limits,
            self._announce,
            items=items,
            routing_key=CANONICAL_ROUTING_KEY,
            via="http",
            submitted_by=self.caller.user_id if self.caller else None,
        )
        tally = {
            name: sum(1 for o in outcomes if o["outcome"] == name) for name in ("accepted", "duplicate", "rejected")
        }
        return InquiryBatchResultSchema().dump(
            {
                "items": outcomes,
                "accepted": tally["accepted"],
                "duplicates": tally["duplicate"],
                "rejected": tally["rejected"],
            }
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_inquiry(self, inquiry_id: str) -> Any:
        submitter_scope(self.caller)  # refused before anyone learns whether it exists
        record = self.inquiries.get(inquiry_id)
        if record is None:
            raise NotFound.of("inquiry", inquiry_id)
        check_readable(self.caller, record)
        return InquiryRecordSchema().dump(_as_view(record, self.countries))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_inquiries(self, query: dict[str, Any] | None = None) -> Any:
        submitted_by = submitter_scope(self.caller)
        query = load_input(InquiryListQuerySchema, query)
        ids = query.pop("ids", None)
        items, total = self.inquiries.page(**query, ids=ids.split(",") if ids else None, submitted_by=submitted_by)
        return InquiryPageSchema().dump(page_of([_as_view(r, self.countries) for r in items], total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def replay_rejected(self, request: dict[str, Any] | None = None) -> Any:
        """Examine rejected inquiries again after a fix; those that pass now are accepted."""
        require(self.caller, ("admin",), "replay rejected inquiries")
        request = load_input(ReplayRequestSchema, request, what="replay request")
        return ReplayResultSchema().dump(
            replay_rejected(
                self.inquiries,
                self.plugins,
                self.limits,
                self._announce,
                request.get("ids"),
                request["limit"],
                datetime.now(UTC),
            )
        )

    @timer(interval=ANNOUNCE_CHECK_SECONDS)
    def retry_announcements(self) -> None:
        """The outbox: announce accepted inquiries whose first announcement failed."""
        retry_after = timedelta(seconds=self.settings["announce_retry_after_seconds"])
        now, batch_size = datetime.now(UTC), self.settings["announce_batch_size"]
        announce_pending(self.inquiries, self._announce, now - retry_after, batch_size)
        confirm_within = timedelta(seconds=self.settings["announce_confirmed_within_seconds"])
        announce_unconfirmed(self.inquiries, self._announce, now - confirm_within, batch_size)

    @on("customer_created")
    def on_customer_created(self, payload: dict[str, Any]) -> None:
        event = load_event("customer_created", payload)
        link_customer(
            self.inquiries, event["inquiry_id"], event["customer_id"], "flagged" if event["needs_review"] else "created"
        )

    @on("inquiry_matched")
    def on_inquiry_matched(self, payload: dict[str, Any]) -> None:
        event = load_event("inquiry_matched", payload)
        link_customer(self.inquiries, event["inquiry_id"], event["customer_id"], "merged")

    @on("customers_merged")
    def on_customers_merged(self, payload: dict[str, Any]) -> None:
        event = load_event("customers_merged", payload)
        self.inquiries.relink_customer(event["absorbed_id"], event["kept_id"])

    def _receive(
        self, body: bytes, message_id: str | None, routing_key: str, via: str, submitted_by: str | None = None
    ) -> dict[str, Any]:
        return receive_inquiry(
            self.inquiries,
            self.plugins,
            self.limits,
            self._announce,
            body=body,
            message_id=message_id,
            routing_key=routing_key,
            via=via,
            submitted_by=submitted_by,
        )

    def _announce(self, inquiry_id: str, received_at: datetime, inquiry: dict[str, Any]) -> None:
        self.dispatch(
            "inquiry_received",
            dump_event("inquiry_received", {"inquiry_id": inquiry_id, "received_at": received_at, "inquiry": inquiry}),
        )


def _as_view(record: dict[str, Any], countries: Any) -> dict[str, Any]:
    # The country is read as it is shown, with the aliases in force: the record keeps what was sent.
    country = (record.get("inquiry") or {}).get("country")
    return {**record, "id": record["_id"], "country_code": countries.code_of(country)}
